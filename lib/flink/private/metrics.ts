import { Duration, aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';

/**
 * The CloudWatch metrics of a Managed Flink application (namespace AWS/KinesisAnalytics, dimension Application,
 * published every minute). Definitions only; thresholds live in FlinkApplicationAlarms, and the metrics of its EFO
 * consumer (namespace AWS/Kinesis) in StreamMetrics.
 * @see https://docs.aws.amazon.com/managed-flink/latest/java/metrics-dimensions.html
 */
export const FLINK_NAMESPACE = 'AWS/KinesisAnalytics';

export interface FlinkMetricSpec {
  readonly metricName: string;
  readonly statistic: string;
  readonly unit?: cloudwatch.Unit;
  readonly label: string;
}

/** Application-level metrics, each with the statistic that makes sense at that level. */
export const FlinkMetrics = {
  downtime: { metricName: 'downtime', statistic: cloudwatch.Stats.MAXIMUM, unit: cloudwatch.Unit.MILLISECONDS, label: 'Downtime (ms)' },
  numberOfFailedCheckpoints: { metricName: 'numberOfFailedCheckpoints', statistic: cloudwatch.Stats.MAXIMUM, unit: cloudwatch.Unit.COUNT, label: 'Failed checkpoints' },
  lastCheckpointDuration: { metricName: 'lastCheckpointDuration', statistic: cloudwatch.Stats.MAXIMUM, unit: cloudwatch.Unit.MILLISECONDS, label: 'Last checkpoint duration (ms)' },
  lastCheckpointSize: { metricName: 'lastCheckpointSize', statistic: cloudwatch.Stats.MAXIMUM, unit: cloudwatch.Unit.BYTES, label: 'Last checkpoint size (bytes)' },
  cpuUtilization: { metricName: 'cpuUtilization', statistic: cloudwatch.Stats.MAXIMUM, unit: cloudwatch.Unit.PERCENT, label: 'CPU (%)' },
  heapMemoryUtilization: { metricName: 'heapMemoryUtilization', statistic: cloudwatch.Stats.MAXIMUM, unit: cloudwatch.Unit.PERCENT, label: 'Heap (%)' },
  numRecordsInPerSecond: { metricName: 'numRecordsInPerSecond', statistic: cloudwatch.Stats.AVERAGE, unit: cloudwatch.Unit.COUNT_PER_SECOND, label: 'Records in/s' },
  numRecordsOutPerSecond: { metricName: 'numRecordsOutPerSecond', statistic: cloudwatch.Stats.AVERAGE, unit: cloudwatch.Unit.COUNT_PER_SECOND, label: 'Records out/s' },
  kpus: { metricName: 'KPUs', statistic: cloudwatch.Stats.MAXIMUM, unit: cloudwatch.Unit.COUNT, label: 'KPUs' },
} as const satisfies Record<string, FlinkMetricSpec>;

/** Restarts: `numRestarts` from Flink 2.x on, `fullRestarts` before; cumulative since the job started. */
export function restartsSpec(metricName: string): FlinkMetricSpec {
  return { metricName, statistic: cloudwatch.Stats.MAXIMUM, unit: cloudwatch.Unit.COUNT, label: 'Restarts (cumulative)' };
}

export function flinkMetric(applicationName: string, spec: FlinkMetricSpec, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: FLINK_NAMESPACE,
    metricName: spec.metricName,
    dimensionsMap: { Application: applicationName },
    statistic: spec.statistic,
    unit: spec.unit,
    label: spec.label,
    period: Duration.minutes(1),
    ...props,
  });
}
