import { Duration, aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { FirehoseLimits as L } from './firehose-limits';

/**
 * The Firehose metrics the delivery constructs expose, apart from alarm semantics: name, statistic and the 5-minute
 * period Firehose publishes at. Every metric carries the DeliveryStreamName dimension.
 * @see https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-metrics.html
 */
export interface MetricDefinition {
  readonly metricName: string;
  readonly statistic: string;
  readonly label: string;
}

/** Destination-specific metric name prefixes. */
export enum DestinationMetricPrefix {
  S3 = 'DeliveryToS3',
  REDSHIFT = 'DeliveryToRedshift',
  OPENSEARCH_SERVICE = 'DeliveryToAmazonOpenSearchService',
  OPENSEARCH_SERVERLESS = 'DeliveryToAmazonOpenSearchServerless',
}

export const METRIC_PERIOD = Duration.seconds(L.METRIC_PERIOD_SECONDS);

export const DeliveryMetricDefinitions = {
  /** Age of the oldest record not yet delivered, seconds. */
  dataFreshness: (p: string): MetricDefinition => ({ metricName: `${p}.DataFreshness`, statistic: 'Maximum', label: 'Oldest undelivered record (s)' }),
  /** Successful deliveries (puts, COPYs, indexed records) over attempted ones: 1 when all succeed. */
  deliverySuccess: (p: string): MetricDefinition => ({ metricName: `${p}.Success`, statistic: 'Average', label: 'Delivery success ratio' }),
  deliveryBytes: (p: string): MetricDefinition => ({ metricName: `${p}.Bytes`, statistic: 'Sum', label: 'Bytes delivered' }),
  deliveryRecords: (p: string): MetricDefinition => ({ metricName: `${p}.Records`, statistic: 'Sum', label: 'Records delivered' }),
  incomingBytes: { metricName: 'IncomingBytes', statistic: 'Sum', label: 'Bytes ingested' },
  incomingRecords: { metricName: 'IncomingRecords', statistic: 'Sum', label: 'Records ingested' },
  incomingPutRequests: { metricName: 'IncomingPutRequests', statistic: 'Sum', label: 'PutRecord(Batch) requests' },
  throttledRecords: { metricName: 'ThrottledRecords', statistic: 'Sum', label: 'Records throttled' },
  bytesPerSecondLimit: { metricName: 'BytesPerSecondLimit', statistic: 'Minimum', label: 'Direct PUT quota (bytes/s)' },
  recordsPerSecondLimit: { metricName: 'RecordsPerSecondLimit', statistic: 'Minimum', label: 'Direct PUT quota (records/s)' },
  putRequestsPerSecondLimit: { metricName: 'PutRequestsPerSecondLimit', statistic: 'Minimum', label: 'Direct PUT quota (requests/s)' },
  kinesisMillisBehindLatest: { metricName: 'KinesisMillisBehindLatest', statistic: 'Maximum', label: 'Behind the source stream (ms)' },
  backupToS3Bytes: { metricName: 'BackupToS3.Bytes', statistic: 'Sum', label: 'Bytes backed up' },
  backupToS3Records: { metricName: 'BackupToS3.Records', statistic: 'Sum', label: 'Records backed up' },
  /** Average, as aws-cdk-lib's `IDeliveryStream.metricBackupToS3DataFreshness`. */
  backupToS3DataFreshness: { metricName: 'BackupToS3.DataFreshness', statistic: 'Average', label: 'Age of records not yet backed up (s)' },
  /** Successful Lambda transform invocations over all invocations. */
  executeProcessingSuccess: { metricName: 'ExecuteProcessing.Success', statistic: 'Average', label: 'Transform success ratio' },
} as const;

/** A metric of one delivery stream from its definition. */
export function deliveryMetric(deliveryStreamName: string, def: MetricDefinition, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Firehose',
    metricName: def.metricName,
    dimensionsMap: { DeliveryStreamName: deliveryStreamName },
    statistic: def.statistic,
    period: METRIC_PERIOD,
    label: def.label,
    ...props,
  });
}

/**
 * Direct-PUT ingestion as a percentage of its quota: `incoming` (a Sum per 5 minutes) ÷ 300 over `limit` (per second).
 * `kind` names the metric ids, unique within a graph that shows several.
 * @see https://docs.aws.amazon.com/firehose/latest/dev/firehose-cloudwatch-metrics-best-practices.html
 */
export function quotaUtilizationPercent(
  kind: string, incoming: cloudwatch.IMetric, limit: cloudwatch.IMetric, label: string,
): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `100 * (${kind}In / ${L.METRIC_PERIOD_SECONDS}) / ${kind}Limit`,
    usingMetrics: { [`${kind}In`]: incoming, [`${kind}Limit`]: limit },
    label,
    period: METRIC_PERIOD,
  });
}
