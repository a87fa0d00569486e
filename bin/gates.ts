/**
 * The gates every stack of this library passes, in one place: the five cdk-nag packs and CloudFormation template
 * validation with its findings as errors. The example app (bin/app.ts) and the tests (test/support/gates.ts) both use it.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';

/** Context that turns @aws/cloudformation-validate's findings into synthesis errors. */
export const GATE_CONTEXT = { '@aws-cdk/core:validateAgainstDefaultRules': true };

/** Registers the cdk-nag packs AwsSolutions, NIST 800-53 rev 5, HIPAA Security, PCI DSS 3.2.1 and Serverless. */
export function addNagPacks(app: App): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new NIST80053R5Checks(app),
    new HIPAASecurityChecks(app),
    new PCIDSS321Checks(app),
    new ServerlessChecks(app),
  );
}
