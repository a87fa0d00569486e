/**
 * The gates every construct of this library passes: the cdk-nag packs AwsSolutions, NIST 800-53 rev 5, HIPAA Security,
 * PCI DSS 3.2.1 and Serverless, and CloudFormation template validation (@aws/cloudformation-validate, bundled in
 * aws-cdk-lib), with its findings turned into errors. Acknowledgements live in the library beside the resource they
 * concern (`Validations.of(resource).acknowledge(...)`); anything not acknowledged fails the gate.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';

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
    context: {
      '@aws-cdk/core:validateAgainstDefaultRules': true,
      ...props.context,
    },
  });
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new NIST80053R5Checks(app),
    new HIPAASecurityChecks(app),
    new PCIDSS321Checks(app),
    new ServerlessChecks(app),
  );
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
  return findings;
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
