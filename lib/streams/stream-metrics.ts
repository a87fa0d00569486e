import { Duration, aws_cloudwatch as cloudwatch, aws_kinesis as kinesis } from 'aws-cdk-lib';
import { MetricIds, saturationExpression, shardsLabel, utilizationExpression } from '../scaling/private/alarm-math';

/**
 * Metric definitions for a stream, apart from alarm semantics: every metric carries the StreamName dimension
 * (and ConsumerName for EFO consumers), so an alarm built on one watches what it should.
 */
export class StreamMetrics {
  /**
   * Write utilisation of a provisioned stream per minute: the larger of bytes and records written over the capacity of
   * `shardCount` shards (1 MiB/s and 1,000 records/s each), as a fraction (1 = full). Metric math over `IncomingBytes`
   * and `IncomingRecords` (Sum, 1 minute), the same expression the ShardAutoscaler's alarms use. There is no shard-count
   * metric, so the count is embedded: rewrite it after a reshard (the ShardAutoscaler does).
   */
  public static writeUtilization(stream: kinesis.IStream, shardCount: number): cloudwatch.MathExpression {
    const period = Duration.minutes(1);
    return new cloudwatch.MathExpression({
      expression: utilizationExpression(shardCount),
      usingMetrics: StreamMetrics.writeSums(stream, false),
      label: shardsLabel('Write utilisation', shardCount),
      period,
    });
  }

  /**
   * Write saturation of a provisioned stream per minute, 1 or more when a minute is throttled (at least
   * `minThrottledFraction` of the records written were refused, `WriteProvisionedThroughputExceeded`) or near capacity
   * (utilisation at or above `saturationUtilization`, where per-second peaks already throttle). Metric math over
   * `IncomingBytes`, `IncomingRecords` and `WriteProvisionedThroughputExceeded` (Sum, 1 minute) with `shardCount`
   * embedded: the ShardAutoscaler's scale-out trigger.
   */
  public static writeSaturation(
    stream: kinesis.IStream, shardCount: number, minThrottledFraction: number, saturationUtilization: number,
  ): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: saturationExpression(shardCount, minThrottledFraction, saturationUtilization),
      usingMetrics: StreamMetrics.writeSums(stream, true),
      label: `${shardsLabel('Saturation', shardCount)} (1 = ${percent(minThrottledFraction, 1)} throttled `
        + `or ${percent(saturationUtilization, 0)} utilised)`,
      period: Duration.minutes(1),
    });
  }

  /**
   * Share of the records of PutRecords calls that were throttled (`PutRecords.ThrottledRecords` over
   * `PutRecords.TotalRecords`, Sum), in percent.
   * @param period @default Duration.minutes(1)
   */
  public static putRecordsThrottledPercent(stream: kinesis.IStream, period: Duration = Duration.minutes(1)): cloudwatch.MathExpression {
    return StreamMetrics.percentOfTotal(stream, 'PutRecords.ThrottledRecords', 'throttled', 'Throttled records (%)', period);
  }

  /**
   * Share of the records of PutRecords calls that failed for internal errors (`PutRecords.FailedRecords` over
   * `PutRecords.TotalRecords`, Sum), in percent.
   * @param period @default Duration.minutes(1)
   */
  public static putRecordsFailedPercent(stream: kinesis.IStream, period: Duration = Duration.minutes(1)): cloudwatch.MathExpression {
    return StreamMetrics.percentOfTotal(stream, 'PutRecords.FailedRecords', 'failed', 'Failed records (%)', period);
  }

  /**
   * How far an enhanced fan-out consumer is behind the tip of the stream: `SubscribeToShardEvent.MillisBehindLatest`,
   * dimensions StreamName and ConsumerName. Statistic Maximum (over the shards), period 1 minute by default.
   */
  public static consumerMillisBehindLatest(stream: kinesis.IStream, consumerName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return StreamMetrics.consumerMetric(stream, consumerName, 'SubscribeToShardEvent.MillisBehindLatest', {
      statistic: 'Maximum', label: `${consumerName} behind latest (ms)`, ...props,
    });
  }

  /**
   * Records pushed to an enhanced fan-out consumer: `SubscribeToShardEvent.Records`, dimensions StreamName and
   * ConsumerName. Statistic Sum, period 1 minute by default.
   */
  public static consumerRecords(stream: kinesis.IStream, consumerName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return StreamMetrics.consumerMetric(stream, consumerName, 'SubscribeToShardEvent.Records', {
      statistic: 'Sum', label: `Records delivered to ${consumerName}`, ...props,
    });
  }

  private static consumerMetric(
    stream: kinesis.IStream, consumerName: string, metricName: string, props: cloudwatch.MetricOptions,
  ): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Kinesis',
      metricName,
      dimensionsMap: { StreamName: stream.streamName, ConsumerName: consumerName },
      period: Duration.minutes(1),
      ...props,
    });
  }

  /** The per-minute sums the utilisation and saturation math reads, under the ids the expressions use. */
  private static writeSums(stream: kinesis.IStream, throttled: boolean): Record<string, cloudwatch.IMetric> {
    const perMinute = { statistic: 'Sum', period: Duration.minutes(1) };
    return {
      [MetricIds.BYTES]: stream.metricIncomingBytes(perMinute),
      [MetricIds.RECORDS]: stream.metricIncomingRecords(perMinute),
      ...(throttled ? { [MetricIds.THROTTLED]: stream.metricWriteProvisionedThroughputExceeded(perMinute) } : {}),
    };
  }

  private static percentOfTotal(stream: kinesis.IStream, metricName: string, id: string, label: string, period: Duration): cloudwatch.MathExpression {
    const metric = (name: string) => new cloudwatch.Metric({
      namespace: 'AWS/Kinesis',
      metricName: name,
      dimensionsMap: { StreamName: stream.streamName },
      statistic: 'Sum',
      period,
    });
    return new cloudwatch.MathExpression({
      // FILL(.., 0) so that a minute with no PutRecords call reads 0 %, not missing data.
      expression: `IF(FILL(total, 0) > 0, 100 * FILL(${id}, 0) / total, 0)`,
      usingMetrics: { [id]: metric(metricName), total: metric('PutRecords.TotalRecords') },
      label,
      period,
    });
  }

  private constructor() {}
}

function percent(fraction: number, digits: number): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}
