import { Duration, Token, aws_cloudwatch as cloudwatch, aws_kinesis as kinesis } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { validateStreamAlarmsProps } from './private/validation';
import { StreamMetrics } from './stream-metrics';
import { AlarmEvaluation, AlarmSet, AlarmSetOptions } from '../monitoring/alarm-set';

/** `WriteProvisionedThroughputExceeded` / `ReadProvisionedThroughputExceeded`, Average per minute. */
export interface ThroughputExceededThreshold extends AlarmEvaluation {
  /**
   * Alarm above this Average (the share of requests throttled), in (0, 1]. AWS: "a threshold of zero is too sensitive".
   * @default 0.01, over 5 of 5 minutes
   */
  readonly maxAverage?: number;
}

/** A share of PutRecords records, in percent (`PutRecords.ThrottledRecords` or `.FailedRecords` over `.TotalRecords`). */
export interface RecordShareThreshold extends AlarmEvaluation {
  /** Alarm above this percentage, in (0, 100]. @default 1, over 5 of 5 minutes */
  readonly maxPercent?: number;
}

/** `GetRecords.IteratorAgeMilliseconds`, Maximum: the age of the oldest record a polling consumer has yet to read. */
export interface IteratorAgeThreshold extends AlarmEvaluation {
  /**
   * Alarm when the age passes this share of the retention period: beyond it, records risk expiring unread. In (0, 1).
   * @default 0.5 (AWS's recommended alarm), over 15 of 15 minutes
   */
  readonly retentionShare?: number;
}

/** `SubscribeToShardEvent.MillisBehindLatest`, Maximum, per enhanced fan-out consumer. */
export interface ConsumerLagThreshold extends AlarmEvaluation {
  /** Alarm when a consumer is further behind than this. @default Duration.minutes(5), over 5 of 5 minutes */
  readonly maxLag?: Duration;
}

/** Write utilisation of a provisioned stream against its shards' capacity. */
export interface WriteUtilizationThreshold extends AlarmEvaluation {
  /** Alarm above this fraction of capacity, in (0, 1]. @default 0.8, over 5 of 5 minutes */
  readonly maxUtilization?: number;
}

/** Thresholds of the stream alarms, each with defaults from AWS's recommended alarms; all 60-second periods. */
export interface StreamAlarmsOptions extends AlarmSetOptions {
  /** @default - maxAverage 0.01, 5 of 5 */
  readonly writeThroughputExceeded?: ThroughputExceededThreshold;
  /** @default - maxAverage 0.01, 5 of 5 */
  readonly readThroughputExceeded?: ThroughputExceededThreshold;
  /** @default - 1 %, 5 of 5 */
  readonly putRecordsThrottled?: RecordShareThreshold;
  /** @default - 1 %, 5 of 5 */
  readonly putRecordsFailed?: RecordShareThreshold;
  /** @default - 50 % of retention, 15 of 15 */
  readonly iteratorAge?: IteratorAgeThreshold;
  /** @default - 5 minutes, 5 of 5 */
  readonly consumerLag?: ConsumerLagThreshold;
  /** Provisioned streams only. @default - 80 %, 5 of 5 */
  readonly writeUtilization?: WriteUtilizationThreshold;
}

export interface StreamAlarmsProps extends StreamAlarmsOptions {
  /** The stream to watch. */
  readonly stream: kinesis.IStream;
  /** Its retention period, for the iterator-age threshold. */
  readonly retention: Duration;
  /**
   * Shards of a provisioned stream, embedded in the utilisation alarm. A count known only at deploy (a token) cannot be
   * embedded in the expression: no utilisation alarm then.
   * @default - on-demand: no utilisation alarm
   */
  readonly shardCount?: number;
}

/** One-minute periods each stream alarm evaluates unless its threshold says otherwise (AWS's recommended alarms). */
const STREAM_ALARM_PERIODS = {
  writeThroughputExceeded: 5,
  readThroughputExceeded: 5,
  putRecordsThrottled: 5,
  putRecordsFailed: 5,
  iteratorAge: 15,
  consumerLag: 5,
  writeUtilization: 5,
} as const;

/**
 * The alarms of a data stream: write throttling (`WriteProvisionedThroughputExceeded`, `PutRecords.ThrottledRecords`,
 * `PutRecords.FailedRecords`), read throttling, iterator age against retention, per-EFO-consumer lag and write
 * utilisation. Every alarm carries the StreamName dimension (and ConsumerName where it applies). By default they notify
 * a KMS-encrypted SNS topic CloudWatch is allowed to publish to.
 *
 * The write-utilisation alarm embeds the shard count, so it is added by `addWriteUtilizationAlarm()` once it is known
 * that nothing else rescales the stream: `PipelineStream` adds it at synthesis unless it has a `ShardAutoscaler`, whose
 * own utilisation alarms follow every reshard.
 */
export class StreamAlarms extends AlarmSet {
  /** The write-utilisation alarm, once added; its expression embeds the shard count. */
  public writeUtilizationAlarm?: cloudwatch.Alarm;
  private readonly props: StreamAlarmsProps;
  private readonly consumerLagMetrics: cloudwatch.IMetric[] = [];

  constructor(scope: Construct, id: string, props: StreamAlarmsProps) {
    super(scope, id, props);
    validateStreamAlarmsProps(this, props, STREAM_ALARM_PERIODS);
    this.props = props;
    const { stream } = props;
    const minute = Duration.minutes(1);
    const above = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;

    // Throttled requests (Average of the 0/1 metric: the share throttled) and throttled or failed PutRecords records (%).
    const rates: Array<[keyof typeof STREAM_ALARM_PERIODS, cloudwatch.IMetric, number | undefined, number, string]> = [
      ['writeThroughputExceeded', stream.metricWriteProvisionedThroughputExceeded({ statistic: 'Average', period: minute }),
        props.writeThroughputExceeded?.maxAverage, 0.01,
        'Writes are throttled: producers exceed the provisioned write capacity (1 MiB/s or 1,000 records/s per shard)'],
      ['readThroughputExceeded', stream.metricReadProvisionedThroughputExceeded({ statistic: 'Average', period: minute }),
        props.readThroughputExceeded?.maxAverage, 0.01,
        'Reads are throttled: polling consumers exceed 2 MiB/s or 5 GetRecords calls/s per shard; move one to enhanced fan-out'],
      ['putRecordsThrottled', StreamMetrics.putRecordsThrottledPercent(stream), props.putRecordsThrottled?.maxPercent, 1,
        'Records of PutRecords calls are throttled; producers must retry them'],
      ['putRecordsFailed', StreamMetrics.putRecordsFailedPercent(stream), props.putRecordsFailed?.maxPercent, 1,
        'Records of PutRecords calls fail with internal errors; producers must retry them'],
    ];
    for (const [key, metric, limit, defaultLimit, description] of rates) {
      this.thresholdAlarm(key.charAt(0).toUpperCase() + key.slice(1), {
        evaluation: props[key],
        metric,
        threshold: limit ?? defaultLimit,
        comparisonOperator: above,
        defaultPeriods: STREAM_ALARM_PERIODS[key],
        description,
      });
    }
    const share = props.iteratorAge?.retentionShare ?? 0.5;
    this.thresholdAlarm('IteratorAge', {
      evaluation: props.iteratorAge,
      metric: stream.metricGetRecordsIteratorAgeMilliseconds({ statistic: 'Maximum', period: minute }),
      threshold: props.retention.isUnresolved() ? 12 * 3600 * 1000 : Math.round(props.retention.toMilliseconds() * share),
      comparisonOperator: above,
      defaultPeriods: STREAM_ALARM_PERIODS.iteratorAge,
      description: `A polling consumer lags by more than ${Math.round(share * 100)} % of the retention period: records risk expiring unread`,
    });
  }

  /**
   * Adds the write-utilisation alarm of a provisioned stream (the larger of bytes and records written over the capacity
   * of `shardCount` shards, per minute), once; none for an on-demand stream, a shard count known only at deploy, or
   * `writeUtilization.enabled` false. Its expression embeds the shard count: do not add it to a stream that something
   * rescales (`PipelineStream` leaves it out when it has a `ShardAutoscaler`).
   */
  public addWriteUtilizationAlarm(): cloudwatch.Alarm | undefined {
    const shards = this.props.shardCount;
    if (this.writeUtilizationAlarm || shards === undefined || Token.isUnresolved(shards)) return this.writeUtilizationAlarm;
    const max = this.props.writeUtilization?.maxUtilization ?? 0.8;
    this.writeUtilizationAlarm = this.thresholdAlarm('WriteUtilization', {
      evaluation: this.props.writeUtilization,
      metric: StreamMetrics.writeUtilization(this.props.stream, shards),
      threshold: max,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      defaultPeriods: STREAM_ALARM_PERIODS.writeUtilization,
      description: `Writes use more than ${Math.round(max * 100)} % of the capacity of ${shards} shard(s): add shards before producers are throttled`,
    });
    return this.writeUtilizationAlarm;
  }

  /**
   * Adds the lag alarm of one enhanced fan-out consumer (`SubscribeToShardEvent.MillisBehindLatest`, Maximum,
   * dimensions StreamName and ConsumerName). `PipelineStream.addConsumer` calls this for every consumer.
   */
  public addConsumerLagAlarm(id: string, consumerName: string): cloudwatch.Alarm | undefined {
    const metric = StreamMetrics.consumerMillisBehindLatest(this.props.stream, consumerName);
    this.consumerLagMetrics.push(metric);
    const maxLag = this.props.consumerLag?.maxLag ?? Duration.minutes(5);
    return this.thresholdAlarm(`${id}Lag`, {
      evaluation: this.props.consumerLag,
      metric,
      threshold: maxLag.toMilliseconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      defaultPeriods: STREAM_ALARM_PERIODS.consumerLag,
      description: `Enhanced fan-out consumer ${consumerName} is more than ${maxLag.toHumanString()} behind the tip of the stream`,
    });
  }

  public widgets(): cloudwatch.IWidget[] {
    const { stream } = this.props;
    const minute = Duration.minutes(1);
    const widgets: cloudwatch.IWidget[] = [
      new cloudwatch.GraphWidget({
        title: 'Incoming bytes and records (per minute)',
        left: [stream.metricIncomingBytes({ statistic: 'Sum', period: minute })],
        right: [stream.metricIncomingRecords({ statistic: 'Sum', period: minute })],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Throttling',
        left: [
          stream.metricWriteProvisionedThroughputExceeded({ statistic: 'Average', period: minute }),
          stream.metricReadProvisionedThroughputExceeded({ statistic: 'Average', period: minute }),
        ],
        right: [StreamMetrics.putRecordsThrottledPercent(stream), StreamMetrics.putRecordsFailedPercent(stream)],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Consumer lag (ms)',
        left: [stream.metricGetRecordsIteratorAgeMilliseconds({ statistic: 'Maximum', period: minute }), ...this.consumerLagMetrics],
        width: 12,
      }),
    ];
    if (this.props.shardCount !== undefined && !Token.isUnresolved(this.props.shardCount)) {
      widgets.push(new cloudwatch.GraphWidget({
        title: 'Write utilisation',
        left: [StreamMetrics.writeUtilization(stream, this.props.shardCount)],
        leftYAxis: { min: 0 },
        leftAnnotations: [{ value: this.props.writeUtilization?.maxUtilization ?? 0.8, label: 'alarm' }],
        width: 12,
      }));
    }
    return widgets;
  }
}
