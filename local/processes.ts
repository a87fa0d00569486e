/**
 * The processes the runner starts (the moto server, DynamoDB Local, the Flink MiniCluster, one host per Lambda function),
 * each stopped by its own id when the run ends or on Ctrl-C.
 */
import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');
const started: ChildProcess[] = [];

export function startProcess(command: string, args: string[], options: SpawnOptions & { logFile?: string } = {}): ChildProcess {
  const { logFile, ...rest } = options;
  const out = logFile ? fs.openSync(logFile, 'a') : 'ignore';
  // its own process group: a terminal's Ctrl-C reaches the runner alone, which stops the pollers before the processes
  const child = spawn(command, args, { stdio: ['ignore', out, out], detached: true, ...rest });
  started.push(child);
  return child;
}

export function track(child: ChildProcess): ChildProcess {
  started.push(child);
  return child;
}

/** Stops every process this run started, by pid (SIGTERM, then SIGKILL after two seconds). */
export async function stopAll(): Promise<void> {
  const alive = started.filter((c) => c.exitCode === null && c.signalCode === null && c.pid !== undefined);
  for (const c of alive) c.kill('SIGTERM');
  await Promise.all(alive.map((c) => new Promise<void>((resolve) => {
    const t = setTimeout(() => { c.kill('SIGKILL'); resolve(); }, 2000);
    c.once('exit', () => { clearTimeout(t); resolve(); });
  })));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${what} not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The moto server of the project's virtualenv (created by the jest setup: npx jest once, or python3 -m venv .venv). */
export async function startMoto(logDir: string): Promise<string> {
  const bin = path.join(ROOT, '.venv', 'bin', 'moto_server');
  if (!fs.existsSync(bin)) throw new Error(`${bin} not found: run any handler test once (npx jest test/lambda) to create .venv`);
  const port = await freePort();
  startProcess(bin, ['-H', '127.0.0.1', '-p', String(port)], { logFile: path.join(logDir, 'moto.log') });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitFor('moto server', async () => (await fetch(`${endpoint}/moto-api/`)).ok, 60_000);
  return endpoint;
}
