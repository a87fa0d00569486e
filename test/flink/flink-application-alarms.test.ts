import { Duration, Stack, aws_cloudwatch as cloudwatch, aws_sns as sns } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { app, minimalProps, newStack } from './helpers';
import { FlinkApplication, FlinkApplicationAlarms, FlinkRuntime } from '../../lib/flink';

const ALARM = 'AWS::CloudWatch::Alarm';

function alarmsById(template: Template): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [logicalId, resource] of Object.entries(template.findResources(ALARM))) {
    const id = /Alarms([A-Za-z]+?)[0-9A-F]{8}$/.exec(logicalId)?.[1] ?? logicalId;
    out[id] = resource.Properties;
  }
  return out;
}

/** The one metric an alarm watches, whether CloudFormation has it inline or (with a label) as Metrics[0]. */
function watched(alarm: any): Record<string, unknown> {
  if (alarm.MetricName) {
    return {
      Namespace: alarm.Namespace, MetricName: alarm.MetricName, Dimensions: alarm.Dimensions, Statistic: alarm.Statistic, Period: alarm.Period,
    };
  }
  expect(alarm.Metrics).toHaveLength(1);
  const stat = alarm.Metrics[0].MetricStat;
  return {
    Namespace: stat.Metric.Namespace,
    MetricName: stat.Metric.MetricName,
    Dimensions: stat.Metric.Dimensions,
    Statistic: stat.Stat,
    Period: stat.Period,
  };
}

describe('FlinkApplicationAlarms', () => {
  test('creates the eight alarms under the application, with AWS recommended thresholds, notifying a new encrypted topic', () => {
    const { stack, application, template } = app();
    const alarms = alarmsById(template);
    expect(Object.keys(alarms).sort()).toEqual([
      'CheckpointDuration', 'CpuUtilization', 'Downtime', 'FailedCheckpoints', 'HeapMemoryUtilization', 'MillisBehindLatest', 'RecordsOutZero', 'Restarts',
    ]);
    const name = stack.resolve(application.applicationName);
    const single = (metricName: string, statistic: string) => ({
      Namespace: 'AWS/KinesisAnalytics', MetricName: metricName, Dimensions: [{ Name: 'Application', Value: name }], Statistic: statistic, Period: 60,
    });
    expect(watched(alarms.Downtime)).toEqual(single('downtime', 'Maximum'));
    expect(alarms.Downtime).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1 });
    expect(watched(alarms.FailedCheckpoints)).toEqual(single('numberOfFailedCheckpoints', 'Maximum'));
    expect(alarms.FailedCheckpoints).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1 });
    expect(watched(alarms.CheckpointDuration)).toEqual(single('lastCheckpointDuration', 'Maximum'));
    expect(alarms.CheckpointDuration).toMatchObject({ Threshold: 60000, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 3 });
    expect(watched(alarms.CpuUtilization)).toEqual(single('cpuUtilization', 'Maximum'));
    expect(alarms.CpuUtilization).toMatchObject({ Threshold: 80, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 15 });
    expect(watched(alarms.HeapMemoryUtilization)).toEqual(single('heapMemoryUtilization', 'Maximum'));
    expect(alarms.HeapMemoryUtilization).toMatchObject({ Threshold: 90, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 5 });
    expect(watched(alarms.MillisBehindLatest)).toEqual({
      Namespace: 'AWS/Kinesis',
      MetricName: 'SubscribeToShardEvent.MillisBehindLatest',
      Statistic: 'Maximum',
      Period: 60,
      Dimensions: [
        { Name: 'ConsumerName', Value: stack.resolve(application.sourceConsumer.streamConsumerName) },
        { Name: 'StreamName', Value: stack.resolve(application.sourceStream.streamName) },
      ],
    });
    expect(alarms.MillisBehindLatest).toMatchObject({ Threshold: 60000, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 5 });
    for (const alarm of Object.values(alarms)) {
      expect(alarm.AlarmActions).toHaveLength(1);
      expect(alarm.OKActions).toEqual(alarm.AlarmActions);
      expect(alarm.TreatMissingData).toBe('notBreaching');
    }
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  test('restarts: DIFF of fullRestarts on Flink 1.x, of numRestarts on Flink 2.x, over 5 minutes', () => {
    const restarts = (runtime: FlinkRuntime) => alarmsById(app({ runtime }).template).Restarts;
    for (const [runtime, metricName] of [[FlinkRuntime.FLINK_1_19, 'fullRestarts'], [FlinkRuntime.FLINK_2_2, 'numRestarts']] as const) {
      const alarm = restarts(runtime);
      expect(alarm.Threshold).toBe(0);
      expect(alarm.ComparisonOperator).toBe('GreaterThanThreshold');
      const expression = alarm.Metrics.find((m: any) => m.Expression);
      expect(expression).toMatchObject({ Expression: 'DIFF(restarts)', ReturnData: true });
      const input = alarm.Metrics.find((m: any) => m.Id === 'restarts');
      expect(input.MetricStat).toMatchObject({ Metric: { MetricName: metricName, Namespace: 'AWS/KinesisAnalytics' }, Period: 300, Stat: 'Maximum' });
    }
  });

  test('records out at zero fires only while records reach the consumer', () => {
    const { stack, application, template } = app();
    const alarm = alarmsById(template).RecordsOutZero;
    expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 5 });
    expect(alarm.Metrics.find((m: any) => m.Expression).Expression).toBe('IF(recordsIn > 0 AND recordsOut <= 0, 1, 0)');
    expect(alarm.Metrics.find((m: any) => m.Id === 'recordsIn').MetricStat).toMatchObject({
      Metric: { Namespace: 'AWS/Kinesis', MetricName: 'SubscribeToShardEvent.Records' }, Stat: 'Sum', Period: 60,
    });
    expect(alarm.Metrics.find((m: any) => m.Id === 'recordsOut').MetricStat).toMatchObject({
      Metric: { Namespace: 'AWS/KinesisAnalytics', MetricName: 'numRecordsOutPerSecond', Dimensions: [{ Name: 'Application', Value: stack.resolve(application.applicationName) }] },
    });
  });

  test('takes your thresholds; the checkpoint-duration default follows the checkpoint interval', () => {
    const tuned = alarmsById(app({
      checkpointInterval: Duration.seconds(20),
      alarms: {
        cpuUtilization: { maxPercent: 70 },
        heapMemoryUtilization: { maxPercent: 85, datapointsToAlarm: 3 },
        consumerLag: { maxLag: Duration.seconds(30) },
        recordsOutZero: { evaluationPeriods: 15 },
        downtime: { enabled: false },
      },
    }).template);
    expect(tuned.CheckpointDuration.Threshold).toBe(20000);
    expect(tuned.CpuUtilization.Threshold).toBe(70);
    expect(tuned.HeapMemoryUtilization.Threshold).toBe(85);
    expect(tuned.MillisBehindLatest.Threshold).toBe(30000);
    expect(tuned.HeapMemoryUtilization).toMatchObject({ EvaluationPeriods: 5, DatapointsToAlarm: 3 });
    expect(tuned.RecordsOutZero.EvaluationPeriods).toBe(15);
    expect(tuned.Downtime).toBeUndefined();
    const explicit = app({ checkpointInterval: Duration.seconds(20), alarms: { checkpointDuration: { maxDuration: Duration.seconds(5) } } });
    expect(alarmsById(explicit.template).CheckpointDuration.Threshold).toBe(5000);
  });

  test('names alarms <prefix>-<alarm>; without a prefix CloudFormation names them', () => {
    const { template } = app({ alarms: { alarmNamePrefix: 'iot' } });
    template.hasResourceProperties(ALARM, { AlarmName: 'iot-Downtime' });
    template.hasResourceProperties(ALARM, { AlarmName: 'iot-MillisBehindLatest' });
    for (const alarm of Object.values(alarmsById(app().template))) expect(alarm.AlarmName).toBeUndefined();
  });

  test('notifies your topic and creates none', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Pager');
    const application = new FlinkApplication(stack, 'App', minimalProps(stack, { alarms: { alarmTopic: topic } }));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    for (const alarm of Object.values(alarmsById(template))) expect(alarm.AlarmActions).toEqual([stack.resolve(topic.topicArn)]);
    expect(application.alarms.alarmTopic).toBe(topic);
  });

  test('alarms off: no alarm, no topic, widgets still there', () => {
    const { application, template } = app({ alarms: { alarmsEnabled: false } });
    template.resourceCountIs(ALARM, 0);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    expect(application.alarms.alarms).toEqual([]);
    const titles = application.widgets().map((w: any) => w.props?.title ?? w.title);
    expect(titles).toEqual(['Flink availability', 'Flink checkpoints', 'Flink resources', 'Flink throughput', 'EFO consumer lag']);
  });

  test('dashboard widgets of the application include its alarm status', () => {
    const { stack, application } = app();
    const widgets = application.widgets();
    expect(widgets).toHaveLength(6);
    expect(widgets[5]).toBeInstanceOf(cloudwatch.AlarmStatusWidget);
    const dashboard = new cloudwatch.Dashboard(stack, 'Dash', { widgets: [widgets] });
    const body = JSON.stringify(stack.resolve((dashboard.node.defaultChild as any).dashboardBody));
    for (const metric of ['downtime', 'fullRestarts', 'lastCheckpointDuration', 'numberOfFailedCheckpoints', 'cpuUtilization', 'heapMemoryUtilization', 'KPUs',
      'numRecordsInPerSecond', 'numRecordsOutPerSecond', 'SubscribeToShardEvent.MillisBehindLatest']) {
      expect(body).toContain(metric);
    }
  });

  test('watches an imported application; without a consumer there is no lag alarm and records-out fires on zero output', () => {
    const stack = new Stack();
    const imported = FlinkApplication.fromApplicationAttributes(stack, 'Imp', { applicationName: 'legacy', runtime: FlinkRuntime.FLINK_2_2 });
    const set = new FlinkApplicationAlarms(stack, 'Alarms', { application: imported, defaultAlarmTopic: false });
    const alarms = alarmsById(Template.fromStack(stack));
    expect(Object.keys(alarms)).not.toContain('MillisBehindLatest');
    expect(set.alarms).toHaveLength(7);
    expect(watched(alarms.RecordsOutZero)).toEqual({
      Namespace: 'AWS/KinesisAnalytics', MetricName: 'numRecordsOutPerSecond', Statistic: 'Maximum', Period: 60, Dimensions: [{ Name: 'Application', Value: 'legacy' }],
    });
    expect(alarms.RecordsOutZero).toMatchObject({ Threshold: 0, ComparisonOperator: 'LessThanOrEqualToThreshold' });
    expect(alarms.Downtime.AlarmActions).toBeUndefined();
    expect(set.widgets()).toHaveLength(5);
  });

  test('throws when a threshold is out of range', () => {
    const stack = new Stack();
    const imported = FlinkApplication.fromApplicationName(stack, 'Imp', 'legacy');
    expect(() => new FlinkApplicationAlarms(stack, 'A', { application: imported, heapMemoryUtilization: { maxPercent: 0 } }))
      .toThrow(/FlinkApplicationAlarms "Default\/A": heapMemoryUtilization.maxPercent must be a number in \[1, 100\], got 0/);
    expect(() => new FlinkApplicationAlarms(stack, 'B', { application: imported, recordsOutZero: { evaluationPeriods: 61 } }))
      .toThrow(/recordsOutZero.evaluationPeriods must be a whole number from 1 to 60, got 61/);
    expect(() => new FlinkApplicationAlarms(stack, 'C', { application: imported, restarts: { evaluationPeriods: 289 } }))
      .toThrow(/restarts.evaluationPeriods must be a whole number from 1 to 288, got 289/);
    expect(() => new FlinkApplicationAlarms(stack, 'D', { application: imported, cpuUtilization: { datapointsToAlarm: 16 } }))
      .toThrow(/cpuUtilization.datapointsToAlarm must be a whole number from 1 to 15, got 16/);
  });
});
