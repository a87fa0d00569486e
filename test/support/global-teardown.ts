export default async function globalTeardown(): Promise<void> {
  const pid = Number(process.env.MOTO_PID);
  if (!pid) return;
  delete process.env.MOTO_PID;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // already gone
  }
}
