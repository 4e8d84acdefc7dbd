import { writeFileAtomic } from '../src/util/atomic.js';

/** What `--out -` means: standard output. */
export const STDOUT = '-';

/**
 * Write a command's output to `target`: `-` is standard output (waits until the data is
 * handed to the OS); any other path goes through {@link writeFileAtomic} (temp file + rename
 * for a new path or a regular file; a symlink, device or FIFO is written through in place).
 */
export async function writeOutput(target: string, data: string | Uint8Array): Promise<void> {
  if (target === STDOUT) {
    await new Promise<void>((resolve, reject) => process.stdout.write(data, (e) => (e ? reject(e) : resolve())));
    return;
  }
  await writeFileAtomic(target, data);
}
