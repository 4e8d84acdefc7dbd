import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers.js';

/**
 * The data half of the fuzz corpus (issue 13): every file of test/fixtures/fuzz/data (made by
 * ../make_data_corpus.mjs) run through `xmlc data stats FILE --json` (and, where listed,
 * `xmlc train --method knn --train FILE`), checking the exit code and message fragment of
 * data/expected.json. A failure prints one `xmlc: error:` line naming the file, no stack trace
 * and nothing on stdout. A file without an expectation, or an expectation without a file,
 * fails the test.
 */

const dir = path.join(repoRoot, 'test', 'fixtures', 'fuzz', 'data');
const cli = new URL('../../cli/xmlc.js', import.meta.url).href;
const run = promisify(execFile);

interface Outcome { code: number; message: string }
type Expectations = Record<string, { stats: Outcome; train?: Outcome }>;
interface Result { code: number; stdout: string; stderr: string }

/**
 * Run each argument list through the CLI's `run()` (what the `xmlc` binary calls) in one child
 * Node process, one after another, capturing what each writes to stdout and stderr: one
 * start-up instead of one per case (each loads tfjs, ~1 s).
 */
async function xmlcMany(argvs: string[][]): Promise<Result[]> {
  const script = `
    const { run } = await import(${JSON.stringify(cli)});
    const out = [];
    const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
    for (const argv of JSON.parse(process.argv[1])) {
      const r = { stdout: '', stderr: '' };
      process.stdout.write = (c) => { r.stdout += c; return true; };
      process.stderr.write = (c) => { r.stderr += c; return true; };
      try { r.code = await run(argv); } finally { process.stdout.write = write.out; process.stderr.write = write.err; }
      out.push(r);
    }
    process.stdout.write(JSON.stringify(out));`;
  const r = await run(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(argvs)], { encoding: 'utf8', timeout: 300_000, maxBuffer: 1 << 26 });
  return JSON.parse(r.stdout) as Result[];
}

/** Check one run against its expectation: exit code, fragment, the file named, no stack, stdout empty on failure. */
function check(what: string, file: string, r: Result, exp: Outcome): void {
  assert.equal(r.code, exp.code, `${what}: exit ${r.code}, stderr: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at |internal error/, `${what}: stack trace or internal error`);
  if (exp.code === 0) {
    assert.ok(r.stdout.includes(exp.message), `${what}: stdout ${r.stdout} lacks ${exp.message}`);
    return;
  }
  assert.equal(r.stdout, '', `${what}: output on stdout`);
  assert.match(r.stderr, /^xmlc: error: [^\n]*\n$/, `${what}: one error line`);
  // Fragments starting with ':' continue the file name (`file:line: detail`).
  const want = exp.message.startsWith(':') ? file + exp.message : exp.message;
  assert.ok(r.stderr.includes(want), `${what}: stderr ${r.stderr} lacks ${want}`);
  assert.ok(r.stderr.includes(file), `${what}: the message does not name the file`);
}

test('data fuzz corpus: every file has an expectation, and the corpus is small', async () => {
  const expected = JSON.parse(await fs.readFile(path.join(dir, 'expected.json'), 'utf8')) as Expectations;
  const files = (await fs.readdir(dir)).filter((f) => f !== 'expected.json').sort();
  assert.deepEqual(files, Object.keys(expected).sort(), 'every corpus file has an expectation and every expectation a file');
  assert.ok(files.length >= 40, `${files.length} files`);
  let total = 0;
  for (const f of files) total += (await fs.stat(path.join(dir, f))).size;
  assert.ok(total < 1 << 20, `${total} bytes`);
  assert.ok(files.filter((f) => expected[f]!.stats.code !== 0).length >= 40, 'at least 40 malformed or hostile files');
});

test('data fuzz corpus: xmlc data stats and xmlc train give the expected exit code and message', async () => {
  const expected = JSON.parse(await fs.readFile(path.join(dir, 'expected.json'), 'utf8')) as Expectations;
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'xmlc-fuzz-data-'));
  try {
    const cases: { what: string; file: string; argv: string[]; exp: Outcome; model?: string }[] = [];
    for (const [name, exp] of Object.entries(expected)) {
      const file = path.join(dir, name);
      cases.push({ what: `data stats ${name}`, file, argv: ['data', 'stats', file, '--json', '-q'], exp: exp.stats });
      if (exp.train) {
        const model = path.join(tmp, `model-${name}`);
        cases.push({ what: `train ${name}`, file, argv: ['train', '--method', 'knn', '--train', file, '--model', model, '-q'], exp: exp.train, model });
      }
    }
    const results = await xmlcMany(cases.map((c) => c.argv));
    assert.equal(results.length, cases.length);
    for (const [i, c] of cases.entries()) {
      check(c.what, c.file, results[i]!, c.exp);
      if (c.model && c.exp.code !== 0) await assert.rejects(fs.access(c.model), `${c.what}: a model was written`);
    }
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
});

test('data fuzz corpus: the xmlc binary itself on a few files (exit codes through the bin shim)', async () => {
  const expected = JSON.parse(await fs.readFile(path.join(dir, 'expected.json'), 'utf8')) as Expectations;
  const bin = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
  for (const name of ['bom_utf8_bow.txt', 'binary_junk.bin', 'gzip_truncated.gz']) {
    const file = path.join(dir, name);
    let r: Result;
    try {
      const o = await run(process.execPath, [bin, 'data', 'stats', file, '--json', '-q'], { encoding: 'utf8', timeout: 60_000 });
      r = { code: 0, stdout: o.stdout, stderr: o.stderr };
    } catch (e) {
      const x = e as { code?: number; stdout: string; stderr: string };
      r = { code: x.code ?? -1, stdout: x.stdout, stderr: x.stderr };
    }
    check(`xmlc data stats ${name}`, file, r, expected[name]!.stats);
  }
});
