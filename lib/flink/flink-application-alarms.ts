import { Duration, aws_cloudwatch as cloudwatch, aws_kinesis as kinesis } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { IFlinkApplication } from './flink-application';
import { validateFlinkApplicationAlarmsProps } from './private/validation';
import { AlarmEvaluation, AlarmSet, AlarmSetOptions } from '../monitoring/alarm-set';
import { isConsumerLagAlarmed } from '../monitoring/private/consumer-lag';
import type { ConsumerLagThreshold } from '../streams/stream-alarms';
import { StreamMetrics } from '../streams/stream-metrics';

/** A utilisation in percent: `cpuUtilization`, `heapMemoryUtilization` (Maximum over the task managers, per minute). */
export interface UtilizationPercentThreshold extends AlarmEvaluation {
  /** Alarm above this percentage, 1-100. @default - per alarm, stated on its option */
  readonly maxPercent?: number;
}

/** `lastCheckpointDuration`, Maximum per minute. */
export interface CheckpointDurationThreshold extends AlarmEvaluation {
  /**
   * Alarm when checkpoints take longer than this.
   * @default - the checkpoint interval of the application (1 minute when imported)
   */
  readonly maxDuration?: Duration;
}

/**
 * Thresholds of the Flink alarms, every one with a default taken from AWS's recommended alarms; all 1-minute periods.
 * @see https://docs.aws.amazon.com/managed-flink/latest/java/monitoring-metrics-alarms.html
 */
export interface FlinkApplicationAlarmsOptions extends AlarmSetOptions {
  /** `downtime` above 0. @default - 1 of 1 */
  readonly downtime?: AlarmEvaluation;
  /** The restarts metric increased within 5 minutes. @default - 1 of 1 (5-minute period) */
  readonly restarts?: AlarmEvaluation;
  /** `numberOfFailedCheckpoints` above 0 since the job started. @default - 1 of 1 */
  readonly failedCheckpoints?: AlarmEvaluation;
  /** @default - the checkpoint interval, 3 of 3 */
  readonly checkpointDuration?: CheckpointDurationThreshold;
  /** The busiest task manager's CPU, over the service's own autoscaling window. @default - 80 %, 15 of 15 */
  readonly cpuUtilization?: UtilizationPercentThreshold;
  /** The fullest task manager's heap. @default - 90 %, 5 of 5 */
  readonly heapMemoryUtilization?: UtilizationPercentThreshold;
  /**
   * The EFO consumer's `MillisBehindLatest`. No such alarm is created for a consumer from `PipelineStream.addConsumer`
   * whose stream alarms on its lag already (one metric, one alarm: set that threshold with the stream's
   * `alarms.consumerLag`).
   * @default - 1 minute, 5 of 5
   */
  readonly consumerLag?: ConsumerLagThreshold;
  /**
   * Minutes with records arriving (or, without a consumer, at all) but none leaving: `evaluationPeriods` is the number
   * of minutes in a row, 1-60.
   * @default - 5 of 5
   */
  readonly recordsOutZero?: AlarmEvaluation;
}

export interface FlinkApplicationAlarmsProps extends FlinkApplicationAlarmsOptions {
  /** The application watched. */
  readonly application: IFlinkApplication;
  /**
   * Its EFO consumer, for the lag alarm and to tell an idle source from a stalled job.
   * @default - no lag alarm; the records-out alarm fires on zero output alone
   */
  readonly sourceConsumer?: kinesis.IStreamConsumer;
  /**
   * Its checkpoint interval: the default of `checkpointDuration.maxDuration`.
   * @default Duration.minutes(1)
   */
  readonly checkpointInterval?: Duration;
}

/** 1-minute periods each alarm evaluates unless its threshold says otherwise (restarts: 5-minute periods). */
const FLINK_ALARM_PERIODS = {
  downtime: 1,
  restarts: 1,
  failedCheckpoints: 1,
  checkpointDuration: 3,
  cpuUtilization: 15,
  heapMemoryUtilization: 5,
  consumerLag: 5,
  recordsOutZero: 5,
} as const;

/**
 * The alarms of a Managed Flink application: downtime > 0, restarts increasing, failed checkpoints > 0, checkpoint
 * duration, CPU > 80%, heap > 90%, EFO consumer lag, and records out at zero while records arrive.
 * @see https://docs.aws.amazon.com/managed-flink/latest/java/monitoring-metrics-alarms.html
 */
export class FlinkApplicationAlarms extends AlarmSet {
  private readonly application: IFlinkApplication;
  private readonly consumer?: kinesis.IStreamConsumer;

  constructor(scope: Construct, id: string, props: FlinkApplicationAlarmsProps) {
    super(scope, id, props);
    validateFlinkApplicationAlarmsProps(this, props, FLINK_ALARM_PERIODS);
    this.application = props.application;
    this.consumer = props.sourceConsumer;
    const app = props.application;
    const above = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;

    this.thresholdAlarm('Downtime', {
      evaluation: props.downtime,
      description: `${app.node.path}: the Flink job is down (downtime > 0)`,
      metric: app.metricDowntime(),
      threshold: 0,
      comparisonOperator: above,
      defaultPeriods: FLINK_ALARM_PERIODS.downtime,
    });
    this.thresholdAlarm('Restarts', {
      evaluation: props.restarts,
      description: `${app.node.path}: the Flink job restarted (${app.runtime.restartsMetricName} increased within 5 minutes)`,
      metric: new cloudwatch.MathExpression({
        expression: 'DIFF(restarts)',
        usingMetrics: { restarts: app.metricRestarts({ period: Duration.minutes(5) }) },
        label: 'Restarts in 5 minutes',
        period: Duration.minutes(5),
      }),
      threshold: 0,
      comparisonOperator: above,
      defaultPeriods: FLINK_ALARM_PERIODS.restarts,
    });
    this.thresholdAlarm('FailedCheckpoints', {
      evaluation: props.failedCheckpoints,
      description: `${app.node.path}: a checkpoint failed since the job started (numberOfFailedCheckpoints > 0)`,
      metric: app.metricNumberOfFailedCheckpoints(),
      threshold: 0,
      comparisonOperator: above,
      defaultPeriods: FLINK_ALARM_PERIODS.failedCheckpoints,
    });
    const maxCheckpoint = props.checkpointDuration?.maxDuration ?? props.checkpointInterval ?? Duration.minutes(1);
    this.thresholdAlarm('CheckpointDuration', {
      evaluation: props.checkpointDuration,
      description: `${app.node.path}: checkpoints take longer than ${maxCheckpoint.toHumanString()}`,
      metric: app.metricLastCheckpointDuration(),
      threshold: maxCheckpoint.toMilliseconds(),
      comparisonOperator: above,
      defaultPeriods: FLINK_ALARM_PERIODS.checkpointDuration,
    });
    const maxCpu = props.cpuUtilization?.maxPercent ?? 80;
    this.thresholdAlarm('CpuUtilization', {
      evaluation: props.cpuUtilization,
      description: `${app.node.path}: CPU above ${maxCpu}% for 15 minutes; raise parallelism or let autoscaling act`,
      metric: app.metricCpuUtilization(),
      threshold: maxCpu,
      comparisonOperator: above,
      defaultPeriods: FLINK_ALARM_PERIODS.cpuUtilization,
    });
    const maxHeap = props.heapMemoryUtilization?.maxPercent ?? 90;
    this.thresholdAlarm('HeapMemoryUtilization', {
      evaluation: props.heapMemoryUtilization,
      description: `${app.node.path}: heap above ${maxHeap}% for 5 minutes`,
      metric: app.metricHeapMemoryUtilization(),
      threshold: maxHeap,
      comparisonOperator: above,
      defaultPeriods: FLINK_ALARM_PERIODS.heapMemoryUtilization,
    });
    // One metric, one alarm: a consumer from PipelineStream.addConsumer already has its lag alarm, on the stream.
    const lag = this.lagMetric();
    if (this.consumer && lag && !isConsumerLagAlarmed(this.consumer)) {
      const maxLag = props.consumerLag?.maxLag ?? Duration.minutes(1);
      this.thresholdAlarm('MillisBehindLatest', {
        evaluation: props.consumerLag,
        description: `${app.node.path}: the EFO consumer is more than ${maxLag.toHumanString()} behind the stream for 5 minutes`,
        metric: lag,
        threshold: maxLag.toMilliseconds(),
        comparisonOperator: above,
        defaultPeriods: FLINK_ALARM_PERIODS.consumerLag,
      });
    }
    const zeroMinutes = props.recordsOutZero?.evaluationPeriods ?? FLINK_ALARM_PERIODS.recordsOutZero;
    this.thresholdAlarm('RecordsOutZero', {
      evaluation: props.recordsOutZero,
      ...(this.consumer ? {
        description: `${app.node.path}: records reach the consumer but the job emits none (numRecordsOutPerSecond = 0) for ${zeroMinutes} minutes`,
        metric: new cloudwatch.MathExpression({
          expression: 'IF(recordsIn > 0 AND recordsOut <= 0, 1, 0)',
          usingMetrics: {
            recordsIn: StreamMetrics.consumerRecords(this.consumer.stream, this.consumer.streamConsumerName),
            recordsOut: app.metricNumRecordsOutPerSecond(),
          },
          label: 'Records arrive, none leave',
          period: Duration.minutes(1),
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        defaultPeriods: FLINK_ALARM_PERIODS.recordsOutZero,
      } : {
        description: `${app.node.path}: the job emits no records (numRecordsOutPerSecond = 0) for ${zeroMinutes} minutes`,
        metric: app.metricNumRecordsOutPerSecond({ statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
        defaultPeriods: FLINK_ALARM_PERIODS.recordsOutZero,
      }),
    });
  }

  public widgets(): cloudwatch.IWidget[] {
    const app = this.application;
    const widgets: cloudwatch.IWidget[] = [
      new cloudwatch.GraphWidget({
        title: 'Flink availability',
        left: [app.metricDowntime()],
        right: [app.metricRestarts()],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Flink checkpoints',
        left: [app.metricLastCheckpointDuration()],
        right: [app.metricNumberOfFailedCheckpoints()],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Flink resources',
        left: [app.metricCpuUtilization(), app.metricHeapMemoryUtilization()],
        leftYAxis: { min: 0, max: 100 },
        right: [app.metricKpus()],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Flink throughput',
        left: [app.metricNumRecordsInPerSecond(), app.metricNumRecordsOutPerSecond()],
        width: 12,
      }),
    ];
    const lag = this.lagMetric();
    if (lag) widgets.push(new cloudwatch.GraphWidget({ title: 'EFO consumer lag', left: [lag], width: 12 }));
    if (this.alarms.length > 0) {
      widgets.push(new cloudwatch.AlarmStatusWidget({ title: 'Flink alarms', alarms: this.alarms, width: 12 }));
    }
    return widgets;
  }

  private lagMetric(): cloudwatch.Metric | undefined {
    return this.consumer ? StreamMetrics.consumerMillisBehindLatest(this.consumer.stream, this.consumer.streamConsumerName) : undefined;
  }
}
