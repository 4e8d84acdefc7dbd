import { type FileHandle } from 'node:fs/promises';
import { XmlcError } from '../errors.js';
import { openRegularFile as openRegular } from '../util/regular_file.js';

/**
 * Open the data file `path` for reading if it is a regular file ({@link openRegular}): a
 * directory, device, FIFO or socket is refused at once.
 * @param what names the expected content in the error ("data file").
 * @throws XmlcError naming the path: missing, unreadable, or not a regular file.
 */
export async function openRegularFile(path: string, what: string): Promise<FileHandle> {
  return openRegular(path, (why, detail) => new XmlcError(`cannot read ${path}: ${why === 'not-regular' ? `it is ${detail}, not a regular file (expected a ${what})` : why === 'missing' ? 'no such file' : detail}`));
}
