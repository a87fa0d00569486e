/**
 * Events for a local run, valid by the one schema of each stream (checked here with Ajv against schemas/*.schema.json, so
 * a generator bug fails the run rather than a consumer), plus a share of malformed ones, with what each hop should then
 * see. Time is compressed: event times lie in the recent past, sessions of one user separated by more than the session
 * gap, so that windows and sessions close within seconds of wall time.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv-draft-04';
import { ROOT } from './processes';

export interface Generated {
  /** Records to put: partition key and bytes. */
  readonly records: Array<{ readonly partitionKey: string; readonly data: Buffer; readonly valid: boolean }>;
  readonly valid: number;
  readonly malformed: number;
}

function schemaValidator(file: string) {
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', file), 'utf8'));
  return new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(schema);
}

/** Deterministic pseudo-random numbers in [0, 1) (a linear congruential generator), so that a run is repeatable. */
export function random(seed: number): () => number {
  let a = Math.abs(Math.floor(seed)) % 2147483648;
  return () => {
    a = (a * 1103515245 + 12345) % 2147483648;
    return a / 2147483648;
  };
}

/** Malformed records: not JSON, not an object, or JSON objects each schema refuses (no newline inside, for line counts). */
function malformedRecords(invalidExamples: string, count: number, key: (i: number) => string): Generated['records'] {
  const examples = fs.readFileSync(path.join(ROOT, 'schemas', 'examples', invalidExamples), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const kinds = ['{"not json', ...examples];
  return Array.from({ length: count }, (_, i) => ({ partitionKey: key(i), data: Buffer.from(kinds[i % kinds.length]), valid: false }));
}

/**
 * The event-time layout of a local run. Every generated event lies in the {@link DATA_SPAN_MS} before `now` - 30 s:
 * within the session consumer's clock tolerance (an event time more than 15 minutes from the record's arrival is
 * replaced by the arrival) and behind the Flink job's clock. The Flink job's windows read the shards of a stream in
 * any interleaving, so the local run sets its watermark delay to {@link LOCAL_WATERMARK_DELAY_SECONDS}, more than the
 * data spans (no record is ever late), and closes the windows with one valid "tick" event {@link TICK_AHEAD_MS} after
 * `now`, sent once the data has been read (under the job's 300 s future skew limit).
 */
export const DATA_SPAN_MS = 400_000;
export const LOCAL_WATERMARK_DELAY_SECONDS = 450;
export const TICK_AHEAD_MS = 240_000;

/** The event that moves the watermark past the data's windows: valid, of its own key, sent last. */
export interface Tick { readonly partitionKey: string; readonly data: Buffer; readonly timestamp: number }

export interface ClickPlan extends Generated {
  readonly users: number;
  readonly sessionsPerUser: number;
  /** Sessions a later session of the same user closes: each user's last session stays open (the sweep closes it later). */
  readonly sessionsClosed: number;
  readonly productViews: Array<{ readonly productId: string; readonly timestamp: number }>;
  /** Event times of the valid data events (the tick not included). */
  readonly eventTimes: number[];
  readonly tick: Tick;
}

/**
 * Click events: `users` users with two sessions each, 5 events per session 20 s apart, the second session starting
 * `gapSeconds` + 60 s after the first ends, all in the {@link DATA_SPAN_MS} before `now` - 30 s; and the tick, a page
 * view of a user of its own.
 */
export function clickEvents(validTarget: number, malformedShare: number, gapSeconds: number, now: number, seed = 7, idPrefix = ''): ClickPlan {
  const rnd = random(seed);
  const validate = schemaValidator('click-event.schema.json');
  const perSession = 5;
  const sessionsPerUser = 2;
  const users = Math.max(1, Math.ceil(validTarget / (perSession * sessionsPerUser)));
  const jitter = 60_000;
  const span = (perSession - 1) * 20_000 + (gapSeconds + 60) * 1000 + (perSession - 1) * 20_000;
  if (span + jitter > DATA_SPAN_MS) throw new Error(`a session gap of ${gapSeconds} s does not fit the ${DATA_SPAN_MS / 1000} s of a local run's events`);
  const base = now - 30_000 - DATA_SPAN_MS;
  const types = ['page_view', 'product_view', 'add_to_cart', 'product_view', 'purchase'];
  const records: Array<{ partitionKey: string; data: Buffer; valid: boolean }> = [];
  const productViews: ClickPlan['productViews'] = [];
  const eventTimes: number[] = [];
  const check = (event: Record<string, unknown>) => {
    if (!validate(event)) throw new Error(`generator bug: ${JSON.stringify(event)} is not a click event: ${JSON.stringify(validate.errors)}`);
  };
  for (let u = 0; u < users; u++) {
    const userId = `u-${idPrefix}${String(u).padStart(4, '0')}`;
    const start = base + Math.floor(rnd() * jitter);
    for (let s = 0; s < sessionsPerUser; s++) {
      const sessionStart = start + s * ((perSession - 1) * 20_000 + (gapSeconds + 60) * 1000);
      for (let e = 0; e < perSession; e++) {
        const timestamp = sessionStart + e * 20_000;
        const eventType = types[e];
        const productId = `sku-${1 + Math.floor(rnd() * 7)}`;
        const event: Record<string, unknown> = {
          eventId: `${userId}-${s}-${e}`,
          eventType,
          timestamp: u % 2 === 0 ? timestamp : new Date(timestamp).toISOString(),
          sessionId: `c-${userId}-${s}`,
          page: `/p/${productId}`,
          ...(u % 3 === 2 ? { anonymousId: `a-${userId}` } : { userId }),
          ...(eventType === 'product_view' || eventType === 'add_to_cart' ? { productId } : {}),
        };
        check(event);
        if (eventType === 'product_view') productViews.push({ productId, timestamp });
        eventTimes.push(timestamp);
        records.push({ partitionKey: userId, data: Buffer.from(JSON.stringify(event)), valid: true });
      }
    }
  }
  const valid = records.length;
  const malformed = Math.round(valid * malformedShare);
  records.push(...malformedRecords('click-event.invalid.jsonl', malformed, (i) => `bad-${i}`));
  const tickTime = now + TICK_AHEAD_MS;
  const tickEvent = { eventId: `tick-${idPrefix}${now}`, eventType: 'page_view', timestamp: tickTime, userId: `u-tick-${idPrefix}`, page: '/' };
  check(tickEvent);
  return {
    records: shuffleKeepingKeyOrder(records, rnd),
    valid,
    malformed,
    users,
    sessionsPerUser,
    sessionsClosed: users * (sessionsPerUser - 1),
    productViews,
    eventTimes,
    tick: { partitionKey: tickEvent.userId, data: Buffer.from(JSON.stringify(tickEvent)), timestamp: tickTime },
  };
}

/** A valid reading as the IoT rule forwards it, with the device its topic names. */
export interface Reading {
  readonly deviceId: string;
  readonly machineId: string;
  readonly ts: number;
  readonly temperature?: number;
  readonly vibration?: number;
  readonly pressure?: number;
}

export interface SensorPlan extends Generated {
  /** MQTT messages: topic and payload (before the IoT rule). */
  readonly messages: Array<{ readonly topic: string; readonly payload: unknown; readonly valid: boolean }>;
  /** The valid data readings (the tick not included). */
  readonly readings: Reading[];
  /** The tick as an MQTT message, and its event time. */
  readonly tick: { readonly topic: string; readonly payload: unknown; readonly timestamp: number };
}

/**
 * Sensor messages from `devices` devices on 3 machines, evenly spread over the {@link DATA_SPAN_MS} before `now` - 30 s,
 * each device's eleventh temperature 20 degrees above the others (an anomaly); and the tick, from a device and machine
 * of their own.
 */
export function sensorMessages(validTarget: number, malformedShare: number, now: number, seed = 11): SensorPlan {
  const rnd = random(seed);
  const devices = Math.max(1, Math.ceil(validTarget / 50));
  const perDevice = Math.ceil(validTarget / devices);
  const spacing = Math.floor((DATA_SPAN_MS - 10_000) / perDevice);
  const messages: Array<{ topic: string; payload: unknown; valid: boolean }> = [];
  const readings: Reading[] = [];
  const base = now - 30_000 - DATA_SPAN_MS;
  for (let i = 0; i < validTarget; i++) {
    const d = i % devices;
    const k = Math.floor(i / devices);
    const deviceId = `sensor-${String(d).padStart(4, '0')}`;
    const reading = {
      machineId: `machine-${d % 3}`,
      ts: base + d * 100 + k * spacing,
      temperature: (k === 10 ? 80 : 60) + rnd() * 5,
      vibration: rnd() / 100,
    };
    messages.push({ topic: `sensors/${deviceId}/telemetry`, payload: reading, valid: true });
    readings.push({ deviceId, ...reading });
  }
  const malformed = Math.round(validTarget * malformedShare);
  for (let i = 0; i < malformed; i++) {
    const d = i % devices;
    // each misses something the schema requires; the rule still forwards it (only the Flink job can refuse it)
    const bad = [{ ts: base, temperature: 1 }, { machineId: 'machine-0', temperature: 1 }, { machineId: 'machine-0', ts: base },
      { machineId: 'machine-0', ts: base, temperature: 'hot' }][i % 4];
    messages.push({ topic: `sensors/sensor-${String(d).padStart(4, '0')}/telemetry`, payload: bad, valid: false });
  }
  const tickTime = now + TICK_AHEAD_MS;
  return {
    messages,
    readings,
    records: [],
    valid: validTarget,
    malformed,
    tick: { topic: 'sensors/sensor-tick/telemetry', payload: { machineId: 'machine-tick', ts: tickTime, temperature: 60 }, timestamp: tickTime },
  };
}

/** Interleaves records of different keys randomly while each key's records keep their order (a producer per user). */
function shuffleKeepingKeyOrder<T extends { partitionKey: string }>(records: T[], rnd: () => number): T[] {
  const queues = new Map<string, T[]>();
  for (const r of records) queues.set(r.partitionKey, [...(queues.get(r.partitionKey) ?? []), r]);
  const out: T[] = [];
  const keys = [...queues.keys()];
  while (keys.length > 0) {
    const i = Math.floor(rnd() * keys.length);
    const q = queues.get(keys[i])!;
    out.push(q.shift()!);
    if (q.length === 0) keys.splice(i, 1);
  }
  return out;
}

/**
 * The records in the order a `--once` run puts them, each shard's last record malformed: the last `hashKeys.length`
 * malformed records move to the end, one to each shard (its starting hash key as the explicit hash key). A shard is
 * read in order, so once the Flink job has dead-lettered every malformed record it has read every valid one, and the
 * tick sent then cannot overtake a record of another shard (which would come in behind the watermark and be dropped).
 * With fewer malformed records than shards, the records are returned as they are and `fenced` is false.
 */
export function fenceShards<T extends { readonly valid: boolean }>(records: readonly T[], hashKeys: readonly string[]):
{ records: Array<T & { explicitHashKey?: string }>; fenced: boolean } {
  const malformed = records.map((r, i) => (r.valid ? -1 : i)).filter((i) => i >= 0);
  if (malformed.length < hashKeys.length) return { records: [...records], fenced: false };
  const fences = new Set(malformed.slice(malformed.length - hashKeys.length));
  return {
    records: [
      ...records.filter((_, i) => !fences.has(i)),
      ...[...fences].map((i, k) => ({ ...records[i], explicitHashKey: hashKeys[k] })),
    ],
    fenced: true,
  };
}

