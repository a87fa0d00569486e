/**
 * The shard autoscaler's handler against the moto server (Kinesis, CloudWatch alarms and metric data, DynamoDB, SNS),
 * invoked with the payloads EventBridge, SNS and the schedule deliver. The alarms are the construct's own, synthesised and
 * created in moto. What moto cannot do (Kinesis limits, UPDATING, throttling) comes from the fault layer.
 */
import './handler-env';
import { randomUUID } from 'node:crypto';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand, PutMetricDataCommand, SetAlarmStateCommand, MetricDatum } from '@aws-sdk/client-cloudwatch';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, DeleteStreamCommand, DescribeStreamSummaryCommand, KinesisClient, UpdateShardCountCommand } from '@aws-sdk/client-kinesis';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { App, Duration, Stack, aws_kinesis as kinesis, aws_sns as sns } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FaultLayer, serviceError } from './fault-layer';
import { clients } from '../../../lambda/shard-autoscaler/clients';
import * as mod from '../../../lambda/shard-autoscaler/handler';
import { ShardAutoscaler, ShardAutoscalerOptions } from '../../../lib';
import { shardsOfExpression } from '../../../lib/scaling/private/alarm-math';
import { AutoscalerHandlerConfig, CONFIG_ENV } from '../../../lib/scaling/private/handler-config';
import { motoClientConfig, resetMoto } from '../../support/moto';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const STREAM = 'clicks';
const STREAM_ARN = `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${STREAM}`;
const TABLE = 'autoscaler-state';
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:autoscaler-reports`;
const MINUTE = 60_000;
const MIB = 1024 * 1024;

const kinesisClient = () => new KinesisClient({ ...motoClientConfig(), requestHandler: new NodeHttpHandler() });
const cloudwatchClient = () => new CloudWatchClient(motoClientConfig());
const dynamoClient = () => new DynamoDBClient(motoClientConfig());

let layer: FaultLayer;
let stdout: string[];
let writeSpy: jest.SpyInstance;

beforeEach(async () => {
  await resetMoto();
  layer = new FaultLayer(clients.kinesis, clients.kinesisScaling, clients.cloudwatch, clients.dynamodb, clients.sns);
  stdout = [];
  writeSpy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => {
    stdout.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  layer?.uninstall();
  writeSpy.mockRestore();
  jest.restoreAllMocks();
});

interface Setup {
  readonly config: AutoscalerHandlerConfig;
  readonly alarmNames: AutoscalerHandlerConfig['alarmNames'];
  /** The scaling alarms as the template defines them (what a deploy writes). */
  readonly templateAlarms: Array<Record<string, any>>;
}

/**
 * Synthesises the construct for an imported stream, creates the stream, the state table, the topic and the construct's
 * scaling alarms in moto, and puts the handler's configuration (as the construct wrote it) in the environment.
 */
async function setUp(options: Partial<ShardAutoscalerOptions> & { shards?: number; onDemand?: boolean } = {}): Promise<Setup> {
  const { shards = 4, onDemand = false, ...rest } = options;
  const stack = new Stack(new App(), 'Test', { env: { account: ACCOUNT, region: REGION } });
  new ShardAutoscaler(stack, 'Autoscaler', {
    stream: kinesis.Stream.fromStreamArn(stack, 'Stream', STREAM_ARN),
    notificationTopic: sns.Topic.fromTopicArn(stack, 'Topic', TOPIC_ARN),
    initialShardCount: shards,
    minShards: 1,
    maxShards: 64,
    alarms: { alarmNamePrefix: 'clicks-autoscaler' },
    ...rest,
  });
  const template = Template.fromStack(stack);
  const fn = Object.values(template.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Environment?.Variables?.[CONFIG_ENV]);
  const raw = fn!.Properties.Environment.Variables[CONFIG_ENV];
  const text: string = typeof raw === 'string' ? raw : raw['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : TABLE)).join('');
  const config = JSON.parse(text) as AutoscalerHandlerConfig;
  expect(config.tableName).toBe(TABLE);
  process.env[CONFIG_ENV] = JSON.stringify(config);

  await kinesisClient().send(new CreateStreamCommand(onDemand
    ? { StreamName: STREAM, StreamModeDetails: { StreamMode: 'ON_DEMAND' } }
    : { StreamName: STREAM, ShardCount: shards }));
  await dynamoClient().send(new CreateTableCommand({
    TableName: TABLE,
    KeySchema: [{ AttributeName: 'stream', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'stream', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
  await new SNSClient(motoClientConfig()).send(new CreateTopicCommand({ Name: 'autoscaler-reports' }));
  const scalingNames = Object.values(config.alarmNames);
  const templateAlarms: Array<Record<string, any>> = [];
  for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
    const p = alarm.Properties;
    if (!scalingNames.includes(p.AlarmName)) continue;
    templateAlarms.push(p);
    await cloudwatchClient().send(new PutMetricAlarmCommand(p));
  }
  return { config, alarmNames: config.alarmNames, templateAlarms };
}

/** Per-minute stream metrics, `ago` minutes before the current minute. */
interface Minute {
  readonly ago: number;
  readonly bytes: number;
  readonly records: number;
  readonly throttled?: number;
  /** `PutRecords.ThrottledRecords`, which Kinesis publishes beside `WriteProvisionedThroughputExceeded`. */
  readonly putRecordsThrottled?: number;
  readonly iteratorAgeMs?: number;
}

async function putMinutes(rows: Minute[], now = Date.now()): Promise<void> {
  const current = Math.floor(now / MINUTE) * MINUTE;
  const data: MetricDatum[] = [];
  for (const m of rows) {
    const ts = new Date(current - m.ago * MINUTE + 5_000);
    const dims = [{ Name: 'StreamName', Value: STREAM }];
    data.push({ MetricName: 'IncomingBytes', Dimensions: dims, Timestamp: ts, Value: m.bytes, Unit: 'Bytes' });
    data.push({ MetricName: 'IncomingRecords', Dimensions: dims, Timestamp: ts, Value: m.records, Unit: 'Count' });
    if (m.throttled !== undefined) data.push({ MetricName: 'WriteProvisionedThroughputExceeded', Dimensions: dims, Timestamp: ts, Value: m.throttled, Unit: 'Count' });
    if (m.putRecordsThrottled !== undefined) data.push({ MetricName: 'PutRecords.ThrottledRecords', Dimensions: dims, Timestamp: ts, Value: m.putRecordsThrottled, Unit: 'Count' });
    if (m.iteratorAgeMs !== undefined) data.push({ MetricName: 'GetRecords.IteratorAgeMilliseconds', Dimensions: dims, Timestamp: ts, Value: m.iteratorAgeMs, Unit: 'Milliseconds' });
  }
  const cw = cloudwatchClient();
  for (let i = 0; i < data.length; i += 20) {
    await cw.send(new PutMetricDataCommand({ Namespace: 'AWS/Kinesis', MetricData: data.slice(i, i + 20) }));
  }
}

/** A range of minutes `fromAgo` down to `toAgo` (inclusive) with the same values. */
function minutes(fromAgo: number, toAgo: number, m: Omit<Minute, 'ago'>): Minute[] {
  const out: Minute[] = [];
  for (let ago = fromAgo; ago >= toAgo; ago--) out.push({ ago, ...m });
  return out;
}

/** Minutes of a stream of `shards` shards writing flat out and throttled well beyond: demand about 5× the capacity. */
function throttledMinutes(shards: number, fromAgo = 3, toAgo = 1): Minute[] {
  return minutes(fromAgo, toAgo, { bytes: shards * 60 * MIB, records: shards * 60_000, throttled: shards * 60_000 * 4 });
}

function cloudwatchTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** The event EventBridge delivers when an alarm changes state (the construct's rule matches ALARM only). */
function alarmEvent(alarmName: string, stateTimestamp = Date.now() - 5_000, state = 'ALARM') {
  return {
    'version': '0',
    'id': randomUUID(),
    'detail-type': 'CloudWatch Alarm State Change',
    'source': 'aws.cloudwatch',
    'account': ACCOUNT,
    'time': new Date(stateTimestamp).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'region': REGION,
    'resources': [`arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${alarmName}`],
    'detail': {
      alarmName,
      configuration: { description: 'Wakes the shard autoscaler', metrics: [] },
      previousState: { reason: 'Threshold Crossed', timestamp: cloudwatchTime(stateTimestamp - 600_000), value: 'OK' },
      state: {
        reason: 'Threshold Crossed: 1 out of the last 1 datapoints was greater than or equal to the threshold (0.001).',
        reasonData: '{"version":"1.0","queryDate":"2026-11-28T18:00:00.000+0000","evaluatedDatapoints":[]}',
        timestamp: cloudwatchTime(stateTimestamp),
        value: state,
      },
    },
  };
}

/** The event SNS delivers for an alarm whose action is a topic the function subscribes to. */
function snsAlarmEvent(alarmName: string, stateTimestamp = Date.now() - 5_000) {
  const message = {
    AlarmName: alarmName,
    AlarmDescription: 'Wakes the shard autoscaler',
    AWSAccountId: ACCOUNT,
    AlarmConfigurationUpdatedTimestamp: cloudwatchTime(stateTimestamp - 3_600_000),
    NewStateValue: 'ALARM',
    NewStateReason: 'Threshold Crossed',
    StateChangeTime: cloudwatchTime(stateTimestamp),
    Region: 'US East (N. Virginia)',
    AlarmArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${alarmName}`,
    OldStateValue: 'OK',
    Trigger: { Period: 60, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 0.001, Metrics: [] },
  };
  return {
    Records: [{
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: `${TOPIC_ARN}:${randomUUID()}`,
      Sns: {
        Type: 'Notification',
        MessageId: randomUUID(),
        TopicArn: TOPIC_ARN,
        Subject: `ALARM: "${alarmName}" in US East (N. Virginia)`,
        Message: JSON.stringify(message),
        Timestamp: new Date(stateTimestamp + 1_000).toISOString(),
        SignatureVersion: '1',
        Signature: 'EXAMPLE',
        SigningCertUrl: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem',
        UnsubscribeUrl: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
        MessageAttributes: {},
      },
    }],
  };
}

/** The event of the scheduled re-check. */
function scheduledEvent() {
  return {
    'version': '0',
    'id': randomUUID(),
    'detail-type': 'Scheduled Event',
    'source': 'aws.events',
    'account': ACCOUNT,
    'time': new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'region': REGION,
    'resources': [`arn:aws:events:${REGION}:${ACCOUNT}:rule/Test-AutoscalerRecheck`],
    'detail': {},
  };
}

/** A state item with a rest check 59 minutes ago (and no calls): the next rest check is not due yet. */
async function restCheckedRecently(): Promise<void> {
  await dynamoClient().send(new PutItemCommand({
    TableName: TABLE,
    Item: { stream: { S: STREAM }, version: { N: '1' }, followUp: { BOOL: false }, calls: { L: [] }, lastRestCheckMs: { N: String(Date.now() - 59 * MINUTE) } },
  }));
}

async function openShards(): Promise<number> {
  const out = await kinesisClient().send(new DescribeStreamSummaryCommand({ StreamName: STREAM }));
  return out.StreamDescriptionSummary!.OpenShardCount!;
}

/** Shard counts embedded in the three scaling alarms, as moto holds them. */
async function alarmShards(setup: Setup): Promise<number[]> {
  const out = await cloudwatchClient().send(new DescribeAlarmsCommand({ AlarmNames: Object.values(setup.alarmNames) }));
  return (out.MetricAlarms ?? []).map((a) => shardsOfExpression(a.Metrics!.find((m) => m.Expression)!.Expression!)!);
}

async function stateItem(): Promise<Record<string, any> | undefined> {
  const documents = DynamoDBDocumentClient.from(dynamoClient());
  const out = await documents.send(new GetCommand({ TableName: TABLE, Key: { stream: STREAM }, ConsistentRead: true }));
  return out.Item;
}

/** Embedded-metric-format lines the handler printed. */
function emfMetrics(): Array<Record<string, any>> {
  return stdout.flatMap((chunk) => chunk.split('\n')).filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l));
}

/** Moto never evaluates alarms: put one in ALARM by hand, as CloudWatch would. */
async function setAlarm(name: string, value: 'ALARM' | 'OK'): Promise<void> {
  await cloudwatchClient().send(new SetAlarmStateCommand({ AlarmName: name, StateValue: value, StateReason: 'test' }));
}

/** The layer's view of the stream: UPDATING for the next `count` DescribeStreamSummary calls. */
function updatingFor(count: number): void {
  let left = count;
  layer.inject((command) => (command === 'DescribeStreamSummary' && left-- > 0
    ? (out) => ({ ...out, StreamDescriptionSummary: { ...out.StreamDescriptionSummary, StreamStatus: 'UPDATING' } })
    : undefined));
}

describe('shard-autoscaler handler', () => {
  test('a throttling alarm (EventBridge) leads to UpdateShardCount to 2× and alarms rewritten for the new count', async () => {
    const setup = await setUp();
    await putMinutes(throttledMinutes(4));
    const outcome = await mod.handler(alarmEvent(setup.alarmNames.scaleOutThrottling));

    expect(outcome).toMatchObject({ action: 'scaled', openShards: 4, targetShards: 8 });
    // Demand is about 5× the capacity: the rest comes in further steps.
    expect(outcome.pendingTarget).toBeGreaterThan(8);
    expect(layer.callsOf('UpdateShardCount').map((c) => c.input))
      .toEqual([{ StreamName: STREAM, TargetShardCount: 8, ScalingType: 'UNIFORM_SCALING' }]);
    expect(await openShards()).toBe(8);
    expect(await alarmShards(setup)).toEqual([8, 8, 8]);
    expect(outcome.alarmsRewritten.sort()).toEqual(Object.values(setup.alarmNames).sort());

    // The call is recorded before it is made, the follow-up step is pending.
    const item = await stateItem();
    expect(item?.calls).toHaveLength(1);
    expect(item?.followUp).toBe(true);
    // Reported on the topic, and published as metrics.
    const published = layer.callsOf('Publish');
    expect(published).toHaveLength(1);
    expect(published[0].input).toMatchObject({ TopicArn: TOPIC_ARN, Subject: 'Shard autoscaler: clicks 4 -> 8 shards' });
    const emf = emfMetrics();
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({ StreamName: STREAM, service: 'shard-autoscaler', ScalingCalls: 1, OpenShards: 4, TargetShards: 8 });
    expect(emf[0]._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'KinesisStreamingPipelines/ShardAutoscaler' });
    expect(emf[0]._aws.CloudWatchMetrics[0].Dimensions[0]).toEqual(expect.arrayContaining(['service', 'StreamName']));
  });

  test('a saturated stream (96% utilised, nothing throttled yet) is sized to the target utilisation', async () => {
    const setup = await setUp();
    await putMinutes([
      // A steady 70% before (not a surge), then 96%.
      ...minutes(14, 3, { bytes: 0.7 * 4 * 60 * MIB, records: 1000, throttled: 0 }),
      ...minutes(2, 1, { bytes: 0.96 * 4 * 60 * MIB, records: 1000, throttled: 0 }),
    ]);
    const outcome = await mod.handler(alarmEvent(setup.alarmNames.scaleOutThrottling));
    // 3.84 shards' worth of writes at the default 60% target: ceil(3.84 / 0.6) = 7.
    expect(outcome).toMatchObject({ action: 'scaled', openShards: 4, targetShards: 7 });
    expect(await alarmShards(setup)).toEqual([7, 7, 7]);
  });

  test('PutMetricAlarm carries the full existing definition: only the expression and its label change', async () => {
    const setup = await setUp();
    const before = (await cloudwatchClient().send(new DescribeAlarmsCommand({ AlarmNames: [setup.alarmNames.scaleInUtilization] }))).MetricAlarms![0];
    await putMinutes(throttledMinutes(4));
    await mod.handler(alarmEvent(setup.alarmNames.scaleOutThrottling));
    const put = layer.callsOf('PutMetricAlarm').map((c) => c.input).find((i) => i.AlarmName === setup.alarmNames.scaleInUtilization);
    expect(put).toMatchObject({
      AlarmDescription: before.AlarmDescription,
      ComparisonOperator: before.ComparisonOperator,
      Threshold: before.Threshold,
      EvaluationPeriods: before.EvaluationPeriods,
      DatapointsToAlarm: before.DatapointsToAlarm,
      TreatMissingData: before.TreatMissingData,
    });
    const changed = put.Metrics.map((m: any, i: number) => JSON.stringify(m) === JSON.stringify(before.Metrics![i]) ? 'same' : m.Id);
    expect(changed.filter((x: string) => x !== 'same')).toHaveLength(1);
    const expr = put.Metrics.find((m: any) => m.Expression);
    expect(expr.Expression).toBe('MAX([FILL(bytes, 0) / (60 * 1048576 * 8), FILL(records, 0) / (60 * 1000 * 8)])');
    expect(expr.Label).toBe('Write utilisation of 8 shards');
    for (const key of ['StateValue', 'StateReason', 'AlarmArn', 'StateUpdatedTimestamp', 'AlarmConfigurationUpdatedTimestamp']) {
      expect(put).not.toHaveProperty(key);
    }
  });

  test('a duplicate event causes no second call', async () => {
    const setup = await setUp();
    await putMinutes(throttledMinutes(4));
    const event = alarmEvent(setup.alarmNames.scaleOutThrottling);
    expect((await mod.handler(event)).action).toBe('scaled');
    const again = await mod.handler(event);
    expect(again).toMatchObject({ action: 'ignored', reason: expect.stringMatching(/^duplicate: /) });
    expect(layer.callsOf('UpdateShardCount')).toHaveLength(1);
    expect(await openShards()).toBe(8);
  });

  test('the same alarm delivered through SNS works too, and its duplicate is ignored', async () => {
    const setup = await setUp();
    await putMinutes(throttledMinutes(4));
    const event = snsAlarmEvent(setup.alarmNames.scaleOutThrottling);
    expect(await mod.handler(event)).toMatchObject({ action: 'scaled', targetShards: 8 });
    expect((await mod.handler(event)).action).toBe('ignored');
    expect(layer.callsOf('UpdateShardCount')).toHaveLength(1);
  });

  test('stale events are ignored: older than 10 minutes, or older than the latest scaling call', async () => {
    const setup = await setUp();
    await putMinutes(throttledMinutes(4));
    const old = await mod.handler(alarmEvent(setup.alarmNames.scaleOutThrottling, Date.now() - 11 * MINUTE));
    expect(old).toMatchObject({ action: 'ignored', reason: expect.stringMatching(/^stale: .* more than 10 minutes old/) });
    expect(layer.callsOf('UpdateShardCount')).toHaveLength(0);

    const first = Date.now() - 2 * MINUTE;
    expect((await mod.handler(alarmEvent(setup.alarmNames.scaleOutThrottling, first))).action).toBe('scaled');
    // A transition of another alarm from before that call judged the old capacity.
    const earlier = await mod.handler(alarmEvent(setup.alarmNames.scaleOutUtilization, first - 30_000));
    expect(earlier).toMatchObject({ action: 'ignored', reason: expect.stringMatching(/^stale: /) });
    expect(layer.callsOf('UpdateShardCount')).toHaveLength(1);
  });

  test('events of other alarms and transitions to OK do nothing', async () => {
    const setup = await setUp();
    await putMinutes(throttledMinutes(4));
    expect((await mod.handler(alarmEvent('someone-elses-alarm'))).reason).toMatch(/^foreign: /);
    expect((await mod.handler(alarmEvent(setup.alarmNames.scaleOutThrottling, Date.now(), 'OK'))).reason).toMatch(/^not-alarm: /);
    expect((await mod.handler({ hello: 'world' })).action).toBe('ignored');
    expect(layer.callsOf('UpdateShardCount')).toHaveLength(0);
    expect(layer.callsOf('GetMetricData')).toHaveLength(0);
  });

  test.each([
    ['LimitExceededException', 'Rate exceeded for stream clicks under account 123456789012.'],
    ['ResourceInUseException', 'Stream clicks under account 123456789012 not ACTIVE, instead in state UPDATING'],
    ['ValidationException', 'UpdateShardCount is not supported for stream clicks'],
  ])('%s keeps the intent, forgets the refused call, reports it, leaves the alarms, and the re-check applies it', async (name, message) => {
    const setup = await setUp();
    await putMinutes(throttledMinutes(4));
    let refuse = true;
    layer.inject((command) => (command === 'UpdateShardCount' && refuse ? serviceError(name, message) : undefined));

    const outcome = await mod.handler(alarmEvent(setup.alarmNames.scaleOutThrottling));
    expect(outcome).toMatchObject({ action: 'intent-kept', error: name, targetShards: 8 });
    expect(layer.callsOf('UpdateShardCount')).toHaveLength(1); // no in-process retry of a refusal
    expect(await openShards()).toBe(4);
    expect(await alarmShards(setup)).toEqual([4, 4, 4]);
    const item = await stateItem();
    expect(item?.calls).toEqual([]);
    expect(item?.intent).toMatchObject({ kind: 'scale-out', fromShards: 4, targetShards: 8, error: name, attempts: 1 });
    const reports = layer.callsOf('Publish');
    expect(reports).toHaveLength(1);
    expect(reports[0].input.Message).toContain(name);
    expect(emfMetrics()[0]).toMatchObject({ ScalingFailures: 1 });

    // Before the backoff has passed, the re-check leaves it alone.
    expect((await mod.handler(scheduledEvent())).action).toBe('idle');
    // Once it is due, the re-check decides again from fresh metrics and applies it.
    refuse = false;
    const later = Date.now() + 2 * MINUTE;
    jest.spyOn(mod.clock, 'now').mockReturnValue(later);
    await putMinutes(throttledMinutes(4, 4, 1), later);
    expect(await mod.handler(scheduledEvent())).toMatchObject({ action: 'scaled', targetShards: 8 });
    expect(await openShards()).toBe(8);
    expect((await stateItem())?.intent).toBeUndefined();
  });

  test('a repeated refusal is reported once', async () => {
    const setup = await setUp();
    await putMinutes(throttledMinutes(4));
    layer.inject((command) => (command === 'UpdateShardCount' ? serviceError('LimitExceededException', 'limit') : undefined));
    await mod.handler(alarmEvent(setup.alarmNames.scaleOutThrottling));
    const first = (await stateItem())?.intent;
    jest.spyOn(mod.clock, 'now').mockReturnValue(Date.now() + 2 * MINUTE);
    expect((await mod.handler(scheduledEvent())).action).toBe('intent-kept');
    const second = (await stateItem())?.intent;
    expect(second).toMatchObject({ attempts: 2, since: first.since });
    // Backoff doubles: 1 minute after the first refusal, 2 after the second.
    expect(second.nextAttemptAt - mod.clock.now()).toBe(2 * MINUTE);
    expect(layer.callsOf('Publish')).toHaveLength(1);
  });

  test('throttled API calls are retried with backoff by the SDK', async () => {
    const setup = await setUp();
    await putMinutes(throttledMinutes(4));
    layer.inject((command, _input, attempt) => (command === 'DescribeStreamSummary' && attempt <= 2
      ? serviceError('LimitExceededException', 'Rate exceeded for stream clicks') : undefined));
    layer.inject((command, _input, attempt) => (command === 'GetMetricData' && attempt === 1
      ? serviceError('Throttling', 'Rate exceeded', 400) : undefined));
    const outcome = await mod.handler(alarmEvent(setup.alarmNames.scaleOutThrottling));
    expect(outcome.action).toBe('scaled');
    expect(layer.callsOf('DescribeStreamSummary').map((c) => c.injected ?? 'server')).toEqual(['LimitExceededException', 'LimitExceededException', 'server']);
    expect(layer.callsOf('GetMetricData').map((c) => c.injected ?? 'server')).toEqual(['Throttling', 'server']);
  });

  test('while the stream is UPDATING nothing is called; the next step follows as soon as it is ACTIVE again', async () => {
    const setup = await setUp();
    await putMinutes(throttledMinutes(4));
    expect(await mod.handler(alarmEvent(setup.alarmNames.scaleOutThrottling))).toMatchObject({ action: 'scaled', targetShards: 8 });

    // The reshard takes a while: moto never reports UPDATING, the layer does.
    updatingFor(1);
    expect(await mod.handler(scheduledEvent())).toMatchObject({ action: 'waiting', streamStatus: 'UPDATING' });
    expect(layer.callsOf('GetMetricData')).toHaveLength(1);
    expect(layer.callsOf('UpdateShardCount')).toHaveLength(1);

    // ACTIVE again: the follow-up invocation takes the next step toward the pending target.
    const outcome = await mod.handler(scheduledEvent());
    expect(outcome).toMatchObject({ action: 'scaled', openShards: 8, targetShards: 16 });
    expect(layer.callsOf('UpdateShardCount').map((c) => c.input.TargetShardCount)).toEqual([8, 16]);
    expect(await alarmShards(setup)).toEqual([16, 16, 16]);
  });

  test('an alarm event while UPDATING is kept as a follow-up, not acted on', async () => {
    const setup = await setUp();
    await putMinutes(throttledMinutes(4));
    updatingFor(1);
    expect(await mod.handler(alarmEvent(setup.alarmNames.scaleOutThrottling))).toMatchObject({ action: 'waiting' });
    expect(layer.callsOf('UpdateShardCount')).toHaveLength(0);
    expect((await stateItem())?.followUp).toBe(true);
    expect(await mod.handler(scheduledEvent())).toMatchObject({ action: 'scaled', targetShards: 8 });
  });

  test('the scheduled re-check follows an alarm that stays in ALARM', async () => {
    const setup = await setUp();
    await putMinutes(throttledMinutes(4));
    await setAlarm(setup.alarmNames.scaleOutThrottling, 'ALARM');
    expect(await mod.handler(scheduledEvent())).toMatchObject({ action: 'scaled', targetShards: 8 });
  });

  test('with nothing to do the re-check reads no metrics and writes nothing', async () => {
    await setUp();
    await restCheckedRecently();
    expect(await mod.handler(scheduledEvent())).toMatchObject({ action: 'idle', openShards: 4 });
    expect(layer.callsOf('GetMetricData')).toHaveLength(0);
    expect(layer.callsOf('PutItem')).toHaveLength(0);
    expect(layer.callsOf('PutMetricAlarm')).toHaveLength(0);
  });

  test('at rest (no call for 24 h) the re-check evaluates once per scale-in window: a peak above the target gets headroom', async () => {
    const setup = await setUp();
    // 80 minutes at 2.6 MiB/s on 4 shards (65%: above the 0.6 target, below the scale-out utilisation, no alarm).
    await putMinutes(minutes(80, 1, { bytes: 2.6 * 60 * MIB, records: 2600 * 60 }));
    const outcome = await mod.handler(scheduledEvent());
    // Sized as a scale-in would size it, 2.6 / (0.8 × 0.6) = 5.4 → 6, but at 6 the peak (43%) would be in the scale-in band
    // (≤ 45%): 5.
    expect(outcome).toMatchObject({ action: 'scaled', openShards: 4, targetShards: 5 });
    expect(outcome.reason).toMatch(/^rest: no call for 24 h/);
    expect(await openShards()).toBe(5);
    expect(await alarmShards(setup)).toEqual([5, 5, 5]);
    expect((await stateItem())?.lastRestCheckMs).toBeGreaterThan(Date.now() - MINUTE);
  });

  test('a rest check that finds nothing to do is recorded, and the next waits a scale-in window', async () => {
    await setUp();
    await putMinutes(minutes(80, 1, { bytes: 1.5 * 60 * MIB, records: 1500 * 60 }));
    const now = Date.now();
    expect(await mod.handler(scheduledEvent())).toMatchObject({ action: 'none', openShards: 4 });
    expect(layer.callsOf('GetMetricData')).toHaveLength(1);
    const checkedAt = (await stateItem())?.lastRestCheckMs;
    expect(checkedAt).toBeGreaterThanOrEqual(now);
    jest.spyOn(mod.clock, 'now').mockReturnValue(checkedAt + 59 * MINUTE);
    expect((await mod.handler(scheduledEvent())).action).toBe('idle');
    expect(layer.callsOf('GetMetricData')).toHaveLength(1);
    jest.spyOn(mod.clock, 'now').mockReturnValue(checkedAt + 60 * MINUTE);
    expect((await mod.handler(scheduledEvent())).action).toBe('none');
    expect(layer.callsOf('GetMetricData')).toHaveLength(2);
  });

  test('never more than 10 calls in a rolling 24 h: with 10 recorded, an alarm leads to no call', async () => {
    const setup = await setUp();
    const now = Date.now();
    const calls = Array.from({ length: 10 }, (_, i) => now - (23 - i) * 60 * MINUTE);
    await dynamoClient().send(new PutItemCommand({
      TableName: TABLE,
      Item: { stream: { S: STREAM }, version: { N: '3' }, followUp: { BOOL: false }, calls: { L: calls.map((c) => ({ N: String(c) })) } },
    }));
    await putMinutes(throttledMinutes(4));
    const outcome = await mod.handler(alarmEvent(setup.alarmNames.scaleOutThrottling));
    expect(outcome.action).toBe('none');
    expect(outcome.reason).toMatch(/calls of the rolling 24 h are used/);
    expect(layer.callsOf('UpdateShardCount')).toHaveLength(0);
    // The oldest leaves the window: one call is available again.
    jest.spyOn(mod.clock, 'now').mockReturnValue(calls[0] + 24 * 60 * MINUTE + MINUTE);
    await putMinutes(throttledMinutes(4), calls[0] + 24 * 60 * MINUTE + MINUTE);
    await setAlarm(setup.alarmNames.scaleOutThrottling, 'ALARM');
    expect((await mod.handler(scheduledEvent())).action).toBe('scaled');
    expect((await stateItem())?.calls).toHaveLength(10);
  });

  test('sustained low utilisation scales in, by at most half', async () => {
    const setup = await setUp({ shards: 8 });
    // 80 minutes at about 1 shard's worth of writes on 8 shards (12.5%).
    await putMinutes(minutes(80, 1, { bytes: 0.9 * 60 * MIB, records: 900 * 60 }));
    const outcome = await mod.handler(alarmEvent(setup.alarmNames.scaleInUtilization));
    expect(outcome).toMatchObject({ action: 'scaled', openShards: 8, targetShards: 4 });
    expect(await openShards()).toBe(4);
    expect(await alarmShards(setup)).toEqual([4, 4, 4]);
  });

  test('the lag guard holds scale-in back while the iterator age is above its bound', async () => {
    const setup = await setUp({ shards: 8, lagGuard: Duration.minutes(1) });
    await putMinutes(minutes(80, 1, { bytes: 0.9 * 60 * MIB, records: 900 * 60, iteratorAgeMs: 5 * MINUTE }));
    const outcome = await mod.handler(alarmEvent(setup.alarmNames.scaleInUtilization));
    expect(outcome.action).toBe('none');
    expect(outcome.reason).toMatch(/lag guard/);
    expect(layer.callsOf('UpdateShardCount')).toHaveLength(0);
    const query = layer.callsOf('GetMetricData')[0].input.MetricDataQueries.map((q: any) => q.MetricStat.Metric.MetricName);
    expect(query).toContain('GetRecords.IteratorAgeMilliseconds');
  });

  test('PutRecords.ThrottledRecords alone is read as throttling: the handler scales out on it', async () => {
    const setup = await setUp();
    // 75% of 4 shards accepted (nothing to act on by itself), as many records again rejected, seen in PutRecords.* only.
    await putMinutes([
      ...minutes(20, 4, { bytes: 2 * 60 * MIB, records: 2 * 60_000 }),
      ...minutes(3, 1, { bytes: 3 * 60 * MIB, records: 3 * 60_000, putRecordsThrottled: 3 * 60_000 }),
    ]);
    const outcome = await mod.handler(alarmEvent(setup.alarmNames.scaleOutThrottling));
    expect(outcome).toMatchObject({ action: 'scaled', openShards: 4, targetShards: 8 });
    const query = layer.callsOf('GetMetricData')[0].input.MetricDataQueries.map((q: any) => q.MetricStat.Metric.MetricName);
    expect(query).toEqual(expect.arrayContaining(['WriteProvisionedThroughputExceeded', 'PutRecords.ThrottledRecords']));
  });

  test('a hot key (throttled at low utilisation): no call, the HotKeyThrottling metric instead', async () => {
    const setup = await setUp({ shards: 10 });
    // 2.5 shards' worth accepted on 10 (25%), a fifth of the records throttled: one shard full, the stream not.
    await putMinutes(minutes(20, 1, { bytes: 2.5 * 60 * MIB, records: 150_000, throttled: 37_500, putRecordsThrottled: 37_500 }));
    const outcome = await mod.handler(alarmEvent(setup.alarmNames.scaleOutThrottling));
    expect(outcome.action).toBe('none');
    expect(outcome.reason).toMatch(/hot partition key/);
    expect(layer.callsOf('UpdateShardCount')).toHaveLength(0);
    expect(emfMetrics()[0]).toMatchObject({ HotKeyThrottling: 1, OpenShards: 10, TargetShards: 10 });
  });

  test('dry run: decides and reports once, but never calls UpdateShardCount nor rewrites the alarms', async () => {
    const setup = await setUp({ dryRun: true });
    await putMinutes(throttledMinutes(4));
    expect(await mod.handler(alarmEvent(setup.alarmNames.scaleOutThrottling))).toMatchObject({ action: 'dry-run', targetShards: 8 });
    await setAlarm(setup.alarmNames.scaleOutThrottling, 'ALARM');
    expect((await mod.handler(scheduledEvent())).action).toBe('dry-run');
    expect(layer.callsOf('UpdateShardCount')).toHaveLength(0);
    expect(layer.callsOf('PutMetricAlarm')).toHaveLength(0);
    expect(layer.callsOf('Publish')).toHaveLength(1);
    expect(layer.callsOf('Publish')[0].input.Subject).toBe('Shard autoscaler (dry run): clicks 4 -> 8');
  });

  test('alarms out of step with the stream (resharded by hand) are re-synced without a call', async () => {
    const setup = await setUp();
    await restCheckedRecently();
    await kinesisClient().send(new UpdateShardCountCommand({ StreamName: STREAM, TargetShardCount: 6, ScalingType: 'UNIFORM_SCALING' }));
    const outcome = await mod.handler(scheduledEvent());
    expect(outcome).toMatchObject({ action: 'idle', openShards: 6 });
    expect(outcome.alarmsRewritten).toHaveLength(3);
    expect(await alarmShards(setup)).toEqual([6, 6, 6]);
    expect(layer.callsOf('UpdateShardCount')).toHaveLength(0);
  });

  test('a failure after the call (alarm rewrite) is repaired by the next invocation', async () => {
    const setup = await setUp();
    await putMinutes(throttledMinutes(4));
    let broken = true;
    layer.inject((command) => (command === 'PutMetricAlarm' && broken ? serviceError('InternalServiceError', 'boom', 500) : undefined));
    await expect(mod.handler(alarmEvent(setup.alarmNames.scaleOutThrottling))).rejects.toThrow('boom');
    expect(await openShards()).toBe(8);
    expect(await alarmShards(setup)).toEqual([4, 4, 4]);
    broken = false;
    // Three minutes later the stream is ACTIVE at 8 shards and comfortably sized.
    const later = Date.now() + 3 * MINUTE;
    jest.spyOn(mod.clock, 'now').mockReturnValue(later);
    await putMinutes(minutes(2, 1, { bytes: 4 * 60 * MIB, records: 4 * 60_000 }), later);
    const outcome = await mod.handler(scheduledEvent());
    expect(await alarmShards(setup)).toEqual([8, 8, 8]);
    expect(outcome).toMatchObject({ action: 'none', openShards: 8 });
    expect(outcome.alarmsRewritten).toHaveLength(3);
    expect(layer.callsOf('UpdateShardCount')).toHaveLength(1);
  });

  test('an unknown UpdateShardCount failure fails the invocation and keeps the call recorded (the safe side)', async () => {
    const setup = await setUp();
    await putMinutes(throttledMinutes(4));
    layer.inject((command) => (command === 'UpdateShardCount' ? serviceError('InternalFailure', 'socket hang up', 500) : undefined));
    await expect(mod.handler(alarmEvent(setup.alarmNames.scaleOutThrottling))).rejects.toThrow('socket hang up');
    expect((await stateItem())?.calls).toHaveLength(1);
    expect(await alarmShards(setup)).toEqual([4, 4, 4]);
  });

  test('a concurrent change of the state stops the invocation before it calls (moto enforces the conditional write)', async () => {
    const setup = await setUp();
    await putMinutes(throttledMinutes(4));
    // Another invocation writes the state between this one's read and its write: just before the handler's first
    // PutItem reaches moto, a client of its own puts the item with the next version, as the other invocation's
    // conditional write would. moto then evaluates the handler's condition against that item: nothing is mocked.
    const other = DynamoDBDocumentClient.from(dynamoClient());
    let raced = false;
    clients.dynamodb.middlewareStack.add((next: any, context: any) => async (args: any) => {
      if (!raced && /^Put(Item)?Command$/.test(context.commandName ?? '')) {
        raced = true;
        const current = await stateItem();
        const version = typeof current?.version === 'number' ? current.version : 0;
        await other.send(new PutCommand({
          TableName: TABLE,
          Item: { ...current, stream: STREAM, version: version + 1, writer: 'other invocation' },
          ConditionExpression: version === 0 ? 'attribute_not_exists(#s) OR #v = :zero' : '#v = :v',
          ExpressionAttributeNames: version === 0 ? { '#s': 'stream', '#v': 'version' } : { '#v': 'version' },
          ExpressionAttributeValues: version === 0 ? { ':zero': 0 } : { ':v': version },
        }));
      }
      return next(args);
    }, { step: 'finalizeRequest', name: 'concurrent-writer', priority: 'high' });
    let outcome: Awaited<ReturnType<typeof mod.handler>>;
    try {
      // Losing the race is no Lambda error (that would page someone): the invocation ends normally, logged and counted.
      outcome = await mod.handler(alarmEvent(setup.alarmNames.scaleOutThrottling));
    } finally {
      clients.dynamodb.middlewareStack.remove('concurrent-writer');
    }
    expect(outcome).toMatchObject({ action: 'superseded', reason: expect.stringMatching(/another invocation changed the autoscaler state/) });
    expect(raced).toBe(true);
    // the handler's PutItem reached moto and was refused there, the other invocation's state stands, and no call was made
    expect(layer.calls.filter((c) => c.command === 'PutItem').map((c) => c.injected)).toEqual([undefined]);
    expect(await stateItem()).toMatchObject({ writer: 'other invocation', version: 1 });
    expect(layer.callsOf('UpdateShardCount')).toHaveLength(0);
    expect(emfMetrics().some((m) => m.ConcurrencyConflicts === 1)).toBe(true);
  });

  test('an alarm event stamped in the future does not make genuine later events look stale', async () => {
    const setup = await setUp();
    // A replayed or skewed event two hours ahead: accepted (an evaluation reads fresh metrics), remembered as now.
    expect((await mod.handler(alarmEvent(setup.alarmNames.scaleOutUtilization, Date.now() + 2 * 3_600_000))).action).not.toBe('ignored');
    expect((await stateItem())!.lastAlarmEventMs).toBeLessThanOrEqual(Date.now());
    await new Promise((r) => setTimeout(r, 5));
    // A genuine transition a moment later is acted on, not judged older than the future-stamped one.
    const genuine = await mod.handler(alarmEvent(setup.alarmNames.scaleOutThrottling, Date.now()));
    expect(genuine.action).not.toBe('ignored');
  });

  test('a deleted stream stops the autoscaler cleanly: reported once, alarms untouched, never an error', async () => {
    const setup = await setUp();
    await kinesisClient().send(new DeleteStreamCommand({ StreamName: STREAM }));
    for (const event of [scheduledEvent(), alarmEvent(setup.alarmNames.scaleOutThrottling), scheduledEvent()]) {
      expect(await mod.handler(event)).toMatchObject({ action: 'stream-deleted', alarmsRewritten: [] });
    }
    expect(layer.callsOf('Publish')).toHaveLength(1);
    expect(layer.callsOf('PutMetricAlarm')).toHaveLength(0);
    expect(layer.callsOf('UpdateShardCount')).toHaveLength(0);
    expect(await alarmShards(setup)).toEqual([4, 4, 4]);
  });

  test('a deploy that writes the alarms back for the planned count is undone by the next re-check, without a call', async () => {
    const setup = await setUp();
    await restCheckedRecently();
    // The stream was scaled to 8 shards since the last deploy, and the alarms follow it.
    await kinesisClient().send(new UpdateShardCountCommand({ StreamName: STREAM, TargetShardCount: 8, ScalingType: 'UNIFORM_SCALING' }));
    expect((await mod.handler(scheduledEvent())).alarmsRewritten).toHaveLength(3);
    expect(await alarmShards(setup)).toEqual([8, 8, 8]);
    // A deploy that changes a property of the alarms: CloudFormation writes the template's definitions (4 shards).
    for (const p of setup.templateAlarms) await cloudwatchClient().send(new PutMetricAlarmCommand({ ...p, AlarmDescription: `${p.AlarmDescription} (v2)` } as never));
    expect(await alarmShards(setup)).toEqual([4, 4, 4]);
    const recheck = await mod.handler(scheduledEvent());
    expect(recheck.alarmsRewritten).toHaveLength(3);
    expect(await alarmShards(setup)).toEqual([8, 8, 8]);
    expect(layer.callsOf('UpdateShardCount')).toHaveLength(0);
    // The deploy's own change is kept: only the shard count was rewritten.
    const described = await cloudwatchClient().send(new DescribeAlarmsCommand({ AlarmNames: Object.values(setup.alarmNames) }));
    expect(described.MetricAlarms!.every((a) => a.AlarmDescription!.endsWith('(v2)'))).toBe(true);
  });

  test('an on-demand stream is reported, never scaled', async () => {
    const setup = await setUp({ onDemand: true });
    await putMinutes(throttledMinutes(4));
    expect((await mod.handler(alarmEvent(setup.alarmNames.scaleOutThrottling))).action).toBe('on-demand');
    expect(layer.callsOf('UpdateShardCount')).toHaveLength(0);
    expect(layer.callsOf('Publish')).toHaveLength(1);
  });
});
