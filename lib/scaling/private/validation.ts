/**
 * Checks of the ShardAutoscaler props. Small, pure and token-safe (a token skips the check), built on the shared checks.
 */
import { Annotations, Duration, Token, aws_kinesis as kinesis } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { comboError, propError } from '../../private/errors';
import { KinesisLimits } from '../../private/kinesis-limits';
import { checkIntRange, checkRange, isToken } from '../../private/validation';
import type { ShardAutoscalerProps } from '../shard-autoscaler';

const MAX_SHARDS = KinesisLimits.MAX_SHARDS_PER_STREAM;

/** Every check of the ShardAutoscaler props, and the warning on a shard count outside the bounds. */
export function validateShardAutoscalerProps(scope: IConstruct, props: ShardAutoscalerProps): void {
  checkStreamMode(scope, props.streamMode);
  checkShardBounds(scope, props.minShards, props.maxShards);
  checkInitialShardCount(scope, props.initialShardCount);
  checkTargetUtilization(scope, props.targetUtilization);
  checkReserveCalls(scope, props.reserveCallsForScaleOut);
  checkRecheckInterval(scope, props.recheckInterval);
  checkLagGuard(scope, props.lagGuard, props.lagGuardConsumers, props.lagGuardIteratorAge);
  if (props.initialShardCount < props.minShards || props.initialShardCount > props.maxShards) {
    Annotations.of(scope).addWarningV2('kinesis-streaming-pipelines:autoscalerInitialOutOfBounds',
      `initialShardCount ${props.initialShardCount} is outside [minShards ${props.minShards}, maxShards ${props.maxShards}]: `
      + 'the first re-check moves the stream inside, using one of its 10 UpdateShardCount calls of the day');
  }
}

/** Provisioned only: an on-demand stream rejects UpdateShardCount. */
function checkStreamMode(scope: IConstruct, mode: kinesis.StreamMode | undefined): void {
  if ((mode ?? kinesis.StreamMode.PROVISIONED) !== kinesis.StreamMode.ON_DEMAND) return;
  throw comboError(scope, 'streamMode must be PROVISIONED, got "ON_DEMAND": an on-demand '
    + 'stream scales itself (up to 2x its peak of the last 30 days) and rejects UpdateShardCount; '
    + 'see https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html', { prop: 'streamMode', value: mode });
}

/** minShards and maxShards within [1, 10,000], and min ≤ max. */
function checkShardBounds(scope: IConstruct, minShards: number, maxShards: number): void {
  checkIntRange(scope, 'minShards', minShards, 1, MAX_SHARDS);
  checkIntRange(scope, 'maxShards', maxShards, 1, MAX_SHARDS);
  if (!isToken(minShards) && !isToken(maxShards) && minShards > maxShards) {
    throw propError(scope, 'minShards', minShards, `must be <= maxShards (${maxShards})`);
  }
}

/**
 * The count the alarms are written for at deploy: it is embedded in their metric math, so it must be a number known at
 * synth time.
 */
function checkInitialShardCount(scope: IConstruct, initialShardCount: number): void {
  if (Token.isUnresolved(initialShardCount)) {
    throw propError(scope, 'initialShardCount', initialShardCount,
      'must be a number known at synth time (the alarms embed it in their metric math)');
  }
  checkIntRange(scope, 'initialShardCount', initialShardCount, 1, MAX_SHARDS);
}

/** Target utilisation in (0, 1]. */
function checkTargetUtilization(scope: IConstruct, targetUtilization: number | undefined): void {
  checkRange(scope, 'targetUtilization', targetUtilization, 0, 1, true);
}

/** Calls kept for scale-out: 0 to 9 of the 10 per rolling 24 h. */
function checkReserveCalls(scope: IConstruct, reserve: number | undefined): void {
  checkIntRange(scope, 'reserveCallsForScaleOut', reserve, 0, KinesisLimits.MAX_SCALING_CALLS_PER_24H - 1);
}

/** Whole minutes from 1 to 60 (EventBridge schedules have minute granularity). */
function checkRecheckInterval(scope: IConstruct, interval: Duration | undefined): void {
  if (interval === undefined || interval.isUnresolved()) return;
  const seconds = interval.toSeconds();
  if (seconds % 60 !== 0 || seconds < 60 || seconds > 3600) {
    throw propError(scope, 'recheckInterval', interval.toHumanString(), 'must be whole minutes from 1 to 60');
  }
}

/** The lag guard: a positive bound, and something to watch; consumer names as Kinesis allows them. */
function checkLagGuard(
  scope: IConstruct, lagGuard: Duration | undefined, consumers: string[] | undefined, iteratorAge: boolean | undefined,
): void {
  const names = consumers ?? [];
  if (lagGuard === undefined) {
    if (names.length > 0) throw comboError(scope, 'lagGuardConsumers needs lagGuard, the lag above which scale-in waits');
    if (iteratorAge !== undefined) throw comboError(scope, 'lagGuardIteratorAge needs lagGuard, the lag above which scale-in waits');
    return;
  }
  if (!lagGuard.isUnresolved() && lagGuard.toMilliseconds() <= 0) {
    throw propError(scope, 'lagGuard', lagGuard.toHumanString(), 'must be longer than zero');
  }
  if (iteratorAge === false && names.length === 0) {
    throw comboError(scope, 'lagGuard watches nothing: lagGuardIteratorAge is false and lagGuardConsumers is empty');
  }
  if (names.length > KinesisLimits.MAX_EFO_CONSUMERS_ON_DEMAND_ADVANTAGE) {
    throw propError(scope, 'lagGuardConsumers', names.length, `must name at most ${KinesisLimits.MAX_EFO_CONSUMERS_ON_DEMAND_ADVANTAGE} consumers`);
  }
  for (const name of names) {
    if (Token.isUnresolved(name)) continue;
    if (!/^[a-zA-Z0-9_.-]{1,128}$/.test(name)) {
      throw propError(scope, 'lagGuardConsumers', name, 'must hold consumer names of 1-128 characters [a-zA-Z0-9_.-]');
    }
  }
  if (new Set(names).size !== names.length) throw propError(scope, 'lagGuardConsumers', names, 'must not repeat a name');
}
