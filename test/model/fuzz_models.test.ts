import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { manifestChecksum } from '../../src/model/manifest.js';
import { xmlcInProcess } from '../cli/harness.js';
import { repoRoot } from '../helpers.js';

/**
 * The model half of the fuzz corpus: each case of test/fixtures/fuzz/models/cases.json mutates
 * a temporary copy of a committed base model (base/: a kNN HNSW model and a PCA model in format
 * 2, and the kNN model in the flat format 1), then `xmlc predict` (or `evaluate`, run in this
 * process: a crash or hang would fail the test file) must exit with
 * the code expected.json gives and a message containing its fragment, and never print a stack.
 */
const corpus = path.join(repoRoot, 'test', 'fixtures', 'fuzz', 'models');

type JsonPath = (string | number)[];
type Op =
  | { op: 'set'; path: JsonPath; value: unknown }
  | { op: 'delete'; path: JsonPath }
  | { op: 'rename-entry'; from: string; to: string }
  | { op: 'dup-member' }
  | { op: 'write'; file: string; text: string }
  | { op: 'remove' | 'fifo' | 'dir' | 'refresh'; file: string }
  | { op: 'symlink'; file: string; to: string }
  | { op: 'truncate' | 'extend' | 'truncate-to'; file: string; bytes: number }
  | { op: 'flip'; file: string; offset: number }
  | { op: 'poke'; file: string; offset: number; type: 'u16' | 'u32' | 'u64'; value: number }
  | { op: 'swap'; a: string; b: string }
  | { op: 'model-is-file' };
interface Case { base: string; ops: Op[]; resign?: boolean; command?: 'predict' | 'evaluate' }
interface Expectation { exit: number; message: string }

const cases = JSON.parse(await fs.readFile(path.join(corpus, 'cases.json'), 'utf8')) as Record<string, Case>;
const expected = JSON.parse(await fs.readFile(path.join(corpus, 'expected.json'), 'utf8')) as Record<string, Expectation>;

/** Set (or with `value` undefined, delete) an own property along `p`, creating none on the way; `__proto__` is an ordinary key here. */
function edit(root: unknown, p: JsonPath, value?: unknown): void {
  let o = root as Record<string | number, unknown>;
  for (const key of p.slice(0, -1)) o = o[key] as Record<string | number, unknown>;
  const last = p[p.length - 1]!;
  if (value === undefined) delete o[last];
  else Object.defineProperty(o, last, { value, enumerable: true, writable: true, configurable: true });
}

/** Apply a case to the model copy `dir`. Model file names are relative to the manifest's version folder. */
async function mutate(dir: string, c: Case): Promise<string> {
  const manifestFile = path.join(dir, 'manifest.json');
  let manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8')) as Record<string, unknown>;
  const root = typeof manifest['root'] === 'string' ? manifest['root'] : '';
  const at = (file: string): string => path.join(dir, root, file);
  let rewrite = c.resign === true;
  let modelPath = dir;
  for (const op of c.ops) {
    switch (op.op) {
      case 'set': edit(manifest, op.path, op.value); rewrite = true; break;
      case 'delete': edit(manifest, op.path); rewrite = true; break;
      case 'rename-entry': {
        const files = manifest['files'] as Record<string, unknown>;
        files[op.to] = files[op.from];
        delete files[op.from];
        rewrite = true;
        break;
      }
      case 'dup-member': {
        const extra = manifest['extra'] as { members: unknown[] };
        extra.members.push(extra.members[0]);
        rewrite = true;
        break;
      }
      case 'write': await fs.writeFile(at(op.file), op.text); if (op.file.endsWith('manifest.json')) return modelPath; break;
      case 'remove': await fs.rm(at(op.file), { recursive: true }); break;
      case 'fifo': await fs.rm(at(op.file)); assert.equal(spawnSync('mkfifo', [at(op.file)]).status, 0); break;
      case 'dir': await fs.rm(at(op.file)); await fs.mkdir(at(op.file)); break;
      case 'symlink': await fs.rm(at(op.file)); await fs.symlink(op.to, at(op.file)); break;
      case 'truncate': await fs.truncate(at(op.file), (await fs.stat(at(op.file))).size - op.bytes); break;
      case 'truncate-to': await fs.truncate(at(op.file), op.bytes); break;
      case 'extend': await fs.appendFile(at(op.file), new Uint8Array(op.bytes)); break;
      case 'flip': {
        const b = await fs.readFile(at(op.file));
        b[op.offset] = b[op.offset]! ^ 0xff;
        await fs.writeFile(at(op.file), b);
        break;
      }
      case 'poke': {
        const b = await fs.readFile(at(op.file));
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
        if (op.type === 'u16') dv.setUint16(op.offset, op.value, true);
        else if (op.type === 'u32') dv.setUint32(op.offset, op.value, true);
        else dv.setBigUint64(op.offset, BigInt(op.value), true);
        await fs.writeFile(at(op.file), b);
        break;
      }
      case 'swap': {
        const tmp = at(`${op.a}.swap`);
        await fs.rename(at(op.a), tmp);
        await fs.rename(at(op.b), at(op.a));
        await fs.rename(tmp, at(op.b));
        break;
      }
      case 'refresh': {
        // Make the manifest agree with the file's new bytes (format 2: checksum and size; format 1: checksum).
        const b = await fs.readFile(at(op.file));
        const sha256 = createHash('sha256').update(b).digest('hex');
        const files = manifest['files'] as Record<string, unknown>;
        files[op.file] = root === '' ? sha256 : { sha256, bytes: b.length };
        rewrite = true;
        break;
      }
      case 'model-is-file':
        modelPath = path.join(dir, 'manifest.json');
        break;
    }
  }
  if (c.resign) manifest = { ...manifest, manifestSha256: manifestChecksum(manifest) };
  if (rewrite) await fs.writeFile(manifestFile, JSON.stringify(manifest, null, 2));
  return modelPath;
}


test('every fuzz model case has an expectation and every expectation a case', () => {
  const c = Object.keys(cases).sort(), e = Object.keys(expected).sort();
  assert.deepEqual(c.filter((k) => !(k in expected)), [], 'cases without an expectation');
  assert.deepEqual(e.filter((k) => !(k in cases)), [], 'expectations without a case');
  assert.ok(c.length >= 30, `${c.length} cases`);
});

test('malformed model directories: exit code and message as expected, no stack trace, no hang', async (t) => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'xmlc-fuzz-models-'));
  t.after(() => fs.rm(root, { recursive: true, force: true }));
  const names = Object.keys(cases).filter((k) => k in expected);
  const failures: string[] = [];
  for (const [i, name] of names.entries()) {
    const c = cases[name]!, want = expected[name]!;
    const dir = path.join(root, `case${i}`);
    await fs.cp(path.join(corpus, 'base', c.base), dir, { recursive: true });
    const model = await mutate(dir, c);
    const args = c.command === 'evaluate'
      ? ['evaluate', '--model', model, '--test', path.join(corpus, 'test.txt'), '--quiet']
      : ['predict', '--model', model, '--test', path.join(corpus, 'test.txt'), '--out', path.join(root, `case${i}.out`), '--quiet'];
    // In this process (one CLI start per case would take minutes).
    const r = await xmlcInProcess(args);
    const problems: string[] = [];
    if (r.code !== want.exit) problems.push(`exit ${r.code}, expected ${want.exit}`);
    if (!r.stderr.includes(want.message)) problems.push(`message lacks ${JSON.stringify(want.message)}`);
    if (/internal error|\n\s+at /.test(r.stderr)) problems.push('stack trace or internal error');
    if (problems.length) failures.push(`${name}: ${problems.join('; ')}\n  stderr: ${r.stderr.trim().slice(0, 400)}`);
  }
  assert.deepEqual(failures, []);
});
