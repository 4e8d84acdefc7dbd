/** Command-line options shared by the eval/ scripts: `--name value` pairs and `--flag` switches. */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (the scripts run from dist/eval/). */
export const root = fileURLToPath(new URL('../../', import.meta.url));
/** The script's arguments. */
export const argv = process.argv.slice(2);

/** The value after `--name`, or `dflt`. */
export function opt(name: string, dflt: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
}

/** Whether `--name` was given. */
export function flag(name: string): boolean {
  return argv.includes(`--${name}`);
}

/** `--data-dir`, by default ../shared/datasets beside the package. */
export const dataDir = path.resolve(opt('data-dir', path.join(root, '..', 'shared', 'datasets')));
