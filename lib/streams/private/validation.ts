import { Duration, Size, SizeRoundingBehavior, Token, aws_kinesis as kinesis } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { checkEvaluations } from '../../monitoring/private/thresholds';
import { comboError, propError } from '../../private/errors';
import { KinesisLimits as L } from '../../private/kinesis-limits';
import { checkIntRange, checkRange } from '../../private/validation';
import { CapacityMode, type PipelineStreamProps } from '../pipeline-stream';
import type { ConsumerLagThreshold, StreamAlarmsProps } from '../stream-alarms';

/** Retention within 24–8,760 hours, in whole hours. Tokens are not checked. */
export function checkRetention(scope: IConstruct | string, prop: string, retention: Duration | undefined): void {
  if (retention === undefined || retention.isUnresolved()) return;
  const hours = retention.toHours({ integral: false });
  if (!Number.isInteger(hours) || hours < L.MIN_RETENTION_HOURS || hours > L.MAX_RETENTION_HOURS) {
    throw propError(scope, prop, retention.toHumanString(),
      `must be whole hours from ${L.MIN_RETENTION_HOURS} to ${L.MAX_RETENTION_HOURS} (1 to 365 days)`);
  }
}

/** Maximum record size within 1–10 MiB, in whole KiB. */
export function checkMaxRecordSize(scope: IConstruct | string, prop: string, size: Size | undefined): void {
  if (size === undefined || size.isUnresolved()) return;
  const kib = size.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
  if (!Number.isInteger(kib) || kib < L.DEFAULT_MAX_RECORD_SIZE_KIB || kib > L.MAX_RECORD_SIZE_KIB) {
    throw propError(scope, prop, `${size.toBytes()} bytes`, `must be whole KiB from ${L.DEFAULT_MAX_RECORD_SIZE_KIB} KiB (1 MiB) to ${L.MAX_RECORD_SIZE_KIB} KiB (10 MiB)`);
  }
}

/** A Kinesis stream name: 1–128 characters of [a-zA-Z0-9_.-]. Tokens are not checked. */
export function checkStreamName(scope: IConstruct | string, prop: string, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name)) return;
  if (!/^[a-zA-Z0-9_.-]{1,128}$/.test(name)) {
    throw propError(scope, prop, name, 'must be 1 to 128 characters of a-z, A-Z, 0-9, "_", "." and "-"');
  }
}

/** Every check of `StreamAlarms`: the evaluation of each threshold (1-minute periods) and its limit. */
export function validateStreamAlarmsProps(scope: IConstruct, p: StreamAlarmsProps, defaultPeriods: Record<string, number>): void {
  checkEvaluations(scope, Duration.minutes(1), {
    writeThroughputExceeded: p.writeThroughputExceeded,
    readThroughputExceeded: p.readThroughputExceeded,
    putRecordsThrottled: p.putRecordsThrottled,
    putRecordsFailed: p.putRecordsFailed,
    iteratorAge: p.iteratorAge,
    consumerLag: p.consumerLag,
    writeUtilization: p.writeUtilization,
  }, defaultPeriods);
  checkRange(scope, 'writeThroughputExceeded.maxAverage', p.writeThroughputExceeded?.maxAverage, 0, 1, true);
  checkRange(scope, 'readThroughputExceeded.maxAverage', p.readThroughputExceeded?.maxAverage, 0, 1, true);
  checkRange(scope, 'putRecordsThrottled.maxPercent', p.putRecordsThrottled?.maxPercent, 0, 100, true);
  checkRange(scope, 'putRecordsFailed.maxPercent', p.putRecordsFailed?.maxPercent, 0, 100, true);
  checkRange(scope, 'iteratorAge.retentionShare', p.iteratorAge?.retentionShare, 0, 0.99, true);
  checkRange(scope, 'writeUtilization.maxUtilization', p.writeUtilization?.maxUtilization, 0, 1, true);
  checkLag(scope, 'consumerLag.maxLag', p.consumerLag);
}

/** A lag threshold above zero (a zero lag would alarm on every datapoint). */
export function checkLag(scope: IConstruct, prop: string, threshold: ConsumerLagThreshold | undefined): void {
  const lag = threshold?.maxLag;
  if (lag && !lag.isUnresolved()) checkRange(scope, `${prop} (ms)`, lag.toMilliseconds(), 0, Number.MAX_SAFE_INTEGER, true);
}

/** Every check the PipelineStream props decide alone, called first in the constructor. */
export function validatePipelineStreamProps(scope: IConstruct, p: PipelineStreamProps): void {
  if (p.profile && p.shardCount !== undefined) {
    throw comboError(scope, `give either profile or shardCount, not both (got shardCount ${p.shardCount} and a profile)`);
  }
  checkIntRange(scope, 'shardCount', p.shardCount, 1, L.MAX_SHARDS_PER_STREAM);
  checkStreamName(scope, 'streamName', p.streamName);
  if (p.capacityMode === CapacityMode.ON_DEMAND && p.shardCount !== undefined) {
    throw comboError(scope, `shardCount applies to provisioned streams, got ${p.shardCount} with capacityMode ON_DEMAND`);
  }
  if (p.capacityMode === CapacityMode.AUTO && !p.profile) {
    throw propError(scope, 'capacityMode', 'AUTO', 'needs a profile to choose from');
  }
  checkRetention(scope, 'retention', p.retention);
  if (p.retention && p.profile?.retention && !p.retention.isUnresolved() && !p.profile.retention.isUnresolved()
    && p.retention.toHours() !== p.profile.retention.toHours()) {
    throw comboError(scope, `retention ${p.retention.toHumanString()} contradicts profile.retention ${p.profile.retention.toHumanString()}: give one`);
  }
  checkMaxRecordSize(scope, 'maxRecordSize', p.maxRecordSize);
  checkIntRange(scope, 'warmThroughputMiBps', p.warmThroughputMiBps, 1, 10_240);
}

/** The capacity the props resolve to (the mode and shard count chosen, from the plan when there is a profile). */
export interface PipelineStreamCapacity {
  readonly streamMode: kinesis.StreamMode;
  readonly shardCount?: number;
  /** The enhanced fan-out consumers the stream allows. */
  readonly maxConsumers: number;
}

/**
 * The checks of the capacity the props resolve to: a provisioned stream within the shard limit and without the
 * on-demand options, and the planned consumers within the stream's quota.
 */
export function validatePipelineStreamCapacity(scope: IConstruct, p: PipelineStreamProps, capacity: PipelineStreamCapacity): void {
  const { shardCount, maxConsumers } = capacity;
  if (capacity.streamMode === kinesis.StreamMode.PROVISIONED) {
    if (shardCount !== undefined && shardCount > L.MAX_SHARDS_PER_STREAM) {
      throw propError(scope, 'profile', `${shardCount} shards`, `must fit one provisioned stream (at most ${L.MAX_SHARDS_PER_STREAM} shards): use capacityMode ON_DEMAND or split the traffic`);
    }
    if (p.warmThroughputMiBps !== undefined) {
      throw comboError(scope, `warmThroughputMiBps applies to on-demand streams only, got ${p.warmThroughputMiBps} on a provisioned stream`);
    }
    if (p.onDemandAdvantage) {
      throw comboError(scope, 'onDemandAdvantage applies to on-demand streams only, got true on a provisioned stream');
    }
  }
  const plannedEfo = p.profile?.efoConsumers;
  if (plannedEfo !== undefined && plannedEfo > maxConsumers) {
    throw propError(scope, 'profile.efoConsumers', plannedEfo, `must be at most ${maxConsumers}, the enhanced fan-out quota of this stream`
      + (maxConsumers === L.MAX_EFO_CONSUMERS ? ' (50 with On-demand Advantage on an on-demand stream)' : ''));
  }
}
