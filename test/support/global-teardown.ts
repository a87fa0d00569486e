import * as fs from 'node:fs';
import { motoServerPids } from './moto';

export default async function globalTeardown(): Promise<void> {
  const dir = process.env.MOTO_RUN_DIR;
  delete process.env.MOTO_RUN_DIR;
  if (!dir) return;
  for (const pid of motoServerPids(dir)) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone (it exits with its worker)
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
}
