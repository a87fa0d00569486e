import { Duration, aws_cloudwatch as cloudwatch, aws_kinesis as kinesis } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { IFlinkApplication } from './flink-application';
import { consumerLagMetric, consumerRecordsMetric } from './private/metrics';
import { AlarmSet, AlarmSetOptions } from '../monitoring/alarm-set';
import { isConsumerLagAlarmed } from '../monitoring/private/consumer-lag';
import { checkRange } from '../private/validation';

/** Thresholds of the Flink alarms; every one has a default taken from AWS's recommended alarms. */
export interface FlinkApplicationAlarmsOptions extends AlarmSetOptions {
  /**
   * Alarm when the busiest task manager's CPU stays above this for 15 minutes (the service's own autoscaling window).
   * 1-100.
   * @default 80
   */
  readonly maxCpuUtilizationPercent?: number;
  /**
   * Alarm when the fullest task manager's heap stays above this for 5 minutes. 1-100.
   * @default 90
   */
  readonly maxHeapMemoryUtilizationPercent?: number;
  /**
   * Alarm when the EFO consumer stays further than this behind the tip of the stream for 5 minutes. No such alarm is
   * created for a consumer from `PipelineStream.addConsumer` whose stream alarms on its lag already (one metric, one
   * alarm: set that threshold with the stream's `alarms.consumerLag`).
   * @default Duration.minutes(1)
   */
  readonly maxMillisBehindLatest?: Duration;
  /**
   * Alarm when checkpoints take longer than this for 3 minutes in a row.
   * @default - the checkpoint interval of the application (1 minute when imported)
   */
  readonly maxCheckpointDuration?: Duration;
  /**
   * Minutes in a row with records arriving (or, without a consumer, at all) but none leaving before the records-out
   * alarm fires. 1-60.
   * @default 5
   */
  readonly recordsOutZeroMinutes?: number;
}

export interface FlinkApplicationAlarmsProps extends FlinkApplicationAlarmsOptions {
  /** The application watched. */
  readonly application: IFlinkApplication;
  /**
   * Its EFO consumer, for the lag alarm and to tell an idle source from a stalled job.
   * @default - no lag alarm; the records-out alarm fires on zero output alone
   */
  readonly sourceConsumer?: kinesis.IStreamConsumer;
}

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
    checkRange(this, 'maxCpuUtilizationPercent', props.maxCpuUtilizationPercent, 1, 100);
    checkRange(this, 'maxHeapMemoryUtilizationPercent', props.maxHeapMemoryUtilizationPercent, 1, 100);
    checkRange(this, 'recordsOutZeroMinutes', props.recordsOutZeroMinutes, 1, 60);
    this.application = props.application;
    this.consumer = props.sourceConsumer;
    const app = props.application;

    this.createAlarm('Downtime', {
      alarmDescription: `${app.node.path}: the Flink job is down (downtime > 0)`,
      metric: app.metricDowntime(),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.createAlarm('Restarts', {
      alarmDescription: `${app.node.path}: the Flink job restarted (${app.runtime.restartsMetricName} increased within 5 minutes)`,
      metric: new cloudwatch.MathExpression({
        expression: 'DIFF(restarts)',
        usingMetrics: { restarts: app.metricRestarts({ period: Duration.minutes(5) }) },
        label: 'Restarts in 5 minutes',
        period: Duration.minutes(5),
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.createAlarm('FailedCheckpoints', {
      alarmDescription: `${app.node.path}: a checkpoint failed since the job started (numberOfFailedCheckpoints > 0)`,
      metric: app.metricNumberOfFailedCheckpoints(),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const maxCheckpoint = props.maxCheckpointDuration ?? Duration.minutes(1);
    this.createAlarm('CheckpointDuration', {
      alarmDescription: `${app.node.path}: checkpoints take longer than ${maxCheckpoint.toHumanString()}`,
      metric: app.metricLastCheckpointDuration(),
      threshold: maxCheckpoint.toMilliseconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const maxCpu = props.maxCpuUtilizationPercent ?? 80;
    this.createAlarm('CpuUtilization', {
      alarmDescription: `${app.node.path}: CPU above ${maxCpu}% for 15 minutes; raise parallelism or let autoscaling act`,
      metric: app.metricCpuUtilization(),
      threshold: maxCpu,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 15,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const maxHeap = props.maxHeapMemoryUtilizationPercent ?? 90;
    this.createAlarm('HeapMemoryUtilization', {
      alarmDescription: `${app.node.path}: heap above ${maxHeap}% for 5 minutes`,
      metric: app.metricHeapMemoryUtilization(),
      threshold: maxHeap,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // One metric, one alarm: a consumer from PipelineStream.addConsumer already has its lag alarm, on the stream.
    if (this.consumer && !isConsumerLagAlarmed(this.consumer)) {
      const maxLag = props.maxMillisBehindLatest ?? Duration.minutes(1);
      this.createAlarm('MillisBehindLatest', {
        alarmDescription: `${app.node.path}: the EFO consumer is more than ${maxLag.toHumanString()} behind the stream for 5 minutes`,
        metric: this.lagMetric()!,
        threshold: maxLag.toMilliseconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    const zeroMinutes = props.recordsOutZeroMinutes ?? 5;
    this.createAlarm('RecordsOutZero', {
      alarmDescription: this.consumer
        ? `${app.node.path}: records reach the consumer but the job emits none (numRecordsOutPerSecond = 0) for ${zeroMinutes} minutes`
        : `${app.node.path}: the job emits no records (numRecordsOutPerSecond = 0) for ${zeroMinutes} minutes`,
      metric: this.consumer
        ? new cloudwatch.MathExpression({
          expression: 'IF(recordsIn > 0 AND recordsOut <= 0, 1, 0)',
          usingMetrics: {
            recordsIn: consumerRecordsMetric(this.consumer.stream.streamName, this.consumer.streamConsumerName),
            recordsOut: app.metricNumRecordsOutPerSecond(),
          },
          label: 'Records arrive, none leave',
          period: Duration.minutes(1),
        })
        : app.metricNumRecordsOutPerSecond({ statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: this.consumer ? 1 : 0,
      comparisonOperator: this.consumer
        ? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
        : cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: zeroMinutes,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
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
    return this.consumer ? consumerLagMetric(this.consumer.stream.streamName, this.consumer.streamConsumerName) : undefined;
  }
}
