/**
 * The moto server, the local AWS API emulator the handler tests talk to over HTTP.
 *
 * The jest global setup creates a project-local virtualenv (.venv) with the pinned moto[server] (and cfn-lint) when missing,
 * starts `moto_server` on 127.0.0.1 with a free port and publishes the endpoint in MOTO_ENDPOINT; the global teardown
 * stops it. Tests build their SDK clients with `motoClientConfig()`.
 */
export const MOTO_VERSION = '5.2.5';
/** cfn-lint, the second CloudFormation linter the gates run (test/support/gates.ts), installed in the same .venv. */
export const CFN_LINT_VERSION = '1.58.0';

export function motoEndpoint(): string {
  const endpoint = process.env.MOTO_ENDPOINT;
  if (!endpoint) throw new Error('MOTO_ENDPOINT is not set: the jest global setup starts the moto server');
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
