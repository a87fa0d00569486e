/**
 * The alarm rewrite against the SDK's own model of PutMetricAlarm: the request the SDK serializes from our input holds
 * only members of PutMetricAlarmInput and none that the API refuses beside Metrics, whatever DescribeAlarms returned.
 */
import { CloudWatchClient, MetricAlarm, PutMetricAlarmCommand, PutMetricAlarmInput$ } from '@aws-sdk/client-cloudwatch';
import * as fc from 'fast-check';
import { embeddedShards, rewriteForShards } from '../../../lambda/shard-autoscaler/alarms';
import { utilizationExpression } from '../../../lib/scaling/private/alarm-math';
import { assertAsyncProperty } from '../../support/property';

const SEED = 20261207;
/** From the API reference of PutMetricAlarm, Metrics: "you cannot include the Namespace, MetricName, Dimensions, Period, Unit, Statistic, or ExtendedStatistic parameters". */
const REFUSED_WITH_METRICS = ['Namespace', 'MetricName', 'Dimensions', 'Period', 'Unit', 'Statistic', 'ExtendedStatistic'];
/** The members of PutMetricAlarmInput in the SDK's schema. */
const MEMBERS: string[] = (PutMetricAlarmInput$ as unknown as unknown[])[4] as string[];

/** The JSON body the SDK would send for `input` (its serializer, its protocol), captured before any network. */
async function wireBody(input: ConstructorParameters<typeof PutMetricAlarmCommand>[0]): Promise<Record<string, unknown>> {
  let body: string | undefined;
  const client = new CloudWatchClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    requestHandler: {
      handle: async (request: { body: unknown }) => {
        body = Buffer.from(request.body as Uint8Array | string).toString('utf-8');
        throw Object.assign(new Error('captured'), { name: 'Captured' });
      },
    } as never,
  });
  await client.send(new PutMetricAlarmCommand(input)).catch((e) => {
    if ((e as Error).name !== 'Captured') throw e;
  });
  return JSON.parse(body!);
}

/** A scaling alarm as DescribeAlarms returns it, with the fields of single-metric alarms set empty, and state. */
function described(extra: Partial<MetricAlarm> = {}): MetricAlarm {
  return {
    AlarmName: 'clicks-scale-in',
    AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:clicks-scale-in',
    AlarmDescription: 'scale in',
    AlarmConfigurationUpdatedTimestamp: new Date(0),
    ActionsEnabled: true,
    OKActions: [],
    AlarmActions: [],
    InsufficientDataActions: [],
    StateValue: 'OK',
    StateReason: 'r',
    StateReasonData: '{}',
    StateUpdatedTimestamp: new Date(0),
    StateTransitionedTimestamp: new Date(0),
    Dimensions: [],
    EvaluationPeriods: 15,
    DatapointsToAlarm: 15,
    Threshold: 0.3,
    ComparisonOperator: 'LessThanThreshold',
    TreatMissingData: 'notBreaching',
    Metrics: [
      { Id: 'bytes', MetricStat: { Metric: { Namespace: 'AWS/Kinesis', MetricName: 'IncomingBytes', Dimensions: [{ Name: 'StreamName', Value: 'clicks' }] }, Period: 60, Stat: 'Sum' }, ReturnData: false },
      { Id: 'records', MetricStat: { Metric: { Namespace: 'AWS/Kinesis', MetricName: 'IncomingRecords', Dimensions: [{ Name: 'StreamName', Value: 'clicks' }] }, Period: 60, Stat: 'Sum' }, ReturnData: false },
      { Id: 'utilization', Expression: utilizationExpression(4), Label: 'Write utilisation of 4 shards', ReturnData: true },
    ],
    ...extra,
  };
}

describe('rewriteForShards: the PutMetricAlarm request', () => {
  test('a metric-math alarm described with an empty Dimensions (and Unit, Period) is sent with Metrics only', async () => {
    const body = await wireBody(rewriteForShards(described({ Unit: 'Count', Period: 60, EvaluateLowSampleCountPercentile: '' }), 8));
    for (const key of REFUSED_WITH_METRICS) expect(body).not.toHaveProperty(key);
    expect(Object.keys(body).every((k) => MEMBERS.includes(k))).toBe(true);
    expect(body).toMatchObject({
      AlarmName: 'clicks-scale-in',
      AlarmDescription: 'scale in',
      ActionsEnabled: true,
      EvaluationPeriods: 15,
      DatapointsToAlarm: 15,
      Threshold: 0.3,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(embeddedShards({ Metrics: body.Metrics as MetricAlarm['Metrics'] })).toBe(8);
  });

  test('property: whatever optional fields DescribeAlarms returns, the request holds only model members allowed with Metrics', async () => {
    const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
    const extra = fc.record({
      Dimensions: maybe(fc.array(fc.record({ Name: fc.string({ minLength: 1 }), Value: fc.string({ minLength: 1 }) }), { maxLength: 2 })),
      Namespace: maybe(fc.constant('AWS/Kinesis')),
      MetricName: maybe(fc.constant('IncomingBytes')),
      Period: maybe(fc.constantFrom(60, 300)),
      Unit: maybe(fc.constantFrom('Count', 'Bytes')),
      Statistic: maybe(fc.constant('Sum')),
      ExtendedStatistic: maybe(fc.constant('p99')),
      OKActions: maybe(fc.array(fc.constant('arn:aws:sns:us-east-1:123456789012:t'), { maxLength: 2 })),
      AlarmActions: maybe(fc.array(fc.constant('arn:aws:sns:us-east-1:123456789012:t'), { maxLength: 2 })),
      ThresholdMetricId: maybe(fc.constant('band')),
      EvaluationInterval: maybe(fc.constant(60)),
    }, { requiredKeys: [] }) as fc.Arbitrary<Partial<MetricAlarm>>;
    await assertAsyncProperty(fc.asyncProperty(extra, fc.integer({ min: 1, max: 10_000 }), async (fields, shards) => {
      const body = await wireBody(rewriteForShards(described(fields), shards));
      expect(Object.keys(body).filter((k) => !MEMBERS.includes(k) || REFUSED_WITH_METRICS.includes(k))).toEqual([]);
      expect('Threshold' in body && 'ThresholdMetricId' in body).toBe(false);
      expect(embeddedShards({ Metrics: body.Metrics as MetricAlarm['Metrics'] })).toBe(shards);
    }), { seed: SEED, numRuns: 60 });
  });
});
