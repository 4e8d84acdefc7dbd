/** Shared by the CLI tests: run `xmlc` in this process (fast, for usage errors) or as a child process. */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { run } from '../../cli/xmlc.js';
import { tempDir as makeTempDir } from '../tmp.js';

export interface CliResult { code: number | null; stdout: string; stderr: string }

const bin = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

/** `xmlc ...args` as a child process (environment `env` over this one's). */
export function xmlc(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `xmlc ...args` in this process, stdout and stderr captured (for commands that fail before computing). */
export async function xmlcInProcess(args: string[]): Promise<CliResult> {
  const out: string[] = [], err: string[] = [];
  const w1 = process.stdout.write.bind(process.stdout), w2 = process.stderr.write.bind(process.stderr);
  // The CLI writes strings; the test runner reports through the same stdout in binary chunks, which pass through.
  const capture = (buf: string[], orig: typeof process.stdout.write) => ((s: string | Uint8Array, ...rest: unknown[]) => {
    if (typeof s !== 'string') return (orig as (...a: unknown[]) => boolean)(s, ...rest);
    buf.push(s);
    const cb = rest.find((x) => typeof x === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture(out, w1);
  process.stderr.write = capture(err, w2);
  try {
    const code = await run(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
  }
}

/** A fresh temporary directory (test/tmp.ts: removed when the test process exits at the latest), and a function that removes it now. */
export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = makeTempDir(prefix.replace(/^xmlc-|-$/g, ''));
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** The first `n` points of a gzipped BoW file, written uncompressed to `dst` with a matching header. */
export async function headBow(src: string, dst: string, n: number): Promise<void> {
  const lines = gunzipSync(await fs.readFile(src)).toString('utf8').split('\n');
  const [, d, l] = lines[0]!.split(' ');
  await fs.writeFile(dst, [`${n} ${d} ${l}`, ...lines.slice(1, n + 1)].join('\n') + '\n');
}

/** `s` as a literal inside a RegExp. */
export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
