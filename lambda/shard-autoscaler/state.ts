/**
 * The autoscaler's state, one DynamoDB item per stream, and its transitions. Pure: the handler loads and saves it.
 *
 * Why a table and not stream tags: the record of calls must be written before UpdateShardCount and corrected after a
 * refusal, whatever the stream's status, and tag writes are documented to fail with ResourceInUseException and are limited
 * to 5 per second per account; a conditional write also makes the check-then-call atomic even if two invocations ever ran
 * at once, and CloudFormation updates of the stream's own tags cannot clobber it.
 */
import { KinesisLimits } from '../../lib/private/kinesis-limits';

export const DAY_MS = 24 * 60 * 60_000;

/** A decision that could not be applied yet; the scheduled re-check evaluates again when it is due. */
export interface Intent {
  readonly kind: 'scale-out' | 'scale-in';
  readonly fromShards: number;
  readonly targetShards: number;
  readonly reason: string;
  /** When the intent was first kept, epoch ms. */
  readonly since: number;
  /** Error name (LimitExceededException, ResourceInUseException, ValidationException, NoCallsLeft). */
  readonly error: string;
  readonly errorMessage?: string;
  /** Failed attempts so far. */
  readonly attempts: number;
  /** Earliest time of the next attempt, epoch ms (exponential backoff from 1 to 30 minutes). */
  readonly nextAttemptAt: number;
}

export interface AutoscalerState {
  /** Epoch ms of the UpdateShardCount calls made (or possibly made) in the last 24 h, ascending. */
  readonly calls: readonly number[];
  readonly intent?: Intent;
  /** Evaluate again at the next re-check where the stream is ACTIVE (the step after a reshard). */
  readonly followUp: boolean;
  /** State timestamp of the latest alarm event handled, epoch ms. */
  readonly lastAlarmEventMs?: number;
  /** Fingerprint of the latest report sent, so that a repeated condition is reported once. */
  readonly lastNotice?: string;
  /** Epoch ms of the latest rest check (an evaluation no alarm asked for, see the policy's `restCheckDue`). */
  readonly lastRestCheckMs?: number;
}

export const INITIAL_STATE: AutoscalerState = { calls: [], followUp: false };

const MINUTE_MS = 60_000;
const MAX_BACKOFF_MS = 30 * MINUTE_MS;

/** Drops the calls that left the rolling 24 h window. */
export function pruneCalls(state: AutoscalerState, now: number): AutoscalerState {
  const calls = state.calls.filter((t) => t > now - DAY_MS);
  return calls.length === state.calls.length ? state : { ...state, calls };
}

export function callsInLast24h(state: AutoscalerState, now: number): number {
  return state.calls.filter((t) => t > now - DAY_MS && t <= now).length;
}

export function hasCallLeft(state: AutoscalerState, now: number): boolean {
  return callsInLast24h(state, now) < KinesisLimits.MAX_SCALING_CALLS_PER_24H;
}

/** When the oldest call of the window leaves it, i.e. when a call is available again. */
export function nextCallAvailableAt(state: AutoscalerState, now: number): number {
  const inWindow = state.calls.filter((t) => t > now - DAY_MS && t <= now).sort((a, b) => a - b);
  if (inWindow.length < KinesisLimits.MAX_SCALING_CALLS_PER_24H) return now;
  return inWindow[inWindow.length - KinesisLimits.MAX_SCALING_CALLS_PER_24H] + DAY_MS;
}

export function lastCall(state: AutoscalerState): number | undefined {
  return state.calls.length > 0 ? Math.max(...state.calls) : undefined;
}

/** Records a call at `at` (before making it: a crash in between over-counts, which is the safe side). */
export function recordCall(state: AutoscalerState, at: number): AutoscalerState {
  return { ...state, calls: [...state.calls, at].sort((a, b) => a - b) };
}

/** Forgets a call Kinesis refused (it did not count toward the limit). */
export function forgetCall(state: AutoscalerState, at: number): AutoscalerState {
  const i = state.calls.lastIndexOf(at);
  if (i < 0) return state;
  return { ...state, calls: [...state.calls.slice(0, i), ...state.calls.slice(i + 1)] };
}

export interface FailedAttempt {
  readonly kind: 'scale-out' | 'scale-in';
  readonly fromShards: number;
  readonly targetShards: number;
  readonly reason: string;
  readonly error: string;
  readonly errorMessage?: string;
  /** Do not retry before this (e.g. when a call becomes available again). */
  readonly notBefore?: number;
}

/** Keeps (or updates) the intent after a failed attempt, with exponential backoff between attempts. */
export function keepIntent(state: AutoscalerState, attempt: FailedAttempt, now: number): AutoscalerState {
  const previous = state.intent;
  const attempts = (previous?.attempts ?? 0) + 1;
  const backoff = Math.min(MINUTE_MS * 2 ** (attempts - 1), MAX_BACKOFF_MS);
  return {
    ...state,
    intent: {
      kind: attempt.kind,
      fromShards: attempt.fromShards,
      targetShards: attempt.targetShards,
      reason: attempt.reason,
      since: previous?.since ?? now,
      error: attempt.error,
      errorMessage: attempt.errorMessage,
      attempts,
      nextAttemptAt: Math.max(now + backoff, attempt.notBefore ?? 0),
    },
  };
}

export function intentDue(state: AutoscalerState, now: number): boolean {
  return state.intent !== undefined && now >= state.intent.nextAttemptAt;
}

/** Shallow structural equality, to skip writes that change nothing. */
export function sameState(a: AutoscalerState, b: AutoscalerState): boolean {
  return JSON.stringify(normalise(a)) === JSON.stringify(normalise(b));
}

/** The DynamoDB item of a state (plus the key and the version the store adds). */
export function toItem(state: AutoscalerState): Record<string, unknown> {
  return normalise(state);
}

/** Reads an item back; anything malformed falls back to the initial state (a lost record only over-counts nothing). */
export function fromItem(item: Record<string, unknown> | undefined): AutoscalerState {
  if (!item) return INITIAL_STATE;
  const calls = Array.isArray(item.calls) ? item.calls.filter((t): t is number => typeof t === 'number' && Number.isFinite(t)) : [];
  const intent = isIntent(item.intent) ? item.intent : undefined;
  return {
    calls: calls.sort((a, b) => a - b),
    intent,
    followUp: item.followUp === true,
    lastAlarmEventMs: typeof item.lastAlarmEventMs === 'number' ? item.lastAlarmEventMs : undefined,
    lastNotice: typeof item.lastNotice === 'string' ? item.lastNotice : undefined,
    lastRestCheckMs: typeof item.lastRestCheckMs === 'number' ? item.lastRestCheckMs : undefined,
  };
}

function normalise(state: AutoscalerState): Record<string, unknown> {
  const out: Record<string, unknown> = { calls: [...state.calls], followUp: state.followUp };
  if (state.intent) out.intent = dropUndefined({ ...state.intent });
  if (state.lastAlarmEventMs !== undefined) out.lastAlarmEventMs = state.lastAlarmEventMs;
  if (state.lastNotice !== undefined) out.lastNotice = state.lastNotice;
  if (state.lastRestCheckMs !== undefined) out.lastRestCheckMs = state.lastRestCheckMs;
  return out;
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function isIntent(v: unknown): v is Intent {
  if (typeof v !== 'object' || v === null) return false;
  const i = v as Record<string, unknown>;
  return (i.kind === 'scale-out' || i.kind === 'scale-in') && typeof i.fromShards === 'number' && typeof i.targetShards === 'number'
    && typeof i.reason === 'string' && typeof i.since === 'number' && typeof i.error === 'string'
    && typeof i.attempts === 'number' && typeof i.nextAttemptAt === 'number';
}
