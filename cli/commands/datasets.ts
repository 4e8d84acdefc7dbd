import { existsSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { fetchDataset, resolveDataDir, splitPath, verifyDataset, type VerifyCheck } from '../../datasets/fetch.js';
import { DATASETS, findDataset, syntheticNames } from '../../datasets/registry.js';
import { syntheticListing } from '../../datasets/synthetic.js';
import { nnz } from '../../src/data/csr.js';
import { XmlcError } from '../../src/errors.js';
import { loadData, type DataArgs, withDataOptions } from '../common.js';
import { stderrProgress } from '../progress.js';

interface DirArgs { 'data-dir'?: string; dir?: string; json: boolean; quiet: boolean; verbose: boolean }
interface FetchArgs extends DirArgs { name: string; url?: string; archive?: string; force: boolean }
interface VerifyArgs extends DataArgs { target: string; json: boolean }

function dirOption<T>(y: Argv<T>): Argv<T & DirArgs> {
  return y
    .option('data-dir', { type: 'string', alias: 'dir', describe: 'data directory', defaultDescription: '$XMLC_DATA_DIR, else ~/.cache/xmlc/datasets' })
    .option('json', { type: 'boolean', default: false, describe: 'print JSON' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress output on stderr' })
    .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'also say on stderr how long each stage took' }) as Argv<T & DirArgs>;
}

function printChecks(name: string, checks: VerifyCheck[]): void {
  for (const c of checks) process.stdout.write(`${name}  ${c.what.padEnd(18)} ${String(c.actual).padStart(9)}  expected ${String(c.expected).padStart(9)}  ${c.ok ? 'ok' : 'MISMATCH'}\n`);
}

const list: CommandModule<object, DirArgs> = {
  command: 'list',
  describe: 'The known datasets, their official statistics and whether they are in the data directory',
  builder: (y: Argv) => dirOption(y) as unknown as Argv<DirArgs>,
  handler: (args) => {
    const dir = resolveDataDir(args['data-dir']);
    const real = Object.values(DATASETS).map((d) => {
      const inDir = existsSync(splitPath(dir, d, 'train')) && existsSync(splitPath(dir, d, 'test'));
      return { name: d.name, ...d.stats, present: inDir || d.bundled !== undefined, bundled: !inDir && d.bundled !== undefined, description: d.description };
    });
    if (args.json) {
      process.stdout.write(JSON.stringify({ dataDir: dir, datasets: real, synthetic: syntheticNames() }) + '\n');
      return;
    }
    process.stdout.write(`data directory: ${dir}\n\n`);
    process.stdout.write(`${'name'.padEnd(15)}${'train'.padStart(9)}${'test'.padStart(9)}${'features'.padStart(10)}${'labels'.padStart(8)}${'lab/pt'.padStart(8)}  present\n`);
    for (const r of real) {
      process.stdout.write(`${r.name.padEnd(15)}${String(r.train).padStart(9)}${String(r.test).padStart(9)}${String(r.features).padStart(10)}${String(r.labels).padStart(8)}${r.labelsPerPoint.toFixed(2).padStart(8)}  ${r.bundled ? 'yes (bundled)' : r.present ? 'yes' : 'no'}\n`);
    }
    process.stdout.write('\nsynthetic (xmlc data synth NAME --out DIR):\n');
    for (const line of syntheticListing()) process.stdout.write(`${line}\n`);
  },
};

const fetchCmd: CommandModule<object, FetchArgs> = {
  command: 'fetch <name>',
  describe: 'Download a dataset (resuming an interrupted download), unpack its standard split and verify the counts',
  builder: (y: Argv) => dirOption(y)
    .positional('name', { type: 'string', demandOption: true, describe: `one of ${Object.keys(DATASETS).join(', ')}` })
    .option('url', { type: 'string', describe: 'download from this URL instead (a mirror)' })
    .option('archive', { type: 'string', describe: 'use this already-downloaded archive (.zip) instead of downloading' })
    .option('force', { type: 'boolean', default: false, describe: 'fetch again even if a verified copy is present' })
    .example('$0 datasets fetch EURLex-4K', '')
    .example('$0 datasets fetch Wiki10-31K --archive ~/Downloads/Wiki10-31K.zip --data-dir data', '') as unknown as Argv<FetchArgs>,
  handler: async (args) => {
    const dataDir = resolveDataDir(args['data-dir']);
    const r = await fetchDataset(args.name, {
      dataDir, force: args.force, onProgress: stderrProgress(args),
      ...(args.url !== undefined ? { url: args.url } : {}), ...(args.archive !== undefined ? { archive: args.archive } : {}),
    });
    if (args.json) process.stdout.write(JSON.stringify({ name: r.info.name, train: r.train, test: r.test, fetched: r.fetched, checks: r.checks }) + '\n');
    else {
      process.stdout.write(`${r.info.name}: ${r.fetched ? 'fetched and verified' : 'already present and verified'}\n  ${r.train}\n  ${r.test}\n`);
      printChecks(r.info.name, r.checks);
    }
  },
};

const verify: CommandModule<object, VerifyArgs> = {
  command: 'verify <target>',
  describe: 'Check a dataset in the data directory (by name) against the registry, or read a data file and report its shape',
  builder: (y: Argv) => withDataOptions(y)
    .alias('data-dir', 'dir')
    .option('json', { type: 'boolean', default: false, describe: 'print JSON' })
    .positional('target', { type: 'string', demandOption: true, describe: 'a dataset name or a data file' }) as unknown as Argv<VerifyArgs>,
  handler: async (args) => {
    const info = existsSync(args.target) ? undefined : findDataset(args.target);
    if (info) {
      const v = await verifyDataset(info.name, resolveDataDir(args['data-dir']), stderrProgress(args));
      if (args.json) process.stdout.write(JSON.stringify({ name: info.name, ok: v.ok, checks: v.checks }) + '\n');
      else printChecks(info.name, v.checks);
      if (!v.ok) throw new XmlcError(`${info.name} does not match the registry (fetch it again with --force)`);
      return;
    }
    // A file: parse all of it (a bad line is an error naming file and line) and say which registered split it matches.
    const ds = await loadData(args.target, args, stderrProgress(args));
    const n = ds.features.nRows;
    const match = Object.values(DATASETS).flatMap((d) => (['train', 'test'] as const)
      .filter((s) => d.stats[s] === n && d.stats.features === ds.features.nCols && d.stats.labels === ds.labels.nCols).map((s) => `${d.name} ${s}`));
    const out = { file: args.target, points: n, features: ds.features.nCols, labels: ds.labels.nCols, labelsPerPoint: Number((nnz(ds.labels) / Math.max(1, n)).toFixed(2)), matches: match };
    if (args.json) process.stdout.write(JSON.stringify(out) + '\n');
    else process.stdout.write(`${out.file}: ${out.points} points, ${out.features} features, ${out.labels} labels, ${out.labelsPerPoint} labels per point; ${match.length ? `matches the registry's ${match.join(', ')}` : 'matches no registered split'}\n`);
  },
};

export const datasetsCommand: CommandModule = {
  command: 'datasets',
  describe: 'Known benchmark datasets: list, fetch, verify',
  builder: (y: Argv) => y
    .command(list as unknown as CommandModule)
    .command(fetchCmd as unknown as CommandModule)
    .command(verify as unknown as CommandModule)
    .demandCommand(1, 'name a datasets subcommand: list, fetch or verify'),
  handler: () => undefined,
};
