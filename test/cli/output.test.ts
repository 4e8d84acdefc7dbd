import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../helpers.js';

const outputUrl = pathToFileURL(path.join(repoRoot, 'dist', 'cli', 'common.js')).href;
const write = (target: string): { status: number | null; stdout: string } =>
  spawnSync(process.execPath, ['--input-type=module', '-e', `const { writeOutput } = await import(${JSON.stringify(outputUrl)}); await writeOutput(process.argv[1], 'a:1 b:0.5\\n');`, target], { encoding: 'utf8' });

test("writeOutput: '-' is standard output; a path gets the file", async (t) => {
  const r = write('-');
  assert.equal(r.status, 0);
  assert.equal(r.stdout, 'a:1 b:0.5\n');
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'xmlc-output-'));
  t.after(() => fs.rm(root, { recursive: true, force: true }));
  const f = path.join(root, 'p.txt');
  assert.equal(write(f).stdout, '');
  assert.equal(await fs.readFile(f, 'utf8'), 'a:1 b:0.5\n');
});
