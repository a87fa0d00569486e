import { App, CfnParameter, Duration, RemovalPolicy, Size, Stack, aws_cloudwatch as cloudwatch, aws_iam as iam, aws_kinesis as kinesis, aws_kms as kms, aws_sns as sns, aws_cloudwatch_actions as cw_actions } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { CapacityMode, PipelineStream, StreamCapacity } from '../../lib';
import { expectGatesPass, gatedApp } from '../support/gates';

const clicks = { peakRecordsPerSecond: 5000, averageRecordSize: Size.kibibytes(2) };

function newStack(): Stack {
  return new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
}

/** Every alarm of the template, with the dimensions of each metric it reads (metric math included). */
function alarmDimensions(template: Template): Array<{ id: string; dimensions: string[][] }> {
  const alarms = template.findResources('AWS::CloudWatch::Alarm');
  return Object.entries(alarms).map(([id, r]) => {
    const p = r.Properties;
    const dims: string[][] = p.Dimensions
      ? [p.Dimensions.map((d: { Name: string }) => d.Name)]
      : (p.Metrics ?? []).filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric.Dimensions.map((d: { Name: string }) => d.Name));
    return { id, dimensions: dims };
  });
}

describe('PipelineStream', () => {
  test('with no props: an on-demand stream, encrypted with the AWS-managed key, 24 h, retained', () => {
    const stack = newStack();
    new PipelineStream(stack, 'Clicks');
    const template = Template.fromStack(stack);
    template.hasResource('AWS::Kinesis::Stream', {
      Properties: {
        StreamModeDetails: { StreamMode: 'ON_DEMAND' },
        StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
        RetentionPeriodHours: 24,
        ShardCount: Match.absent(),
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('sized from a profile: the plan\'s shard count, provisioned because it is cheaper, and the plan as an output', () => {
    const stack = newStack();
    const stream = new PipelineStream(stack, 'Clicks', { profile: clicks });
    const plan = StreamCapacity.plan(clicks);
    expect(stream.plan).toEqual(plan);
    expect(stream.shardCount).toBe(13);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Kinesis::Stream', { ShardCount: 13, StreamModeDetails: { StreamMode: 'PROVISIONED' } });
    const outputs = template.findOutputs('*');
    const output = Object.values(outputs).find((o) => /Capacity plan/.test(o.Description));
    expect(JSON.parse(output!.Value)).toEqual({
      mode: 'PROVISIONED',
      shards: 13,
      plannedShards: 13,
      bindingConstraint: 'WRITE_BYTES',
      provisionedMonthlyCostUsd: plan.provisionedMonthlyCostUsd,
      onDemandMonthlyCostUsd: plan.onDemandMonthlyCostUsd,
    });
  });

  test('capacityMode ON_DEMAND keeps the plan but creates an on-demand stream, and warns of its 4 MiB/s start', () => {
    const stack = newStack();
    const stream = new PipelineStream(stack, 'Clicks', { profile: clicks, capacityMode: CapacityMode.ON_DEMAND });
    Annotations.fromStack(stack).hasWarning('/Test/Clicks', Match.stringLikeRegexp('starts at 4 MiB/s of writes, below the 12.21 MiB/s planned'));
    const provisioned = newStack();
    new PipelineStream(provisioned, 'Clicks', { profile: clicks });
    Annotations.fromStack(provisioned).hasNoWarning('/Test/Clicks', Match.stringLikeRegexp('starts at 4 MiB/s'));
    expect(stream.streamMode).toBe(kinesis.StreamMode.ON_DEMAND);
    expect(stream.plan?.shardCount).toBe(13);
    Template.fromStack(stack).hasResourceProperties('AWS::Kinesis::Stream', { StreamModeDetails: { StreamMode: 'ON_DEMAND' }, ShardCount: Match.absent() });
  });

  test('AUTO picks on-demand for a profile where it is cheaper: a 5,000 records/s peak that averages 10 records/s', () => {
    // 7 shards for the peak cost $77.02 a month; on-demand bills the traffic: $29.20 + 25.06 GB × $0.12 = $32.21
    // (test/streams/capacity-claims.test.ts computes both by hand).
    const profile = { peakRecordsPerSecond: 5000, averageRecordsPerSecond: 10, averageRecordSize: Size.kibibytes(1), retention: Duration.days(2) };
    const stack = newStack();
    const stream = new PipelineStream(stack, 'Clicks', { profile });
    expect(stream.streamMode).toBe(kinesis.StreamMode.ON_DEMAND);
    Template.fromStack(stack).hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'ON_DEMAND' }, ShardCount: Match.absent(), RetentionPeriodHours: 48,
    });
  });

  test('AUTO picks provisioned where on-demand is not cheaper: the same peak all month', () => {
    const stack = newStack();
    const stream = new PipelineStream(stack, 'Clicks', { profile: { peakRecordsPerSecond: 5000, averageRecordSize: Size.kibibytes(1) } });
    expect(stream.streamMode).toBe(kinesis.StreamMode.PROVISIONED);
    Template.fromStack(stack).hasResourceProperties('AWS::Kinesis::Stream', { StreamModeDetails: { StreamMode: 'PROVISIONED' }, ShardCount: 7 });
  });

  test('explicit shard count, customer key, retention, maximum record size', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    new PipelineStream(stack, 'Clicks', { shardCount: 4, encryptionKey: key, retention: Duration.days(7), maxRecordSize: Size.mebibytes(2) });
    Template.fromStack(stack).hasResourceProperties('AWS::Kinesis::Stream', {
      ShardCount: 4,
      RetentionPeriodHours: 168,
      MaxRecordSizeInKiB: 2048,
      StreamEncryption: { EncryptionType: 'KMS', KeyId: stack.resolve(key.keyArn) },
    });
  });

  test('stream name, removal policy, and no plan output when turned off', () => {
    const stack = newStack();
    new PipelineStream(stack, 'Clicks', { streamName: 'clicks', removalPolicy: RemovalPolicy.DESTROY, profile: clicks, planOutput: false });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::Kinesis::Stream', { Properties: { Name: 'clicks' }, DeletionPolicy: 'Delete' });
    expect(Object.keys(template.findOutputs('*'))).toHaveLength(0);
  });

  test('warm throughput on an on-demand stream', () => {
    const stack = newStack();
    new PipelineStream(stack, 'Clicks', { warmThroughputMiBps: 100 });
    Template.fromStack(stack).hasResourceProperties('AWS::Kinesis::Stream', { WarmThroughputMiBps: 100 });
  });

  test('plan warnings surface as acknowledgeable warnings', () => {
    const stack = newStack();
    new PipelineStream(stack, 'Clicks', { profile: { ...clicks, sharedThroughputConsumers: 4 } });
    Annotations.fromStack(stack).hasWarning('/Test/Clicks', Match.stringLikeRegexp('4 shared-throughput consumers'));
  });

  describe('consumers', () => {
    test('registers EFO consumers, 5 at a time, each with a lag alarm carrying StreamName and ConsumerName', () => {
      const stack = newStack();
      const stream = new PipelineStream(stack, 'Clicks', { shardCount: 2 });
      const consumers = ['A', 'B', 'C', 'D', 'E', 'F'].map((id) => stream.addConsumer(id));
      expect(stream.consumers).toHaveLength(6);
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::Kinesis::StreamConsumer', 6);
      const sixth = template.findResources('AWS::Kinesis::StreamConsumer', { DependsOn: Match.anyValue() });
      expect(Object.keys(sixth)).toEqual([stack.getLogicalId(consumers[5].node.defaultChild as kinesis.CfnStreamConsumer)]);
      expect(Object.values(sixth)[0].DependsOn).toEqual([stack.getLogicalId(consumers[0].node.defaultChild as kinesis.CfnStreamConsumer)]);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 300_000,
        Metrics: [Match.objectLike({
          MetricStat: Match.objectLike({
            Stat: 'Maximum',
            Metric: {
              Namespace: 'AWS/Kinesis',
              MetricName: 'SubscribeToShardEvent.MillisBehindLatest',
              Dimensions: [
                { Name: 'ConsumerName', Value: stack.resolve(consumers[0].streamConsumerName) },
                { Name: 'StreamName', Value: stack.resolve(stream.stream.streamName) },
              ],
            },
          }),
        })],
      });
    });

    test('a consumer\'s grantRead covers the stream and the consumer', () => {
      const stack = newStack();
      const stream = new PipelineStream(stack, 'Clicks', { shardCount: 1 });
      const consumer = stream.addConsumer('Flink', { consumerName: 'flink-app' });
      const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('kinesisanalytics.amazonaws.com') });
      consumer.grantRead(role);
      const statements = Template.fromStack(stack).findResources('AWS::IAM::Policy');
      const doc = JSON.stringify(Object.values(statements)[0].Properties.PolicyDocument);
      expect(doc).toContain('kinesis:SubscribeToShard');
      expect(doc).toContain(JSON.stringify(stack.resolve(stream.stream.streamArn)));
      expect(doc).toContain(JSON.stringify(stack.resolve(consumer.streamConsumerArn)));
    });

    test('throws when a 21st consumer is added', () => {
      const stack = newStack();
      const stream = new PipelineStream(stack, 'Clicks', { shardCount: 1 });
      for (let i = 0; i < 20; i++) stream.addConsumer(`C${i}`);
      expect(() => stream.addConsumer('C20')).toThrow(/PipelineStream "Test\/Clicks": addConsumer would register enhanced fan-out consumer 21: a stream allows 20/);
    });

    test('allows 50 consumers with On-demand Advantage, not 51', () => {
      const stack = newStack();
      const stream = new PipelineStream(stack, 'Clicks', { onDemandAdvantage: true, alarms: { alarmsEnabled: false } });
      for (let i = 0; i < 50; i++) stream.addConsumer(`C${i}`);
      expect(() => stream.addConsumer('C50')).toThrow(/a stream allows 50/);
    });

    test('throws when the profile plans more EFO consumers than the quota', () => {
      expect(() => new PipelineStream(newStack(), 'Clicks', { profile: { ...clicks, efoConsumers: 21 } }))
        .toThrow(/profile.efoConsumers must be at most 20, the enhanced fan-out quota of this stream \(50 with On-demand Advantage on an on-demand stream\), got 21/);
    });

    test('throws when a consumer name has characters Kinesis refuses', () => {
      const stream = new PipelineStream(newStack(), 'Clicks');
      expect(() => stream.addConsumer('X', { consumerName: 'my consumer' })).toThrow(/consumerName must be 1–128 characters of \[a-zA-Z0-9_.-\], got "my consumer"/);
    });
  });

  describe('alarms', () => {
    test('every alarm carries the StreamName dimension (the Solutions Constructs alarms do not, and never fire)', () => {
      const stack = newStack();
      const stream = new PipelineStream(stack, 'Clicks', { profile: clicks });
      stream.addConsumer('Flink');
      const template = Template.fromStack(stack);
      const alarms = alarmDimensions(template);
      // write and read throughput exceeded, PutRecords throttled and failed, iterator age, utilisation, one consumer's lag
      expect(alarms.length).toBe(7);
      for (const alarm of alarms) {
        expect(alarm.dimensions.length).toBeGreaterThan(0);
        for (const dims of alarm.dimensions) expect(dims).toContain('StreamName');
      }
    });

    test('throttling alarms use AWS\'s recommended Average over 5 of 5 minutes, never a bare zero', () => {
      const stack = newStack();
      new PipelineStream(stack, 'Clicks', { shardCount: 2 });
      const template = Template.fromStack(stack);
      for (const metricName of ['WriteProvisionedThroughputExceeded', 'ReadProvisionedThroughputExceeded']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: metricName, Statistic: 'Average', Period: 60, Threshold: 0.01, EvaluationPeriods: 5, DatapointsToAlarm: 5,
        });
      }
      const thresholds = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.Threshold);
      expect(thresholds).not.toContain(0);
    });

    test('iterator age alarms at half the retention, 15 of 15 minutes', () => {
      const stack = newStack();
      new PipelineStream(stack, 'Clicks', { retention: Duration.hours(48) });
      Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'GetRecords.IteratorAgeMilliseconds', Statistic: 'Maximum', Threshold: 24 * 3600 * 1000, EvaluationPeriods: 15,
      });
    });

    test('write utilisation embeds the shard count in its metric math; on-demand streams have none', () => {
      const stack = newStack();
      new PipelineStream(stack, 'Clicks', { profile: clicks });
      Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 0.8,
        Metrics: Match.arrayWith([Match.objectLike({ Expression: 'MAX([FILL(bytes, 0) / (60 * 1048576 * 13), FILL(records, 0) / (60 * 1000 * 13)])' })]),
      });
      const onDemand = newStack();
      new PipelineStream(onDemand, 'Clicks');
      const exprs = JSON.stringify(Template.fromStack(onDemand).findResources('AWS::CloudWatch::Alarm'));
      expect(exprs).not.toContain('MAX([FILL(bytes');
    });

    test('the utilisation alarm is decided at synthesis: once, with the set\'s actions, or not at all once autoscaled', () => {
      const stack = newStack();
      const stream = new PipelineStream(stack, 'Clicks', { shardCount: 2 });
      const extra = new sns.Topic(stack, 'Extra');
      stream.alarms.addAlarmAction(new cw_actions.SnsAction(extra));
      expect(stream.alarms.writeUtilizationAlarm).toBeUndefined();
      const template = Template.fromStack(stack);
      const alarm = stream.alarms.writeUtilizationAlarm!;
      expect(stream.alarms.alarms.filter((a) => a === alarm)).toHaveLength(1);
      const utilisation = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
        .filter((a) => JSON.stringify(a.Properties.Metrics ?? '').includes('MAX([FILL(bytes'));
      expect(utilisation).toHaveLength(1);
      expect(utilisation[0].Properties.AlarmActions).toEqual([stack.resolve(stream.alarms.alarmTopic!.topicArn), stack.resolve(extra.topicArn)]);
    });

    test('names: generated by CloudFormation, or <prefix>-<alarm> with a prefix', () => {
      const stack = newStack();
      new PipelineStream(stack, 'A', { shardCount: 1 }).addConsumer('Flink');
      new PipelineStream(stack, 'B', { shardCount: 1, alarms: { alarmNamePrefix: 'clicks' } }).addConsumer('Flink');
      const names = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName);
      expect(names.filter((n) => n === undefined)).toHaveLength(7);
      expect(names.filter((n) => n !== undefined).sort()).toEqual([
        'clicks-ConsumerFlinkLag', 'clicks-IteratorAge', 'clicks-PutRecordsFailed', 'clicks-PutRecordsThrottled',
        'clicks-ReadThroughputExceeded', 'clicks-WriteThroughputExceeded', 'clicks-WriteUtilization',
      ]);
    });

    test('PutRecords throttled and failed records alarm above 1 % of the records', () => {
      const stack = newStack();
      new PipelineStream(stack, 'Clicks');
      const template = Template.fromStack(stack);
      for (const metricName of ['PutRecords.ThrottledRecords', 'PutRecords.FailedRecords']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Threshold: 1,
          Metrics: Match.arrayWith([Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: metricName }) }) })]),
        });
      }
    });

    test('notify a KMS-encrypted topic whose key policy lets CloudWatch publish', () => {
      const stack = newStack();
      const stream = new PipelineStream(stack, 'Clicks');
      const template = Template.fromStack(stack);
      const topicArn = stack.resolve(stream.alarms!.alarmTopic!.topicArn);
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
      template.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          })]),
        },
      });
      for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
        expect(alarm.Properties.AlarmActions).toEqual([topicArn]);
      }
      // the topic refuses requests without TLS
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    });

    test('addAlarmAction adds an action to every alarm; a given topic replaces the default one', () => {
      const stack = newStack();
      const topic = new sns.Topic(stack, 'Pager');
      const other = new sns.Topic(stack, 'Other');
      const stream = new PipelineStream(stack, 'Clicks', { alarms: { alarmTopic: topic } });
      stream.alarms!.addAlarmAction(new cw_actions.SnsAction(other));
      stream.addConsumer('Late');
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::KMS::Key', 0);
      for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
        expect(alarm.Properties.AlarmActions).toEqual([stack.resolve(topic.topicArn), stack.resolve(other.topicArn)]);
      }
    });

    test('alarms can be turned off, one by one or all together', () => {
      const stack = newStack();
      new PipelineStream(stack, 'A', { alarms: { iteratorAge: { enabled: false }, readThroughputExceeded: { enabled: false } } });
      new PipelineStream(stack, 'B', { alarms: { alarmsEnabled: false } });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    });

    test('throws when a threshold is out of range', () => {
      expect(() => new PipelineStream(newStack(), 'Clicks', { alarms: { writeUtilization: { maxUtilization: 1.5 } } }))
        .toThrow(/writeUtilization.maxUtilization must be a number in \(0, 1\], got 1.5/);
      expect(() => new PipelineStream(newStack(), 'Clicks', { alarms: { iteratorAge: { evaluationPeriods: 5, datapointsToAlarm: 6 } } }))
        .toThrow(/iteratorAge.datapointsToAlarm must be a whole number from 1 to 5, got 6/);
    });
  });

  test('widgets cover throughput, throttling, lag and utilisation', () => {
    const stream = new PipelineStream(newStack(), 'Clicks', { shardCount: 2 });
    expect(stream.widgets()).toHaveLength(4);
  });

  describe('bad input', () => {
    test('throws when a profile and a shard count are both given', () => {
      expect(() => new PipelineStream(newStack(), 'Clicks', { profile: clicks, shardCount: 3 }))
        .toThrow(/PipelineStream "Test\/Clicks": give either profile or shardCount, not both \(got shardCount 3 and a profile\)/);
    });
    test.each([0, 10_001, 2.5])('throws when shardCount is %p', (shardCount) => {
      expect(() => new PipelineStream(newStack(), 'Clicks', { shardCount }))
        .toThrow(new RegExp(`shardCount must be a whole number from 1 to 10000, got ${shardCount}`));
    });
    test('does not check a shard count that is a token', () => {
      const stack = newStack();
      const param = new CfnParameter(stack, 'Shards', { type: 'Number' });
      const stream = new PipelineStream(stack, 'Clicks', { shardCount: param.valueAsNumber });
      Template.fromStack(stack).hasResourceProperties('AWS::Kinesis::Stream', { ShardCount: { Ref: 'Shards' } });
      // a count known only at deploy cannot be embedded in the utilisation expression
      Template.fromStack(stack);
      expect(stream.alarms.writeUtilizationAlarm).toBeUndefined();
      expect(() => stream.metricWriteUtilization()).toThrow(/needs a shard count known at synth/);
    });
    test('throws when peakRecordsPerSecond is not positive, naming the construct', () => {
      expect(() => new PipelineStream(newStack(), 'Clicks', { profile: { ...clicks, peakRecordsPerSecond: -5 } }))
        .toThrow(/PipelineStream "Test\/Clicks": peakRecordsPerSecond must be a finite number > 0, got -5/);
    });
    test('throws when the average record is larger than the stream\'s maximum record size', () => {
      expect(() => new PipelineStream(newStack(), 'Clicks', { profile: { ...clicks, averageRecordSize: Size.mebibytes(2) } }))
        .toThrow(/averageRecordSize must be at most the stream's maximum record size \(maxRecordSize, 1048576 bytes\): raise maxRecordSize, up to 10 MiB, got "2097152 bytes"/);
      expect(() => new PipelineStream(newStack(), 'Clicks', { maxRecordSize: Size.mebibytes(4), profile: { ...clicks, averageRecordSize: Size.mebibytes(2) } }))
        .not.toThrow();
    });
    test.each([Duration.hours(12), Duration.days(366)])('throws when retention is %s', (retention) => {
      expect(() => new PipelineStream(newStack(), 'Clicks', { retention })).toThrow(/retention must be whole hours from 24 to 8760/);
    });
    test('throws when retention contradicts the profile', () => {
      expect(() => new PipelineStream(newStack(), 'Clicks', { retention: Duration.days(2), profile: { ...clicks, retention: Duration.days(3) } }))
        .toThrow(/retention 2 days contradicts profile.retention 3 days/);
    });
    test('throws when maxRecordSize is outside 1–10 MiB', () => {
      expect(() => new PipelineStream(newStack(), 'Clicks', { maxRecordSize: Size.mebibytes(11) }))
        .toThrow(/maxRecordSize must be whole KiB from 1024 KiB \(1 MiB\) to 10240 KiB \(10 MiB\), got "11534336 bytes"/);
    });
    test('throws when warm throughput or On-demand Advantage is set on a provisioned stream', () => {
      expect(() => new PipelineStream(newStack(), 'Clicks', { shardCount: 2, warmThroughputMiBps: 10 })).toThrow(/warmThroughputMiBps applies to on-demand streams only/);
      expect(() => new PipelineStream(newStack(), 'Clicks', { shardCount: 2, onDemandAdvantage: true })).toThrow(/onDemandAdvantage applies to on-demand streams only/);
    });
    test('throws when capacityMode AUTO has no profile, or ON_DEMAND has a shard count', () => {
      expect(() => new PipelineStream(newStack(), 'Clicks', { capacityMode: CapacityMode.AUTO })).toThrow(/capacityMode needs a profile to choose from, got "AUTO"/);
      expect(() => new PipelineStream(newStack(), 'Clicks', { capacityMode: CapacityMode.ON_DEMAND, shardCount: 2 })).toThrow(/shardCount applies to provisioned streams/);
    });
    test('throws when a profile needs more than 10,000 shards in provisioned mode', () => {
      expect(() => new PipelineStream(newStack(), 'Clicks', {
        capacityMode: CapacityMode.PROVISIONED, profile: { peakRecordsPerSecond: 20_000_000, averageRecordSize: Size.bytes(100) },
      })).toThrow(/profile must fit one provisioned stream \(at most 10000 shards\)/);
    });
  });

  test('passes the gates with everything on', () => {
    const app = gatedApp();
    const stack = new Stack(app, 'Gates', { env: { account: '123456789012', region: 'us-east-1' } });
    const key = new kms.Key(stack, 'StreamKey', { enableKeyRotation: true });
    const managed = new PipelineStream(stack, 'Managed', { profile: { ...clicks, efoConsumers: 2 } });
    managed.addConsumer('Flink');
    managed.addConsumer('Sessions');
    const cmk = new PipelineStream(stack, 'Cmk', { encryptionKey: key, warmThroughputMiBps: 50, onDemandAdvantage: true, maxRecordSize: Size.mebibytes(4) });
    cmk.addConsumer('Reader');
    expectGatesPass(app);
  });

  test('snapshots: default and fully configured', () => {
    const stack = newStack();
    new PipelineStream(stack, 'Default');
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
    const full = newStack();
    const key = new kms.Key(full, 'Key');
    const stream = new PipelineStream(full, 'Full', {
      streamName: 'clicks',
      profile: { ...clicks, efoConsumers: 1, retention: Duration.days(3), hotKeyShare: 0.05 },
      capacityMode: CapacityMode.PROVISIONED,
      encryptionKey: key,
      maxRecordSize: Size.mebibytes(2),
      alarms: { consumerLag: { maxLag: Duration.minutes(2) }, writeUtilization: { maxUtilization: 0.7 } },
    });
    stream.addConsumer('Flink', { consumerName: 'flink' });
    expect(Template.fromStack(full).toJSON()).toMatchSnapshot();
  });
});

describe('PipelineStream.enableAutoscaling', () => {
  test('creates the autoscaler for the stream\'s shard count, notifying the stream alarms\' topic, and no stale utilisation alarm', () => {
    const stack = newStack();
    const stream = new PipelineStream(stack, 'Clicks', { profile: clicks });
    const autoscaler = stream.enableAutoscaling({ minShards: 4, maxShards: 64 });
    expect(stream.autoscaler).toBe(autoscaler);
    expect(autoscaler.notificationTopic).toBe(stream.alarms.alarmTopic);
    const template = Template.fromStack(stack);
    expect(stream.alarms.writeUtilizationAlarm).toBeUndefined();
    // The autoscaler's utilisation alarms embed the 13 shards of the plan.
    const alarms = JSON.stringify(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toMatch(/1048576 \* 13\)/);
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).some((id) => id.includes('AlarmsWriteUtilization'))).toBe(false);
  });

  test('throws when the stream is on-demand, or autoscaling is enabled twice', () => {
    const onDemand = new PipelineStream(newStack(), 'Clicks');
    expect(() => onDemand.enableAutoscaling({ minShards: 1, maxShards: 4 })).toThrow(/enableAutoscaling applies to provisioned streams, got an on-demand stream/);
    const provisioned = new PipelineStream(newStack(), 'Clicks', { shardCount: 2 });
    provisioned.enableAutoscaling({ minShards: 1, maxShards: 4 });
    expect(() => provisioned.enableAutoscaling({ minShards: 1, maxShards: 4 })).toThrow(/enableAutoscaling was already called/);
  });
});

test('the stream widgets render on a dashboard', () => {
  const stack = new Stack(new App(), 'Dash');
  const stream = new PipelineStream(stack, 'Clicks', { shardCount: 2 });
  stream.addConsumer('A');
  new cloudwatch.Dashboard(stack, 'Dashboard', { widgets: [stream.widgets()] });
  const body = JSON.stringify(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
  expect(body).toContain('PutRecords.ThrottledRecords');
  expect(body).toContain('SubscribeToShardEvent.MillisBehindLatest');
});
