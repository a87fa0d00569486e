import { App, Stack, aws_cloudwatch as cloudwatch, aws_kinesis as kinesis, aws_kinesisfirehose as firehose, aws_lambda as lambda } from 'aws-cdk-lib';
import { OpenSearchDelivery, PipelineStream, SessionConsumer } from '../../lib';

/**
 * A metric method of ours that has the name of one of aws-cdk-lib's L2 methods returns what the L2's returns by default:
 * same metric, statistic and period. A method that means something else must take another name.
 */

function newStack(): Stack {
  return new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
}

/** The names of the `metricXxx` methods an object's class chain defines. */
function metricMethods(obj: object): string[] {
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(obj); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) if (/^metric/.test(name) && typeof (proto as any)[name] === 'function') names.add(name);
  }
  return [...names].sort();
}

/** What a metric method returns, in terms a dashboard and an alarm see. */
function shape(stack: Stack, metric: cloudwatch.IMetric): Record<string, unknown> {
  const m = metric as cloudwatch.Metric;
  return {
    metricName: m.metricName, namespace: m.namespace, statistic: m.statistic, period: m.period.toSeconds(), dimensions: stack.resolve(m.dimensions),
  };
}

/** Every method `ours` shares by name with `l2`, called without arguments on both; at least `expected` of them. */
function expectSameDefaults(stack: Stack, ours: object, l2: object, expected: string[]): void {
  const shared = metricMethods(ours).filter((name) => metricMethods(l2).includes(name) && name !== 'metric');
  expect(shared).toEqual(expect.arrayContaining(expected));
  for (const name of shared) {
    const mine = shape(stack, (ours as any)[name]());
    const theirs = shape(stack, (l2 as any)[name]());
    expect({ name, ...mine }).toEqual({ name, ...theirs });
  }
}

describe('metric methods named like aws-cdk-lib\'s keep its default statistic and period', () => {
  test('PipelineStream and kinesis.Stream', () => {
    const stack = newStack();
    const stream = new PipelineStream(stack, 'Clicks', { shardCount: 1 });
    expectSameDefaults(stack, stream, stream.stream, ['metricIncomingBytes', 'metricIncomingRecords', 'metricWriteProvisionedThroughputExceeded']);
  });

  test('a delivery stream of this library and firehose.DeliveryStream', () => {
    const stack = newStack();
    const arn = 'arn:aws:firehose:us-east-1:123456789012:deliverystream/logs';
    const ours = OpenSearchDelivery.fromDeliveryStreamAttributes(stack, 'Ours', { deliveryStreamArn: arn });
    const l2 = firehose.DeliveryStream.fromDeliveryStreamArn(stack, 'L2', arn);
    expectSameDefaults(stack, ours, l2, [
      'metricBackupToS3Bytes', 'metricBackupToS3DataFreshness', 'metricBackupToS3Records', 'metricIncomingBytes', 'metricIncomingRecords',
    ]);
    const named = (m: cloudwatch.IMetric) => shape(stack, m);
    expect(named(ours.metric('PartitionCount'))).toEqual(named(l2.metric('PartitionCount')));
  });

  test('SessionConsumer and lambda.Function', () => {
    const stack = newStack();
    const stream = new kinesis.Stream(stack, 'Clicks');
    const sessions = new SessionConsumer(stack, 'Sessions', { stream, summaryStream: new kinesis.Stream(stack, 'Summaries') });
    expectSameDefaults(stack, sessions, sessions.function as lambda.Function, ['metricErrors', 'metricThrottles']);
  });
});
