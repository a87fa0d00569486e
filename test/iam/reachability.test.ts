/**
 * Every data path and alarm path of the example stacks and the "everything on" construct stacks, derived from their
 * synthesized templates and evaluated with an IAM policy simulator (identity policies, resource policies, KMS key
 * policies, trust policies, with the context each real call carries); and what must stay denied.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ENV, deliveryEverythingOn, flinkEverythingOn, streamEverythingOn } from './stacks';
import { ClickstreamStack } from '../../examples/clickstream-stack';
import { IotSensorStack } from '../../examples/iot-sensor-stack';
import { StreamExampleStack } from '../../examples/stream-stack';
import { AccessRequest, PolicyModel, evaluate, evaluateAll } from '../support/reachability';
import { derivePaths, handlerOf, handlerPermissions } from '../support/reachability-paths';
import { ResolvedTemplate, resolveTemplate } from '../support/template-resolver';

// Each stack is synthesized and resolved once for the whole file.
const stacks: Record<string, ResolvedTemplate> = {};
function resolved(name: string): ResolvedTemplate {
  if (!stacks[name]) {
    const app = new App();
    const build: Record<string, () => Stack> = {
      IotSensorStack: () => new IotSensorStack(app, 'Iot', { env: ENV }),
      ClickstreamStack: () => new ClickstreamStack(app, 'Clicks', { env: ENV }),
      StreamExampleStack: () => new StreamExampleStack(app, 'Stream', { env: ENV }),
      DeliveryEverythingOn: () => deliveryEverythingOn(app),
      FlinkEverythingOn: () => flinkEverythingOn(app),
      StreamEverythingOn: () => streamEverythingOn(app),
    };
    stacks[name] = resolveTemplate(Template.fromStack(build[name]()).toJSON(), ENV);
  }
  return stacks[name];
}

const ALL = ['IotSensorStack', 'ClickstreamStack', 'StreamExampleStack', 'DeliveryEverythingOn', 'FlinkEverythingOn', 'StreamEverythingOn'];

// Synthesis of the examples (the Flink jar asset) dominates the file's time: done once, outside the per-test timeout.
beforeAll(() => {
  for (const name of ALL) resolved(name);
}, 600_000);

describe.each(ALL)('%s', (name) => {
  test('every data path and alarm path is allowed', async () => {
    const t = resolved(name);
    const paths = derivePaths(t);
    expect(paths.length).toBeGreaterThan(0);
    const denied = (await evaluateAll(new PolicyModel(t), paths)).filter((d) => !d.allowed).map((d) => d.explanation);
    expect(denied).toEqual([]);
  });
});

describe('the paths are derived from the template', () => {
  test('every alarm of the IoT example has its CloudWatch -> topic path', () => {
    const t = resolved('IotSensorStack');
    const alarms = t.ofType('AWS::CloudWatch::Alarm').filter(([, p]) => (p.AlarmActions ?? []).length > 0);
    const publishes = derivePaths(t).filter((r) => r.principal === 'cloudwatch.amazonaws.com' && r.action === 'sns:Publish');
    expect(alarms.length).toBeGreaterThan(10);
    expect(publishes.length).toBe(alarms.length);
  });

  test('a Flink application reads through its EFO consumer and writes to its sinks', () => {
    const t = resolved('IotSensorStack');
    const flink = derivePaths(t).filter((r) => r.why.startsWith('Managed Flink application'));
    expect(flink.map((r) => r.action)).toEqual(expect.arrayContaining([
      'sts:AssumeRole', 's3:GetObject', 'kinesis:SubscribeToShard', 'kinesis:DescribeStreamConsumer', 'kinesis:PutRecords',
      'logs:PutLogEvents', 'logs:DescribeLogStreams',
    ]));
    expect(flink.filter((r) => r.action === 'kinesis:PutRecords').length).toBe(3); // anomalies, aggregates, dead letters
  });
});

describe('the harness fails on a broken grant', () => {
  test('an alarm topic policy holding only the TLS Deny refuses CloudWatch, naming principal, action, topic and the missing allow', async () => {
    const raw = JSON.parse(JSON.stringify(resolved('IotSensorStack').raw));
    for (const r of Object.values<any>(raw.Resources)) {
      if (r.Type === 'AWS::SNS::TopicPolicy') {
        r.Properties.PolicyDocument.Statement = r.Properties.PolicyDocument.Statement.filter((s: any) => s.Effect === 'Deny');
      }
    }
    const t = resolveTemplate(raw, ENV);
    const publish = derivePaths(t).find((r) => r.action === 'sns:Publish' && r.principal === 'cloudwatch.amazonaws.com')!;
    const decision = await evaluate(new PolicyModel(t), publish);
    expect(decision.allowed).toBe(false);
    expect(decision.explanation).toMatch(/cloudwatch\.amazonaws\.com sns:Publish arn:aws:sns:us-east-1:123456789012:SensorsAlarmTopic/);
    expect(decision.explanation).toMatch(/no allow in the resource policy SensorsAlarmTopicPolicy/);
  });

  test('kinesis:UpdateShardCount granted on the stream\'s ARN is refused: the Service Authorization Reference lists no resource types for it', async () => {
    const t = resolved('StreamEverythingOn');
    const [streamId] = t.ofType('AWS::Kinesis::Stream').find(([id]) => /^Clicks/.test(id))!;
    // The call names the stream; IAM evaluates the action on `*`, which the construct grants.
    const update = derivePaths(t).find((r) => r.action === 'kinesis:UpdateShardCount')!;
    expect(update).toMatchObject({ why: expect.stringMatching(/shard-autoscaler/), resource: t.getAtt(streamId, 'Arn') });
    expect((await evaluate(new PolicyModel(t), update)).allowed).toBe(true);
    // The same statement scoped to the stream's ARN: refused.
    const raw = JSON.parse(JSON.stringify(t.raw));
    let scopedStatements = 0;
    for (const r of Object.values<any>(raw.Resources)) {
      for (const st of r.Properties?.PolicyDocument?.Statement ?? []) {
        if ([st.Action].flat().includes('kinesis:UpdateShardCount')) {
          st.Resource = { 'Fn::GetAtt': [streamId, 'Arn'] };
          scopedStatements++;
        }
      }
    }
    expect(scopedStatements).toBe(1);
    expect((await evaluate(new PolicyModel(resolveTemplate(raw, ENV)), update)).allowed).toBe(false);
  });

  test('a request without TLS is refused by the topic\'s Deny, which the message names', async () => {
    const t = resolved('IotSensorStack');
    const publish = derivePaths(t).find((r) => r.action === 'sns:Publish' && r.principal === 'cloudwatch.amazonaws.com')!;
    const decision = await evaluate(new PolicyModel(t), { ...publish, context: { ...publish.context, 'aws:SecureTransport': 'false' } });
    expect(decision.result).toBe('ExplicitlyDenied');
    expect(decision.explanation).toMatch(/denied by a statement of the resource policy .*AllowPublishThroughSSLOnly/);
  });

  test('an alarm of another account cannot publish (confused deputy)', async () => {
    const t = resolved('IotSensorStack');
    const publish = derivePaths(t).find((r) => r.action === 'sns:Publish' && r.principal === 'cloudwatch.amazonaws.com')!;
    const decision = await evaluate(new PolicyModel(t), {
      ...publish, context: { 'aws:SourceAccount': '999999999999', 'aws:SourceArn': 'arn:aws:cloudwatch:us-east-1:999999999999:alarm:x' },
    });
    expect(decision.allowed).toBe(false);
  });
});

describe('least privilege: what must be denied', () => {
  async function decide(t: ResolvedTemplate, request: Omit<AccessRequest, 'why'>): Promise<boolean> {
    return (await evaluate(new PolicyModel(t), { why: 'deny-list', ...request })).allowed;
  }
  function roleOf(t: ResolvedTemplate, deliveryId: RegExp): string {
    const [, p] = t.ofType('AWS::KinesisFirehose::DeliveryStream').find(([id]) => deliveryId.test(id))!;
    return p.KinesisStreamSourceConfiguration.RoleARN;
  }
  const lakeArn = (t: ResolvedTemplate) => t.ofType('AWS::S3::Bucket')
    .map(([id]) => t.getAtt(id, 'Arn')).find((arn) => /datalake[0-9a-f]{8}$/.test(arn))!;

  test('the Redshift delivery role reads its staging prefix only: not the raw archive, insights, dead letters or poison records', async () => {
    const t = resolved('ClickstreamStack');
    const role = roleOf(t, /SummariesToRedshift/);
    const lake = lakeArn(t);
    expect(await decide(t, { principal: role, action: 's3:GetObject', resource: `${lake}/redshift-staging/2026/01/01/x.gz` })).toBe(true);
    // Its error manifests and error output it writes without reading (errors/ holds the other deliveries' failed records).
    expect(await decide(t, { principal: role, action: 's3:PutObject', resource: `${lake}/errors/manifests/x` })).toBe(true);
    for (const key of ['raw-clicks/year=2026/x.gz', 'poison/shardId-000000000000/1.json', 'insights/record_type=top/x.gz',
      'dead-letters/year=2026/x.gz', 'aws/lambda/uuid/shardId-000000000000/x', 'errors/processing-failed/year=2026/x.gz']) {
      expect([key, await decide(t, { principal: role, action: 's3:GetObject', resource: `${lake}/${key}` })]).toEqual([key, false]);
    }
  });

  test('the session consumer writes only its failure prefixes', async () => {
    const t = resolved('ClickstreamStack');
    const [fnId] = t.ofType('AWS::Lambda::Function').find(([, p]) => handlerOf(p) === 'session-consumer')!;
    const role: string = t.resources[fnId].Properties.Role;
    const lake = lakeArn(t);
    expect(await decide(t, { principal: role, action: 's3:PutObject', resource: `${lake}/poison/shardId-000000000000/1.json` })).toBe(true);
    expect(await decide(t, { principal: role, action: 's3:PutObject', resource: `${lake}/aws/lambda/uuid/shardId-000000000000/x` })).toBe(true);
    for (const key of ['raw-clicks/year=2026/x.gz', 'insights/x', 'redshift-staging/x', 'errors/x', 'x']) {
      expect([key, await decide(t, { principal: role, action: 's3:PutObject', resource: `${lake}/${key}` })]).toEqual([key, false]);
    }
  });

  test.each(['IotSensorStack', 'ClickstreamStack', 'DeliveryEverythingOn'])('no Firehose role of %s deletes objects or reads another delivery\'s source', async (name) => {
    const t = resolved(name);
    const deliveries = t.ofType('AWS::KinesisFirehose::DeliveryStream').filter(([, p]) => p.KinesisStreamSourceConfiguration);
    const buckets = t.ofType('AWS::S3::Bucket').map(([id]) => t.getAtt(id, 'Arn'));
    for (const [id, p] of deliveries) {
      const role = p.KinesisStreamSourceConfiguration.RoleARN;
      for (const bucket of buckets) {
        for (const action of ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutLifecycleConfiguration', 's3:PutBucketPolicy']) {
          const resource = action.startsWith('s3:Put') ? bucket : `${bucket}/errors/x`;
          expect([id, action, await decide(t, { principal: role, action, resource })]).toEqual([id, action, false]);
        }
      }
      for (const [otherId, other] of deliveries) {
        const otherSource = other.KinesisStreamSourceConfiguration.KinesisStreamARN;
        if (otherId === id || otherSource === p.KinesisStreamSourceConfiguration.KinesisStreamARN) continue;
        expect([id, otherId, await decide(t, { principal: role, action: 'kinesis:GetRecords', resource: otherSource })]).toEqual([id, otherId, false]);
      }
    }
  });
});

describe('confused-deputy conditions on the roles services assume', () => {
  test.each([
    ['kinesisanalytics.amazonaws.com', 'Managed Flink', 'arn:aws:kinesisanalytics:us-east-1:999999999999:application/x'],
    ['iot.amazonaws.com', 'IoT topic rule', 'arn:aws:iot:us-east-1:999999999999:rule/x'],
  ])('%s cannot assume the role for another account', async (service, why, foreignArn) => {
    const t = resolved('IotSensorStack');
    const trust = derivePaths(t).find((r) => r.action === 'sts:AssumeRole' && r.principal === service && r.why.includes(why))!;
    const model = new PolicyModel(t);
    expect((await evaluate(model, trust)).allowed).toBe(true);
    expect((await evaluate(model, { ...trust, context: { 'aws:SourceAccount': '999999999999', 'aws:SourceArn': foreignArn } })).allowed).toBe(false);
    expect((await evaluate(model, { ...trust, context: {} })).allowed).toBe(false);
  });
});

describe('each handler\'s permissions.ts lists every SDK call its source makes', () => {
  const lambdaDir = path.resolve(__dirname, '..', '..', 'lambda');
  const handlers = fs.readdirSync(lambdaDir).filter((d) => fs.existsSync(path.join(lambdaDir, d, 'handler.ts')));
  // @aws-sdk/lib-dynamodb's document commands and the item actions they call.
  const documentCommands: Record<string, string[]> = {
    GetCommand: ['dynamodb:GetItem'],
    PutCommand: ['dynamodb:PutItem'],
    UpdateCommand: ['dynamodb:UpdateItem'],
    DeleteCommand: ['dynamodb:DeleteItem'],
    QueryCommand: ['dynamodb:Query'],
    ScanCommand: ['dynamodb:Scan'],
    BatchGetCommand: ['dynamodb:BatchGetItem'],
    BatchWriteCommand: ['dynamodb:BatchWriteItem'],
    TransactGetCommand: ['dynamodb:GetItem'],
    TransactWriteCommand: [],
  };
  const prefixes: Record<string, string> = {
    'client-kinesis': 'kinesis',
    'client-cloudwatch': 'cloudwatch',
    'client-dynamodb': 'dynamodb',
    'client-sns': 'sns',
    'client-s3': 's3',
    'client-kinesis-analytics-v2': 'kinesisanalytics',
    'client-firehose': 'firehose',
    'client-sqs': 'sqs',
  };

  test.each(handlers)('lambda/%s', (handler) => {
    const perms = handlerPermissions(handler);
    expect(perms).toBeDefined();
    const imported = new Map<string, string>();
    for (const file of fs.readdirSync(path.join(lambdaDir, handler)).filter((f) => f.endsWith('.ts') && f !== 'permissions.ts')) {
      const source = fs.readFileSync(path.join(lambdaDir, handler, file), 'utf-8');
      for (const m of source.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+'@aws-sdk\/([\w-]+)'/g)) {
        if (m[1]) continue;
        for (const name of m[2].split(',').map((s) => s.trim())) {
          if (/^\w+Command$/.test(name)) imported.set(name, m[3]); // a `type X` import is no call
        }
      }
    }
    const listed = new Map(perms!.calls.map((c) => [c.command, c]));
    expect([...imported.keys()].sort()).toEqual([...listed.keys()].sort());
    for (const [command, pkg] of imported) {
      const call = listed.get(command)!;
      const expected = pkg === 'lib-dynamodb'
        ? documentCommands[command]
        : [`${prefixes[pkg]}:${command.replace(/Command$/, '')}`];
      expect(expected).toBeDefined();
      expect([command, call.actions]).toEqual([command, expect.arrayContaining(expected)]);
    }
  });
});

describe('one metric, one alarm', () => {
  test.each(['ClickstreamStack', 'IotSensorStack'])('%s: each EFO consumer\'s MillisBehindLatest has exactly one alarm', (name) => {
    const t = resolved(name);
    const consumers = t.ofType('AWS::Kinesis::StreamConsumer').map(([, p]) => p.ConsumerName as string);
    expect(consumers.length).toBeGreaterThan(0);
    for (const consumer of consumers) {
      const alarms = t.ofType('AWS::CloudWatch::Alarm').filter(([, p]) => {
        const metrics = p.MetricName ? [p] : (p.Metrics ?? []).map((m: any) => m.MetricStat?.Metric).filter(Boolean);
        return metrics.some((m: any) => m.MetricName === 'SubscribeToShardEvent.MillisBehindLatest'
          && (m.Dimensions ?? []).some((d: any) => d.Name === 'ConsumerName' && d.Value === consumer));
      });
      expect([consumer, alarms.map(([id]) => id)]).toEqual([consumer, [expect.any(String)]]);
    }
  });
});
