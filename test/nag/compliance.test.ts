import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Duration, Stack, aws_apigateway as apigw, aws_cloudwatch as cloudwatch, aws_dynamodb as dynamodb, aws_events as events,
  aws_events_targets as targets, aws_iam as iam, aws_kinesis as kinesis, aws_kinesisfirehose as firehose, aws_kms as kms,
  aws_lambda as lambda, aws_s3 as s3,
} from 'aws-cdk-lib';
import { NagRules, acknowledgeFinding, acknowledgeWildcardResource, findingId, NagPack } from '../../lib/private/compliance';
import { Finding, gateFindings, gatedApp } from '../support/gates';

/** A stack with one resource of each kind whose findings the library acknowledges somewhere. */
function nonCompliantStack(stack: Stack) {
  const fn = new lambda.Function(stack, 'Function', {
    runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}'),
  });
  const table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  const bucket = new s3.Bucket(stack, 'Bucket');
  const alarm = new cloudwatch.Alarm(stack, 'Alarm', { metric: fn.metricErrors(), threshold: 1, evaluationPeriods: 1 });
  const rule = new events.Rule(stack, 'Rule', { schedule: events.Schedule.rate(Duration.minutes(5)), targets: [new targets.LambdaFunction(fn)] });
  const api = new apigw.RestApi(stack, 'Api');
  api.root.addMethod('POST');
  const stream = new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
  const delivery = new firehose.DeliveryStream(stack, 'Delivery', { source: new firehose.KinesisStreamSource(stream), destination: new firehose.S3Bucket(bucket) });
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('prefix/*')] }));
  return { fn, table, bucket, alarm, rule, api, stream, delivery, role };
}

function rulesOf(findings: Finding[]): Map<string, Set<string>> {
  const packsByRule = new Map<string, Set<string>>();
  for (const f of findings) {
    const match = /^(.+?)-([A-Za-z0-9]+)(\[.*\])?$/.exec(f.rule);
    if (!match || match[1] !== f.plugin) continue;
    packsByRule.set(match[2], (packsByRule.get(match[2]) ?? new Set()).add(match[1]));
  }
  return packsByRule;
}

describe('compliance', () => {
  test('each rule the library acknowledges lists every pack that raises it (one acknowledgement covers them all)', () => {
    const app = gatedApp();
    nonCompliantStack(new Stack(app, 'Raw'));
    const raised = rulesOf(gateFindings(app));
    const mismatches = Object.values(NagRules)
      .filter((r) => raised.has(r.name))
      .map((r) => ({ rule: r.name, raisedBy: [...raised.get(r.name)!].sort(), listed: [...r.packs].sort() }))
      .filter((m) => JSON.stringify(m.raisedBy) !== JSON.stringify(m.listed));
    expect(mismatches).toEqual([]);
    // The stack raises most of them, so the check above is not vacuous.
    expect(Object.values(NagRules).filter((r) => raised.has(r.name)).length).toBeGreaterThanOrEqual(12);
  });

  test('acknowledgeFinding removes the finding in every pack and nothing else', () => {
    const app = gatedApp();
    const stack = new Stack(app, 'Acked');
    const { fn, table, bucket } = nonCompliantStack(stack);
    acknowledgeFinding(fn, NagRules.LAMBDA_IN_VPC, 'test');
    acknowledgeFinding(table, NagRules.DYNAMODB_BACKUP_PLAN, 'test');
    acknowledgeWildcardResource(stack.node.findChild('Role'), bucket.arnForObjects('prefix/*'), 'test');
    const findings = gateFindings(app);
    const rules = findings.map((f) => f.rule);
    expect(rules.filter((r) => /LambdaInsideVPC|DynamoDBInBackupPlan/.test(r))).toEqual([]);
    expect(findings.filter((f) => f.path.startsWith('Acked/Role/') && f.rule.includes('IAM5')).map((f) => f.rule)).toEqual([]);
    expect(rules).toContain('NIST.800.53.R5-LambdaDLQ');
    expect(rules).toContain('AwsSolutions-KDS3');
  });

  test('finding ids have the form cdk-nag reports', () => {
    expect(findingId(NagPack.AWS_SOLUTIONS, NagRules.IAM_WILDCARD, 'Resource::*')).toBe('AwsSolutions-IAM5[Resource::*]');
    expect(findingId(NagPack.HIPAA_SECURITY, NagRules.LAMBDA_IN_VPC)).toBe('HIPAA.Security-LambdaInsideVPC');
  });

  test('lib/ acknowledges findings only through the compliance module', () => {
    const lib = path.join(__dirname, '..', '..', 'lib');
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) {walk(file);} else if (file.endsWith('.ts') && !file.endsWith(path.join('private', 'compliance.ts'))) {
          const text = fs.readFileSync(file, 'utf-8');
          if (/\.acknowledge\(|'(AwsSolutions|NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321|Serverless)-/.test(text)) offenders.push(path.relative(lib, file));
        }
      }
    };
    walk(lib);
    expect(offenders).toEqual([]);
  });
});
