import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../tmp.js';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';

const bin = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
function xmlc(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, XMLC_DATA_DIR: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = tempDir('datasets-cli');
test.after(() => fs.rm(tmp, { recursive: true, force: true }));
// A data directory holding Bibtex (the bundled gzip files under the registry's names).
const dataDir = path.join(tmp, 'data');
await fs.mkdir(path.join(dataDir, 'Bibtex'), { recursive: true });
for (const s of ['train', 'test'] as const) await fs.copyFile(BUNDLED_BIBTEX[s], path.join(dataDir, 'Bibtex', `Bibtex_${s}.txt`));

test('datasets list: every registered set, which are present, and the synthetic generators', () => {
  const r = xmlc('datasets', 'list', '--data-dir', dataDir, '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { dataDir: string; datasets: { name: string; present: boolean }[]; synthetic: string[] };
  assert.equal(j.dataDir, dataDir);
  assert.deepEqual(j.datasets.filter((d) => d.present).map((d) => d.name), ['Bibtex']);
  assert.ok(j.datasets.some((d) => d.name === 'EURLex-4K') && j.datasets.some((d) => d.name === 'Wiki10-31K'));
  assert.ok(j.synthetic.includes('synthetic1'));
});

test('datasets verify: by name against the registry, by file with the registered split it matches', () => {
  const r = xmlc('datasets', 'verify', 'bibtex', '--dir', dataDir, '-q');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').filter((l) => l.endsWith(' ok')).length, 5);
  const f = xmlc('datasets', 'verify', path.join(dataDir, 'Bibtex', 'Bibtex_test.txt'), '-q');
  assert.equal(f.code, 0, f.stderr);
  assert.match(f.stdout, /2515 points, 1836 features, 159 labels.*matches the registry's Bibtex test/);
  const absent = xmlc('datasets', 'verify', 'EURLex-4K', '--dir', dataDir);
  assert.equal(absent.code, 1);
  assert.match(absent.stderr, /EURLex-4K is not in .*xmlc datasets fetch EURLex-4K/);
  assert.doesNotMatch(absent.stderr, /\n\s+at /, 'no stack trace');
});

test('a dataset name stands for a data file: data stats Bibtex:test', () => {
  const r = xmlc('data', 'stats', 'Bibtex:test', '--data-dir', dataDir, '--json', '-q');
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { points: number }).points, 2515);
});

test('datasets fetch with an archive that does not match the registry: exit 1, nothing written', async () => {
  const bad = path.join(tmp, 'bad.zip');
  await fs.writeFile(bad, 'not a zip at all');
  const target = path.join(tmp, 'fresh');
  const r = xmlc('datasets', 'fetch', 'Delicious', '--archive', bad, '--data-dir', target);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /bad\.zip: not a ZIP archive/);
  assert.deepEqual(await fs.readdir(target), []);
  const u = xmlc('datasets', 'fetch', 'NoSuchSet', '--data-dir', target);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /unknown dataset 'NoSuchSet'; known: EURLex-4K/);
});
