import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CFN_LINT_VERSION, MOTO_VERSION, SQLGLOT_VERSION } from './moto';

const ROOT = path.resolve(__dirname, '..', '..');
const VENV = path.join(ROOT, '.venv');

/** Creates .venv with moto[server], cfn-lint and sqlglot unless it already has the pinned versions. */
function ensureVenv(): void {
  const bin = path.join(VENV, 'bin');
  const marker = path.join(VENV, `.moto-${MOTO_VERSION}-cfn-lint-${CFN_LINT_VERSION}-sqlglot-${SQLGLOT_VERSION}`);
  if (fs.existsSync(path.join(bin, 'moto_server')) && fs.existsSync(marker)) return;
  execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
  execFileSync(path.join(bin, 'pip'), ['install', '--quiet', '--disable-pip-version-check', `moto[server]==${MOTO_VERSION}`, `cfn-lint==${CFN_LINT_VERSION}`, `sqlglot==${SQLGLOT_VERSION}`], { stdio: 'inherit' });
  fs.writeFileSync(marker, '');
}

export default async function globalSetup(): Promise<void> {
  ensureVenv();
  // Each worker starts its moto server on first use (test/support/moto.ts) and records it here; the teardown, which
  // runs in this same process, stops this run's servers only (runs in parallel each have their own directory).
  process.env.MOTO_RUN_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'moto-run-'));
  // Handlers under test build their clients from the environment, as they do in Lambda.
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  process.env.AWS_REGION = 'us-east-1';
}
