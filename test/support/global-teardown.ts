import * as fs from 'node:fs';
import * as path from 'node:path';

const PID_FILE = path.resolve(__dirname, '..', '..', '.venv', 'moto.pid');

export default async function globalTeardown(): Promise<void> {
  if (!fs.existsSync(PID_FILE)) return;
  const pid = Number(fs.readFileSync(PID_FILE, 'utf-8'));
  fs.rmSync(PID_FILE);
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // already gone
  }
}
