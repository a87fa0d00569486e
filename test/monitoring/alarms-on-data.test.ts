/**
 * Alarms that fire: every alarm of the two pipelines (their streams, the shard autoscaler, Flink, the session consumer
 * and the deliveries), evaluated as CloudWatch would (test/support/alarm-evaluator.ts) on synthetic per-minute data:
 * ALARM on the data it exists to catch, OK on normal data, and not one breaching period before its datapoints-to-alarm
 * (the README's "5 of 5 min", "15 of 15 min", ...). Every alarm of the template must have a scenario here.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Size, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ClickstreamPipeline, FlinkCode, IotSensorPipeline } from '../../lib';
import { shardsOfExpression } from '../../lib/scaling/private/alarm-math';
import { AlarmProperties, alarmStates, evaluateExpression, finalState, MinuteData } from '../support/alarm-evaluator';

const JAR = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jar-')), 'kinesis-sql-job.jar');
fs.writeFileSync(JAR, 'stand-in');
const MIB = 1024 * 1024;
const LENGTH = 120; // minutes of data in every scenario

interface Scenario {
  /** Breaching periods that raise the alarm (the README's "N of M"). */
  readonly periods: number;
  /** Minutes per period. */
  readonly periodMinutes: number;
  /** Per-minute values of each metric the alarm reads, on a normal minute and on a minute it exists to catch. */
  readonly normal: (shards: number) => Record<string, number>;
  readonly bad: (shards: number) => Record<string, number>;
}

const constant = (v: Record<string, number>) => () => v;

/** Scenario per kind of alarm, recognised by its logical id, first match wins. Values are the claims, not the code's. */
const SCENARIOS: Array<[RegExp, Scenario]> = [
  // streams (README: > 0.01 Average, > 1 %, > 50 % of retention, > 5 min, > 80 %)
  [/Alarms(Write|Read)ThroughputExceeded/, {
    periods: 5,
    periodMinutes: 1,
    normal: constant({ WriteProvisionedThroughputExceeded: 0.005, ReadProvisionedThroughputExceeded: 0.005 }),
    bad: constant({ WriteProvisionedThroughputExceeded: 0.05, ReadProvisionedThroughputExceeded: 0.05 }),
  }],
  [/AlarmsPutRecords(Throttled|Failed)/, {
    periods: 5,
    periodMinutes: 1,
    // 1.0 % of the records is the threshold itself (not above); 1.1 % is above
    normal: constant({ 'PutRecords.TotalRecords': 10_000, 'PutRecords.ThrottledRecords': 100, 'PutRecords.FailedRecords': 100 }),
    bad: constant({ 'PutRecords.TotalRecords': 10_000, 'PutRecords.ThrottledRecords': 110, 'PutRecords.FailedRecords': 110 }),
  }],
  [/(Readings|Anomalies|Aggregates|DeadLetters|Insights|SessionSummaries|Clicks)AlarmsIteratorAge/, {
    periods: 15,
    periodMinutes: 1,
    // 24 h retention: 50 % is 12 h
    normal: constant({ 'GetRecords.IteratorAgeMilliseconds': 11 * 3600_000 }),
    bad: constant({ 'GetRecords.IteratorAgeMilliseconds': 13 * 3600_000 }),
  }],
  [/AlarmsConsumer\w+Lag/, {
    periods: 5,
    periodMinutes: 1,
    normal: constant({ 'SubscribeToShardEvent.MillisBehindLatest': 4 * 60_000 }),
    bad: constant({ 'SubscribeToShardEvent.MillisBehindLatest': 6 * 60_000 }),
  }],
  [/AlarmsWriteUtilization/, {
    periods: 5,
    periodMinutes: 1,
    normal: (n) => ({ IncomingBytes: 0.75 * 60 * MIB * n, IncomingRecords: 0.75 * 60_000 * n }),
    // 85 % of the records capacity, bytes low: the MAX of the two shares decides
    bad: (n) => ({ IncomingBytes: 0.1 * 60 * MIB * n, IncomingRecords: 0.85 * 60_000 * n }),
  }],
  // shard autoscaler, default target 0.6 (README: throttling or ≥ 95 % for 1 minute; ≥ 80 % for 2 minutes; ≤ 45 % for 60 minutes)
  [/AutoscalerScaleOutThrottling/, {
    periods: 1,
    periodMinutes: 1,
    normal: (n) => ({ IncomingBytes: 0.9 * 60 * MIB * n, IncomingRecords: 1000, WriteProvisionedThroughputExceeded: 0 }),
    // 2 records throttled in 1,000: 0.2 %, above the 0.1 % that counts as a throttled minute
    bad: (n) => ({ IncomingBytes: 0.5 * 60 * MIB * n, IncomingRecords: 1000, WriteProvisionedThroughputExceeded: 2 }),
  }],
  [/AutoscalerScaleOutUtilization/, {
    periods: 2,
    periodMinutes: 1,
    normal: (n) => ({ IncomingBytes: 0.78 * 60 * MIB * n, IncomingRecords: 10 }),
    bad: (n) => ({ IncomingBytes: 0.81 * 60 * MIB * n, IncomingRecords: 10 }),
  }],
  [/AutoscalerScaleInUtilization/, {
    periods: 60,
    periodMinutes: 1,
    normal: (n) => ({ IncomingBytes: 0.46 * 60 * MIB * n, IncomingRecords: 10 }),
    bad: (n) => ({ IncomingBytes: 0.44 * 60 * MIB * n, IncomingRecords: 10 }),
  }],
  [/AutoscalerAlarmsHandlerErrors/, { periods: 1, periodMinutes: 5, normal: constant({ Errors: 0 }), bad: constant({ Errors: 1 }) }],
  [/AutoscalerAlarmsHotKey/, { periods: 3, periodMinutes: 5, normal: constant({ HotKeyThrottling: 0 }), bad: constant({ HotKeyThrottling: 1 }) }],
  [/AutoscalerAlarmsScalingFailures/, { periods: 3, periodMinutes: 5, normal: constant({ ScalingFailures: 0 }), bad: constant({ ScalingFailures: 1 }) }],
  // Flink
  [/AlarmsRestarts/, { periods: 1, periodMinutes: 5, normal: constant({ fullRestarts: 3 }), bad: constant({ fullRestarts: 4 }) }],
  [/AlarmsDowntime/, { periods: 1, periodMinutes: 1, normal: constant({ downtime: 0 }), bad: constant({ downtime: 5000 }) }],
  [/AlarmsFailedCheckpoints/, { periods: 1, periodMinutes: 1, normal: constant({ numberOfFailedCheckpoints: 0 }), bad: constant({ numberOfFailedCheckpoints: 1 }) }],
  [/AlarmsCheckpointDuration/, { periods: 3, periodMinutes: 1, normal: constant({ lastCheckpointDuration: 50_000 }), bad: constant({ lastCheckpointDuration: 70_000 }) }],
  [/AlarmsCpuUtilization/, { periods: 15, periodMinutes: 1, normal: constant({ cpuUtilization: 75 }), bad: constant({ cpuUtilization: 85 }) }],
  [/AlarmsHeapMemoryUtilization/, { periods: 5, periodMinutes: 1, normal: constant({ heapMemoryUtilization: 85 }), bad: constant({ heapMemoryUtilization: 95 }) }],
  [/AlarmsMillisBehindLatest/, {
    periods: 5,
    periodMinutes: 1,
    normal: constant({ 'SubscribeToShardEvent.MillisBehindLatest': 30_000 }),
    bad: constant({ 'SubscribeToShardEvent.MillisBehindLatest': 90_000 }),
  }],
  [/AlarmsRecordsOutZero/, {
    periods: 5,
    periodMinutes: 1,
    normal: constant({ 'SubscribeToShardEvent.Records': 6000, 'numRecordsOutPerSecond': 20 }),
    bad: constant({ 'SubscribeToShardEvent.Records': 6000, 'numRecordsOutPerSecond': 0 }),
  }],
  // session consumer (Lambda)
  [/SessionsAlarmsIteratorAge/, { periods: 5, periodMinutes: 1, normal: constant({ IteratorAge: 60_000 }), bad: constant({ IteratorAge: 45 * 60_000 }) }],
  [/SessionsAlarmsErrors/, { periods: 3, periodMinutes: 1, normal: constant({ Errors: 0 }), bad: constant({ Errors: 1 }) }],
  [/SessionsAlarmsThrottles/, { periods: 5, periodMinutes: 1, normal: constant({ Throttles: 0 }), bad: constant({ Throttles: 1 }) }],
  [/SessionsAlarmsDestinationDeliveryFailures/, { periods: 1, periodMinutes: 1, normal: constant({ DestinationDeliveryFailures: 0 }), bad: constant({ DestinationDeliveryFailures: 1 }) }],
  [/SessionsAlarms(FailedRecords|MalformedRecords|SummaryEmitFailures)/, {
    periods: 5,
    periodMinutes: 1,
    normal: constant({ FailedRecords: 0, MalformedRecords: 0, SummaryEmitFailures: 0 }),
    bad: constant({ FailedRecords: 1, MalformedRecords: 1, SummaryEmitFailures: 1 }),
  }],
  // deliveries (5-minute periods)
  [/AlarmsDataFreshness/, { periods: 1, periodMinutes: 5, normal: constant({ 'DeliveryToS3.DataFreshness': 300 }), bad: constant({ 'DeliveryToS3.DataFreshness': 900 }) }],
  [/AlarmsDeliverySuccess/, { periods: 3, periodMinutes: 5, normal: constant({ 'DeliveryToS3.Success': 1 }), bad: constant({ 'DeliveryToS3.Success': 0.5 }) }],
  [/AlarmsSourceLag/, { periods: 3, periodMinutes: 5, normal: constant({ KinesisMillisBehindLatest: 60_000 }), bad: constant({ KinesisMillisBehindLatest: 600_000 }) }],
];

/** `LENGTH` minutes of normal data, the last `badMinutes` of them replaced by bad data. */
function data(s: Scenario, shards: number, badMinutes: number, badFrom = LENGTH - badMinutes): MinuteData {
  const normal = s.normal(shards);
  const bad = s.bad(shards);
  const out: Record<string, number[]> = {};
  for (const name of new Set([...Object.keys(normal), ...Object.keys(bad)])) {
    out[name] = Array.from({ length: LENGTH }, (_, m) => (m >= badFrom && m < badFrom + badMinutes ? bad[name] : normal[name]) ?? 0);
  }
  return out;
}

function shardsOf(alarm: AlarmProperties): number {
  const expr = alarm.Metrics?.find((m) => m.Expression)?.Expression;
  return (expr && shardsOfExpression(expr)) || 1;
}

let alarms: Array<[string, AlarmProperties, any]>;
let template: any;
let topicRefs: { clicks: string; iot: string };

beforeAll(() => {
  const stack = new Stack(new App(), 'Alarms', { env: { account: '123456789012', region: 'us-east-1' } });
  const clicks = new ClickstreamPipeline(stack, 'Clicks', { profile: { peakRecordsPerSecond: 2000, averageRecordSize: Size.kibibytes(1) }, flinkCode: FlinkCode.sqlRunner({ jarPath: JAR }) });
  const iot = new IotSensorPipeline(stack, 'Iot', { flinkCode: FlinkCode.sqlRunner({ jarPath: JAR }) });
  topicRefs = { clicks: JSON.stringify(stack.resolve(clicks.alarmTopic.topicArn)), iot: JSON.stringify(stack.resolve(iot.alarmTopic.topicArn)) };
  template = Template.fromStack(stack).toJSON();
  alarms = Object.entries<any>(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
    .map(([id, r]) => [id, r.Properties as AlarmProperties, r.Properties]);
});

describe('every alarm of the pipelines, on data', () => {
  test('the pipelines have alarms, and each has a scenario', () => {
    expect(alarms.length).toBeGreaterThan(80);
    const missing = alarms.filter(([id]) => !SCENARIOS.some(([re]) => re.test(id))).map(([id]) => id);
    expect(missing).toEqual([]);
  });

  test('each stays OK on normal data, and on a breach one period shorter than its datapoints-to-alarm', () => {
    const wrong: string[] = [];
    for (const [id, alarm] of alarms) {
      const s = SCENARIOS.find(([re]) => re.test(id))![1];
      const shards = shardsOf(alarm);
      const normal = alarmStates(alarm, data(s, shards, 0));
      const tail = normal.slice(s.periods + 1);
      if (tail.some((st) => st !== 'OK')) wrong.push(`${id}: normal data gave ${[...new Set(tail)].join('/')}`);
      if (s.periods > 1) {
        // a breach of periods − 1 periods in the middle of normal data never raises it
        const short = alarmStates(alarm, data(s, shards, (s.periods - 1) * s.periodMinutes, 30));
        if (short.includes('ALARM')) wrong.push(`${id}: ${s.periods - 1} breaching period(s) raised it`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test('each goes to ALARM on the data it exists to catch, after exactly its datapoints-to-alarm', () => {
    const wrong: string[] = [];
    for (const [id, alarm] of alarms) {
      const s = SCENARIOS.find(([re]) => re.test(id))![1];
      const states = alarmStates(alarm, data(s, shardsOf(alarm), s.periods * s.periodMinutes));
      const last = states[states.length - 1];
      const before = states[states.length - 2];
      if (last !== 'ALARM') wrong.push(`${id}: ${s.periods} breaching period(s) gave ${last}`);
      if (before === 'ALARM') wrong.push(`${id}: in ALARM one period before ${s.periods} breaching period(s)`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('the percent-share and math alarms on numbers', () => {
  const find = (re: RegExp) => alarms.find(([id]) => re.test(id))![1];

  test('PutRecordsThrottled: 1.0 % is not above the threshold, 1.01 % is; no PutRecords call at all reads 0 %', () => {
    const alarm = find(/ClicksAlarmsPutRecordsThrottled/);
    const expr = alarm.Metrics!.find((m) => m.Expression)!.Expression!;
    const share = (throttled: number, total: number | undefined) => evaluateExpression(expr, { throttled: [throttled], total: [total] });
    expect(share(100, 10_000)).toEqual([1]);
    expect(share(101, 10_000)).toEqual([1.01]);
    expect(share(0, undefined)).toEqual([0]);
    const flat = (v: number | undefined) => Array.from({ length: 10 }, () => v);
    expect(finalState(alarm, { 'PutRecords.TotalRecords': flat(10_000), 'PutRecords.ThrottledRecords': flat(101) })).toBe('ALARM');
    expect(finalState(alarm, { 'PutRecords.TotalRecords': flat(10_000), 'PutRecords.ThrottledRecords': flat(100) })).toBe('OK');
    expect(finalState(alarm, { 'PutRecords.TotalRecords': flat(undefined), 'PutRecords.ThrottledRecords': flat(undefined) })).toBe('OK');
  });

  test('ScaleInUtilization treats a minute without writes as low utilisation (60 quiet minutes raise it)', () => {
    const alarm = find(/ClicksAutoscalerScaleInUtilization/);
    const quiet = Array.from({ length: 60 }, () => undefined);
    expect(finalState(alarm, { IncomingBytes: quiet, IncomingRecords: quiet })).toBe('ALARM');
  });

  test('ScaleOutThrottling: saturation alone (96 % of the bytes, nothing throttled) raises it, 94 % does not', () => {
    const alarm = find(/ClicksAutoscalerScaleOutThrottling/);
    const n = shardsOf(alarm);
    const at = (u: number) => ({ IncomingBytes: [u * 60 * MIB * n], IncomingRecords: [100], WriteProvisionedThroughputExceeded: [0] });
    expect(finalState(alarm, at(0.96))).toBe('ALARM');
    expect(finalState(alarm, at(0.94))).toBe('OK');
  });

  test('Restarts: a restart counter that grows raises it, a steady one does not', () => {
    const alarm = find(/TopProductsAlarmsRestarts/);
    const perMinute = (f: (m: number) => number) => Array.from({ length: 30 }, (_, m) => f(m));
    expect(finalState(alarm, { fullRestarts: perMinute((m) => (m < 25 ? 3 : 4)) })).toBe('ALARM');
    expect(finalState(alarm, { fullRestarts: perMinute(() => 3) })).toBe('OK');
  });

  test('RecordsOutZero: an idle job (nothing in, nothing out) is not an alarm', () => {
    const alarm = find(/TopProductsAlarmsRecordsOutZero/);
    const zero = Array.from({ length: 10 }, () => 0);
    expect(finalState(alarm, { 'SubscribeToShardEvent.Records': zero, 'numRecordsOutPerSecond': zero })).toBe('OK');
  });
});

describe('who is told', () => {
  test('every alarm of a pipeline notifies its topic, except the autoscaler\'s scaling alarms, which act through EventBridge', () => {
    const topicOf = (id: string) => (id.startsWith('Clicks') ? topicRefs.clicks : topicRefs.iot);
    const scaling = /AutoscalerScale(OutThrottling|OutUtilization|InUtilization)/;
    const wrong: string[] = [];
    for (const [id, , raw] of alarms) {
      const actions = JSON.stringify(raw.AlarmActions ?? []);
      const expected = scaling.test(id) ? '[]' : `[${topicOf(id)}]`;
      if (actions !== expected) wrong.push(`${id}: ${actions}`);
    }
    expect(wrong).toEqual([]);
    // the scaling alarms reach the handler through an EventBridge rule on their state changes
    const rules = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule');
    expect(alarms.filter(([id]) => scaling.test(id))).toHaveLength(3);
    const watched = JSON.stringify(rules.map((r) => r.Properties.EventPattern));
    for (const [id] of alarms.filter(([i]) => scaling.test(i))) {
      expect({ id, watched: watched.includes(JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] })) }).toEqual({ id, watched: true });
    }
  });
});
