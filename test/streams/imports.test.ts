import { App, Duration, Stack, aws_iam as iam, aws_kinesis as kinesis, aws_kms as kms } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DeliverySource, FlinkApplication, IPipelineStream, PipelineStream, S3DataLakeDelivery, StreamIngestionApi } from '../../lib';
import { minimalProps } from '../flink/helpers';

const ARN = 'arn:aws:kinesis:eu-west-1:111111111111:stream/clicks';

function newStack(): Stack {
  return new Stack(new App(), 'Consumers', { env: { account: '222222222222', region: 'eu-west-1' } });
}

/** Every statement of every IAM policy of the stack that names `resource`. */
function statementsOn(stack: Stack, resource: unknown): any[] {
  const template = Template.fromStack(stack);
  const policies = { ...template.findResources('AWS::IAM::Policy'), ...template.findResources('AWS::IAM::ManagedPolicy') };
  return Object.values(policies)
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
    .filter((s: any) => JSON.stringify(s.Resource).includes(JSON.stringify(resource).slice(1, -1)));
}

describe('PipelineStream imports', () => {
  test('fromStreamArn: the stream of another account, on-demand, with the ARN it was given', () => {
    const stack = newStack();
    const clicks = PipelineStream.fromStreamArn(stack, 'Clicks', ARN);
    expect(clicks.streamArn).toBe(ARN);
    expect(clicks.streamName).toBe('clicks');
    expect(clicks.env).toEqual({ account: '111111111111', region: 'eu-west-1' });
    expect(clicks.streamMode).toBe(kinesis.StreamMode.ON_DEMAND);
    expect(clicks.shardCount).toBeUndefined();
    expect(clicks.retention.toHours()).toBe(24);
  });

  test('fromStreamAttributes: capacity and key; grants include the key', () => {
    const stack = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const clicks: IPipelineStream = PipelineStream.fromStreamAttributes(stack, 'Clicks', {
      streamArn: ARN, encryptionKey: key, streamMode: kinesis.StreamMode.PROVISIONED, shardCount: 4, retention: Duration.days(7),
    });
    expect([clicks.streamMode, clicks.shardCount, clicks.retention.toDays()]).toEqual([kinesis.StreamMode.PROVISIONED, 4, 7]);
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    clicks.grantRead(role);
    const actions = statementsOn(stack, ARN).flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['kinesis:GetRecords', 'kinesis:GetShardIterator']));
    expect(statementsOn(stack, key.keyArn).flatMap((s) => [s.Action].flat())).toContain('kms:Decrypt');
  });

  test('an imported stream feeds a Flink consumer, a delivery and the ingestion API: its ARN in each, grants on it', () => {
    const stack = newStack();
    const clicks = PipelineStream.fromStreamArn(stack, 'Clicks', ARN);
    const app = new FlinkApplication(stack, 'Sessions', minimalProps(stack, { sourceStream: clicks }));
    new S3DataLakeDelivery(stack, 'Lake', { source: DeliverySource.fromStream(clicks) });
    new StreamIngestionApi(stack, 'Ingest', { stream: clicks });
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::Kinesis::StreamConsumer', { StreamARN: ARN });
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', { KinesisStreamSourceConfiguration: { KinesisStreamARN: ARN } });
    const statements = statementsOn(stack, ARN);
    const actions = new Set(statements.flatMap((s) => [s.Action].flat()));
    for (const action of ['kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:PutRecords']) expect(actions).toContain(action);
    // The Flink role reads the stream it was given, not one of this stack.
    expect(JSON.stringify(stack.resolve(app.sourceStream.streamArn))).toBe(JSON.stringify(ARN));
    template.resourceCountIs('AWS::Kinesis::Stream', 0);
  });

  test('a PipelineStream is a kinesis.IStream: a consumer takes it directly', () => {
    const stack = newStack();
    const clicks = new PipelineStream(stack, 'Clicks', { shardCount: 2 });
    const app = new FlinkApplication(stack, 'Sessions', minimalProps(stack, { sourceStream: clicks }));
    expect(stack.resolve(app.sourceStream.streamArn)).toEqual(stack.resolve(clicks.stream.streamArn));
    expect([clicks.streamMode, clicks.shardCount]).toEqual([kinesis.StreamMode.PROVISIONED, 2]);
    Template.fromStack(stack).hasResourceProperties('AWS::Kinesis::StreamConsumer', { StreamARN: stack.resolve(clicks.streamArn) });
  });

  test('throws when a provisioned import has no shard count, or an on-demand one has one', () => {
    const stack = newStack();
    expect(() => PipelineStream.fromStreamAttributes(stack, 'A', { streamArn: ARN, streamMode: kinesis.StreamMode.PROVISIONED }))
      .toThrow(/PipelineStream "Consumers\/A": shardCount must be given for a provisioned stream/);
    expect(() => PipelineStream.fromStreamAttributes(stack, 'B', { streamArn: ARN, shardCount: 2 }))
      .toThrow(/shardCount applies to provisioned streams/);
    expect(() => PipelineStream.fromStreamAttributes(stack, 'C', { streamArn: ARN, streamMode: kinesis.StreamMode.PROVISIONED, shardCount: 0 }))
      .toThrow(/shardCount/);
  });
});
