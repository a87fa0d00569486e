import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, aws_kinesis as kinesis } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FlinkApplication, FlinkApplicationProps, FlinkCode } from '../../lib/flink';

/** A stand-in for the SQL job's jar (the real one needs `npm run flink:build`, which unit tests do not depend on). */
export function tmpFile(name = 'job.jar', content = 'not really a jar'): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'flink-test-')), name);
  fs.writeFileSync(file, content);
  return file;
}

export function newStack(): Stack {
  return new Stack(new App(), 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
}

export function source(stack: Stack, id = 'Source'): kinesis.Stream {
  return new kinesis.Stream(stack, id, { encryption: kinesis.StreamEncryption.MANAGED });
}

/** The smallest valid props: the SQL runner (on a stand-in jar) with one statement. */
export function minimalProps(stack: Stack, extra: Partial<FlinkApplicationProps> = {}): FlinkApplicationProps {
  return {
    sourceStream: extra.sourceStream ?? source(stack),
    code: FlinkCode.sqlRunner({ jarPath: tmpFile() }),
    sqlStatements: ['INSERT INTO out SELECT * FROM src'],
    ...extra,
  };
}

export function app(extra: Partial<FlinkApplicationProps> = {}): { stack: Stack; application: FlinkApplication; template: Template } {
  const stack = newStack();
  const application = new FlinkApplication(stack, 'App', minimalProps(stack, extra));
  return { stack, application, template: Template.fromStack(stack) };
}

/** The PropertyMap of one property group of the (only) application in the template. */
export function propertyGroup(template: Template, groupId: string): Record<string, unknown> | undefined {
  const apps = template.findResources('AWS::KinesisAnalyticsV2::Application');
  const [resource] = Object.values(apps);
  type Group = { PropertyGroupId: string; PropertyMap: Record<string, unknown> };
  const groups = resource.Properties.ApplicationConfiguration.EnvironmentProperties.PropertyGroups as Group[];
  return groups.find((g) => g.PropertyGroupId === groupId)?.PropertyMap;
}

/** Every IAM statement of the application's role policy. */
export function roleStatements(template: Template, stack: Stack, application: FlinkApplication): any[] {
  const roleRef = stack.resolve((application.role.node.defaultChild as any).logicalId);
  const policies = template.findResources('AWS::IAM::ManagedPolicy');
  const policy = Object.values(policies).find((p: any) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleRef }]));
  return (policy as any).Properties.PolicyDocument.Statement;
}
