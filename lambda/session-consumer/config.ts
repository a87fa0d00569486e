/**
 * The handler's configuration, read from the environment the construct sets (lib/pipelines/private/session-contract.ts)
 * and checked. Pure.
 */
import { SessionDefaults as D, SessionEnv as E, SessionLimits as L } from '../../lib/pipelines/private/session-contract';

export interface SessionConsumerConfig {
  readonly tableName: string;
  readonly summaryStreamArn: string;
  readonly failureBucket: string;
  readonly poisonPrefix: string;
  readonly gapMs: number;
  readonly closeDelayMs: number;
  readonly retentionMs: number;
  readonly conversionEventTypes: ReadonlySet<string>;
}

export function loadConfig(env: Record<string, string | undefined>): SessionConsumerConfig {
  const problems: string[] = [];
  const str = (name: string): string => {
    const v = env[name];
    if (!v) problems.push(`${name} is not set`);
    return v ?? '';
  };
  const seconds = (name: string, dflt: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return dflt * 1000;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < min || v > max) problems.push(`${name} must be a whole number of seconds from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    return v * 1000;
  };
  const config: SessionConsumerConfig = {
    tableName: str(E.TABLE_NAME),
    summaryStreamArn: str(E.SUMMARY_STREAM_ARN),
    failureBucket: str(E.FAILURE_BUCKET),
    poisonPrefix: env[E.POISON_PREFIX] ?? D.POISON_PREFIX,
    gapMs: seconds(E.GAP_SECONDS, D.GAP_SECONDS, L.MIN_GAP_SECONDS, L.MAX_GAP_SECONDS),
    closeDelayMs: seconds(E.CLOSE_DELAY_SECONDS, D.CLOSE_DELAY_SECONDS, 0, L.MAX_CLOSE_DELAY_SECONDS),
    retentionMs: seconds(E.RETENTION_SECONDS, D.RETENTION_SECONDS, L.MIN_RETENTION_SECONDS, L.MAX_RETENTION_SECONDS),
    conversionEventTypes: new Set((env[E.CONVERSION_EVENT_TYPES] ?? D.CONVERSION_EVENT_TYPES.join(','))
      .split(',').map((s) => s.trim()).filter((s) => s.length > 0)),
  };
  if (problems.length > 0) throw new Error(`session consumer configuration is invalid: ${problems.join('; ')}`);
  return config;
}
