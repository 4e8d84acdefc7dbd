import { promises as fs } from 'node:fs';
import { XmlcError } from '../errors.js';
import { tempSibling } from './atomic.js';
import { faultPoint, pidAlive } from './process.js';

/** Another live process holds the lock of a path this one wants to write. Exit code 1. */
export class LockedError extends XmlcError {}

/** The pid recorded in a lock file, or undefined when it cannot be read. */
async function lockOwner(file: string): Promise<number | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return /^\d+\n?$/.test(text) ? Number(text.trim()) : undefined;
}

/**
 * Remove the stale lock `file` of the dead process `owner`. It is renamed aside first and its
 * content checked: if another process took the stale lock over in between (the file now names a
 * live pid), its lock is put back and false returned.
 */
async function removeStale(file: string, owner: number | undefined): Promise<boolean> {
  const aside = tempSibling(file);
  try {
    await fs.rename(file, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true; // released meanwhile
    throw e;
  }
  const now = await lockOwner(aside);
  if (now !== owner && now !== undefined && pidAlive(now)) {
    await fs.link(aside, file).catch(() => undefined);
    await fs.rm(aside, { force: true });
    return false;
  }
  await fs.rm(aside, { force: true });
  return true;
}

/**
 * Take the exclusive lock `file` (it holds this process's pid) while `what` is written. The lock
 * file appears complete, by a hard link of a finished temporary file (link fails if the name
 * exists, as O_EXCL would), so a kill never leaves an empty lock. A lock left by a dead process
 * is taken over. Returns the function that releases the lock.
 * @throws LockedError when a live process holds it.
 */
export async function acquireLock(file: string, what: string): Promise<() => Promise<void>> {
  const tmp = tempSibling(file);
  await fs.writeFile(tmp, `${process.pid}\n`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await fs.link(tmp, file);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const owner = await lockOwner(file);
        // A lock of a dead process is stale: take it over once (losing again means a live competitor).
        if (attempt === 0 && (owner === undefined || !pidAlive(owner))) {
          if (await removeStale(file, owner)) continue;
        }
        throw new LockedError(`${what} is being written by another xmlc process (pid ${(await lockOwner(file)) ?? owner ?? 'unknown'}, lock file ${file}); wait for it to finish, or delete the lock file if that process is gone`);
      }
    }
  } finally {
    await fs.rm(tmp, { force: true });
  }
  faultPoint('locked');
  return async () => {
    if ((await lockOwner(file)) === process.pid) await fs.rm(file, { force: true });
  };
}
