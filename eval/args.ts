/** Command-line options shared by the eval/ scripts: `--name value` pairs and `--flag` switches. */
import { promises as fs } from 'node:fs';
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

/** Bytes of the files under `dir`, its subfolders included. */
export async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) total += (await fs.stat(path.join(e.parentPath, e.name))).size;
  return total;
}

/** The same in MB (10⁶ bytes), one decimal. */
export async function dirMb(dir: string): Promise<number> {
  return Math.round((await dirBytes(dir)) / 1e5) / 10;
}

/** Peak resident set size of this process so far (Linux VmHWM), in MB. */
export async function peakRssMb(): Promise<number> {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(await fs.readFile('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch { /* not Linux */ }
  return process.memoryUsage().rss / 2 ** 20;
}

/** `f`'s value and the wall seconds it took. */
export async function timed<T>(f: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const t0 = performance.now();
  const value = await f();
  return { value, seconds: (performance.now() - t0) / 1000 };
}

/** Write a benchmark's OUT.json (`data`, pretty-printed) and OUT.md (`md`). */
export async function writeResults(out: string, data: unknown, md: string): Promise<void> {
  await fs.writeFile(out + '.json', JSON.stringify(data, null, 2) + '\n');
  await fs.writeFile(out + '.md', md);
}

/** Run a script's `main`, its failure printed to stderr with exit code 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}
