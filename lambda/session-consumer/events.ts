/**
 * From a Kinesis record to a click event, or the reason it is not one. Pure.
 *
 * A click event is a JSON object (UTF-8, base64 in the Lambda event) that `schemas/click-event.schema.json` accepts
 * (click-event.ts compiles that file): `{ "eventId": "…", "userId": "…" | "anonymousId": "…", "eventType": "page_view",
 * "timestamp": "2026-01-05T10:00:00Z" | 1767607200000, "productId"?: "…", "page"?: "/…", "sessionId"?: "…" }`.
 * Anything else is malformed: the handler keeps the whole record in the failure bucket rather than retrying it, because
 * no retry can make it valid and retries would hold the shard back.
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import { checkClickEvent, clickEventSchema } from './click-event';
import type { ClickEvent } from './sessionize';
import { decodeStrictBase64 } from '../shared/base64';

export type Parsed =
  | { readonly kind: 'event'; readonly event: ClickEvent }
  | { readonly kind: 'malformed'; readonly reason: string };

/** Earliest event time accepted (2000-01-01T00:00:00Z) and how far past its arrival an event time may lie (client clocks). */
export const MIN_TIMESTAMP_MS = Date.UTC(2000, 0, 1);
export const MAX_FUTURE_SKEW_MS = 24 * 3600 * 1000;

/**
 * How far an event time may lie from the record's arrival and still be the time the session uses. Beyond it the client's
 * clock is taken to be wrong (or the event was held back for long) and the session uses the arrival time instead, so that
 * one event from a clock that runs hours fast or slow neither closes the user's session early nor makes on-time events
 * late. 15 minutes covers producer buffering and retries (the KPL, the Kinesis agent, mobile SDKs that flush every few
 * minutes) and clocks that are a little off.
 */
export const CLOCK_TOLERANCE_MS = 15 * 60_000;

/** The schema's timestamp pattern: a date and time with a zone, never local time. */
const ISO_WITH_ZONE = new RegExp(clickEventSchema.properties.timestamp.pattern);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Shard id and sequence number of a record, from its `eventID` (`shardId-000000000000:4960…`). */
export function recordPosition(record: KinesisStreamRecord): { shardId: string; sequenceNumber: string } {
  const sequenceNumber = record.kinesis?.sequenceNumber ?? 'unknown';
  const eventID = typeof record.eventID === 'string' ? record.eventID : '';
  const colon = eventID.lastIndexOf(':');
  const shardId = colon > 0 ? eventID.slice(0, colon) : 'unknown-shard';
  return { shardId, sequenceNumber };
}

/** Arrival time of a record at Kinesis, epoch milliseconds (the event carries seconds with a fraction). */
export function arrivalOf(record: KinesisStreamRecord): number {
  const seconds = Number(record.kinesis?.approximateArrivalTimestamp);
  return Number.isFinite(seconds) ? Math.round(seconds * 1000) : NaN;
}

export function parseRecord(record: KinesisStreamRecord): Parsed {
  const data = record.kinesis?.data;
  if (typeof data !== 'string') return malformed('record has no data');
  // No regular expression over the data: it is up to the stream's largest record (10 MiB), and a backtracking pattern
  // overflows the stack on a few MiB, failing the whole batch.
  const bytes = decodeStrictBase64(data);
  if (bytes === undefined) return malformed('data is not base64');
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return malformed('data is not UTF-8');
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return malformed('data is not JSON');
  }
  const arrival = arrivalOf(record);
  if (!Number.isFinite(arrival)) return malformed('record has no approximateArrivalTimestamp');
  const { shardId, sequenceNumber } = recordPosition(record);
  const parsed = toClickEvent(body, arrival, `${shardId}:${sequenceNumber}`);
  return parsed.kind === 'event' ? { kind: 'event', event: withSessionTime(parsed.event) } : parsed;
}

/**
 * The time a session uses for an event: its own time when within {@link CLOCK_TOLERANCE_MS} of the record's arrival,
 * the arrival time otherwise. The client's time is kept in `clientTimestamp` when it was replaced.
 */
export function sessionTime(eventTime: number, arrival: number): number {
  return Math.abs(eventTime - arrival) <= CLOCK_TOLERANCE_MS ? eventTime : arrival;
}

function withSessionTime(event: ClickEvent): ClickEvent {
  const time = sessionTime(event.timestamp, event.arrival);
  return time === event.timestamp ? event : { ...event, timestamp: time, clientTimestamp: event.timestamp };
}

/**
 * Checks a decoded JSON value against the click event schema and builds the event. Beyond the schema, an event time must
 * be a real date (the schema's pattern lets 2026-13-01 through) and at most a day after the record's arrival: a client
 * clock far ahead would otherwise make every later event of its user late.
 */
export function toClickEvent(body: unknown, arrival: number, origin?: string): Parsed {
  const checked = checkClickEvent(body);
  if (!checked.ok) return malformed(checked.reason);
  const o = checked.event;
  const timestamp = parseTimestamp(o.timestamp);
  if (timestamp === undefined) return malformed('timestamp is not a valid date and time');
  if (timestamp < MIN_TIMESTAMP_MS || timestamp > arrival + MAX_FUTURE_SKEW_MS) {
    return malformed('timestamp is before 2000 or more than a day after the record arrived');
  }
  return {
    kind: 'event',
    event: {
      eventId: o.eventId,
      userKey: o.userId !== undefined ? `u:${o.userId}` : `a:${o.anonymousId}`,
      eventType: o.eventType,
      timestamp,
      arrival,
      ...(o.productId !== undefined ? { productId: o.productId } : {}),
      ...(o.page !== undefined ? { page: o.page } : {}),
      ...(o.sessionId !== undefined ? { sessionHint: o.sessionId } : {}),
      ...(origin !== undefined ? { origin } : {}),
    },
  };
}

/** Epoch milliseconds from an ISO 8601 string (a date, a time and a zone, as the schema's pattern) or whole milliseconds. */
export function parseTimestamp(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : undefined;
  if (typeof v !== 'string' || !ISO_WITH_ZONE.test(v)) return undefined;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The user id and whether it is anonymous, from a user key. */
export function userOf(userKey: string): { userId: string; anonymous: boolean } {
  return { userId: userKey.slice(2), anonymous: userKey.startsWith('a:') };
}

function malformed(reason: string): Parsed {
  return { kind: 'malformed', reason };
}
