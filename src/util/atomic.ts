import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { XmlcError } from '../errors.js';

/** A sibling temporary name for `target`: same directory, so the final rename stays on one file system. */
export function tempSibling(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Parse the pid out of a name made by {@link tempSibling} (undefined for any other name). */
export function tempSiblingPid(name: string): number | undefined {
  const m = /\.tmp-(\d+)-[0-9a-f]{8}$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * Write an output file without ever leaving half of it. A new path or an existing regular
 * file gets the data through a temporary sibling renamed over it once complete, so readers
 * never see half a file and a failure leaves the old file (or nothing) in place. Any other
 * existing path — a symbolic link, a device such as `/dev/stdout` or `/dev/null`, a FIFO — is
 * opened and written through in place, never replaced (a link stays a link and its target
 * gets the data; a FIFO's reader gets the data).
 * @throws XmlcError when `target` is a directory.
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const st = await fs.lstat(target).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  if (st?.isDirectory()) throw new XmlcError(`cannot write ${target}: it is a directory`);
  if (st && !st.isFile()) {
    await fs.writeFile(target, data);
    return;
  }
  const tmp = tempSibling(target);
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Create a directory atomically: `fill` writes into a fresh temporary sibling directory,
 * which then replaces `target` (an existing `target` is moved aside first and removed after
 * the swap). On failure the temporary directory is removed and `target` is untouched.
 */
export async function writeDirAtomic(target: string, fill: (dir: string) => Promise<void>): Promise<void> {
  const tmp = tempSibling(target);
  await fs.mkdir(path.dirname(path.resolve(target)), { recursive: true });
  await fs.mkdir(tmp);
  try {
    await fill(tmp);
    let old: string | undefined;
    try {
      await fs.rename(tmp, target);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EISDIR' && code !== 'ENOTDIR') throw e;
      old = tempSibling(target);
      await fs.rename(target, old);
      await fs.rename(tmp, target);
    }
    if (old) await fs.rm(old, { recursive: true, force: true });
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
}
