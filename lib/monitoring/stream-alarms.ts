import { Duration, Token, aws_cloudwatch as cloudwatch, aws_kinesis as kinesis } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AlarmSet, AlarmSetOptions } from './alarm-set';
import { checkIntRange, checkRange } from '../private/validation';
import { StreamMetrics } from '../streams/stream-metrics';

/** How many one-minute periods an alarm evaluates, and how many must breach. */
export interface AlarmEvaluation {
  /** Create this alarm. @default true */
  readonly enabled?: boolean;
  /** One-minute periods evaluated, 1–1,440. @default - per alarm, from AWS's recommended alarms */
  readonly evaluationPeriods?: number;
  /** Breaching periods that raise the alarm, 1 to evaluationPeriods. @default - evaluationPeriods */
  readonly datapointsToAlarm?: number;
}

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

/**
 * The alarms of a data stream: write throttling (`WriteProvisionedThroughputExceeded`, `PutRecords.ThrottledRecords`,
 * `PutRecords.FailedRecords`), read throttling, iterator age against retention, per-EFO-consumer lag and write
 * utilisation. Every alarm carries the StreamName dimension (and ConsumerName where it applies). By default they notify
 * a KMS-encrypted SNS topic CloudWatch is allowed to publish to.
 */
export class StreamAlarms extends AlarmSet {
  /** The write-utilisation alarm, when the stream is provisioned; its expression embeds the shard count. */
  public writeUtilizationAlarm?: cloudwatch.Alarm;
  private readonly props: StreamAlarmsProps;
  private readonly consumerLagMetrics: cloudwatch.IMetric[] = [];

  constructor(scope: Construct, id: string, props: StreamAlarmsProps) {
    super(scope, id, props);
    this.props = props;
    validate(this, props);
    const { stream } = props;

    this.throughputExceeded('WriteThroughputExceeded', stream.metricWriteProvisionedThroughputExceeded({ statistic: 'Average', period: Duration.minutes(1) }),
      props.writeThroughputExceeded, 'Writes are throttled: producers exceed the provisioned write capacity (1 MiB/s or 1,000 records/s per shard)');
    this.throughputExceeded('ReadThroughputExceeded', stream.metricReadProvisionedThroughputExceeded({ statistic: 'Average', period: Duration.minutes(1) }),
      props.readThroughputExceeded, 'Reads are throttled: polling consumers exceed 2 MiB/s or 5 GetRecords calls/s per shard; move one to enhanced fan-out');
    this.recordShare('PutRecordsThrottled', StreamMetrics.putRecordsThrottledPercent(stream), props.putRecordsThrottled,
      'Records of PutRecords calls are throttled; producers must retry them');
    this.recordShare('PutRecordsFailed', StreamMetrics.putRecordsFailedPercent(stream), props.putRecordsFailed,
      'Records of PutRecords calls fail with internal errors; producers must retry them');

    const ageOpts = props.iteratorAge ?? {};
    if (ageOpts.enabled ?? true) {
      const share = ageOpts.retentionShare ?? 0.5;
      const periods = ageOpts.evaluationPeriods ?? 15;
      this.createAlarm('IteratorAge', {
        metric: stream.metricGetRecordsIteratorAgeMilliseconds({ statistic: 'Maximum', period: Duration.minutes(1) }),
        threshold: props.retention.isUnresolved() ? 12 * 3600 * 1000 : Math.round(props.retention.toMilliseconds() * share),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: periods,
        datapointsToAlarm: ageOpts.datapointsToAlarm ?? periods,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `A polling consumer lags by more than ${Math.round(share * 100)} % of the retention period: records risk expiring unread`,
      });
    }

    const utilOpts = props.writeUtilization ?? {};
    if (props.shardCount !== undefined && !Token.isUnresolved(props.shardCount) && (utilOpts.enabled ?? true)) {
      const periods = utilOpts.evaluationPeriods ?? 5;
      this.writeUtilizationAlarm = this.createAlarm('WriteUtilization', {
        metric: StreamMetrics.writeUtilization(stream, props.shardCount),
        threshold: utilOpts.maxUtilization ?? 0.8,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: periods,
        datapointsToAlarm: utilOpts.datapointsToAlarm ?? periods,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `Writes use more than ${Math.round((utilOpts.maxUtilization ?? 0.8) * 100)} % of the capacity of ${props.shardCount} shard(s): add shards before producers are throttled`,
      });
    }
  }

  /**
   * Adds the lag alarm of one enhanced fan-out consumer (`SubscribeToShardEvent.MillisBehindLatest`, Maximum,
   * dimensions StreamName and ConsumerName). `PipelineStream.addConsumer` calls this for every consumer.
   */
  public addConsumerLagAlarm(id: string, consumerName: string): cloudwatch.Alarm | undefined {
    const metric = StreamMetrics.consumerMillisBehindLatest(this.props.stream, consumerName);
    this.consumerLagMetrics.push(metric);
    const opts = this.props.consumerLag ?? {};
    if (!(opts.enabled ?? true)) return undefined;
    const periods = opts.evaluationPeriods ?? 5;
    const maxLag = opts.maxLag ?? Duration.minutes(5);
    return this.createAlarm(`${id}Lag`, {
      metric,
      threshold: maxLag.toMilliseconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: periods,
      datapointsToAlarm: opts.datapointsToAlarm ?? periods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `Enhanced fan-out consumer ${consumerName} is more than ${maxLag.toHumanString()} behind the tip of the stream`,
    });
  }

  /**
   * Removes the write-utilisation alarm: a ShardAutoscaler replaces it with alarms whose embedded shard count it
   * rewrites after every reshard (this one's would go stale).
   * @internal
   */
  public _removeWriteUtilizationAlarm(): void {
    const alarm = this.writeUtilizationAlarm;
    if (!alarm) return;
    this.node.tryRemoveChild(alarm.node.id);
    this.alarms.splice(this.alarms.indexOf(alarm), 1);
    this.writeUtilizationAlarm = undefined;
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

  private throughputExceeded(id: string, metric: cloudwatch.IMetric, opts: ThroughputExceededThreshold = {}, description: string): void {
    this.thresholdAlarm(id, metric, opts.maxAverage ?? 0.01, opts, description);
  }

  private recordShare(id: string, metric: cloudwatch.IMetric, opts: RecordShareThreshold = {}, description: string): void {
    this.thresholdAlarm(id, metric, opts.maxPercent ?? 1, opts, description);
  }

  /** An alarm above `threshold` on `datapointsToAlarm` of `evaluationPeriods` one-minute periods (5 of 5 by default). */
  private thresholdAlarm(id: string, metric: cloudwatch.IMetric, threshold: number, opts: AlarmEvaluation, description: string): void {
    if (!(opts.enabled ?? true)) return;
    const periods = opts.evaluationPeriods ?? 5;
    this.createAlarm(id, {
      metric,
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: periods,
      datapointsToAlarm: opts.datapointsToAlarm ?? periods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
  }
}

function validate(scope: Construct, p: StreamAlarmsProps): void {
  const evals: Array<[string, AlarmEvaluation | undefined]> = [
    ['writeThroughputExceeded', p.writeThroughputExceeded], ['readThroughputExceeded', p.readThroughputExceeded],
    ['putRecordsThrottled', p.putRecordsThrottled], ['putRecordsFailed', p.putRecordsFailed],
    ['iteratorAge', p.iteratorAge], ['consumerLag', p.consumerLag], ['writeUtilization', p.writeUtilization],
  ];
  for (const [name, e] of evals) {
    if (!e) continue;
    checkIntRange(scope, `${name}.evaluationPeriods`, e.evaluationPeriods, 1, 1440);
    checkIntRange(scope, `${name}.datapointsToAlarm`, e.datapointsToAlarm, 1, e.evaluationPeriods ?? 1440);
  }
  checkRange(scope, 'writeThroughputExceeded.maxAverage', p.writeThroughputExceeded?.maxAverage, 0, 1, true);
  checkRange(scope, 'readThroughputExceeded.maxAverage', p.readThroughputExceeded?.maxAverage, 0, 1, true);
  checkRange(scope, 'putRecordsThrottled.maxPercent', p.putRecordsThrottled?.maxPercent, 0, 100, true);
  checkRange(scope, 'putRecordsFailed.maxPercent', p.putRecordsFailed?.maxPercent, 0, 100, true);
  checkRange(scope, 'iteratorAge.retentionShare', p.iteratorAge?.retentionShare, 0, 0.99, true);
  checkRange(scope, 'writeUtilization.maxUtilization', p.writeUtilization?.maxUtilization, 0, 1, true);
  if (p.consumerLag?.maxLag && !p.consumerLag.maxLag.isUnresolved()) {
    checkRange(scope, 'consumerLag.maxLag (ms)', p.consumerLag.maxLag.toMilliseconds(), 0, Number.MAX_SAFE_INTEGER, true);
  }
}
