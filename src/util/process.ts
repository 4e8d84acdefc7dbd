/**
 * Whether a process with this id is running on this machine (signal 0 probes without
 * signalling; EPERM means it exists but belongs to another user).
 */
export function pidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Test hook for crash-safety tests: when the environment variable `XMLC_FAULT_INJECT` is
 * `step`, the process kills itself at that step (SIGKILL: no cleanup, no `finally`); when it is
 * `step:stop`, it stops itself (SIGSTOP) there until a SIGCONT, so a test can act while it
 * holds its locks without relying on timing. Internal; never set it outside tests.
 */
export function faultPoint(step: string): void {
  const inject = process.env['XMLC_FAULT_INJECT'];
  if (inject === step) process.kill(process.pid, 'SIGKILL');
  else if (inject === `${step}:stop`) process.kill(process.pid, 'SIGSTOP');
}
