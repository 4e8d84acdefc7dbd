import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Temporary directories made by this test process, removed when it exits. */
const made: string[] = [];
process.on('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/**
 * A fresh directory under the system's temporary directory, named `xmlc-<prefix>-…`, removed
 * with everything in it when the test process exits (every test file runs in its own process),
 * so a test run leaves nothing behind even when an assertion fails half-way.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `xmlc-${prefix}-`));
  made.push(dir);
  return dir;
}
