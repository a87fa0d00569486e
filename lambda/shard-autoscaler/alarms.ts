/**
 * Rewriting the scaling alarms for a new shard count. Pure: DescribeAlarms output in, PutMetricAlarm input out.
 *
 * PutMetricAlarm replaces an alarm's whole configuration, so the rewrite starts from the full existing definition (as
 * DescribeAlarms returns it: actions, description, evaluation, missing-data treatment, every query) and changes only the
 * shard count embedded in the expression and its label. Updating an alarm leaves its state unchanged until its next
 * evaluation.
 */
import type { MetricAlarm, MetricDataQuery, PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { labelWithShards, shardsOfExpression, withShards } from '../../lib/scaling/private/alarm-math';

/** Fields of DescribeAlarms' MetricAlarm that describe state, not configuration: never sent back. */
const READ_ONLY = new Set<string>([
  'AlarmArn', 'AlarmConfigurationUpdatedTimestamp', 'StateValue', 'StateReason', 'StateReasonData', 'StateUpdatedTimestamp',
  'StateTransitionedTimestamp', 'EvaluationState',
]);

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
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(alarm)) {
    if (!READ_ONLY.has(key) && value !== undefined) config[key] = value;
  }
  const input = config as unknown as PutMetricAlarmCommandInput;
  return {
    ...input,
    AlarmName: alarm.AlarmName,
    Metrics: (alarm.Metrics ?? []).map((query) => query === target
      ? { ...query, Expression: withShards(query.Expression!, shards), Label: query.Label && labelWithShards(query.Label, shards) }
      : query),
  };
}
