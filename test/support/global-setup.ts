import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { CFN_LINT_VERSION, MOTO_SERVERS, MOTO_VERSION, SQLGLOT_VERSION } from './moto';

const ROOT = path.resolve(__dirname, '..', '..');
const VENV = path.join(ROOT, '.venv');

/** Creates .venv with moto[server], cfn-lint and sqlglot unless it already has the pinned versions. */
function ensureVenv(): string {
  const bin = path.join(VENV, 'bin');
  const motoServer = path.join(bin, 'moto_server');
  const marker = path.join(VENV, `.moto-${MOTO_VERSION}-cfn-lint-${CFN_LINT_VERSION}-sqlglot-${SQLGLOT_VERSION}`);
  if (fs.existsSync(motoServer) && fs.existsSync(marker)) return motoServer;
  execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
  execFileSync(path.join(bin, 'pip'), ['install', '--quiet', '--disable-pip-version-check', `moto[server]==${MOTO_VERSION}`, `cfn-lint==${CFN_LINT_VERSION}`, `sqlglot==${SQLGLOT_VERSION}`], { stdio: 'inherit' });
  fs.writeFileSync(marker, '');
  return motoServer;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(endpoint: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`moto server did not start at ${endpoint} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export default async function globalSetup(): Promise<void> {
  const motoServer = ensureVenv();
  const pids: number[] = [];
  for (let n = 1; n <= MOTO_SERVERS; n++) {
    const port = await freePort();
    const child = spawn(motoServer, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore', detached: true });
    child.unref();
    pids.push(child.pid!);
    const endpoint = `http://127.0.0.1:${port}`;
    await waitUntilUp(endpoint, 60_000);
    process.env[`MOTO_ENDPOINT_${n}`] = endpoint;
  }
  // The teardown runs in this same process: it stops this run's servers only (runs in parallel each have their own).
  process.env.MOTO_PIDS = pids.join(',');
  // Handlers under test build their clients from the environment, as they do in Lambda.
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  process.env.AWS_REGION = 'us-east-1';
}
