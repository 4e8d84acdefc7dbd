import { constants, type Stats } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';

/** Why a path could not be opened as a regular file: missing, not a regular file (`detail`: what it is), or another error (`detail`: its message). */
export type OpenFailure = 'missing' | 'not-regular' | 'error';

/** What a non-regular file is, for messages ("a directory", "a character device", …). */
export function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

/**
 * Open `path` for reading if it is a regular file (a symbolic link is followed). A directory,
 * device (`/dev/zero`), FIFO or socket is refused at once: reading one could block forever (a
 * FIFO without a writer) or never end (`/dev/zero`). The path is checked before opening and the
 * open descriptor again (opened non-blocking, so that a path swapped for a FIFO in between cannot
 * hang the open), so the answer holds for what is read. `fail(why, detail)` makes the error to
 * throw (`detail`: the file's kind for `not-regular`, the system's message for `error`).
 */
export async function openRegularFile(path: string, fail: (why: OpenFailure, detail: string) => Error): Promise<FileHandle> {
  let fh: FileHandle;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw fail('not-regular', fileKind(st));
    fh = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code !== 'string') throw e;
    throw code === 'ENOENT' ? fail('missing', 'does not exist') : fail('error', code === 'EACCES' ? 'permission denied' : (e as Error).message);
  }
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    throw fail('not-regular', fileKind(st));
  }
  return fh;
}

/** Size limits of {@link readRegularFile}, checked before reading. */
export interface SizeCheck {
  /** The file must have exactly this many bytes. */
  readonly bytes?: number;
  /** The file may have at most this many bytes. */
  readonly maxBytes?: number;
}

/**
 * Read a whole regular file ({@link openRegularFile}), its size checked against `size` first. `fail(detail)` makes the error to throw, with
 * `detail` a phrase that follows the file's name ("does not exist", "is a FIFO (named pipe), not
 * a regular file", "has 10 bytes, expected 12").
 */
export async function readRegularFile(file: string, fail: (detail: string) => Error, size: SizeCheck = {}): Promise<Uint8Array> {
  const fh = await openRegularFile(file, (why, detail) => fail(why === 'not-regular' ? `is ${detail}, not a regular file` : why === 'missing' ? detail : `cannot be opened (${detail})`));
  try {
    const n = (await fh.stat()).size;
    if (size.bytes !== undefined && n !== size.bytes) throw fail(`has ${n} bytes, expected ${size.bytes}`);
    if (size.maxBytes !== undefined && n > size.maxBytes) throw fail(`has ${n} bytes, more than the ${size.maxBytes} it may have`);
    const out = new Uint8Array(n);
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
