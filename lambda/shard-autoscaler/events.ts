/**
 * What invoked the handler, and whether an alarm event is still worth acting on. Pure.
 *
 * Accepted payloads:
 * - EventBridge "CloudWatch Alarm State Change" (the construct's rule),
 * - EventBridge "Scheduled Event" (the re-check),
 * - SNS notifications of a CloudWatch alarm (for users who route alarms through a topic),
 * - the payload of a CloudWatch alarm's Lambda action.
 */

export interface AlarmTrigger {
  readonly kind: 'alarm';
  readonly via: 'eventbridge' | 'sns' | 'lambda-action';
  readonly alarmName: string;
  /** New state: ALARM, OK or INSUFFICIENT_DATA. */
  readonly state: string;
  /** When the alarm entered that state, epoch ms. */
  readonly stateTimestamp: number;
  /** EventBridge event id or SNS message id, for the log. */
  readonly eventId?: string;
}

export interface ScheduleTrigger {
  readonly kind: 'schedule';
  readonly time: number;
}

export interface UnknownTrigger {
  readonly kind: 'unknown';
  readonly description: string;
}

export type Trigger = AlarmTrigger | ScheduleTrigger | UnknownTrigger;

/** Alarm events older than this are stale: the scheduled re-check has looked at fresher metrics since. */
export const MAX_ALARM_EVENT_AGE_MS = 10 * 60_000;

type Json = Record<string, unknown>;

/** Parses an invocation payload; an SNS batch yields one trigger per record. */
export function parseTriggers(event: unknown): Trigger[] {
  if (!isObject(event)) return [{ kind: 'unknown', description: typeof event }];
  if (Array.isArray(event.Records)) {
    return event.Records.map((r) => parseSnsRecord(r));
  }
  if (event.source === 'aws.cloudwatch' && event['detail-type'] === 'CloudWatch Alarm State Change' && isObject(event.detail)) {
    const detail = event.detail;
    const state = isObject(detail.state) ? detail.state : {};
    return [alarm('eventbridge', detail.alarmName, state.value, state.timestamp, event.id)];
  }
  if (event.source === 'aws.events' && event['detail-type'] === 'Scheduled Event') {
    return [{ kind: 'schedule', time: parseTime(event.time) ?? Number.NaN }];
  }
  if (event.source === 'aws.cloudwatch' && isObject(event.alarmData)) {
    const data = event.alarmData;
    const state = isObject(data.state) ? data.state : {};
    return [alarm('lambda-action', data.alarmName, state.value, state.timestamp, undefined)];
  }
  return [{ kind: 'unknown', description: `source ${String(event.source)}, detail-type ${String(event['detail-type'])}` }];
}

function parseSnsRecord(record: unknown): Trigger {
  if (!isObject(record) || !isObject(record.Sns) || typeof record.Sns.Message !== 'string') {
    return { kind: 'unknown', description: 'a record that is not an SNS notification' };
  }
  let message: unknown;
  try {
    message = JSON.parse(record.Sns.Message);
  } catch {
    return { kind: 'unknown', description: 'an SNS message that is not JSON' };
  }
  if (!isObject(message) || typeof message.AlarmName !== 'string') {
    return { kind: 'unknown', description: 'an SNS message that is not a CloudWatch alarm notification' };
  }
  return alarm('sns', message.AlarmName, message.NewStateValue, message.StateChangeTime, record.Sns.MessageId);
}

function alarm(via: AlarmTrigger['via'], name: unknown, state: unknown, timestamp: unknown, id: unknown): Trigger {
  const at = parseTime(timestamp);
  if (typeof name !== 'string' || typeof state !== 'string' || at === undefined) {
    return { kind: 'unknown', description: `an alarm event (${via}) without name, state or timestamp` };
  }
  return { kind: 'alarm', via, alarmName: name, state, stateTimestamp: at, eventId: typeof id === 'string' ? id : undefined };
}

/** CloudWatch writes timestamps as `2024-05-01T12:00:00.000+0000`; normalise the offset before parsing. */
export function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const normalised = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(normalised);
  return Number.isNaN(ms) ? undefined : ms;
}

export type AlarmVerdict =
  | { readonly accept: true }
  | { readonly accept: false; readonly why: 'foreign' | 'not-alarm' | 'duplicate' | 'stale'; readonly detail: string };

export interface AlarmContext {
  /** The names of the autoscaler's scaling alarms. */
  readonly alarmNames: readonly string[];
  /** State timestamp of the latest alarm event already handled. */
  readonly lastAlarmEventMs?: number;
  /** Epoch ms of the latest UpdateShardCount call. */
  readonly lastCallMs?: number;
  readonly now: number;
}

/** What to remember of an accepted event: its state time, but never later than now. */
export function handledAt(trigger: AlarmTrigger, now: number): number {
  return Math.min(trigger.stateTimestamp, now);
}

/**
 * Whether an alarm event should lead to an evaluation. Every evaluation reads fresh metrics, so an event adds nothing when
 * an evaluation already covered it:
 * - duplicate: the same transition as the latest handled one (EventBridge delivers at least once);
 * - stale: a transition older than the latest handled one (never later than when it was handled), older than {@link MAX_ALARM_EVENT_AGE_MS}, or from before the
 *   latest UpdateShardCount call (it judged a capacity the stream no longer has).
 */
export function judgeAlarmEvent(trigger: AlarmTrigger, ctx: AlarmContext): AlarmVerdict {
  if (!ctx.alarmNames.includes(trigger.alarmName)) {
    return { accept: false, why: 'foreign', detail: `alarm ${trigger.alarmName} is not one of this autoscaler's` };
  }
  if (trigger.state !== 'ALARM') {
    return { accept: false, why: 'not-alarm', detail: `alarm ${trigger.alarmName} went to ${trigger.state}` };
  }
  const at = trigger.stateTimestamp;
  if (ctx.lastAlarmEventMs !== undefined && at === ctx.lastAlarmEventMs) {
    return { accept: false, why: 'duplicate', detail: `transition at ${iso(at)} was already handled` };
  }
  // A handled event stamped in the future (clock skew, a replay) must not make every genuine event until that time look
  // older than it: the handler remembers it as handled at the time it was handled (`handledAt`), and a stamp still in
  // the future (remembered before that rule) orders nothing.
  const lastHandled = ctx.lastAlarmEventMs === undefined || ctx.lastAlarmEventMs > ctx.now ? undefined : ctx.lastAlarmEventMs;
  if (lastHandled !== undefined && at < lastHandled) {
    return { accept: false, why: 'stale', detail: `transition at ${iso(at)} is older than the one handled at ${iso(lastHandled)}` };
  }
  if (ctx.lastCallMs !== undefined && at <= ctx.lastCallMs) {
    return { accept: false, why: 'stale', detail: `transition at ${iso(at)} predates the UpdateShardCount call at ${iso(ctx.lastCallMs)}` };
  }
  if (ctx.now - at > MAX_ALARM_EVENT_AGE_MS) {
    return { accept: false, why: 'stale', detail: `transition at ${iso(at)} is more than ${MAX_ALARM_EVENT_AGE_MS / 60_000} minutes old` };
  }
  return { accept: true };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
