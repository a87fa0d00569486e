/**
 * The gates every construct of this library passes: the cdk-nag packs AwsSolutions, NIST 800-53 rev 5, HIPAA Security,
 * PCI DSS 3.2.1 and Serverless, and CloudFormation template validation (@aws/cloudformation-validate, bundled in
 * aws-cdk-lib), with its findings turned into errors, and cfn-lint (from PyPI, in .venv) on every template, which
 * catches more (e.g. W3005, a DependsOn that a Ref or GetAtt already enforces). Acknowledgements live in the library beside the resource they
 * concern (`Validations.of(resource).acknowledge(...)`); anything not acknowledged fails the gate.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, AppProps } from 'aws-cdk-lib';
import { GATE_CONTEXT, addNagPacks } from '../../bin/gates';

export interface Finding {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
  readonly description: string;
}

/** An App with every gate registered; build stacks in it, then call `gateFindings(app)`. */
export function gatedApp(props: AppProps = {}): App {
  const app = new App({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'gates-')),
    ...props,
    context: { ...GATE_CONTEXT, ...props.context },
  });
  addNagPacks(app);
  return app;
}

/** Synthesizes the app and returns every unacknowledged finding of every gate, errors and warnings alike. */
export function gateFindings(app: App): Finding[] {
  let synthError: unknown;
  const log = console.error;
  const warn = console.warn;
  try {
    // The validation report is printed by the toolkit as well; keep the test output to the findings we return.
    console.error = () => undefined;
    console.warn = () => undefined;
    app.synth({ force: true });
  } catch (e) {
    synthError = e;
  } finally {
    console.error = log;
    console.warn = warn;
  }
  const reportFile = path.join(app.outdir, 'validation-report.json');
  if (!fs.existsSync(reportFile)) {
    if (synthError) throw synthError;
    return [];
  }
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf-8'));
  const findings: Finding[] = [];
  for (const plugin of report.pluginReports ?? []) {
    for (const violation of plugin.violations ?? []) {
      for (const where of violation.violatingConstructs ?? []) {
        findings.push({
          plugin: plugin.pluginName,
          rule: violation.ruleName,
          severity: violation.severity,
          path: where.constructPath,
          description: violation.description,
        });
      }
    }
  }
  if (findings.length === 0 && synthError) throw synthError;
  findings.push(...cfnLintFindings(app.outdir));
  return findings;
}

const CFN_LINT = path.resolve(__dirname, '..', '..', '.venv', 'bin', 'cfn-lint');

/**
 * cfn-lint errors and warnings on every template of the assembly. A resource opts out of one check with
 * `Metadata: { 'cfn-lint': { config: { ignore_checks: ['W1234'] } } }`, next to the resource, with a comment saying why.
 *
 * The gate fails closed: cfn-lint's exit code is a bit field (2 errors, 4 warnings, 8 informational findings; 1 or any
 * other bit: cfn-lint itself failed), so an exit with bit 1 or an unknown bit, a signal, output that is not a JSON list,
 * or an exit code announcing findings that the output does not hold, throws instead of passing silently.
 */
export function cfnLintFindings(outdir: string, linter: string = CFN_LINT): Finding[] {
  const templates = fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json')).map((f) => path.join(outdir, f));
  if (templates.length === 0) return [];
  if (!fs.existsSync(linter)) throw new Error(`cfn-lint is missing at ${linter}: the jest global setup installs it`);
  const res = spawnSync(linter, ['--format', 'json', '--', ...templates], { encoding: 'utf-8' });
  if (res.error) throw res.error;
  const failed = (why: string) => new Error(`cfn-lint ${why} (exit ${res.status ?? res.signal}): ${(res.stderr || res.stdout || '').slice(0, 2000)}`);
  if (res.status === null) throw failed('was killed');
  // bits 2, 4 and 8 only: 0, 2, 4, 6, 8, 10, 12 or 14
  if (res.status % 2 !== 0 || res.status > 14) throw failed('failed');
  let matches: any[];
  try {
    matches = JSON.parse(res.stdout);
  } catch {
    throw failed('printed nothing parsable as JSON');
  }
  if (!Array.isArray(matches)) throw failed('printed JSON that is not a list of findings');
  if (res.status !== 0 && matches.length === 0) throw failed('reported findings in its exit code but printed none');
  return matches
    .filter((m) => m.Level === 'Error' || m.Level === 'Warning')
    .map((m) => {
      const where = m.Location?.Path ?? [];
      return {
        plugin: 'cfn-lint',
        rule: m.Rule?.Id ?? 'cfn-lint',
        severity: String(m.Level).toLowerCase(),
        path: `${path.basename(m.Filename)}:${where.slice(0, 2).join('/')}`,
        description: m.Message,
      };
    });
}

/** One line per finding, for a readable failure message. */
export function formatFindings(findings: Finding[]): string {
  return findings.map((f) => `${f.severity} ${f.rule} at ${f.path}: ${f.description.slice(0, 160)}`).join('\n');
}

/** Jest helper: synthesizes the app and fails with the list of findings if there is any. */
export function expectGatesPass(app: App): void {
  const findings = gateFindings(app);
  if (findings.length > 0) {
    throw new Error(`${findings.length} unacknowledged gate finding(s):\n${formatFindings(findings)}`);
  }
}
