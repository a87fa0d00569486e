import { App, CfnParameter, Duration, Stack, Token, aws_kinesis as kinesis, aws_sns as sns } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ScalingSensitivity, ShardAutoscaler, ShardAutoscalerProps } from '../../lib';
import { shardsOfExpression } from '../../lib/scaling/private/alarm-math';
import { AutoscalerHandlerConfig, CONFIG_ENV } from '../../lib/scaling/private/handler-config';
import { expectGatesPass, gatedApp } from '../support/gates';

function newStack(app = new App()): Stack {
  return new Stack(app, 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
}

function build(props: Partial<ShardAutoscalerProps> = {}, stack = newStack()) {
  const stream = new kinesis.Stream(stack, 'Stream', { shardCount: 4 });
  const autoscaler = new ShardAutoscaler(stack, 'Autoscaler', { stream, initialShardCount: 4, minShards: 2, maxShards: 64, ...props });
  return { stack, stream, autoscaler, template: Template.fromStack(stack) };
}

/** The alarm of construct id `id` (its logical id ends with the id and the hash). */
function alarm(template: Template, id: string): Record<string, any> {
  const found = Object.entries(template.findResources('AWS::CloudWatch::Alarm'))
    .filter(([logicalId]) => new RegExp(`${id}[0-9A-F]{8}$`).test(logicalId));
  expect(found).toHaveLength(1);
  return found[0][1].Properties;
}

/** The handler configuration, with every CloudFormation token replaced by a placeholder. */
function handlerConfig(template: Template): AutoscalerHandlerConfig {
  const fns = Object.values(template.findResources('AWS::Lambda::Function'))
    .filter((f) => f.Properties.Environment?.Variables?.[CONFIG_ENV] !== undefined);
  expect(fns).toHaveLength(1);
  const value = fns[0].Properties.Environment.Variables[CONFIG_ENV];
  const text = typeof value === 'string' ? value
    : value['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : '<token>')).join('');
  return JSON.parse(text);
}

describe('ShardAutoscaler', () => {
  test('the scaling alarms: 1-minute metric math on the stream, the shard count embedded, the policy\'s thresholds', () => {
    const { template, stack, stream } = build();
    const streamName = stack.resolve(stream.streamName);

    const out = alarm(template, 'ScaleOutUtilization');
    expect(out).toMatchObject({
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 0.8,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
    });
    const utilization = out.Metrics.find((m: any) => m.Expression !== undefined);
    expect(utilization.Expression).toBe('MAX([FILL(bytes, 0) / (60 * 1048576 * 4), FILL(records, 0) / (60 * 1000 * 4)])');
    expect(shardsOfExpression(utilization.Expression)).toBe(4);
    expect(utilization.Label).toBe('Write utilisation of 4 shards');
    const stats = out.Metrics.filter((m: any) => m.MetricStat);
    expect(stats.map((m: any) => [m.Id, m.MetricStat.Metric.MetricName, m.MetricStat.Stat, m.MetricStat.Period]).sort()).toEqual([
      ['bytes', 'IncomingBytes', 'Sum', 60],
      ['records', 'IncomingRecords', 'Sum', 60],
    ]);
    for (const m of stats) {
      expect(m.MetricStat.Metric.Namespace).toBe('AWS/Kinesis');
      expect(m.MetricStat.Metric.Dimensions).toEqual([{ Name: 'StreamName', Value: streamName }]);
    }

    const inn = alarm(template, 'ScaleInUtilization');
    expect(inn).toMatchObject({
      ComparisonOperator: 'LessThanOrEqualToThreshold',
      EvaluationPeriods: 60,
      DatapointsToAlarm: 60,
      TreatMissingData: 'breaching',
    });
    expect(inn.Threshold).toBeCloseTo(0.45, 12);
    expect(shardsOfExpression(inn.Metrics.find((m: any) => m.Expression !== undefined).Expression)).toBe(4);

    const throttling = alarm(template, 'ScaleOutThrottling');
    expect(throttling).toMatchObject({
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
    });
    // Throttled 0.1% of the records, or 95% utilised (where per-second peaks throttle already), in one index.
    const saturation = throttling.Metrics.find((m: any) => m.Expression !== undefined);
    expect(saturation.Expression).toBe('MAX([FILL(throttled, 0) / (FILL(records, 0) + FILL(throttled, 0) + 1) / 0.001, '
      + 'FILL(bytes, 0) / (60 * 1048576 * 4) / 0.95, FILL(records, 0) / (60 * 1000 * 4) / 0.95])');
    expect(shardsOfExpression(saturation.Expression)).toBe(4);
    expect(saturation.Label).toBe('Saturation of 4 shards (1 = 0.1% throttled or 95% utilised)');
    const throttled = throttling.Metrics.find((m: any) => m.Id === 'throttled');
    expect(throttled.MetricStat).toMatchObject({
      Metric: { Namespace: 'AWS/Kinesis', MetricName: 'WriteProvisionedThroughputExceeded', Dimensions: [{ Name: 'StreamName', Value: streamName }] },
      Period: 60,
      Stat: 'Sum',
    });
    // They wake the handler through EventBridge, never a notification action.
    for (const a of [out, inn, throttling]) {
      expect(a.AlarmActions).toBeUndefined();
      expect(a.OKActions).toBeUndefined();
    }
  });

  test('the alarms start correct for initialShardCount', () => {
    const { template } = build({ initialShardCount: 37, maxShards: 100 });
    for (const id of ['ScaleOutThrottling', 'ScaleOutUtilization', 'ScaleInUtilization']) {
      const expression = alarm(template, id).Metrics.find((m: any) => m.Expression !== undefined).Expression;
      expect(shardsOfExpression(expression)).toBe(37);
    }
  });

  test('targetUtilization moves the thresholds: scale-out halfway to 100%, scale-in at three quarters, saturation at 95% or more', () => {
    const { template } = build({ targetUtilization: 0.5 });
    expect(alarm(template, 'ScaleOutUtilization').Threshold).toBe(0.75);
    expect(alarm(template, 'ScaleInUtilization').Threshold).toBe(0.375);
    expect(alarm(template, 'ScaleOutThrottling').Metrics.find((m: any) => m.Expression).Expression).toContain('/ 0.95');
    const high = build({ targetUtilization: 0.96 }).template;
    expect(alarm(high, 'ScaleOutThrottling').Metrics.find((m: any) => m.Expression).Expression).toContain('/ 0.98');
    expect(handlerConfig(template).targetUtilization).toBe(0.5);
  });

  test('sensitivities set the alarms\' periods and reach the handler', () => {
    const { template } = build({ scaleOutSensitivity: ScalingSensitivity.LOW, scaleInSensitivity: ScalingSensitivity.HIGH });
    expect(alarm(template, 'ScaleOutUtilization')).toMatchObject({ EvaluationPeriods: 5, DatapointsToAlarm: 5 });
    expect(alarm(template, 'ScaleOutThrottling')).toMatchObject({ EvaluationPeriods: 2, DatapointsToAlarm: 2 });
    expect(alarm(template, 'ScaleInUtilization')).toMatchObject({ EvaluationPeriods: 30, DatapointsToAlarm: 30 });
    expect(handlerConfig(template)).toMatchObject({ scaleOutSensitivity: 'low', scaleInSensitivity: 'high' });
  });

  test('the handler: NodeFunction, reserved concurrency 1, its whole configuration in the environment', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      ReservedConcurrentExecutions: 1,
      TracingConfig: { Mode: 'Active' },
      Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'shard-autoscaler' } },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
    expect(handlerConfig(template)).toEqual({
      streamName: '<token>',
      streamArn: '<token>',
      tableName: '<token>',
      topicArn: '<token>',
      alarmNames: {
        // CloudFormation names the alarms: the handler gets their Refs
        scaleOutThrottling: '<token>', scaleOutUtilization: '<token>', scaleInUtilization: '<token>',
      },
      minShards: 2,
      maxShards: 64,
      targetUtilization: 0.6,
      scaleOutSensitivity: 'high',
      scaleInSensitivity: 'medium',
      lagGuardConsumers: [],
      lagGuardIteratorAge: true,
      dryRun: false,
    });
  });

  test('reserveCallsForScaleOut, the lag guard and dryRun reach the handler', () => {
    const { template } = build({
      reserveCallsForScaleOut: 5,
      lagGuard: Duration.minutes(2),
      lagGuardConsumers: ['flink-efo', 'archiver'],
      lagGuardIteratorAge: false,
      dryRun: true,
    });
    expect(handlerConfig(template)).toMatchObject({
      reserveCallsForScaleOut: 5,
      lagGuardMillis: 120_000,
      lagGuardConsumers: ['flink-efo', 'archiver'],
      lagGuardIteratorAge: false,
      dryRun: true,
    });
  });

  test('permissions: exactly the handler\'s calls, scoped to the stream, its alarms, its table and its topic', () => {
    const { template, stack, stream, autoscaler } = build();
    const statements: any[] = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const find = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));
    // The Service Authorization Reference lists no resource types for kinesis:UpdateShardCount: only `*` allows it.
    expect(find('kinesis:UpdateShardCount')).toEqual([expect.objectContaining({ Action: 'kinesis:UpdateShardCount', Resource: '*' })]);
    expect(find('kinesis:DescribeStreamSummary')).toEqual([expect.objectContaining({ Resource: stack.resolve(stream.streamArn) })]);
    const alarmArns = [autoscaler.scaleOutThrottlingAlarm, autoscaler.scaleOutUtilizationAlarm, autoscaler.scaleInUtilizationAlarm]
      .map((a) => stack.resolve(a.alarmArn));
    expect(find('cloudwatch:PutMetricAlarm')).toEqual([expect.objectContaining({ Resource: alarmArns })]);
    expect(find('cloudwatch:DescribeAlarms')).toEqual([expect.objectContaining({ Resource: alarmArns })]);
    expect(find('cloudwatch:GetMetricData')).toEqual([expect.objectContaining({ Resource: '*' })]);
    expect(find('dynamodb:PutItem')[0].Resource).toContainEqual(stack.resolve(autoscaler.stateTable.tableArn));
    expect(find('sns:Publish')).toEqual([expect.objectContaining({ Resource: stack.resolve(autoscaler.notificationTopic.topicArn) })]);
    expect(statements.some((s) => [s.Action].flat().some((a: string) => /^(kinesis|cloudwatch|dynamodb):\*$/.test(a)))).toBe(false);
  });

  test('alarm transitions to ALARM reach the handler through an EventBridge rule; a schedule re-checks every minute', () => {
    const { template, stack, autoscaler } = build();
    const fnArn = stack.resolve(autoscaler.function.functionArn);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        'resources': [autoscaler.scaleOutThrottlingAlarm, autoscaler.scaleOutUtilizationAlarm, autoscaler.scaleInUtilizationAlarm]
          .map((a) => stack.resolve(a.alarmArn)),
        'detail': { state: { value: ['ALARM'] } },
      },
      Targets: [Match.objectLike({ Arn: fnArn, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 600 } })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: fnArn })],
    });
    template.resourceCountIs('AWS::Lambda::Permission', 2);
  });

  test('recheckInterval sets the schedule', () => {
    const { template } = build({ recheckInterval: Duration.minutes(5) });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
  });

  test('the state table: one item per stream, on demand, point-in-time recovery, encrypted', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'stream', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  test('without notificationTopic: a KMS-encrypted AlarmTopic that the handler and the autoscaler\'s own alarms notify', () => {
    const { template, stack, autoscaler } = build();
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    const topicArn = stack.resolve(autoscaler.notificationTopic.topicArn);
    for (const id of ['HandlerErrors', 'ScalingFailures', 'HotKey']) {
      expect(alarm(template, id).AlarmActions).toEqual([topicArn]);
    }
  });

  test('notificationTopic: used by the handler and the alarms, no topic created', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Ops');
    const { template, autoscaler } = build({ notificationTopic: topic }, stack);
    expect(autoscaler.notificationTopic).toBe(topic);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    expect(handlerConfig(template).topicArn).toBe('<token>');
    expect(alarm(template, 'HandlerErrors').AlarmActions).toEqual([stack.resolve(topic.topicArn)]);
  });

  test('the autoscaler\'s own alarms: handler errors and failing decisions, on the handler\'s metrics', () => {
    const { template, stack, stream, autoscaler } = build();
    expect(alarm(template, 'HandlerErrors')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      Dimensions: [{ Name: 'FunctionName', Value: stack.resolve(autoscaler.function.functionName) }],
    });
    expect(alarm(template, 'ScalingFailures')).toMatchObject({
      Namespace: 'KinesisStreamingPipelines/ShardAutoscaler',
      MetricName: 'ScalingFailures',
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Dimensions: expect.arrayContaining([{ Name: 'service', Value: 'shard-autoscaler' }, { Name: 'StreamName', Value: stack.resolve(stream.streamName) }]),
    });
    expect(autoscaler.alarms.widgets()).toHaveLength(2);
  });

  test('a hot key is alarmed, not scaled: HotKey on the handler\'s HotKeyThrottling metric, 15 minutes', () => {
    const { template, stack, stream, autoscaler } = build();
    expect(alarm(template, 'HotKey')).toMatchObject({
      Namespace: 'KinesisStreamingPipelines/ShardAutoscaler',
      MetricName: 'HotKeyThrottling',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
      Dimensions: expect.arrayContaining([{ Name: 'service', Value: 'shard-autoscaler' }, { Name: 'StreamName', Value: stack.resolve(stream.streamName) }]),
    });
    expect(alarm(template, 'HotKey').AlarmDescription).toMatch(/hot partition key/);
    expect(autoscaler.alarms.hotKey).toBeDefined();
    expect(stack.resolve(autoscaler.metricHotKeyThrottling().metricName)).toBe('HotKeyThrottling');
  });

  test('alarms.alarmsEnabled false: no alarms of its own, the scaling alarms stay', () => {
    const { template } = build({ alarms: { alarmsEnabled: false } });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
  });

  test('each alarm of its own has its evaluation and can be turned off', () => {
    const { template } = build({ alarms: { hotKey: { enabled: false }, scalingFailures: { evaluationPeriods: 6, datapointsToAlarm: 4 } } });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 5);
    expect(alarm(template, 'ScalingFailures')).toMatchObject({ EvaluationPeriods: 6, DatapointsToAlarm: 4 });
    expect(() => build({ alarms: { handlerErrors: { evaluationPeriods: 289 } } }))
      .toThrow(/ShardAutoscalerAlarms "Test\/Autoscaler\/Alarms": handlerErrors.evaluationPeriods must be a whole number from 1 to 288, got 289/);
  });

  test('without a prefix CloudFormation names the alarms and the handler reads the scaling alarms\' names from their Ref', () => {
    const { stack, autoscaler, template } = build();
    for (const r of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) expect(r.Properties.AlarmName).toBeUndefined();
    const fn = Object.values(template.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Environment?.Variables?.[CONFIG_ENV]);
    const refs = JSON.stringify(fn!.Properties.Environment.Variables[CONFIG_ENV]);
    for (const scaling of [autoscaler.scaleOutThrottlingAlarm, autoscaler.scaleOutUtilizationAlarm, autoscaler.scaleInUtilizationAlarm]) {
      expect(refs).toContain(JSON.stringify(stack.resolve(scaling.alarmName)));
    }
  });

  test('alarms.alarmNamePrefix names every alarm', () => {
    const { template } = build({ alarms: { alarmNamePrefix: 'clicks' } });
    const names = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((r) => r.Properties.AlarmName).sort();
    expect(names).toEqual([
      'clicks-HandlerErrors', 'clicks-HotKey', 'clicks-ScaleInUtilization', 'clicks-ScaleOutThrottling', 'clicks-ScaleOutUtilization', 'clicks-ScalingFailures',
    ]);
    expect(handlerConfig(template).alarmNames).toEqual({
      scaleOutThrottling: 'clicks-ScaleOutThrottling', scaleOutUtilization: 'clicks-ScaleOutUtilization', scaleInUtilization: 'clicks-ScaleInUtilization',
    });
  });

  test('an imported stream works: its name in the alarms, its ARN in the policy', () => {
    const stack = newStack();
    const stream = kinesis.Stream.fromStreamArn(stack, 'Imported', 'arn:aws:kinesis:us-east-1:123456789012:stream/clicks');
    new ShardAutoscaler(stack, 'Autoscaler', { stream, initialShardCount: 8, minShards: 1, maxShards: 32 });
    const template = Template.fromStack(stack);
    const out = alarm(template, 'ScaleOutUtilization');
    expect(out.Metrics.find((m: any) => m.Id === 'bytes').MetricStat.Metric.Dimensions).toEqual([{ Name: 'StreamName', Value: 'clicks' }]);
    expect(handlerConfig(template)).toMatchObject({ streamName: 'clicks', streamArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/clicks' });
  });

  test('tokens for the bounds are accepted (checked at run time)', () => {
    const stack = newStack();
    const max = new CfnParameter(stack, 'Max', { type: 'Number' }).valueAsNumber;
    expect(() => build({ maxShards: max }, stack)).not.toThrow();
  });

  test('warns when initialShardCount is outside [minShards, maxShards]', () => {
    const { stack } = build({ initialShardCount: 1, minShards: 2 });
    Annotations.fromStack(stack).hasWarning('/Test/Autoscaler', Match.stringLikeRegexp('initialShardCount 1 is outside \\[minShards 2, maxShards 64\\]'));
  });

  test('passes the gates with everything turned on', () => {
    const app = gatedApp();
    const stack = newStack(app);
    const stream = new kinesis.Stream(stack, 'Stream', { shardCount: 4, encryption: kinesis.StreamEncryption.MANAGED });
    new ShardAutoscaler(stack, 'Autoscaler', {
      stream,
      initialShardCount: 4,
      minShards: 2,
      maxShards: 64,
      targetUtilization: 0.6,
      scaleOutSensitivity: ScalingSensitivity.MEDIUM,
      scaleInSensitivity: ScalingSensitivity.LOW,
      reserveCallsForScaleOut: 4,
      lagGuard: Duration.minutes(5),
      lagGuardConsumers: ['flink-efo'],
      dryRun: true,
      recheckInterval: Duration.minutes(2),
    });
    expectGatesPass(app);
  });

  describe('bad input', () => {
    test('throws when minShards > maxShards', () => {
      expect(() => build({ minShards: 10, maxShards: 4 }))
        .toThrow('ShardAutoscaler "Test/Autoscaler": minShards must be <= maxShards (4), got 10');
    });
    test('throws when maxShards is above 10,000', () => {
      expect(() => build({ maxShards: 10_001 })).toThrow('maxShards must be a whole number from 1 to 10000, got 10001');
    });
    test('throws when minShards is below 1', () => {
      expect(() => build({ minShards: 0 })).toThrow('minShards must be a whole number from 1 to 10000, got 0');
    });
    test('throws when targetUtilization is 0', () => {
      expect(() => build({ targetUtilization: 0 })).toThrow('targetUtilization must be a number in (0, 1], got 0');
    });
    test('throws when targetUtilization is above 1', () => {
      expect(() => build({ targetUtilization: 1.2 })).toThrow('targetUtilization must be a number in (0, 1], got 1.2');
    });
    test('throws when the stream is on-demand, pointing to on-demand\'s own scaling', () => {
      expect(() => build({ streamMode: kinesis.StreamMode.ON_DEMAND }))
        .toThrow(/streamMode must be PROVISIONED, got "ON_DEMAND": an on-demand stream scales itself/);
    });
    test('throws when initialShardCount is a token', () => {
      const stack = newStack();
      const count = Token.asNumber(new CfnParameter(stack, 'Count', { type: 'Number' }).value);
      expect(() => build({ initialShardCount: count }, stack)).toThrow(/initialShardCount must be a number known at synth time/);
    });
    test('throws when initialShardCount is 0', () => {
      expect(() => build({ initialShardCount: 0 })).toThrow('initialShardCount must be a whole number from 1 to 10000, got 0');
    });
    test('throws when reserveCallsForScaleOut leaves no call for scale-in', () => {
      expect(() => build({ reserveCallsForScaleOut: 10 })).toThrow('reserveCallsForScaleOut must be a whole number from 0 to 9, got 10');
    });
    test('throws when recheckInterval is not whole minutes from 1 to 60', () => {
      expect(() => build({ recheckInterval: Duration.seconds(90) })).toThrow(/recheckInterval must be whole minutes from 1 to 60, got "1 minute 30 seconds"/);
      expect(() => build({ recheckInterval: Duration.hours(2) })).toThrow(/recheckInterval must be whole minutes from 1 to 60/);
    });
    test('throws when lagGuardConsumers are given without lagGuard', () => {
      expect(() => build({ lagGuardConsumers: ['a'] })).toThrow('lagGuardConsumers needs lagGuard');
    });
    test('throws when the lag guard watches nothing', () => {
      expect(() => build({ lagGuard: Duration.minutes(1), lagGuardIteratorAge: false })).toThrow('lagGuard watches nothing');
    });
    test('throws when lagGuard is zero', () => {
      expect(() => build({ lagGuard: Duration.seconds(0) })).toThrow(/lagGuard must be longer than zero/);
    });
    test('throws when a consumer name is not one Kinesis accepts', () => {
      expect(() => build({ lagGuard: Duration.minutes(1), lagGuardConsumers: ['has space'] }))
        .toThrow('lagGuardConsumers must hold consumer names of 1-128 characters [a-zA-Z0-9_.-], got "has space"');
    });
  });
});
