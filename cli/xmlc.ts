import yargs from 'yargs';
import { UsageError, XmlcError } from '../src/errors.js';
import { VERSION } from '../src/version.js';
import { hideDash, restoreDash } from './common.js';
import { dataCommand } from './commands/data.js';
import { datasetsCommand } from './commands/datasets.js';
import { infoCommand } from './commands/info.js';
import { evaluateCommand } from './commands/evaluate.js';
import { predictCommand } from './commands/predict.js';
import { recoverCommand } from './commands/recover.js';
import { runCommand } from './commands/run.js';
import { testCommand } from './commands/test.js';
import { trainCommand } from './commands/train.js';
import { workerCommand } from './commands/worker.js';
import type { CommandModule } from 'yargs';

/** Exit codes of the `xmlc` command. */
export const EXIT = Object.freeze({ ok: 0, failure: 1, usage: 2 });

/**
 * Run the `xmlc` command line with `argv` (without node and script) and return its exit
 * code: 0 success, 1 failure (bad data, corrupt model, ...), 2 usage error. Errors are
 * printed on stderr as one message, without a stack trace, except for internal errors.
 */
export async function run(argv: string[]): Promise<number> {
  const parser = yargs(hideDash(argv))
    .middleware(restoreDash, true)
    .scriptName('xmlc')
    .usage('$0 <command> [options]\n\nExtreme multi-label classification: train, predict and evaluate XMC models; compressed-sensing recovery.')
    .command(trainCommand as unknown as CommandModule)
    .command(predictCommand as unknown as CommandModule)
    .command(evaluateCommand as unknown as CommandModule)
    .command(testCommand as unknown as CommandModule)
    .command(runCommand as unknown as CommandModule)
    .command(recoverCommand as unknown as CommandModule)
    .command(dataCommand)
    .command(datasetsCommand)
    .command(infoCommand as unknown as CommandModule)
    .command(workerCommand as unknown as CommandModule)
    .demandCommand(1, 'name a command: train, predict, evaluate, test, run, recover, data, datasets, info or worker')
    .recommendCommands()
    .strict()
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .showHelpOnFail(false)
    .exitProcess(false)
    .fail((msg, err) => {
      // yargs's own errors (a failed option check or coerce) are usage errors.
      if (err) throw err.name === 'YError' ? new UsageError(err.message) : err;
      throw new UsageError(msg);
    });
  try {
    await parser.parseAsync();
    return EXIT.ok;
  } catch (e) {
    const code = userErrorExitCode(e);
    if (code === EXIT.usage) {
      process.stderr.write(`xmlc: ${(e as Error).message}\nRun 'xmlc --help' (or 'xmlc COMMAND --help') for usage.\n`);
    } else if (code !== undefined) {
      process.stderr.write(`xmlc: error: ${(e as Error).message}\n`);
    } else {
      process.stderr.write(`xmlc: internal error (please report): ${(e as Error)?.stack ?? String(e)}\n`);
    }
    return code ?? EXIT.failure;
  }
}

/**
 * The exit code of an error the user can fix, printed as its message alone: 2 for a
 * `UsageError` (a `ParamsError` among them), 1 for every other `XmlcError` and for a
 * file-system error (ENOENT, EACCES, ... with its path). `undefined` for anything else: an
 * internal error (a bug in xmlc), reported with its stack and exit code 1.
 */
export function userErrorExitCode(e: unknown): number | undefined {
  if (e instanceof UsageError) return EXIT.usage;
  if (e instanceof XmlcError) return EXIT.failure;
  const err = e as NodeJS.ErrnoException | undefined;
  if (err instanceof Error && typeof err.code === 'string' && typeof err.path === 'string') return EXIT.failure;
  return undefined;
}
