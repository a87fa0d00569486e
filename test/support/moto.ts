/**
 * The moto server, the local AWS API emulator the handler tests talk to over HTTP.
 *
 * The jest global setup creates a project-local virtualenv (.venv) with the pinned moto[server] (and cfn-lint) when missing,
 * starts one `moto_server` per jest worker on 127.0.0.1 with free ports and publishes the endpoints in MOTO_ENDPOINT_<n>;
 * the global teardown stops them. Tests build their SDK clients with `motoClientConfig()`.
 */
export const MOTO_VERSION = '5.2.5';
/** cfn-lint, the second CloudFormation linter the gates run (test/support/gates.ts), installed in the same .venv. */
export const CFN_LINT_VERSION = '1.58.0';
/** sqlglot, the SQL parser (Trino dialect) that checks the saved Athena queries offline (test/analytics), in the same .venv. */
export const SQLGLOT_VERSION = '30.30.0';

/** Jest workers the global setup starts a moto server for (jest's maxWorkers). */
export const MOTO_SERVERS = 2;

/**
 * The endpoint of this jest worker's own moto server. Each worker has one (a worker runs its test files one after the
 * other), so that `resetMoto()` in one file never wipes the state of a file running in the other worker.
 */
export function motoEndpoint(): string {
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  const endpoint = process.env[`MOTO_ENDPOINT_${((worker - 1) % MOTO_SERVERS) + 1}`];
  if (!endpoint) throw new Error('MOTO_ENDPOINT_<n> is not set: the jest global setup starts the moto servers');
  return endpoint;
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
