import { App, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { BindingConstraint, PipelineStream, StreamCapacity } from '../../lib';

const clicks = { peakRecordsPerSecond: 5000, averageRecordSize: Size.kibibytes(2) };
const newStack = (region = 'us-east-1'): Stack => new Stack(new App(), 'Test', { env: { account: '123456789012', region } });

describe('what a user of PipelineStream sees', () => {
  test('the capacity plan is an info the user can acknowledge by id, and says which Region\'s prices it uses', () => {
    const stack = newStack();
    new PipelineStream(stack, 'Clicks', { profile: clicks });
    const annotations = Annotations.fromStack(stack);
    annotations.hasInfo('/Test/Clicks', Match.stringLikeRegexp(
      '^capacity plan: \\{.*"bindingConstraint":"WRITE_BYTES".*\\} \\(costs at us-east-1 prices\\) \\[ack: kinesis-streaming-pipelines:capacityPlanSummary\\]$'));
    annotations.hasNoWarning('*', Match.anyValue());
  });

  test('in another known Region, the plan says that its prices are us-east-1\'s', () => {
    const stack = newStack('eu-west-1');
    new PipelineStream(stack, 'Clicks', { profile: clicks });
    Annotations.fromStack(stack).hasInfo('/Test/Clicks',
      Match.stringLikeRegexp('costs at us-east-1 prices; this stack deploys to eu-west-1, where Kinesis prices differ'));
  });

  test('a plan warning and the plan are both reported', () => {
    const stack = newStack();
    new PipelineStream(stack, 'Clicks', { profile: { ...clicks, sharedThroughputConsumers: 3 } });
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning('/Test/Clicks', Match.stringLikeRegexp('3 shared-throughput consumers'));
    annotations.hasInfo('/Test/Clicks', Match.stringLikeRegexp('^capacity plan: '));
  });

  test('the binding constraint is the tightest before rounding: 12,000 records/s of 100 B are bound by records', () => {
    // × 1.25 = 15,000 records/s: 15 shards for records, 14.6 (→ 15) for bytes at 1 KB each.
    const plan = StreamCapacity.plan({ peakRecordsPerSecond: 12_000, averageRecordSize: Size.bytes(100) });
    expect(plan.shardCount).toBe(15);
    expect(plan.bindingConstraint).toBe(BindingConstraint.WRITE_RECORDS);
  });

  test('throws when a record is larger than the stream\'s maximum, naming maxRecordSize', () => {
    expect(() => new PipelineStream(newStack(), 'Clicks', {
      profile: { peakRecordsPerSecond: 10, averageRecordSize: Size.mebibytes(2) },
    })).toThrow(/PipelineStream "Test\/Clicks": averageRecordSize must be at most the stream's maximum record size \(maxRecordSize, 1048576 bytes\): raise maxRecordSize.*got "2097152 bytes"/);
    expect(() => new PipelineStream(newStack(), 'Clicks', {
      profile: { peakRecordsPerSecond: 10, averageRecordSize: Size.mebibytes(2) }, maxRecordSize: Size.mebibytes(4),
    })).not.toThrow();
  });

  test('throws when streamName is not 1-128 characters of [a-zA-Z0-9_.-]', () => {
    expect(() => new PipelineStream(newStack(), 'Clicks', { streamName: 'clicks stream' }))
      .toThrow(/PipelineStream "Test\/Clicks": streamName must be 1 to 128 characters of a-z, A-Z, 0-9, "_", "." and "-", got "clicks stream"/);
    expect(() => new PipelineStream(newStack(), 'Clicks', { streamName: 'x'.repeat(129) })).toThrow(/streamName must be 1 to 128/);
    expect(() => new PipelineStream(newStack(), 'Clicks', { streamName: '' })).toThrow(/streamName must be 1 to 128/);
    const stack = newStack();
    new PipelineStream(stack, 'Clicks', { streamName: 'shop.clicks_v2-eu' });
    Template.fromStack(stack).hasResourceProperties('AWS::Kinesis::Stream', { Name: 'shop.clicks_v2-eu' });
  });

  test('throws when an explicit shardCount is above the autoscaler\'s maxShards', () => {
    const stream = new PipelineStream(newStack(), 'Clicks', { shardCount: 8 });
    expect(() => stream.enableAutoscaling({ minShards: 1, maxShards: 4 }))
      .toThrow(/PipelineStream "Test\/Clicks": shardCount must be at most the autoscaler's maxShards \(4\).*got 8/);
  });
});
