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
 * Test hook for crash-safety tests: when the environment variable `XMLC_FAULT_INJECT` names
 * `step`, the process kills itself (SIGKILL: no cleanup, no `finally`) at that step. Internal;
 * never set it outside tests.
 */
export function faultPoint(step: string): void {
  if (process.env['XMLC_FAULT_INJECT'] === step) process.kill(process.pid, 'SIGKILL');
}
