import { Duration, aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { validateSessionConsumerAlarmsProps } from './private/validation';
import type { SessionConsumer } from './session-consumer';
import { AlarmEvaluation, AlarmSet, AlarmSetOptions } from '../monitoring/alarm-set';

/** A count per minute above which an alarm fires. */
export interface CountThreshold extends AlarmEvaluation {
  /** Alarm when the count in a minute is above this, 0 or more. @default 0 */
  readonly maxCount?: number;
}

/** Lambda's `IteratorAge` of the event source mapping: how old the last record of a batch was when it was read. */
export interface ConsumerIteratorAgeThreshold extends AlarmEvaluation {
  /**
   * Alarm above this age. Past `maxRecordAge`, records go to the on-failure destination unprocessed.
   * @default - half of maxRecordAge, over 5 of 5 minutes
   */
  readonly maxAge?: Duration;
}

/** Thresholds of the session consumer's alarms; every period is one minute. */
export interface SessionConsumerAlarmsOptions extends AlarmSetOptions {
  /** @default - half of maxRecordAge, 5 of 5 */
  readonly iteratorAge?: ConsumerIteratorAgeThreshold;
  /** Function errors: whole batches failed (every record) or the sweep failed. @default - any, 3 of 3 */
  readonly errors?: CountThreshold;
  /** Throttled invocations. @default - any, 5 of 5 */
  readonly throttles?: CountThreshold;
  /**
   * `DestinationDeliveryFailures`: Lambda could not put a discarded batch in the on-failure bucket; those records are lost.
   * @default - any, 1 of 1
   */
  readonly destinationDeliveryFailures?: CountThreshold;
  /**
   * Records reported as batch item failures: retried, then sent to the on-failure destination unprocessed if they keep failing.
   * @default - any, 5 of 5
   */
  readonly failedRecords?: CountThreshold;
  /** Malformed records put in the failure bucket (nothing is lost, but producers send bad data). @default - any, 5 of 5 */
  readonly malformedRecords?: CountThreshold;
  /** Summaries the summary stream refused after retries (the sweep writes them later). @default - any, 5 of 5 */
  readonly summaryEmitFailures?: CountThreshold;
}

export interface SessionConsumerAlarmsProps extends SessionConsumerAlarmsOptions {
  /** The consumer watched. */
  readonly sessionConsumer: SessionConsumer;
}

/** One-minute periods each alarm evaluates unless its threshold says otherwise. */
const SESSION_ALARM_PERIODS = {
  iteratorAge: 5, errors: 3, throttles: 5, destinationDeliveryFailures: 1, failedRecords: 5, malformedRecords: 5, summaryEmitFailures: 5,
} as const;

/**
 * The alarms of a session consumer: records falling behind (`IteratorAge` against `maxRecordAge`), function errors and
 * throttles, discarded batches Lambda could not deliver to the failure bucket (`DestinationDeliveryFailures`, data loss),
 * records failing repeatedly (on their way to the on-failure destination), malformed input, and summaries the summary
 * stream refuses.
 */
export class SessionConsumerAlarms extends AlarmSet {
  private readonly consumer: SessionConsumer;

  constructor(scope: Construct, id: string, props: SessionConsumerAlarmsProps) {
    super(scope, id, props);
    validateSessionConsumerAlarmsProps(this, props, SESSION_ALARM_PERIODS);
    this.consumer = props.sessionConsumer;
    const c = props.sessionConsumer;
    const minute = { period: Duration.minutes(1) };

    const maxAge = props.iteratorAge?.maxAge
      ?? (c.maxRecordAge.isUnresolved() ? Duration.minutes(30) : Duration.seconds(c.maxRecordAge.toSeconds() / 2));
    this.thresholdAlarm('IteratorAge', {
      evaluation: props.iteratorAge,
      metric: c.metricIteratorAge(),
      threshold: maxAge.toMilliseconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      defaultPeriods: SESSION_ALARM_PERIODS.iteratorAge,
      description: `The session consumer reads records more than ${maxAge.toHumanString()} old; past maxRecordAge `
        + `(${c.maxRecordAge.toHumanString()}) they go to the failure bucket unprocessed`,
    });
    this.count('Errors', c.metricErrors(minute), props.errors, SESSION_ALARM_PERIODS.errors,
      'The session consumer failed whole invocations (every record of a batch, or the sweep): see its log group');
    this.count('Throttles', c.metricThrottles(minute), props.throttles, SESSION_ALARM_PERIODS.throttles,
      'Invocations of the session consumer are throttled: raise the account or function concurrency');
    this.count('DestinationDeliveryFailures', c.metricDestinationDeliveryFailures(), props.destinationDeliveryFailures,
      SESSION_ALARM_PERIODS.destinationDeliveryFailures,
      'Lambda could not put discarded batches in the failure bucket: those records are lost. Check the bucket and its key policy');
    this.count('FailedRecords', c.metricFailedRecords(), props.failedRecords, SESSION_ALARM_PERIODS.failedRecords,
      'Records keep failing in the session consumer: after their retries they go to the failure bucket unprocessed');
    this.count('MalformedRecords', c.metricMalformedRecords(), props.malformedRecords, SESSION_ALARM_PERIODS.malformedRecords,
      'Producers send records that are not valid click events; they are kept in the failure bucket under poison/');
    this.count('SummaryEmitFailures', c.metricSummaryEmitFailures(), props.summaryEmitFailures, SESSION_ALARM_PERIODS.summaryEmitFailures,
      'The summary stream refuses session summaries; they stay pending and the sweep retries them');
  }

  /** Records and events, sessions closed and summarised, and the consumer's health, per minute. */
  public widgets(): cloudwatch.IWidget[] {
    const c = this.consumer;
    const minute = { period: Duration.minutes(1) };
    return [
      new cloudwatch.GraphWidget({
        title: 'Sessions: records and events (per minute)',
        left: [c.metricRecords(), c.metricEventsApplied(), c.metricDuplicateEvents(), c.metricLateEvents()],
        right: [c.metricMalformedRecords(), c.metricFailedRecords()],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Sessions: closed and summarised (per minute)',
        left: [c.metricSessionsClosed(), c.metricSummariesEmitted()],
        right: [c.metricSummaryEmitFailures()],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Sessions: consumer health',
        left: [c.metricIteratorAge()],
        right: [c.metricErrors(minute), c.metricThrottles(minute), c.metricDestinationDeliveryFailures()],
        width: 12,
      }),
    ];
  }

  /** A count above `maxCount` (0 by default) in `datapointsToAlarm` of `evaluationPeriods` minutes. */
  private count(id: string, metric: cloudwatch.IMetric, threshold: CountThreshold | undefined, defaultPeriods: number, description: string): void {
    this.thresholdAlarm(id, {
      evaluation: threshold,
      metric,
      threshold: threshold?.maxCount ?? 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      defaultPeriods,
      description,
    });
  }
}
