import { Duration, aws_cloudwatch as cloudwatch, aws_lambda as lambda } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { ShardAutoscaler } from './shard-autoscaler';
import { AlarmEvaluation, AlarmSet, AlarmSetOptions } from '../monitoring/alarm-set';
import { checkEvaluations } from '../monitoring/private/thresholds';

const FIVE_MINUTES = Duration.minutes(5);

/** The autoscaler's own alarms and their evaluation; all count events per 5 minutes, the period of the autoscaler's metrics. */
export interface ShardAutoscalerAlarmsOptions extends AlarmSetOptions {
  /**
   * The handler failed (an unexpected error: expected refusals are handled and counted as scaling failures).
   * @default - any error, 1 of 1 period
   */
  readonly handlerErrors?: AlarmEvaluation;
  /**
   * Decisions that could not be applied, each kept for the next re-check.
   * @default - any, 3 of 3 periods (15 minutes)
   */
  readonly scalingFailures?: AlarmEvaluation;
  /**
   * Throttling at low utilisation: a hot partition key, which more shards would not relieve.
   * @default - any, 3 of 3 periods (15 minutes)
   */
  readonly hotKey?: AlarmEvaluation;
}

export interface ShardAutoscalerAlarmsProps extends ShardAutoscalerAlarmsOptions {
  /** The autoscaler watched. */
  readonly autoscaler: ShardAutoscaler;
  /** Its handler function. */
  readonly handler: lambda.IFunction;
}

/** 5-minute periods each alarm evaluates unless its threshold says otherwise. */
const AUTOSCALER_ALARM_PERIODS = { handlerErrors: 1, scalingFailures: 3, hotKey: 3 } as const;

/**
 * The alarms that tell people the autoscaler itself is in trouble (its scaling alarms only wake the handler):
 *
 * - `HandlerErrors`: the handler failed (an unexpected error; expected refusals such as LimitExceededException are handled
 *   and reported as failing decisions instead). Any error in 5 minutes.
 * - `ScalingFailures`: decisions that could not be applied, kept for the next re-check, in 3 consecutive 5-minute periods
 *   (each one is also reported to the topic when it first happens).
 * - `HotKey`: the stream throttled at low utilisation in 3 consecutive 5-minute periods: a hot partition key fills its
 *   shard while the others have room. More shards would not relieve it (a key always maps to one shard), so the
 *   autoscaler does not scale out on it and this alarm tells people instead.
 */
export class ShardAutoscalerAlarms extends AlarmSet {
  public readonly handlerErrors?: cloudwatch.Alarm;
  public readonly scalingFailures?: cloudwatch.Alarm;
  public readonly hotKey?: cloudwatch.Alarm;
  private readonly autoscaler: ShardAutoscaler;
  private readonly handler: lambda.IFunction;

  constructor(scope: Construct, id: string, props: ShardAutoscalerAlarmsProps) {
    super(scope, id, props);
    checkEvaluations(this, FIVE_MINUTES, { handlerErrors: props.handlerErrors, scalingFailures: props.scalingFailures, hotKey: props.hotKey },
      AUTOSCALER_ALARM_PERIODS);
    this.autoscaler = props.autoscaler;
    this.handler = props.handler;
    const atLeastOne = { threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD };
    this.handlerErrors = this.thresholdAlarm('HandlerErrors', {
      evaluation: props.handlerErrors,
      ...atLeastOne,
      description: 'The shard autoscaler failed: the stream is not being scaled until it succeeds again. See its log group',
      metric: this.handler.metricErrors({ statistic: 'Sum', period: FIVE_MINUTES }),
      defaultPeriods: AUTOSCALER_ALARM_PERIODS.handlerErrors,
    });
    this.scalingFailures = this.thresholdAlarm('ScalingFailures', {
      evaluation: props.scalingFailures,
      ...atLeastOne,
      description: 'The shard autoscaler has been unable to apply its decisions for 15 minutes '
        + '(LimitExceededException, ResourceInUseException, ValidationException or no UpdateShardCount calls left): see its log',
      metric: this.autoscaler.metricScalingFailures({ period: FIVE_MINUTES }),
      defaultPeriods: AUTOSCALER_ALARM_PERIODS.scalingFailures,
    });
    this.hotKey = this.thresholdAlarm('HotKey', {
      evaluation: props.hotKey,
      ...atLeastOne,
      description: 'The stream has throttled writes for 15 minutes while its utilisation was low: a hot partition key '
        + 'fills one shard. The autoscaler does not add shards for it (they would not relieve it): spread the producer\'s '
        + 'partition keys, or find the key with shard-level metrics (IncomingBytes per shard)',
      metric: this.autoscaler.metricHotKeyThrottling({ period: FIVE_MINUTES }),
      defaultPeriods: AUTOSCALER_ALARM_PERIODS.hotKey,
    });
  }

  public widgets(): cloudwatch.IWidget[] {
    return [
      new cloudwatch.GraphWidget({
        title: 'Shard autoscaler: shards',
        left: [
          this.autoscaler.metricOpenShards({ period: Duration.minutes(1) }),
          this.autoscaler.metricTargetShards({ period: Duration.minutes(1) }),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Shard autoscaler: calls and failures',
        left: [this.autoscaler.metricScalingCalls(), this.autoscaler.metricScalingFailures(), this.autoscaler.metricHotKeyThrottling()],
        right: [this.handler.metricErrors({ statistic: 'Sum', period: FIVE_MINUTES })],
        width: 12,
      }),
    ];
  }
}
