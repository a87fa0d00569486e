import { Duration, aws_cloudwatch as cloudwatch, aws_kinesis as kinesis } from 'aws-cdk-lib';
import { MetricIds, shardsLabel, utilizationExpression } from '../scaling/private/alarm-math';

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
      usingMetrics: {
        [MetricIds.BYTES]: stream.metricIncomingBytes({ statistic: 'Sum', period }),
        [MetricIds.RECORDS]: stream.metricIncomingRecords({ statistic: 'Sum', period }),
      },
      label: shardsLabel('Write utilisation', shardCount),
      period,
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
   * Maximum over the shards, dimensions StreamName and ConsumerName.
   * @param period @default Duration.minutes(1)
   */
  public static consumerMillisBehindLatest(stream: kinesis.IStream, consumerName: string, period: Duration = Duration.minutes(1)): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Kinesis',
      metricName: 'SubscribeToShardEvent.MillisBehindLatest',
      dimensionsMap: { StreamName: stream.streamName, ConsumerName: consumerName },
      statistic: 'Maximum',
      period,
      label: `${consumerName} behind latest (ms)`,
    });
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
