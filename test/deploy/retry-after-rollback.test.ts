/**
 * A failed first deploy can be retried. When a stack's first create rolls back, CloudFormation keeps every resource whose
 * DeletionPolicy is `Retain`; a retry then fails with "already exists" on any of them that holds a fixed physical name.
 * So no resource of any stack we synthesize (the examples of bin/app.ts, the integration test apps) may be both:
 * data resources with a name use `RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE` (`RetainExceptOnCreate`), the others get
 * generated names.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { GATE_CONTEXT } from '../../bin/gates';
import { ClickstreamStack } from '../../examples/clickstream-stack';
import { IotSensorStack } from '../../examples/iot-sensor-stack';
import { StreamExampleStack } from '../../examples/stream-stack';

type Resource = { Type: string; DeletionPolicy?: string; Properties?: Record<string, any> };

/**
 * The property that holds a resource's own physical name, for every type a retained resource has in our stacks. A type
 * missing here fails the test below: decide whether it can be named, and add it.
 */
const NAME_PROPERTY: Record<string, string | null> = {
  'AWS::Logs::LogGroup': 'LogGroupName',
  // Named within its log group, which has a name of its own (checked here) or is new on a retry.
  'AWS::Logs::LogStream': null,
  'AWS::KMS::Key': null,
  'AWS::KMS::Alias': 'AliasName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::S3::BucketPolicy': null,
  'AWS::Kinesis::Stream': 'Name',
  'AWS::Kinesis::StreamConsumer': 'ConsumerName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::DynamoDB::GlobalTable': 'TableName',
  'AWS::KinesisAnalyticsV2::Application': 'ApplicationName',
  'AWS::KinesisFirehose::DeliveryStream': 'DeliveryStreamName',
  'AWS::OpenSearchServerless::Collection': 'Name',
  'AWS::OpenSearchServerless::SecurityPolicy': 'Name',
  'AWS::OpenSearchServerless::AccessPolicy': 'Name',
  'AWS::OpenSearchServerless::VpcEndpoint': 'Name',
  'AWS::RedshiftServerless::Namespace': 'NamespaceName',
  'AWS::RedshiftServerless::Workgroup': 'WorkgroupName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::ApiGateway::Account': null,
  'AWS::Glue::Database': 'DatabaseInput.Name',
  'AWS::Glue::Table': 'TableInput.Name',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SQS::Queue': 'QueueName',
};

function nameOf(resource: Resource): unknown {
  const property = NAME_PROPERTY[resource.Type];
  if (!property) return undefined;
  return property.split('.').reduce<any>((v, k) => v?.[k], resource.Properties);
}

/** Templates of every example stack, synthesized without AWS (as `npm run synth` does). */
function exampleTemplates(): Record<string, Record<string, Resource>> {
  const app = new App({ context: GATE_CONTEXT, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'retry-')) });
  const env = { account: '123456789012', region: 'us-east-1' };
  const stacks: Stack[] = [new IotSensorStack(app, 'IotSensorPipeline', { env }), new ClickstreamStack(app, 'ClickstreamPipeline', { env }), new StreamExampleStack(app, 'KinesisStreamExample', { env })];
  const assembly = app.synth();
  return Object.fromEntries(stacks.map((s) => [s.stackName, assembly.getStackByName(s.stackName).template.Resources]));
}

/** Templates of every integration test app (test/integ.*.ts), synthesized as test/integ-snapshots.test.ts does. */
function integTemplates(): Record<string, Record<string, Resource>> {
  const testDir = path.join(__dirname, '..');
  const out: Record<string, Record<string, Resource>> = {};
  for (const file of fs.readdirSync(testDir).filter((f) => /^integ\..+\.ts$/.test(f))) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'retry-integ-'));
    execFileSync(process.execPath, [require.resolve('tsx/cli'), path.join(testDir, file)], {
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_INTEG_ACCOUNT: '12345678', CDK_INTEG_REGION: 'test-region' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    for (const t of fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json'))) {
      out[`${file}/${t}`] = JSON.parse(fs.readFileSync(path.join(outdir, t), 'utf-8')).Resources ?? {};
    }
  }
  return out;
}

const stacks = { ...exampleTemplates(), ...integTemplates() };

test('every example and integration test stack is checked', () => {
  expect(Object.keys(stacks)).toEqual(expect.arrayContaining(['IotSensorPipeline', 'ClickstreamPipeline', 'KinesisStreamExample']));
  expect(Object.keys(stacks).filter((s) => s.startsWith('integ.')).length).toBeGreaterThanOrEqual(3);
});

test.each(Object.keys(stacks))('%s: no resource kept on a rolled-back create has a fixed name', (stackName) => {
  const offenders: string[] = [];
  const unknownTypes = new Set<string>();
  for (const [id, resource] of Object.entries(stacks[stackName])) {
    if (resource.DeletionPolicy !== 'Retain') continue;
    if (!(resource.Type in NAME_PROPERTY)) unknownTypes.add(resource.Type);
    const name = nameOf(resource);
    if (name !== undefined) offenders.push(`${id} (${resource.Type}) named ${JSON.stringify(name)}`);
  }
  expect([...unknownTypes]).toEqual([]);
  expect(offenders).toEqual([]);
});
