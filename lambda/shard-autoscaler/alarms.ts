/**
 * Rewriting the scaling alarms for a new shard count. Pure: DescribeAlarms output in, PutMetricAlarm input out.
 *
 * PutMetricAlarm replaces an alarm's whole configuration, so the rewrite starts from the full existing definition (as
 * DescribeAlarms returns it: actions, description, evaluation, missing-data treatment, every query) and changes only the
 * shard count embedded in the expression and its label. Updating an alarm leaves its state unchanged until its next
 * evaluation.
 *
 * It sends exactly the fields PutMetricAlarm accepts for a metric-math alarm, never a copy of DescribeAlarms' output: that
 * output also carries fields of single-metric alarms (an empty `Dimensions`, say) that the API refuses beside `Metrics`
 * ("If you use the Metrics parameter, you cannot include the Namespace, MetricName, Dimensions, Period, Unit, Statistic,
 * or ExtendedStatistic parameters"), and state fields it has no member for.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
 */
import type { MetricAlarm, MetricDataQuery, PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { labelWithShards, shardsOfExpression, withShards } from '../../lib/scaling/private/alarm-math';

/** The shard count an alarm's expression embeds; undefined when the alarm carries no expression this library wrote. */
export function embeddedShards(alarm: MetricAlarm): number | undefined {
  const query = shardQuery(alarm);
  return query ? shardsOfExpression(query.Expression!) : undefined;
}

/** The query whose expression embeds the shard count. */
function shardQuery(alarm: MetricAlarm): MetricDataQuery | undefined {
  return alarm.Metrics?.find((m) => m.Expression !== undefined && shardsOfExpression(m.Expression) !== undefined);
}

/**
 * The PutMetricAlarm input that rewrites `alarm` for `shards` shards. Throws when the alarm carries no expression with an
 * embedded shard count (it was changed by hand: the handler reports it rather than overwrite it).
 */
export function rewriteForShards(alarm: MetricAlarm, shards: number): PutMetricAlarmCommandInput {
  if (!alarm.AlarmName) throw new Error('alarm without a name');
  const target = shardQuery(alarm);
  if (target === undefined) {
    throw new Error(`alarm ${alarm.AlarmName} has no expression with an embedded shard count; it was changed outside the autoscaler`);
  }
  const list = (v: string[] | undefined) => (v !== undefined && v.length > 0 ? v : undefined);
  // Every field a metric-math alarm may carry, copied when set; nothing else. Tags are not part of DescribeAlarms' output,
  // and PutMetricAlarm ignores them on an existing alarm anyway.
  const input: PutMetricAlarmCommandInput = {
    AlarmName: alarm.AlarmName,
    AlarmDescription: alarm.AlarmDescription,
    ActionsEnabled: alarm.ActionsEnabled,
    OKActions: list(alarm.OKActions),
    AlarmActions: list(alarm.AlarmActions),
    InsufficientDataActions: list(alarm.InsufficientDataActions),
    EvaluationPeriods: alarm.EvaluationPeriods,
    DatapointsToAlarm: alarm.DatapointsToAlarm,
    // An anomaly-detection alarm compares with a band, not a threshold: the two never go together.
    ...(alarm.ThresholdMetricId !== undefined ? { ThresholdMetricId: alarm.ThresholdMetricId } : { Threshold: alarm.Threshold }),
    ComparisonOperator: alarm.ComparisonOperator,
    TreatMissingData: alarm.TreatMissingData,
    EvaluationWindow: alarm.EvaluationWindow,
    WarmUpConfiguration: alarm.WarmUpConfiguration,
    ActionConfiguration: alarm.ActionConfiguration,
    Metrics: (alarm.Metrics ?? []).map((query) => query === target
      ? { ...query, Expression: withShards(query.Expression!, shards), Label: query.Label && labelWithShards(query.Label, shards) }
      : query),
  };
  // Unset fields are left out rather than sent as undefined.
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as PutMetricAlarmCommandInput;
}
