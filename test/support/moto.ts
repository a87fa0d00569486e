/**
 * The moto server, the local AWS API emulator the handler tests talk to over HTTP.
 *
 * The jest global setup creates a project-local virtualenv (.venv) with the pinned moto[server] (and cfn-lint) when
 * missing. Each jest worker process starts its own `moto_server` on 127.0.0.1 the first time one of its test files asks
 * for the endpoint (test/support/moto-server.py: the server binds port 0 and reports the port the OS gave it). A worker
 * runs its test files one after the other, so `resetMoto()` in one file never wipes the state of a file running at the
 * same time: that holds for any number of workers (`-w`), since nothing maps workers onto a fixed set of servers. The
 * server exits with its worker; the global teardown stops any that is left. Tests build their SDK clients with
 * `motoClientConfig()`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const MOTO_VERSION = '5.2.5';
/** cfn-lint, the second CloudFormation linter the gates run (test/support/gates.ts), installed in the same .venv. */
export const CFN_LINT_VERSION = '1.58.0';
/** sqlglot, the SQL parser (Trino dialect) that checks the saved Athena queries offline (test/analytics), in the same .venv. */
export const SQLGLOT_VERSION = '30.30.0';

const ROOT = path.resolve(__dirname, '..', '..');
const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');
const LAUNCHER = path.join(__dirname, 'moto-server.py');

/** Directory of this jest run where each worker records its server (set by the global setup). */
function runDir(): string {
  const dir = process.env.MOTO_RUN_DIR;
  if (!dir) throw new Error('MOTO_RUN_DIR is not set: the jest global setup prepares the moto servers');
  return dir;
}

interface Server {
  readonly endpoint: string;
  readonly pid: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The endpoint of this jest worker's own moto server, started on first use. Jest gives each test file a fresh module
 * registry and a copy of process.env, so the worker's server is recorded in a file named after the worker's pid.
 */
export function motoEndpoint(): string {
  const record = path.join(runDir(), `worker-${process.pid}.json`);
  if (fs.existsSync(record)) {
    const known: Server = JSON.parse(fs.readFileSync(record, 'utf-8'));
    if (alive(known.pid)) return known.endpoint;
  }
  const res = spawnSync(PYTHON, [LAUNCHER, '--watch-pid', String(process.pid)], { encoding: 'utf-8', timeout: 90_000 });
  const [port, pid] = (res.stdout ?? '').trim().split(' ').map(Number);
  if (res.status !== 0 || !port || !pid) {
    throw new Error(`moto server did not start (exit ${res.status}): ${res.error?.message ?? ''} ${res.stderr ?? ''}`.trim());
  }
  const server: Server = { endpoint: `http://127.0.0.1:${port}`, pid };
  fs.writeFileSync(record, JSON.stringify(server));
  return server.endpoint;
}

/** Client configuration for an AWS SDK v3 client pointed at the moto server. */
export function motoClientConfig() {
  return {
    endpoint: motoEndpoint(),
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  };
}

/** Resets every moto backend between tests, so each test starts from an empty account. */
export async function resetMoto(): Promise<void> {
  const res = await fetch(`${motoEndpoint()}/moto-api/reset`, { method: 'POST' });
  if (!res.ok) throw new Error(`moto reset failed: ${res.status}`);
}

/** Pids of the servers this run started (for the global teardown). */
export function motoServerPids(dir: string): number[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => /^worker-\d+\.json$/.test(f))
    .map((f) => (JSON.parse(fs.readFileSync(path.join(dir, f), 'utf-8')) as Server).pid);
}
