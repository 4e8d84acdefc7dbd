/**
 * The test command (`npm test`): runs every `*.test.js` under dist/test with node's test runner,
 * with TMPDIR pointing at a fresh directory, and fails if the tests left anything in it (each
 * test must remove the temporary files it makes; test/tmp.ts does it for directories).
 * Extra arguments are passed to `node --test` (e.g. `--test-name-pattern`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...testFiles(p));
    else if (e.name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

// When node's runner itself picks this file up (node --test dist/test/), do nothing.
if (process.env['NODE_TEST_CONTEXT'] === undefined) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'xmlc-test-run-'));
  const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...process.argv.slice(2), ...testFiles(here)], {
    stdio: 'inherit', env: { ...process.env, TMPDIR: tmp },
  });
  const left = readdirSync(tmp);
  rmSync(tmp, { recursive: true, force: true });
  let code = r.status ?? 1;
  if (left.length > 0) {
    process.stderr.write(`the tests left ${left.length} entr${left.length === 1 ? 'y' : 'ies'} in the temporary directory: ${left.slice(0, 20).join(', ')}\n`);
    code = code || 1;
  }
  process.exitCode = code;
}
