export default async function globalTeardown(): Promise<void> {
  const pids = (process.env.MOTO_PIDS ?? '').split(',').filter(Boolean).map(Number);
  delete process.env.MOTO_PIDS;
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}
