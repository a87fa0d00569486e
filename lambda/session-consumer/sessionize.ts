/**
 * Sessionization, pure: no SDK, no clock (the caller passes `now`).
 *
 * A session is a user's run of events in event time (the click's own timestamp when it lies within 15 minutes of the
 * record's arrival at Kinesis, the arrival time otherwise: events.ts `sessionTime`) in which no two consecutive events are
 * more than the inactivity gap apart. Per user, the state is the open session (if any) and `closedUntil`, the end of the latest
 * closed session. `advance` folds a batch of new events into that state:
 *
 * 1. an event at or before `closedUntil + gap` is **late**: it would touch a session whose summary was already written, so
 *    it joins no session (the handler records it as late and counts it) — sessions already closed never change;
 * 2. the other events and the open session's span are merged in time order wherever two are at most the gap apart;
 * 3. the group that contains the open session continues it (same id); the latest group stays open; every other group is
 *    closed now (a later group exists, so nothing can extend it without being late).
 *
 * Guarantees, property-tested: every event lands in exactly one session or is late; a user's sessions never overlap and are
 * more than the gap apart; consecutive events of a session are at most the gap apart; the result does not depend on the
 * order of events within a batch, nor on how time-ordered events are split into batches.
 *
 * An open session ends when a later event beyond the gap arrives (step 3) or, if none comes, when the scheduled sweep finds
 * it idle: no record for the user arrived for gap + close delay before the consumer's position in the stream (`closeIdle`
 * with the consumer's clock, store.ts `consumerClock`: arrival times, so a client with a wrong clock keeps its session open
 * while it keeps sending, and a consumer that lags behind closes nothing whose next records it has not read yet).
 */
import { createHash } from 'node:crypto';
import { SessionLimits } from '../../lib/pipelines/private/session-contract';

/** A valid click event. */
export interface ClickEvent {
  readonly eventId: string;
  /** `u:<userId>` for identified users, `a:<anonymousId>` otherwise. */
  readonly userKey: string;
  readonly eventType: string;
  /**
   * The time the session uses, epoch milliseconds: the event's own time when it lies within the clock tolerance of its
   * arrival, the arrival time otherwise (events.ts, `sessionTime`).
   */
  readonly timestamp: number;
  /** The event's own time when it was too far from the arrival to be used (a client clock that is off). */
  readonly clientTimestamp?: number;
  /** When Kinesis received the record, epoch milliseconds. */
  readonly arrival: number;
  readonly productId?: string;
  readonly page?: string;
  /** The event's `sessionId`: the client's own session id, a hint (sessions are cut by inactivity gap). */
  readonly sessionHint?: string;
  /** Where the record came from (`<shardId>:<sequenceNumber>`), kept in the audit trail. */
  readonly origin?: string;
}

/** A session being built: the open session of a user, or one just closed. */
export interface SessionAccumulator {
  readonly sessionId: string;
  /** First and last event time, epoch milliseconds. */
  readonly start: number;
  readonly end: number;
  /** Latest arrival of any of its records, epoch milliseconds (liveness, for the sweep). */
  readonly lastArrival: number;
  /**
   * The shard of the record that arrived last (the greatest shard id on a tie), whose consumer position the sweep closes
   * the session against. Absent for sessions stored before it was recorded, and for events without an origin.
   */
  readonly lastShard?: string;
  readonly events: number;
  readonly pageViews: number;
  readonly productViews: number;
  /**
   * Distinct product ids, sorted; past `MAX_PRODUCTS_PER_SESSION` only the smallest are kept (keeping the smallest, rather
   * than the first seen, gives the same list whatever the order of arrival).
   */
  readonly products: string[];
  readonly converted: boolean;
  /** Distinct client-side session ids (the events' `sessionId`), sorted, the smallest `MAX_CLIENT_SESSION_IDS`; informational. */
  readonly clientSessionIds: string[];
}

export interface UserState {
  readonly open?: SessionAccumulator;
  /** End (event time) of the latest closed session, epoch milliseconds. */
  readonly closedUntil?: number;
}

export interface SessionizeOptions {
  /** Inactivity gap, milliseconds. */
  readonly gapMs: number;
  /** Event types that mark a session as converted. */
  readonly conversionEventTypes: ReadonlySet<string>;
}

/** Where an event went: a session id, or undefined when late. */
export interface Assignment {
  readonly event: ClickEvent;
  readonly sessionId?: string;
}

export interface Advance {
  readonly state: UserState;
  /** Sessions this batch closed, in time order. */
  readonly closed: SessionAccumulator[];
  /** One entry per distinct event of the batch, in time order. */
  readonly assignments: Assignment[];
}

export const PAGE_VIEW = 'page_view';
export const PRODUCT_VIEW = 'product_view';

/** Time order of events; ties broken by id so that the order is total. */
export function compareEvents(a: ClickEvent, b: ClickEvent): number {
  return a.timestamp - b.timestamp || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}

/** The distinct events by id (the first in time order wins), sorted in time order. */
export function distinctSorted(events: readonly ClickEvent[]): ClickEvent[] {
  const sorted = [...events].sort((a, b) => compareEvents(a, b) || a.arrival - b.arrival);
  const seen = new Set<string>();
  return sorted.filter((e) => (seen.has(e.eventId) ? false : (seen.add(e.eventId), true)));
}

/**
 * The id of a session: a digest of the user and the event that opened it, so that processing the same events again
 * gives the same id.
 */
export function sessionIdOf(userKey: string, firstEventId: string): string {
  return createHash('sha256').update(`${userKey}\u0000${firstEventId}`).digest('hex').slice(0, 32);
}

/** Stateless sessionization of one user's events: the partition `advance` makes from an empty state. */
export function sessionize(events: readonly ClickEvent[], options: SessionizeOptions): SessionAccumulator[] {
  const result = advance({}, events, options);
  return result.state.open ? [...result.closed, result.state.open] : result.closed;
}

/** Folds a batch of one user's new events (already de-duplicated against the store) into the user's state. */
export function advance(state: UserState, events: readonly ClickEvent[], options: SessionizeOptions): Advance {
  const { gapMs } = options;
  const distinct = distinctSorted(events);
  const lateBefore = state.closedUntil === undefined ? -Infinity : state.closedUntil + gapMs;
  const late = distinct.filter((e) => e.timestamp <= lateBefore);
  const fresh = distinct.filter((e) => e.timestamp > lateBefore);

  // Spans in time order: the open session's and each fresh event's; merged where at most the gap apart.
  interface Group { start: number; end: number; events: ClickEvent[]; hasOpen: boolean }
  const groups: Group[] = [];
  const open = state.open;
  let openPlaced = open === undefined;
  const place = (start: number, end: number, event?: ClickEvent) => {
    const last = groups[groups.length - 1];
    if (last && start - last.end <= gapMs) {
      last.end = Math.max(last.end, end);
      if (event) last.events.push(event); else last.hasOpen = true;
    } else {
      groups.push({ start, end, events: event ? [event] : [], hasOpen: !event });
    }
  };
  for (const event of fresh) {
    if (!openPlaced && open!.start <= event.timestamp) {
      place(open!.start, open!.end);
      openPlaced = true;
    }
    place(event.timestamp, event.timestamp, event);
  }
  if (!openPlaced) place(open!.start, open!.end);

  const sessions = groups.map((g) => {
    const base = g.hasOpen ? open! : emptySession(sessionIdOf(g.events[0].userKey, g.events[0].eventId));
    return g.events.reduce((acc, e) => addEvent(acc, e, options), base);
  });
  const closed = sessions.slice(0, -1);
  const newOpen = sessions[sessions.length - 1];
  const closedUntil = closed.reduce<number | undefined>((m, s) => (m === undefined ? s.end : Math.max(m, s.end)), state.closedUntil);

  const sessionOfEvent = new Map<string, string>();
  groups.forEach((g, i) => g.events.forEach((e) => sessionOfEvent.set(e.eventId, sessions[i].sessionId)));
  const assignments: Assignment[] = distinct.map((event) => ({ event, sessionId: sessionOfEvent.get(event.eventId) }));
  if (late.length + fresh.length !== assignments.length) throw new Error('sessionize: an event was lost');

  return {
    state: { ...(newOpen ? { open: newOpen } : {}), ...(closedUntil !== undefined ? { closedUntil } : {}) },
    closed,
    assignments,
  };
}

/**
 * Closes the open session if no record for the user arrived for `idleMs` (gap + close delay) before `now`. Events of that
 * span arriving afterwards are late.
 */
export function closeIdle(state: UserState, now: number, idleMs: number): { state: UserState; closed?: SessionAccumulator } {
  const open = state.open;
  if (!open || now - open.lastArrival <= idleMs) return { state };
  const closedUntil = state.closedUntil === undefined ? open.end : Math.max(state.closedUntil, open.end);
  return { state: { closedUntil }, closed: open };
}

function emptySession(sessionId: string): SessionAccumulator {
  return {
    sessionId,
    start: Infinity,
    end: -Infinity,
    lastArrival: -Infinity,
    events: 0,
    pageViews: 0,
    productViews: 0,
    products: [],
    converted: false,
    clientSessionIds: [],
  };
}

/** The shard id of an origin `<shardId>:<sequenceNumber>`. */
export function shardOfOrigin(origin: string | undefined): string | undefined {
  if (origin === undefined) return undefined;
  const colon = origin.lastIndexOf(':');
  return colon > 0 ? origin.slice(0, colon) : undefined;
}

function lastShardOf(s: SessionAccumulator, e: ClickEvent): string | undefined {
  const shard = shardOfOrigin(e.origin);
  if (shard === undefined || e.arrival < s.lastArrival) return s.lastShard;
  if (e.arrival > s.lastArrival || s.lastShard === undefined) return shard;
  return shard > s.lastShard ? shard : s.lastShard;
}

function addEvent(s: SessionAccumulator, e: ClickEvent, options: SessionizeOptions): SessionAccumulator {
  const lastShard = lastShardOf(s, e);
  const products = e.productId === undefined ? s.products : smallestDistinct(s.products, e.productId, SessionLimits.MAX_PRODUCTS_PER_SESSION);
  return {
    sessionId: s.sessionId,
    start: Math.min(s.start, e.timestamp),
    end: Math.max(s.end, e.timestamp),
    lastArrival: Math.max(s.lastArrival, e.arrival),
    ...(lastShard !== undefined ? { lastShard } : {}),
    events: s.events + 1,
    pageViews: s.pageViews + (e.eventType === PAGE_VIEW ? 1 : 0),
    productViews: s.productViews + (e.eventType === PRODUCT_VIEW ? 1 : 0),
    products,
    converted: s.converted || options.conversionEventTypes.has(e.eventType),
    clientSessionIds: e.sessionHint === undefined ? s.clientSessionIds
      : smallestDistinct(s.clientSessionIds, e.sessionHint, SessionLimits.MAX_CLIENT_SESSION_IDS),
  };
}

/** Adds a value to a sorted list of distinct values and keeps the `max` smallest: the same set whatever the order. */
function smallestDistinct(sorted: readonly string[], value: string, max: number): string[] {
  if (sorted.includes(value)) return sorted as string[];
  const next = [...sorted, value].sort();
  return next.length > max ? next.slice(0, max) : next;
}
