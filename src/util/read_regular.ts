import { constants, promises as fs } from 'node:fs';

/**
 * Read a whole file that must be a regular file (after following symbolic links): a device
 * (`/dev/zero`), a FIFO or a directory is refused before anything is read — opened with
 * O_NONBLOCK, so opening a FIFO does not wait for a writer. When `bytes` is given the file must
 * have exactly that size, checked before reading. `fail(detail)` makes the error to throw.
 */
export async function readRegularFile(file: string, fail: (detail: string) => Error, bytes?: number): Promise<Uint8Array> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw fail(code === 'ENOENT' ? 'does not exist' : `cannot be opened (${code ?? (e as Error).message})`);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw fail(`is not a regular file (${kindOf(st)})`);
    if (bytes !== undefined && st.size !== bytes) throw fail(`has ${st.size} bytes, expected ${bytes}`);
    const out = new Uint8Array(st.size);
    let off = 0;
    while (off < out.length) {
      const { bytesRead } = await fh.read(out, off, out.length - off, off);
      if (bytesRead === 0) throw fail(`shrank while being read (${off} of ${out.length} bytes)`);
      off += bytesRead;
    }
    return out;
  } finally {
    await fh.close();
  }
}

/** What kind of non-regular file `st` describes, for messages. */
function kindOf(st: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a plain file';
}
