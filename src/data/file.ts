import { constants, type Stats } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { XmlcError } from '../errors.js';

/** What a non-regular file is, for an error message. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

function notRegular(path: string, st: Stats, what: string): XmlcError {
  return new XmlcError(`cannot read ${path}: it is ${kindOf(st)}, not a regular file (expected a ${what})`);
}

/** An error opening or reading `path`, as a short XmlcError (ENOENT: "no such file"). */
export function cannotRead(path: string, e: unknown): XmlcError {
  const code = (e as NodeJS.ErrnoException).code;
  return new XmlcError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
}

/**
 * Open `path` for reading if it is a regular file (a symbolic link is followed). A
 * directory, device (`/dev/zero`), FIFO or socket is refused at once: reading one could
 * block forever (a FIFO without a writer) or never end (`/dev/zero`). The file is checked
 * before opening and the open descriptor again (opened non-blocking, so that a path swapped
 * for a FIFO in between cannot hang the open), so the answer holds for what is read.
 * @param what names the expected content in the error ("data file").
 * @throws XmlcError naming the path: missing, unreadable, or not a regular file.
 */
export async function openRegularFile(path: string, what: string): Promise<FileHandle> {
  let fh: FileHandle;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw notRegular(path, st, what);
    fh = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw e instanceof XmlcError ? e : cannotRead(path, e);
  }
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    throw notRegular(path, st, what);
  }
  return fh;
}
