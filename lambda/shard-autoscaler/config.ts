/**
 * Reads and checks the configuration the construct wrote into the function's environment. Pure.
 */
import type { PolicyConfig } from './policy';
import { KinesisLimits } from '../../lib/private/kinesis-limits';
import { CONFIG_ENV, type AutoscalerHandlerConfig } from '../../lib/scaling/private/handler-config';

const SENSITIVITIES = ['high', 'medium', 'low'];

export function loadConfig(env: Record<string, string | undefined>): AutoscalerHandlerConfig {
  const raw = env[CONFIG_ENV];
  if (!raw) throw new Error(`${CONFIG_ENV} is not set`);
  let c: AutoscalerHandlerConfig;
  try {
    c = JSON.parse(raw) as AutoscalerHandlerConfig;
  } catch (e) {
    throw new Error(`${CONFIG_ENV} is not JSON: ${(e as Error).message}`);
  }
  const problems: string[] = [];
  const str = (name: string, v: unknown) => { if (typeof v !== 'string' || v.length === 0) problems.push(`${name} must be a non-empty string`); };
  const int = (name: string, v: unknown, min: number, max: number) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) problems.push(`${name} must be a whole number from ${min} to ${max}`);
  };
  str('streamName', c.streamName);
  str('streamArn', c.streamArn);
  str('tableName', c.tableName);
  str('alarmNames.scaleOutThrottling', c.alarmNames?.scaleOutThrottling);
  str('alarmNames.scaleOutUtilization', c.alarmNames?.scaleOutUtilization);
  str('alarmNames.scaleInUtilization', c.alarmNames?.scaleInUtilization);
  int('minShards', c.minShards, 1, KinesisLimits.MAX_SHARDS_PER_STREAM);
  int('maxShards', c.maxShards, 1, KinesisLimits.MAX_SHARDS_PER_STREAM);
  if (c.minShards > c.maxShards) problems.push('minShards must be <= maxShards');
  if (typeof c.targetUtilization !== 'number' || !(c.targetUtilization > 0 && c.targetUtilization <= 1)) problems.push('targetUtilization must be in (0, 1]');
  if (!SENSITIVITIES.includes(c.scaleOutSensitivity)) problems.push('scaleOutSensitivity must be high, medium or low');
  if (!SENSITIVITIES.includes(c.scaleInSensitivity)) problems.push('scaleInSensitivity must be high, medium or low');
  if (c.reserveCallsForScaleOut !== undefined) int('reserveCallsForScaleOut', c.reserveCallsForScaleOut, 0, 9);
  if (c.lagGuardMillis !== undefined && !(typeof c.lagGuardMillis === 'number' && c.lagGuardMillis > 0)) problems.push('lagGuardMillis must be > 0');
  if (!Array.isArray(c.lagGuardConsumers)) problems.push('lagGuardConsumers must be a list');
  if (typeof c.lagGuardIteratorAge !== 'boolean') problems.push('lagGuardIteratorAge must be a boolean');
  if (typeof c.dryRun !== 'boolean') problems.push('dryRun must be a boolean');
  if (problems.length > 0) throw new Error(`${CONFIG_ENV} is invalid: ${problems.join('; ')}`);
  return c;
}

/** The policy's view of the configuration. */
export function policyConfig(c: AutoscalerHandlerConfig): PolicyConfig {
  return {
    minShards: c.minShards,
    maxShards: c.maxShards,
    targetUtilization: c.targetUtilization,
    scaleOutSensitivity: c.scaleOutSensitivity,
    scaleInSensitivity: c.scaleInSensitivity,
    lagGuardMillis: c.lagGuardMillis,
    reserveCallsForScaleOut: c.reserveCallsForScaleOut,
  };
}

/** The alarm names as a list. */
export function alarmNameList(c: AutoscalerHandlerConfig): string[] {
  return [c.alarmNames.scaleOutThrottling, c.alarmNames.scaleOutUtilization, c.alarmNames.scaleInUtilization];
}
