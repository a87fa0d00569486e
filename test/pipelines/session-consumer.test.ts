import {
  App, CfnParameter, Duration, Stack, aws_dynamodb as dynamodb, aws_iam as iam, aws_kinesis as kinesis, aws_lambda as lambda,
  aws_s3 as s3,
} from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { AlarmTopic, SessionConsumer, SessionConsumerProps } from '../../lib';
import { SessionEnv, SWEEP_EVENT } from '../../lib/pipelines/private/session-contract';
import { PipelineStream } from '../../lib/streams';
import { expectGatesPass, gatedApp } from '../support/gates';

const ENV = { account: '123456789012', region: 'us-east-1' };

function newStack(app: App = new App()): Stack {
  return new Stack(app, 'Test', { env: ENV });
}

/** A clickstream with an EFO consumer from PipelineStream, and a summary stream. */
function streams(stack: Stack) {
  const clicks = new PipelineStream(stack, 'Clicks');
  const summaries = new kinesis.Stream(stack, 'Summaries', { encryption: kinesis.StreamEncryption.MANAGED });
  return { clicks, summaries };
}

function consumer(stack: Stack, props: Partial<SessionConsumerProps> = {}): SessionConsumer {
  const { clicks, summaries } = streams(stack);
  return new SessionConsumer(stack, 'Sessions', {
    stream: clicks.stream, consumer: clicks.addConsumer('Sessions'), summaryStream: summaries, ...props,
  });
}

/** Every statement of the function's managed policy. */
function statements(stack: Stack): Array<{ Action: string | string[]; Resource: unknown }> {
  const policies = Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy', {
    Properties: { Description: Match.stringLikeRegexp('Sessions/Handler/Role') },
  });
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
}
const actionsOf = (s: { Action: string | string[] }) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** A fully configured consumer, for the gates and the snapshot. */
function fullConsumer(stack: Stack): SessionConsumer {
  const topic = new AlarmTopic(stack, 'Ops').topic;
  return consumer(stack, {
    inactivityGap: Duration.minutes(45),
    closeDelay: Duration.minutes(15),
    sweepInterval: Duration.minutes(2),
    retention: Duration.days(14),
    conversionEventTypes: ['purchase', 'checkout_completed'],
    batchSize: 500,
    maxBatchingWindow: Duration.seconds(5),
    maxRecordAge: Duration.hours(6),
    retryAttempts: 5,
    parallelizationFactor: 4,
    startingPosition: lambda.StartingPosition.LATEST,
    alarms: {
      alarmTopic: topic,
      alarmNamePrefix: 'clickstream-sessions',
      iteratorAge: { maxAge: Duration.minutes(20), evaluationPeriods: 3 },
      malformedRecords: { maxCount: 10, evaluationPeriods: 10, datapointsToAlarm: 5 },
    },
  });
}

describe('SessionConsumer', () => {
  test('reads through the EFO consumer with bounded retries, bisection, partial batch responses and the S3 on-failure destination', () => {
    const stack = newStack();
    const sessions = consumer(stack);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Kinesis::StreamConsumer', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: stack.resolve(sessions.consumer.streamConsumerArn),
      FunctionName: stack.resolve(sessions.function.functionName),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      BisectBatchOnFunctionError: true,
      MaximumRecordAgeInSeconds: 3600,
      MaximumRetryAttempts: 3,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: stack.resolve(sessions.failureBucket.bucketArn) } },
    });
    // The mapping waits for the role's policy: CloudFormation checks the function may read the consumer.
    const mapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'))[0];
    const policyId = Object.keys(template.findResources('AWS::IAM::ManagedPolicy', {
      Properties: { Description: Match.stringLikeRegexp('Sessions/Handler/Role') },
    }))[0];
    expect(mapping.DependsOn).toContain(policyId);
  });

  test('the default table: pk/sk, on-demand, customer-managed key, PITR, TTL, the keys-only Sweep index, deletion protection, retained', () => {
    const stack = newStack();
    const sessions = consumer(stack);
    const template = Template.fromStack(stack);
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: stack.resolve(sessions.tableEncryptionKey!.keyArn) },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        DeletionProtectionEnabled: true,
        GlobalSecondaryIndexes: [{
          IndexName: 'Sweep',
          KeySchema: [{ AttributeName: 'sweepPk', KeyType: 'HASH' }, { AttributeName: 'sweepAt', KeyType: 'RANGE' }],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        }],
      },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, Description: Match.stringLikeRegexp('session table') });
    expect(SessionConsumer.TABLE_SCHEMA).toEqual({
      partitionKey: 'pk',
      sortKey: 'sk',
      timeToLiveAttribute: 'expiresAt',
      sweepIndexName: 'Sweep',
      sweepIndexPartitionKey: 'sweepPk',
      sweepIndexSortKey: 'sweepAt',
    });
  });

  test('the default failure bucket: KMS, TLS only, versioned, access-logged, expiring after a year, retained', () => {
    const stack = newStack();
    const sessions = consumer(stack);
    const template = Template.fromStack(stack);
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })] },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 365 })] },
      },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: stack.resolve(sessions.failureBucket.bucketName),
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('the function: the session consumer bundle, its configuration in the environment', () => {
    const stack = newStack();
    const sessions = consumer(stack);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Environment: {
        Variables: Match.objectLike({
          [SessionEnv.TABLE_NAME]: stack.resolve(sessions.table.tableName),
          [SessionEnv.SUMMARY_STREAM_ARN]: Match.anyValue(),
          [SessionEnv.FAILURE_BUCKET]: stack.resolve(sessions.failureBucket.bucketName),
          [SessionEnv.POISON_PREFIX]: 'poison/',
          [SessionEnv.GAP_SECONDS]: '1800',
          [SessionEnv.CLOSE_DELAY_SECONDS]: '600',
          [SessionEnv.RETENTION_SECONDS]: '604800',
          [SessionEnv.CONVERSION_EVENT_TYPES]: 'purchase',
          POWERTOOLS_SERVICE_NAME: 'session-consumer',
        }),
      },
    });
  });

  test('permissions: exactly what the handler and the mapping use, nothing to read or delete in the bucket', () => {
    const stack = newStack();
    const sessions = consumer(stack);
    const all = statements(stack);
    const find = (action: string) => all.filter((s) => actionsOf(s).includes(action));
    // Only the failure prefixes: the handler's malformed records and Lambda's on-failure destination.
    expect(find('s3:PutObject').map((s) => s.Resource)).toEqual([
      stack.resolve(sessions.failureBucket.arnForObjects('poison/*')), stack.resolve(sessions.failureBucket.arnForObjects('aws/lambda/*')),
    ]);
    expect(find('s3:ListBucket').map((s) => s.Resource)).toEqual([stack.resolve(sessions.failureBucket.bucketArn)]);
    expect(all.flatMap(actionsOf).filter((a) => /^s3:(Get|Delete|Abort)/.test(a))).toEqual([]);
    expect(find('dynamodb:Query').map((s) => s.Resource)).toEqual([
      { 'Fn::Join': ['', [stack.resolve(sessions.table.tableArn), '/index/Sweep']] },
    ]);
    expect(actionsOf(find('dynamodb:GetItem')[0]).sort()).toEqual([
      'dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem',
    ]);
    expect(all.flatMap(actionsOf)).not.toContain('dynamodb:DeleteItem');
    expect(find('kinesis:PutRecords')).toHaveLength(1);
    expect(find('kinesis:SubscribeToShard').map((s) => s.Resource)).toContainEqual(stack.resolve(sessions.consumer.streamConsumerArn));
    expect(find('kms:GenerateDataKey').length).toBeGreaterThanOrEqual(2); // the table's key and the bucket's key
  });

  test('a sweep every 5 minutes with the sweep input and no retries', () => {
    const stack = newStack();
    const sessions = consumer(stack);
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({
        Arn: stack.resolve(sessions.function.functionArn),
        Input: JSON.stringify(SWEEP_EVENT),
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      })],
    });
  });

  test('without a consumer: registers one of its own on the stream', () => {
    const stack = newStack();
    const { clicks, summaries } = streams(stack);
    const sessions = new SessionConsumer(stack, 'Sessions', { stream: clicks.stream, summaryStream: summaries });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Kinesis::StreamConsumer', {
      StreamARN: stack.resolve(clicks.stream.streamArn), ConsumerName: 'Test-Sessions',
    });
    expect(sessions.consumer.node.path).toBe('Test/Sessions/Consumer');
  });

  test('with your own table and bucket: creates neither, uses them', () => {
    const stack = newStack();
    const table = dynamodb.Table.fromTableName(stack, 'Existing', 'my-sessions');
    const bucket = s3.Bucket.fromBucketName(stack, 'Failures', 'my-failures');
    const sessions = consumer(stack, { table, failureBucket: bucket });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    expect(sessions.tableEncryptionKey).toBeUndefined();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      DestinationConfig: { OnFailure: { Destination: stack.resolve(bucket.bucketArn) } },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [SessionEnv.TABLE_NAME]: 'my-sessions', [SessionEnv.FAILURE_BUCKET]: 'my-failures' }) },
    });
  });

  test('alarms: iterator age at half the maximum record age, errors, throttles, delivery failures, failed and malformed records, emit failures', () => {
    const stack = newStack();
    const sessions = consumer(stack);
    const template = Template.fromStack(stack);
    const resources = template.findResources('AWS::CloudWatch::Alarm');
    // Keyed by construct id; CloudFormation names the alarms (no alarmNamePrefix).
    const byName = new Map(sessions.alarms.alarms.map((a) => [a.node.id, resources[stack.getLogicalId(a.node.defaultChild as CfnAlarm)].Properties]));
    for (const p of byName.values()) expect(p.AlarmName).toBeUndefined();
    expect([...byName.keys()].sort()).toEqual([
      'DestinationDeliveryFailures', 'Errors', 'FailedRecords', 'IteratorAge', 'MalformedRecords', 'SummaryEmitFailures', 'Throttles',
    ]);
    expect(byName.get('IteratorAge')).toMatchObject({ MetricName: 'IteratorAge', Namespace: 'AWS/Lambda', Threshold: 1_800_000, Statistic: 'Maximum' });
    expect(byName.get('DestinationDeliveryFailures')).toMatchObject({ MetricName: 'DestinationDeliveryFailures', EvaluationPeriods: 1, Threshold: 0 });
    expect(byName.get('MalformedRecords')).toMatchObject({
      Namespace: 'KinesisStreamingPipelines/SessionConsumer',
      Dimensions: [{ Name: 'FunctionName', Value: stack.resolve(sessions.function.functionName) }, { Name: 'service', Value: 'session-consumer' }],
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(sessions.alarms.alarmTopic).toBeDefined();
    const topicArn = stack.resolve(sessions.alarms.alarmTopic!.topicArn);
    for (const p of byName.values()) expect(p.AlarmActions).toEqual([topicArn]);
    expect(sessions.widgets()).toHaveLength(3);
  });

  test('alarm thresholds are configurable, and alarms can be turned off', () => {
    const stack = newStack();
    fullConsumer(stack);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'clickstream-sessions-IteratorAge', Threshold: 1_200_000, EvaluationPeriods: 3,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'clickstream-sessions-MalformedRecords', Threshold: 10, EvaluationPeriods: 10, DatapointsToAlarm: 5,
    });

    const quiet = newStack();
    const sessions = consumer(quiet, { alarms: { alarmsEnabled: false } });
    expect(sessions.alarms.alarms).toEqual([]);
    const alarmNames = Object.values(Template.fromStack(quiet).findResources('AWS::CloudWatch::Alarm')).map((a) => JSON.stringify(a.Properties.AlarmName));
    expect(alarmNames.filter((n) => /Sessions[A-Z0-9]*-/.test(n) && !/Clicks/.test(n))).toEqual([]);
    expect(sessions.widgets()).toHaveLength(3);
  });

  test('the handler metrics carry the namespace, the service and the function name', () => {
    const stack = newStack();
    const sessions = consumer(stack);
    const metric = sessions.metricLateEvents();
    expect(metric.namespace).toBe('KinesisStreamingPipelines/SessionConsumer');
    expect(metric.metricName).toBe('LateEvents');
    expect(metric.statistic).toBe('Sum');
    expect(stack.resolve(metric.dimensions)).toEqual({ service: 'session-consumer', FunctionName: stack.resolve(sessions.function.functionName) });
  });

  test('grantReadSessions grants reading the table and its key', () => {
    const stack = newStack();
    const sessions = consumer(stack);
    const reader = new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
    sessions.grantReadSessions(reader);
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy', { Properties: { Roles: [stack.resolve(reader.roleName)] } }))[0];
    const granted: Array<{ Action: string[]; Resource: unknown }> = policy.Properties.PolicyDocument.Statement;
    expect(granted.find((g) => g.Action.includes('dynamodb:Query'))?.Resource).toContainEqual(stack.resolve(sessions.table.tableArn));
    expect(granted.find((g) => g.Action.includes('kms:Decrypt'))?.Resource).toEqual(stack.resolve(sessions.tableEncryptionKey!.keyArn));
    expect(granted.flatMap((g) => g.Action).filter((a) => /Put|Update|Delete/.test(a))).toEqual([]);
  });

  test('configured props reach the mapping, the function and the schedule', () => {
    const stack = newStack();
    fullConsumer(stack);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      StartingPosition: 'LATEST',
      BatchSize: 500,
      MaximumBatchingWindowInSeconds: 5,
      MaximumRecordAgeInSeconds: 21_600,
      MaximumRetryAttempts: 5,
      ParallelizationFactor: 4,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [SessionEnv.GAP_SECONDS]: '2700',
          [SessionEnv.CLOSE_DELAY_SECONDS]: '900',
          [SessionEnv.RETENTION_SECONDS]: '1209600',
          [SessionEnv.CONVERSION_EVENT_TYPES]: 'purchase,checkout_completed',
        }),
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(2 minutes)' });
  });

  test('durations given as tokens are passed through unchecked', () => {
    const stack = newStack();
    const gap = new CfnParameter(stack, 'Gap', { type: 'Number' });
    consumer(stack, { inactivityGap: Duration.seconds(gap.valueAsNumber) });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [SessionEnv.GAP_SECONDS]: { Ref: 'Gap' } }) },
    });
  });

  test('warns when maxRecordAge exceeds the default stream retention', () => {
    const stack = newStack();
    consumer(stack, { maxRecordAge: Duration.days(2) });
    Annotations.fromStack(stack).hasWarning('/Test/Sessions', Match.stringLikeRegexp('above the 24-hour default retention'));
  });

  describe('validation', () => {
    const cases: Array<[string, Partial<SessionConsumerProps>, RegExp]> = [
      ['the inactivity gap is under a minute', { inactivityGap: Duration.seconds(30) }, /SessionConsumer "Test\/Sessions": inactivityGap must be whole seconds from 1 minute to 24 hours, got "30 seconds"/],
      ['the inactivity gap is over 24 hours', { inactivityGap: Duration.hours(25) }, /inactivityGap .* got "1 day 1 hour"/],
      ['the inactivity gap is not whole seconds', { inactivityGap: Duration.millis(90_500) }, /inactivityGap .* got "90.5 seconds"/],
      ['the close delay is over 24 hours', { closeDelay: Duration.hours(25) }, /closeDelay must be whole seconds from 0 to 24 hours, got "1 day 1 hour"/],
      ['the sweep interval is not whole minutes', { sweepInterval: Duration.seconds(90) }, /sweepInterval must be whole minutes from 1 to 60, got "1 minute 30 seconds"/],
      ['the sweep interval is over an hour', { sweepInterval: Duration.minutes(61) }, /sweepInterval must be whole minutes from 1 to 60/],
      ['retention is under a day', { retention: Duration.hours(12) }, /retention must be whole seconds from 1 to 365 days, got "12 hours"/],
      ['retention is not longer than maxRecordAge', { retention: Duration.days(2), maxRecordAge: Duration.days(3) }, /retention 2 days must be longer than maxRecordAge 3 days/],
      ['no conversion event type is given', { conversionEventTypes: [] }, /conversionEventTypes must name at least one event type, got \[\]/],
      ['a conversion event type holds a comma', { conversionEventTypes: ['purchase,refund'] }, /conversionEventTypes must be 1 to 64 characters .*got "purchase,refund"/],
      ['the batch size is 0', { batchSize: 0 }, /batchSize must be a whole number from 1 to 10000, got 0/],
      ['the batch size is above 10,000', { batchSize: 10_001 }, /batchSize must be a whole number from 1 to 10000, got 10001/],
      ['the batching window is above 300 seconds', { maxBatchingWindow: Duration.seconds(301) }, /maxBatchingWindow must be whole seconds from 0 to 300/],
      ['maxRecordAge is under 60 seconds', { maxRecordAge: Duration.seconds(30) }, /maxRecordAge must be whole seconds from 60 seconds to 7 days, got "30 seconds"/],
      ['maxRecordAge is over 7 days', { maxRecordAge: Duration.days(8), retention: Duration.days(30) }, /maxRecordAge .* got "8 days"/],
      ['retries are infinite (-1)', { retryAttempts: -1 }, /retryAttempts must be a whole number from 0 to 10000, got -1/],
      ['the parallelization factor is 11', { parallelizationFactor: 11 }, /parallelizationFactor must be a whole number from 1 to 10, got 11/],
      ['the starting position is AT_TIMESTAMP', { startingPosition: lambda.StartingPosition.AT_TIMESTAMP }, /startingPosition must be TRIM_HORIZON or LATEST, got "AT_TIMESTAMP"/],
      ['an alarm count threshold is negative', { alarms: { errors: { maxCount: -1 } } }, /errors.maxCount must be a number in \[0, /],
      ['an alarm needs more datapoints than it evaluates', { alarms: { throttles: { evaluationPeriods: 2, datapointsToAlarm: 3 } } }, /throttles.datapointsToAlarm must be a whole number from 1 to 2, got 3/],
      ['the iterator age threshold is not whole seconds', { alarms: { iteratorAge: { maxAge: Duration.millis(1500) } } }, /iteratorAge.maxAge must be whole seconds/],
    ];
    test.each(cases)('throws when %s', (_name, props, message) => {
      expect(() => consumer(newStack(), props)).toThrow(message);
    });

    test('throws when the consumer reads another stream', () => {
      const stack = newStack();
      const { clicks, summaries } = streams(stack);
      const other = new PipelineStream(stack, 'Other');
      expect(() => new SessionConsumer(stack, 'Sessions', {
        stream: clicks.stream, consumer: other.addConsumer('Sessions'), summaryStream: summaries,
      })).toThrow(/SessionConsumer "Test\/Sessions": consumer reads .*Other.*, not stream .*Clicks.*: give a consumer of the stream/);
    });

    test('accepts a consumer of the same stream imported by ARN', () => {
      const stack = newStack();
      const arn = 'arn:aws:kinesis:us-east-1:123456789012:stream/clicks';
      const stream = kinesis.Stream.fromStreamArn(stack, 'Clicks', arn);
      const efo = kinesis.StreamConsumer.fromStreamConsumerArn(stack, 'Efo', `${arn}/consumer/sessions:1700000000`);
      expect(efo.stream).not.toBe(stream);
      const summaries = kinesis.Stream.fromStreamArn(stack, 'Summaries', 'arn:aws:kinesis:us-east-1:123456789012:stream/summaries');
      expect(() => new SessionConsumer(stack, 'Sessions', { stream, consumer: efo, summaryStream: summaries })).not.toThrow();
    });
  });

  test('passes the gates with everything on', () => {
    const app = gatedApp();
    fullConsumer(newStack(app));
    expectGatesPass(app);
  });

  test('passes the gates with the defaults', () => {
    const app = gatedApp();
    consumer(newStack(app));
    expectGatesPass(app);
  });

  test('snapshot: defaults', () => {
    const stack = newStack();
    consumer(stack);
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });

  test('snapshot: fully configured', () => {
    const stack = newStack();
    fullConsumer(stack);
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });
});
