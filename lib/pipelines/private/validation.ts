/**
 * Checks of the pipeline constructs' props. Small, pure and token-safe (a token skips the check), built on the shared checks.
 */
import { Annotations, Duration, Stack, Token, aws_lambda as lambda } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { SessionLimits } from './session-contract';
import { sessionTiming } from './session-settings';
import { checkEvaluations } from '../../monitoring/private/thresholds';
import { comboError, propError } from '../../private/errors';
import { checkIntRange, checkPositive, checkRange } from '../../private/validation';
import { CapacityMode } from '../../streams/pipeline-stream';
import type { ClickstreamPipelineProps } from '../clickstream-pipeline';
import type { IotSensorPipelineProps } from '../iot-sensor-pipeline';
import type { SessionConsumerProps } from '../session-consumer';
import type { CountThreshold, SessionConsumerAlarmsOptions } from '../session-consumer-alarms';

/** A duration of whole seconds within [min, max] seconds. */
export function checkDurationSeconds(scope: IConstruct, prop: string, value: Duration | undefined, min: number, max: number, allowed: string): void {
  if (value === undefined || value.isUnresolved()) return;
  const ms = value.toMilliseconds();
  if (ms % 1000 !== 0 || ms < min * 1000 || ms > max * 1000) throw propError(scope, prop, humanDuration(value), allowed);
}

/** `toHumanString()` for whole seconds; seconds with their fraction otherwise (toHumanString rounds them away). */
export function humanDuration(value: Duration): string {
  const ms = value.toMilliseconds();
  return ms % 1000 === 0 ? value.toHumanString() : `${ms / 1000} seconds`;
}

/** A duration of whole minutes within [min, max] minutes (EventBridge rates have minute granularity). */
export function checkDurationMinutes(scope: IConstruct, prop: string, value: Duration | undefined, min: number, max: number): void {
  if (value === undefined || value.isUnresolved()) return;
  const ms = value.toMilliseconds();
  if (ms % 60_000 !== 0 || ms < min * 60_000 || ms > max * 60_000) {
    throw propError(scope, prop, humanDuration(value), `must be whole minutes from ${min} to ${max}`);
  }
}

/** Event type names: 1 to 64 characters of letters, digits and `_ . : -` (they travel comma-separated), at least one. */
export function checkEventTypes(scope: IConstruct, prop: string, values: string[] | undefined): void {
  if (values === undefined) return;
  if (values.length === 0) throw propError(scope, prop, values, 'must name at least one event type');
  for (const v of values) {
    if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(v)) throw propError(scope, prop, v, 'must be 1 to 64 characters of letters, digits, _ . : -');
  }
}

/** Every check of `SessionConsumerAlarms`: the evaluation of each threshold (1-minute periods) and its limit. */
export function validateSessionConsumerAlarmsProps(
  scope: IConstruct, p: SessionConsumerAlarmsOptions, defaultPeriods: Record<string, number>,
): void {
  const counts: Record<string, CountThreshold | undefined> = {
    errors: p.errors,
    throttles: p.throttles,
    destinationDeliveryFailures: p.destinationDeliveryFailures,
    failedRecords: p.failedRecords,
    malformedRecords: p.malformedRecords,
    summaryEmitFailures: p.summaryEmitFailures,
  };
  checkEvaluations(scope, Duration.minutes(1), { ...counts, iteratorAge: p.iteratorAge }, defaultPeriods);
  for (const [name, t] of Object.entries(counts)) checkRange(scope, `${name}.maxCount`, t?.maxCount, 0, Number.MAX_SAFE_INTEGER);
  checkDurationSeconds(scope, 'iteratorAge.maxAge', p.iteratorAge?.maxAge, 1, 7 * 24 * 3600, 'must be whole seconds from 1 second to 7 days');
}

/**
 * Every check of the SessionConsumer props (the defaults of `maxRecordAge` and `retention` stand in for the props not
 * given), and the warning on a record age beyond a stream's default retention.
 */
export function validateSessionConsumerProps(scope: IConstruct, p: SessionConsumerProps): void {
  checkDurationSeconds(scope, 'inactivityGap', p.inactivityGap, SessionLimits.MIN_GAP_SECONDS, SessionLimits.MAX_GAP_SECONDS,
    'must be whole seconds from 1 minute to 24 hours');
  checkDurationSeconds(scope, 'closeDelay', p.closeDelay, 0, SessionLimits.MAX_CLOSE_DELAY_SECONDS, 'must be whole seconds from 0 to 24 hours');
  checkDurationMinutes(scope, 'sweepInterval', p.sweepInterval, 1, 60);
  checkDurationSeconds(scope, 'retention', p.retention, SessionLimits.MIN_RETENTION_SECONDS, SessionLimits.MAX_RETENTION_SECONDS,
    'must be whole seconds from 1 to 365 days');
  checkEventTypes(scope, 'conversionEventTypes', p.conversionEventTypes);
  checkIntRange(scope, 'batchSize', p.batchSize, 1, 10_000);
  checkDurationSeconds(scope, 'maxBatchingWindow', p.maxBatchingWindow, 0, 300, 'must be whole seconds from 0 to 300');
  checkDurationSeconds(scope, 'maxRecordAge', p.maxRecordAge, 60, 7 * 24 * 3600, 'must be whole seconds from 60 seconds to 7 days');
  checkIntRange(scope, 'retryAttempts', p.retryAttempts, 0, 10_000);
  checkIntRange(scope, 'parallelizationFactor', p.parallelizationFactor, 1, 10);
  if (p.startingPosition === lambda.StartingPosition.AT_TIMESTAMP) {
    throw propError(scope, 'startingPosition', p.startingPosition, 'must be TRIM_HORIZON or LATEST');
  }
  if (p.consumer && p.consumer.stream !== p.stream) {
    // Two ARNs that are both literal, or both tokens, can be compared; a literal against a token cannot.
    const consumerArn = p.consumer.stream.streamArn;
    const streamArn = p.stream.streamArn;
    if (Token.isUnresolved(consumerArn) === Token.isUnresolved(streamArn)) {
      const stack = Stack.of(scope);
      const a = JSON.stringify(stack.resolve(consumerArn));
      const b = JSON.stringify(stack.resolve(streamArn));
      if (a !== b) throw comboError(scope, `consumer reads ${a}, not stream ${b}: give a consumer of the stream`);
    }
  }
  const { maxRecordAge, retention } = sessionTiming(p);
  if (!retention.isUnresolved() && !maxRecordAge.isUnresolved() && retention.toSeconds() <= maxRecordAge.toSeconds()) {
    throw comboError(scope, `retention ${retention.toHumanString()} must be longer than maxRecordAge ${maxRecordAge.toHumanString()}: `
      + 'a record redelivered after its markers expired would be applied twice');
  }
  if (!maxRecordAge.isUnresolved() && maxRecordAge.toSeconds() > 24 * 3600) {
    Annotations.of(scope).addWarningV2('kinesis-streaming-pipelines:maxRecordAgeAboveRetention',
      `maxRecordAge is ${maxRecordAge.toHumanString()}, above the 24-hour default retention of a stream: make sure the stream `
      + 'retains records longer, or failing records expire before they reach the on-failure destination');
  }
}

/** Every check of the ClickstreamPipeline props. */
export function validateClickstreamPipelineProps(scope: IConstruct, p: ClickstreamPipelineProps): void {
  checkIntRange(scope, 'topProducts', p.topProducts, 1, 100);
  if (!p.profile && p.capacityMode !== undefined && p.capacityMode !== CapacityMode.ON_DEMAND) {
    throw propError(scope, 'capacityMode', p.capacityMode, 'needs a profile to size the clicks stream from: give profile, or use ON_DEMAND');
  }
  if (p.redshiftEnabled && !p.redshiftTarget) {
    throw comboError(scope, 'redshiftEnabled is true but no redshiftTarget was given: pass RedshiftTarget.fromCluster, fromWorkgroup or fromEndpoint');
  }
  if (p.redshiftEnabled === false && p.redshiftTarget) {
    throw comboError(scope, 'redshiftTarget contradicts redshiftEnabled false: give one');
  }
  if (p.redshiftTarget && !p.redshiftCredentials) {
    throw comboError(scope, 'redshiftTarget needs redshiftCredentials (a secret with username and password), got none');
  }
  if (!p.ingestionApiEnabled && p.ingestionApi) {
    throw comboError(scope, 'ingestionApi options are given but ingestionApiEnabled is not true');
  }
  if (p.autoscalingEnabled === false && p.autoscaling) {
    throw comboError(scope, 'autoscaling options contradict autoscalingEnabled false: give one');
  }
}

/** Every check of the IotSensorPipeline props. */
export function validateIotSensorPipelineProps(scope: IConstruct, p: IotSensorPipelineProps): void {
  if (p.fleet) {
    checkPositive(scope, 'fleet.devices', p.fleet.devices);
    checkPositive(scope, 'fleet.messagesPerDevicePerSecond', p.fleet.messagesPerDevicePerSecond);
  }
  checkRange(scope, 'anomalySigma', p.anomalySigma, 1, 10);
  if (p.statsWindow && !p.statsWindow.isUnresolved()) {
    checkIntRange(scope, 'statsWindow (minutes)', p.statsWindow.toMinutes({ integral: false }), 1, 1440);
  }
  if (p.openSearchEnabled && !p.openSearchTarget) {
    throw comboError(scope, 'openSearchEnabled is true but no openSearchTarget was given: pass a domain (OpenSearchTarget.fromDomain) or a collection (OpenSearchTarget.newCollection)');
  }
  if (p.openSearchEnabled === false && p.openSearchTarget) {
    throw comboError(scope, 'openSearchTarget contradicts openSearchEnabled false: give one');
  }
  if ((p.openSearchVpc || p.openSearchVpcSubnets) && !(p.openSearchEnabled ?? p.openSearchTarget !== undefined)) {
    throw comboError(scope, 'openSearchVpc and openSearchVpcSubnets apply to the OpenSearch delivery, which is off: give an openSearchTarget');
  }
  if (p.openSearchVpcSubnets && !p.openSearchVpc) {
    throw comboError(scope, 'openSearchVpcSubnets needs openSearchVpc');
  }
  if (p.autoscalingEnabled === false && p.autoscaling) {
    throw comboError(scope, 'autoscaling options contradict autoscalingEnabled false: give one');
  }
}

/** What to do instead, by the stream a pipeline makes: the props that make it provisioned. */
const PROVISIONED_HINT: Record<'clicks' | 'readings', string> = {
  clicks: 'use capacityMode PROVISIONED',
  readings: 'give a fleet with capacityMode PROVISIONED or AUTO',
};

/** Autoscaling options need the pipeline's stream to be provisioned (checked once the stream is made from the props). */
export function validatePipelineAutoscaling(
  scope: IConstruct, stream: 'clicks' | 'readings', autoscaling: unknown, made: { readonly shardCount?: number },
): void {
  if (autoscaling && made.shardCount === undefined) {
    throw comboError(scope, `autoscaling applies to a provisioned ${stream} stream, got an on-demand one: ${PROVISIONED_HINT[stream]}`);
  }
}
