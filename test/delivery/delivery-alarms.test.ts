import { App, Duration, Stack, aws_cloudwatch as cloudwatch, aws_sns as sns } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ENV, importedStream } from './fixtures';
import { DeliveryAlarmOptions, DeliveryAlarms, DeliverySource, DeliveryTransform, OpenSearchDelivery, S3DataLakeDelivery } from '../../lib/delivery';

function newStack(): Stack {
  return new Stack(new App(), 'Alarms', { env: ENV });
}

/** The metric an alarm watches, whichever form CloudFormation gives it (labelled metrics render as `Metrics`). */
function watched(alarm: any): { namespace: string; metricName: string; statistic: string; period: number; dimensions: any } {
  if (alarm.MetricName) {
    return {
      namespace: alarm.Namespace, metricName: alarm.MetricName, statistic: alarm.Statistic, period: alarm.Period, dimensions: alarm.Dimensions,
    };
  }
  const stat = alarm.Metrics[0].MetricStat;
  return {
    namespace: stat.Metric.Namespace,
    metricName: stat.Metric.MetricName,
    statistic: stat.Stat,
    period: stat.Period,
    dimensions: stat.Metric.Dimensions,
  };
}

function alarmsOf(template: Template): Record<string, any> {
  const byName: Record<string, any> = {};
  for (const r of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) byName[(r as any).Properties.AlarmName] = (r as any).Properties;
  return byName;
}

describe('DeliveryAlarms', () => {
  test('direct PUT: freshness beyond buffering + 5 min, success below 1, throttled records, and the three quota alarms, named after the prefix', () => {
    const stack = newStack();
    const delivery = new S3DataLakeDelivery(stack, 'Lake', { alarms: { alarmNamePrefix: 'lake' } });
    const alarms = alarmsOf(Template.fromStack(stack));
    expect(Object.keys(alarms)).toEqual(['lake-DataFreshness', 'lake-DeliverySuccess', 'lake-ThrottledRecords', 'lake-BytesQuota', 'lake-RecordsQuota', 'lake-PutRequestsQuota']);
    const name = stack.resolve(delivery.deliveryStreamName);
    expect(watched(alarms['lake-DataFreshness'])).toEqual({
      namespace: 'AWS/Firehose', metricName: 'DeliveryToS3.DataFreshness', statistic: 'Maximum', period: 300, dimensions: [{ Name: 'DeliveryStreamName', Value: name }],
    });
    expect(alarms['lake-DataFreshness']).toMatchObject({
      Threshold: 600, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, DatapointsToAlarm: 1, TreatMissingData: 'notBreaching',
    });
    expect(watched(alarms['lake-DeliverySuccess'])).toMatchObject({ metricName: 'DeliveryToS3.Success', statistic: 'Average' });
    expect(alarms['lake-DeliverySuccess']).toMatchObject({
      Threshold: 1, ComparisonOperator: 'LessThanThreshold', EvaluationPeriods: 3, DatapointsToAlarm: 3,
    });
    expect(watched(alarms['lake-ThrottledRecords'])).toMatchObject({ metricName: 'ThrottledRecords', statistic: 'Sum' });
    expect(alarms['lake-ThrottledRecords']).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    expect(alarms['lake-BytesQuota']).toMatchObject({
      Threshold: 80,
      EvaluationPeriods: 3,
      Metrics: [
        { Id: 'expr_1', Expression: '100 * (bytesIn / 300) / bytesLimit', ReturnData: true },
        { Id: 'bytesIn', MetricStat: { Metric: { MetricName: 'IncomingBytes', Namespace: 'AWS/Firehose' }, Period: 300, Stat: 'Sum' }, ReturnData: false },
        { Id: 'bytesLimit', MetricStat: { Metric: { MetricName: 'BytesPerSecondLimit', Namespace: 'AWS/Firehose' }, Period: 300, Stat: 'Minimum' }, ReturnData: false },
      ],
    });
    expect(alarms['lake-RecordsQuota'].Metrics.map((m: any) => m.MetricStat?.Metric.MetricName)).toEqual([undefined, 'IncomingRecords', 'RecordsPerSecondLimit']);
    expect(alarms['lake-PutRequestsQuota'].Metrics.map((m: any) => m.MetricStat?.Metric.MetricName)).toEqual([undefined, 'IncomingPutRequests', 'PutRequestsPerSecondLimit']);
  });

  test('every alarm notifies the default KMS-encrypted topic, on alarm and on recovery', () => {
    const stack = newStack();
    const delivery = new S3DataLakeDelivery(stack, 'Lake');
    const topic = stack.resolve((delivery.alarms.alarmTopic as sns.ITopic).topicArn);
    for (const alarm of Object.values(alarmsOf(Template.fromStack(stack)))) {
      expect(alarm.AlarmActions).toEqual([topic]);
      expect(alarm.OKActions).toEqual([topic]);
    }
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  test('stream source: Firehose lag behind the stream instead of throttling and quotas', () => {
    const stack = newStack();
    new S3DataLakeDelivery(stack, 'Lake', { source: DeliverySource.fromStream(importedStream(stack)), alarms: { alarmNamePrefix: 'lake', sourceLag: { maxLag: Duration.minutes(10) } } });
    const alarms = alarmsOf(Template.fromStack(stack));
    expect(Object.keys(alarms)).toEqual(['lake-DataFreshness', 'lake-DeliverySuccess', 'lake-SourceLag']);
    expect(watched(alarms['lake-SourceLag'])).toMatchObject({ metricName: 'KinesisMillisBehindLatest', statistic: 'Maximum' });
    expect(alarms['lake-SourceLag']).toMatchObject({ Threshold: 600_000, EvaluationPeriods: 3 });
  });

  test('freshness expects 1.5 × the interval with dynamic partitioning, plus the transform\'s interval', () => {
    const stack = newStack();
    const delivery = new S3DataLakeDelivery(stack, 'Lake', {
      partitionKeys: ['site'],
      bufferingInterval: Duration.seconds(600),
      transform: DeliveryTransform.jsonRecords({ bufferInterval: Duration.seconds(90) }),
      alarms: { dataFreshness: { margin: Duration.minutes(2) } },
    });
    expect(delivery.alarms.dataFreshnessThresholdSeconds).toBe(600 * 1.5 + 90 + 120);
  });

  test('thresholds and evaluations as given; alarms turned off one by one', () => {
    const stack = newStack();
    const options: DeliveryAlarmOptions = {
      alarmNamePrefix: 'lake',
      dataFreshness: { maxAge: Duration.minutes(20), evaluationPeriods: 3, datapointsToAlarm: 2 },
      deliverySuccess: { minRatio: 0.95, evaluationPeriods: 6 },
      throttledRecords: { enabled: false },
      quotaUtilization: { maxPercent: 60, evaluationPeriods: 1 },
    };
    new S3DataLakeDelivery(stack, 'Lake', { alarms: options });
    const alarms = alarmsOf(Template.fromStack(stack));
    expect(alarms['lake-DataFreshness']).toMatchObject({ Threshold: 1200, EvaluationPeriods: 3, DatapointsToAlarm: 2 });
    expect(alarms['lake-DeliverySuccess']).toMatchObject({ Threshold: 0.95, EvaluationPeriods: 6, DatapointsToAlarm: 6 });
    expect(alarms['lake-ThrottledRecords']).toBeUndefined();
    expect(alarms['lake-BytesQuota']).toMatchObject({ Threshold: 60, EvaluationPeriods: 1 });
  });

  test('alarmsEnabled false keeps metrics and widgets, creates no alarm and no topic', () => {
    const stack = newStack();
    const delivery = new S3DataLakeDelivery(stack, 'Lake', { alarms: { alarmsEnabled: false } });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    expect(delivery.alarms.widgets()).toHaveLength(3);
  });

  test('your own topic, and actions added later reach every alarm', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Pager');
    const delivery = new S3DataLakeDelivery(stack, 'Lake', { alarms: { alarmTopic: topic } });
    const extra = new sns.Topic(stack, 'Chat');
    delivery.alarms.addAlarmAction({ bind: () => ({ alarmActionArn: extra.topicArn }) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 2);
    for (const alarm of Object.values(alarmsOf(template))) {
      expect(alarm.AlarmActions).toEqual([stack.resolve(topic.topicArn), stack.resolve(extra.topicArn)]);
    }
  });

  test('widgets: freshness against its threshold, success ratio, quota use with throttling', () => {
    const stack = newStack();
    const delivery = new S3DataLakeDelivery(stack, 'Lake');
    const dashboard = new cloudwatch.Dashboard(stack, 'Dashboard', { widgets: [delivery.alarms.widgets()] });
    const body = JSON.stringify(stack.resolve((dashboard.node.defaultChild as cloudwatch.CfnDashboard).dashboardBody));
    expect(body).toContain('Data freshness (s)');
    expect(body).toContain('\\"value\\":600');
    expect(body).toContain('Direct PUT quota use (%)');
    expect(body).toContain('ThrottledRecords');
  });

  describe('throws when', () => {
    const cases: [string, DeliveryAlarmOptions, RegExp][] = [
      ['evaluation periods exceed a day', { deliverySuccess: { evaluationPeriods: 289 } }, /DeliveryAlarms "Alarms\/Lake\/Alarms": deliverySuccess.evaluationPeriods must be a whole number from 1 to 288, got 289/],
      ['more datapoints than periods', { dataFreshness: { evaluationPeriods: 2, datapointsToAlarm: 3 } }, /dataFreshness.datapointsToAlarm must be a whole number from 1 to 2, got 3/],
      ['more datapoints than the default periods', { deliverySuccess: { datapointsToAlarm: 4 } }, /deliverySuccess.datapointsToAlarm must be a whole number from 1 to 3, got 4/],
      ['the success ratio is above 1', { deliverySuccess: { minRatio: 1.5 } }, /deliverySuccess.minRatio must be a number in \(0, 1\], got 1.5/],
      ['the success ratio is 0', { deliverySuccess: { minRatio: 0 } }, /deliverySuccess.minRatio must be a number in \(0, 1\], got 0/],
      ['the quota percentage is above 100', { quotaUtilization: { maxPercent: 120 } }, /quotaUtilization.maxPercent must be a percentage in \(0, 100\], got 120/],
      ['throttled records are negative', { throttledRecords: { maxRecords: -1 } }, /throttledRecords.maxRecords must be a number ≥ 0, got -1/],
      ['the maximum age is zero', { dataFreshness: { maxAge: Duration.seconds(0) } }, /dataFreshness.maxAge must be a duration > 0 seconds, got 0/],
    ];
    test.each(cases)('%s', (_name, alarms, message) => {
      expect(() => new S3DataLakeDelivery(newStack(), 'Lake', { alarms })).toThrow(message);
    });
  });

  test('watch an existing delivery stream: its name from the ARN, the destination\'s metric names', () => {
    const stack = newStack();
    const existing = OpenSearchDelivery.fromServerlessDeliveryStreamAttributes(stack, 'Legacy', {
      deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/legacy-logs',
    });
    const alarms = new DeliveryAlarms(stack, 'LegacyAlarms', { delivery: existing, expectedLatency: Duration.minutes(15), directPut: true, alarmNamePrefix: 'legacy' });
    const byName = alarmsOf(Template.fromStack(stack));
    expect(watched(byName['legacy-DataFreshness'])).toMatchObject({
      metricName: 'DeliveryToAmazonOpenSearchServerless.DataFreshness', dimensions: [{ Name: 'DeliveryStreamName', Value: 'legacy-logs' }],
    });
    expect(byName['legacy-DataFreshness'].Threshold).toBe(900 + 300);
    expect(alarms.alarms).toHaveLength(6);
  });

  test('is an AlarmSet under the delivery stream it watches', () => {
    const stack = newStack();
    const delivery = new S3DataLakeDelivery(stack, 'Lake');
    expect(delivery.alarms).toBeInstanceOf(DeliveryAlarms);
    expect(delivery.node.findChild('Alarms')).toBe(delivery.alarms);
  });
});
