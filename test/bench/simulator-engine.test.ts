/**
 * The simulator engine's arithmetic and limits, each with values worked out by hand from AWS's prices and limits
 * (us-east-1: $0.015 per shard-hour, $0.014 per million 25 KB PUT payload units, on-demand $0.04 per stream-hour and
 * $0.08 per GB ingested with records rounded up to 1 KB; GB = 2^30 bytes). simulator.test.ts covers the scenarios.
 */
import {
  applyCapacity, Controller, defaultInitialShards, demandShards, formatTimeline, maxInRollingDay, onDemandMinuteCost, provisionedMinuteCost,
  simulate, StaticController, StreamApi, StreamView, TraceRow,
} from '../../bench/sim';

const KiB = 1024;
const MiB = 1024 * KiB;
const GB = 1024 * MiB;
/** One shard's capacity per minute: 60 MiB and 60,000 records. */
const SHARD_MIN_BYTES = 60 * MiB;
const SHARD_MIN_RECORDS = 60_000;

const row = (incomingBytes: number, incomingRecords: number, minute = 0, hotKeyShare?: number): TraceRow =>
  ({ minute, incomingBytes, incomingRecords, ...(hotKeyShare !== undefined ? { hotKeyShare } : {}) });
const flat = (n: number, bytes: number, records: number): TraceRow[] => Array.from({ length: n }, (_, i) => row(bytes, records, i));

/** Calls UpdateShardCount with the given target at the given minutes, recording the answers and what it saw. */
class Caller implements Controller {
  public readonly name = 'caller';
  public readonly invocations = 7;
  public readonly answers: boolean[] = [];
  public readonly shards: number[] = [];
  constructor(private readonly calls: Record<number, number>) {}
  step(view: StreamView, api: StreamApi): void {
    this.shards.push(view.shards);
    const target = this.calls[view.minute];
    if (target !== undefined) this.answers.push(api.updateShardCount(target));
  }
}

describe('demand and initial sizing', () => {
  test('demandShards is the tighter of bytes and records, in shard equivalents', () => {
    expect(demandShards(row(90 * MiB, 30_000))).toBe(1.5);
    expect(demandShards(row(30 * MiB, 120_000))).toBe(2);
  });

  test('the initial count serves the first hour\'s peak at 70 % utilisation, at least one shard', () => {
    // 1.4 shard equivalents / 0.7 = exactly 2 (not 3 through floating-point noise)
    expect(defaultInitialShards([row(0, 0), row(1.4 * SHARD_MIN_BYTES, 0, 1)])).toBe(2);
    expect(defaultInitialShards([row(1.41 * SHARD_MIN_BYTES, 0)])).toBe(3);
    expect(defaultInitialShards([row(0, 0)])).toBe(1);
    // minute 60 is outside the first hour
    const trace = [...flat(60, SHARD_MIN_BYTES / 2, 100), row(50 * SHARD_MIN_BYTES, 100, 60)];
    expect(defaultInitialShards(trace)).toBe(1);
    expect(defaultInitialShards(trace.slice(1))).toBe(72); // 50 / 0.7 = 71.4
    expect(simulate(trace.slice(0, 3), new StaticController()).result.initialShards).toBe(1);
  });
});

describe('cost of a minute', () => {
  test('provisioned: shard-minutes plus one PUT payload unit per 25 KB of each record, at least one', () => {
    // 3 shards for a minute: 3/60 × $0.015 = $0.00075
    expect(provisionedMinuteCost(3, 0, 0)).toBeCloseTo(0.00075, 12);
    // 1,000,000 records of 1 KiB: one unit each, $0.014
    expect(provisionedMinuteCost(0, 1e6 * KiB, 1e6)).toBeCloseTo(0.014, 12);
    // 1,000,000 records of 30 KiB: two units each (25 KiB + 5 KiB), $0.028
    expect(provisionedMinuteCost(0, 1e6 * 30 * KiB, 1e6)).toBeCloseTo(0.028, 12);
    // exactly 25 KiB: one unit
    expect(provisionedMinuteCost(0, 1e6 * 25 * KiB, 1e6)).toBeCloseTo(0.014, 12);
    // empty records still cost a unit each; no records, nothing
    expect(provisionedMinuteCost(0, 0, 1e6)).toBeCloseTo(0.014, 12);
    expect(provisionedMinuteCost(2, 1e6, 0)).toBeCloseTo(0.0005, 12);
  });

  test('on-demand: the stream-minute plus ingest, each record rounded up to 1 KiB', () => {
    expect(onDemandMinuteCost(0, 0)).toBeCloseTo(0.04 / 60, 12);
    // 1,048,576 records of 1 KiB = 1 GB: $0.08
    expect(onDemandMinuteCost(GB, MiB)).toBeCloseTo(0.04 / 60 + 0.08, 12);
    // the same records at 100 bytes each are billed as 1 KiB each
    expect(onDemandMinuteCost(100 * MiB, MiB)).toBeCloseTo(0.04 / 60 + 0.08, 12);
    // at 1,025 bytes, as 2 KiB each
    expect(onDemandMinuteCost(1025 * MiB, MiB)).toBeCloseTo(0.04 / 60 + 0.16, 12);
    expect(onDemandMinuteCost(0, MiB)).toBeCloseTo(0.04 / 60 + 0.08, 12);
  });

  test('a simulated hour sums the minutes: provisioned and on-demand', () => {
    const trace = flat(60, 10 * MiB, 10_240); // 1 KiB records
    const provisioned = simulate(trace, new StaticController(), { initialShards: 2 }).result;
    // 2 shard-hours ($0.03) + 614,400 PUT units ($0.0086016)
    expect(provisioned.costUsd).toBeCloseTo(0.03 + 0.614_4 * 0.014, 10);
    expect(provisioned.shardHours).toBe(2);
    const onDemand = simulate(trace, 'on-demand').result;
    // $0.04 + 600 MiB ingested at $0.08 per GB
    expect(onDemand.costUsd).toBeCloseTo(0.04 + (600 / 1024) * 0.08, 10);
  });
});

describe('applyCapacity', () => {
  test('accepts up to the capacity and throttles bytes and records in the same proportion', () => {
    const m = applyCapacity(row(3 * SHARD_MIN_BYTES, 1000), 2 * SHARD_MIN_BYTES, 2 * SHARD_MIN_RECORDS);
    expect(m.acceptedBytes).toBeCloseTo(2 * SHARD_MIN_BYTES, 3);
    expect(m.acceptedRecords).toBe(666); // ⌊1000 × 2/3⌋
    expect(m.throttledRecords).toBe(334);
    expect(m.throttledBytes).toBeCloseTo(SHARD_MIN_BYTES, 3);
    // records bind: 90,000 records on one shard's 60,000
    const r = applyCapacity(row(SHARD_MIN_BYTES / 2, 90_000), SHARD_MIN_BYTES, SHARD_MIN_RECORDS);
    expect(r.acceptedRecords).toBe(60_000);
    expect(r.acceptedBytes).toBeCloseTo(SHARD_MIN_BYTES / 3, 3);
  });

  test('a minute that fits is accepted whole, and an empty minute throttles nothing', () => {
    expect(applyCapacity(row(SHARD_MIN_BYTES, SHARD_MIN_RECORDS), SHARD_MIN_BYTES, SHARD_MIN_RECORDS))
      .toEqual({ acceptedBytes: SHARD_MIN_BYTES, acceptedRecords: SHARD_MIN_RECORDS, throttledBytes: 0, throttledRecords: 0 });
    expect(applyCapacity(row(0, 0), SHARD_MIN_BYTES, SHARD_MIN_RECORDS))
      .toEqual({ acceptedBytes: 0, acceptedRecords: 0, throttledBytes: 0, throttledRecords: 0 });
  });

  test('the hot key\'s share lands on one shard on top of its even share', () => {
    // 2 shards, 1.5 shard-minutes of demand, half under one key: the hot shard gets 0.75 + 0.375 = 1.125 → 0.125 throttled
    const m = applyCapacity(row(1.5 * SHARD_MIN_BYTES, 0, 0, 0.5), 2 * SHARD_MIN_BYTES, 2 * SHARD_MIN_RECORDS, 2);
    expect(m.throttledBytes).toBeCloseTo(0.125 * SHARD_MIN_BYTES, 3);
    // the same demand as records
    const r = applyCapacity(row(0, 90_000, 0, 0.5), 2 * SHARD_MIN_BYTES, 2 * SHARD_MIN_RECORDS, 2);
    expect(r.throttledRecords).toBe(7500);
    // one shard (the default) holds everything the capacity holds, hot key or not
    expect(applyCapacity(row(0.9 * SHARD_MIN_BYTES, 10, 0, 1), SHARD_MIN_BYTES, SHARD_MIN_RECORDS).throttledBytes).toBe(0);
    expect(applyCapacity(row(1.2 * SHARD_MIN_BYTES, 10, 0, 1), SHARD_MIN_BYTES, SHARD_MIN_RECORDS).throttledBytes)
      .toBeCloseTo(0.2 * SHARD_MIN_BYTES, 3);
  });

  test('a hot-key share outside 0–1 is clamped', () => {
    const over = applyCapacity(row(1.5 * SHARD_MIN_BYTES, 0, 0, 1.5), 2 * SHARD_MIN_BYTES, 2 * SHARD_MIN_RECORDS, 2);
    const all = applyCapacity(row(1.5 * SHARD_MIN_BYTES, 0, 0, 1), 2 * SHARD_MIN_BYTES, 2 * SHARD_MIN_RECORDS, 2);
    expect(over).toEqual(all);
    expect(all.throttledBytes).toBeCloseTo(0.5 * SHARD_MIN_BYTES, 3);
    const under = applyCapacity(row(1.5 * SHARD_MIN_BYTES, 0, 0, -0.5), 2 * SHARD_MIN_BYTES, 2 * SHARD_MIN_RECORDS, 2);
    expect(under.throttledBytes).toBe(0);
    // shards below 1 count as one
    expect(applyCapacity(row(1.2 * SHARD_MIN_BYTES, 0, 0, 0.5), SHARD_MIN_BYTES, SHARD_MIN_RECORDS, 0).throttledBytes)
      .toBeCloseTo(0.2 * SHARD_MIN_BYTES, 3);
  });
});

describe('what simulate accepts', () => {
  test('throws on an empty trace, and on delays and shard counts outside their ranges, naming the value', () => {
    const trace = flat(2, 0, 0);
    expect(() => simulate([], new StaticController())).toThrow('trace has no rows');
    expect(() => simulate(trace, new StaticController(), { metricDelayMinutes: 1.5 })).toThrow('metricDelayMinutes must be a whole number >= 0, got 1.5');
    expect(() => simulate(trace, new StaticController(), { metricDelayMinutes: -1 })).toThrow('got -1');
    expect(() => simulate(trace, new StaticController(), { reshardMinutes: 0.5 })).toThrow('reshardMinutes must be a whole number >= 0, got 0.5');
    expect(() => simulate(trace, new StaticController(), { reshardMinutes: -2 })).toThrow('reshardMinutes must be a whole number >= 0, got -2');
    for (const bad of [0, 1.5, 10_001]) {
      expect(() => simulate(trace, new StaticController(), { initialShards: bad })).toThrow(`shards must be a whole number from 1 to 10000, got ${bad}`);
    }
    expect(() => simulate(trace, 'on-demand', { initialShards: 0 })).toThrow(/shards must be/);
    const largest = simulate(trace, new StaticController(), { initialShards: 10_000, metricDelayMinutes: 0, reshardMinutes: 0 });
    expect(largest.result.finalShards).toBe(10_000);
    expect(simulate(trace, new StaticController(), { initialShards: 1 }).result.finalShards).toBe(1);
  });

  test('an empty trace of zero traffic throttles nothing and reports what ran', () => {
    const c = new Caller({});
    const { result } = simulate(flat(3, 0, 0), c, { initialShards: 4 });
    expect(result).toEqual({
      policy: 'caller',
      throttledBytesFraction: 0,
      throttledRecordsFraction: 0,
      shardHours: 0.2,
      costUsd: expect.any(Number),
      scalingCalls: 0,
      maxCallsInRolling24h: 0,
      limitViolations: 0,
      minutes: 3,
      initialShards: 4,
      finalShards: 4,
      invocations: 7,
    });
    expect(result.costUsd).toBeCloseTo(12 / 60 * 0.015, 12);
    const od = simulate(flat(3, 0, 0), 'on-demand').result;
    expect(od).toMatchObject({ policy: 'on-demand', throttledBytesFraction: 0, throttledRecordsFraction: 0, shardHours: null, finalShards: null, minutes: 3, initialShards: 1 });
  });
});

describe('UpdateShardCount as AWS answers it', () => {
  const events = (calls: Record<number, number>, initialShards: number, minutes = 3, reshardMinutes = 0) => {
    const c = new Caller(calls);
    const out = simulate(flat(minutes, 0, 0), c, { initialShards, reshardMinutes, metricDelayMinutes: 0 });
    return { answers: c.answers, seen: c.shards, events: out.timeline.map((r) => r.event), result: out.result };
  };

  test('rejects a target that is not a whole number of at least 1, or equal to the open count', () => {
    const r = events({ 0: 1.5, 1: 0, 2: 3 }, 3);
    expect(r.answers).toEqual([false, false, false]);
    expect(r.events).toEqual([
      'rejected UpdateShardCount 3->1.5 (ValidationException: target must be a whole number >= 1)',
      'rejected UpdateShardCount 3->0 (ValidationException: target must be a whole number >= 1)',
      'rejected UpdateShardCount 3->3 (ValidationException: target equals the open shard count)',
    ]);
    expect(r.result.limitViolations).toBe(3);
  });

  test('accepts exactly 2× and exactly ½× the open count, rejects one more or one less', () => {
    expect(events({ 0: 8 }, 4).answers).toEqual([true]);
    expect(events({ 0: 2 }, 4).answers).toEqual([true]);
    const r = events({ 0: 9, 1: 1 }, 4);
    expect(r.events).toEqual(['rejected UpdateShardCount 4->9 (LimitExceededException: more than 2x the open shards)',
      'rejected UpdateShardCount 4->1 (LimitExceededException: less than half the open shards)', '']);
    // ½× of an odd count: 5 → 3 is allowed, 5 → 2 is not
    expect(events({ 0: 3 }, 5).answers).toEqual([true]);
    expect(events({ 0: 2 }, 5).answers).toEqual([false]);
  });

  test('never more than 10,000 shards', () => {
    const r = events({ 0: 10_001 }, 6000);
    expect(r.events[0]).toBe('rejected UpdateShardCount 6000->10001 (LimitExceededException: more than 10,000 shards)');
    expect(events({ 0: 10_000 }, 6000).answers).toEqual([true]);
  });

  test('a stream UPDATING refuses every call until the reshard completes, then takes the new count', () => {
    const r = events({ 0: 2, 1: 3, 2: 4 }, 1, 4, 2);
    expect(r.answers).toEqual([true, false, true]);
    expect(r.seen).toEqual([1, 1, 2, 2]);
    expect(r.events[1]).toBe('rejected UpdateShardCount 1->3 (ResourceInUseException: stream is UPDATING)');
    expect(r.result).toMatchObject({ scalingCalls: 2, limitViolations: 1, finalShards: 2 });
  });

  test('the 24 h window: a call 1,440 minutes after another no longer counts it', () => {
    // ten calls at minutes 0–9, then calls at 1,439 (rejected: the one at 0 is 1,439 minutes old) and 1,440 (allowed)
    const calls: Record<number, number> = {};
    for (let i = 0; i < 10; i++) calls[i] = i % 2 === 0 ? 2 : 1;
    calls[1439] = 2;
    calls[1440] = 2;
    const r = events(calls, 1, 1441, 0);
    expect(r.answers).toEqual([...Array(10).fill(true), false, true]);
    expect(r.events[1439]).toBe('rejected UpdateShardCount 1->2 (LimitExceededException: 11th call in a rolling 24 h)');
    expect(r.result.maxCallsInRolling24h).toBe(10);
  });
});

describe('on-demand capacity', () => {
  test('starts at 4 MiB/s and 4,000 records/s and follows twice the peak seen 15 minutes earlier', () => {
    const trace = [...flat(20, 3 * SHARD_MIN_BYTES, 1000), ...Array.from({ length: 5 }, (_, i) => row(0, 0, 20 + i))];
    const { timeline } = simulate(trace, 'on-demand');
    expect(timeline[0]).toMatchObject({ shards: 4, capacityBytesPerSecond: 4 * MiB, capacityRecordsPerSecond: 4000, event: '' });
    expect(timeline[14].capacityBytesPerSecond).toBe(4 * MiB);
    // minute 15 sees minute 0's 3 MiB/s: 6 MiB/s, 6 shards; the change is named once
    expect(timeline[15]).toMatchObject({ shards: 6, capacityBytesPerSecond: 6 * MiB, event: 'on-demand capacity 6.0 MiB/s' });
    expect(timeline[16].event).toBe('');
    expect(timeline[24].capacityBytesPerSecond).toBe(6 * MiB);
  });

  test('records can set the capacity: twice the records peak', () => {
    const trace = flat(17, SHARD_MIN_BYTES / 60, 5 * SHARD_MIN_RECORDS);
    const { timeline } = simulate(trace, 'on-demand');
    expect(timeline[0].capacityRecordsPerSecond).toBe(4000);
    expect(timeline[0].throttledRecords).toBe(60_000); // 300,000 records on 240,000
    expect(timeline[15]).toMatchObject({ capacityRecordsPerSecond: 10_000, shards: 10, throttledRecords: 0 });
  });
});

/** Records what it sees each minute (a copy: the published list grows in place), and makes the given calls in order. */
class Observer implements Controller {
  public readonly name = 'observer';
  public readonly seen: Array<{ published: Array<[number, number, number, number]>; reshardCompleted: boolean; shards: number; status: string }> = [];
  constructor(private readonly calls: Record<number, number[]>) {}
  step(view: StreamView, api: StreamApi): void {
    this.seen.push({
      published: view.published.map((m) => [m.minute, m.incomingBytes, m.incomingRecords, m.throttledRecords]),
      reshardCompleted: view.reshardCompleted,
      shards: view.shards,
      status: view.status,
    });
    for (const target of this.calls[view.minute] ?? []) api.updateShardCount(target);
  }
}

describe('a provisioned run, minute by minute', () => {
  // 1 shard, 1.5 shards of bytes (90 MiB) and 1,000 records a minute: two thirds accepted (60 MiB, 666 records) until
  // the reshard to 2 called at minute 1 completes at minute 3 (reshardMinutes 2); CloudWatch publishes minute m at the
  // end of minute m + 1 (metricDelayMinutes 1), so the controller sees minutes up to t − 2 at the start of t.
  const trace = flat(6, 1.5 * SHARD_MIN_BYTES, 1000);
  const run = () => {
    const observer = new Observer({ 1: [5, 2] });
    return { observer, ...simulate(trace, observer, { initialShards: 1, metricDelayMinutes: 1, reshardMinutes: 2 }) };
  };

  test('what the controller sees: published minutes after the delay, UPDATING, and the minute the reshard completes', () => {
    const { observer } = run();
    const throttledMinute = (m: number): [number, number, number, number] => [m, SHARD_MIN_BYTES, 666, 334];
    expect(observer.seen.map((v) => v.published)).toEqual([
      [], [], [throttledMinute(0)], [throttledMinute(0), throttledMinute(1)],
      [throttledMinute(0), throttledMinute(1), throttledMinute(2)],
      [throttledMinute(0), throttledMinute(1), throttledMinute(2), [3, 1.5 * SHARD_MIN_BYTES, 1000, 0]],
    ]);
    expect(observer.seen.map((v) => v.reshardCompleted)).toEqual([false, false, false, true, false, false]);
    expect(observer.seen.map((v) => [v.shards, v.status])).toEqual([
      [1, 'ACTIVE'], [1, 'ACTIVE'], [1, 'UPDATING'], [2, 'ACTIVE'], [2, 'ACTIVE'], [2, 'ACTIVE'],
    ]);
  });

  test('the timeline: capacity per second, throttling, and every call of a minute named, rejected ones too', () => {
    const { timeline } = run();
    expect(timeline.map((r) => [r.shards, r.capacityBytesPerSecond, r.capacityRecordsPerSecond, r.throttledBytes, r.throttledRecords])).toEqual([
      [1, MiB, 1000, 30 * MiB, 334], [1, MiB, 1000, 30 * MiB, 334], [1, MiB, 1000, 30 * MiB, 334],
      [2, 2 * MiB, 2000, 0, 0], [2, 2 * MiB, 2000, 0, 0], [2, 2 * MiB, 2000, 0, 0],
    ]);
    expect(timeline.map((r) => r.event)).toEqual([
      '', 'rejected UpdateShardCount 1->5 (LimitExceededException: more than 2x the open shards); UpdateShardCount 1->2', '', '', '', '',
    ]);
  });

  test('the result: throttled shares of the whole trace, shard-hours, calls and violations', () => {
    const { result } = run();
    // 3 minutes × 30 MiB of 6 × 90 MiB; 3 × 334 records of 6,000
    expect(result.throttledBytesFraction).toBeCloseTo(1 / 6, 12);
    expect(result.throttledRecordsFraction).toBeCloseTo(1002 / 6000, 12);
    expect(result).toMatchObject({
      shardHours: (3 * 1 + 3 * 2) / 60, scalingCalls: 1, limitViolations: 1, finalShards: 2, initialShards: 1, minutes: 6,
    });
  });

  test('with reshardMinutes 0 the new count carries the minute of the call', () => {
    const { timeline } = simulate(trace, new Observer({ 1: [2] }), { initialShards: 1, reshardMinutes: 0 });
    expect(timeline.map((r) => [r.shards, r.throttledRecords])).toEqual([[1, 334], [2, 0], [2, 0], [2, 0], [2, 0], [2, 0]]);
  });
});

describe('an on-demand run', () => {
  test('a jump to 4× the earlier peak throttles half of it for 15 minutes, until that peak is 15 minutes old', () => {
    // 3 MiB/s and 1,000 records a minute for 20 minutes, then 12 MiB/s and 4,000: the capacity stays at twice 3 MiB/s
    // (6 MiB/s) until minute 35 sees minute 20; minutes 20–34 accept half.
    const trace = [...flat(20, 3 * SHARD_MIN_BYTES, 1000), ...Array.from({ length: 20 }, (_, i) => row(12 * SHARD_MIN_BYTES, 4000, 20 + i))];
    const { result, timeline } = simulate(trace, 'on-demand');
    expect(timeline.map((r) => r.throttledRecords)).toEqual([...Array(20).fill(0), ...Array(15).fill(2000), ...Array(5).fill(0)]);
    // bytes: 15 × 6 MiB·60 of 20 × 3 + 20 × 12 (MiB/s·60): 90 / 300; records: 15 × 2,000 of 100,000
    expect(result.throttledBytesFraction).toBeCloseTo(0.3, 12);
    expect(result.throttledRecordsFraction).toBeCloseTo(0.3, 12);
  });
});

describe('helpers', () => {
  test('a minute that fits is never throttled by rounding: 1,000 records on 6 shards with a 90 % hot key', () => {
    // the per-shard shares (900 + 100/6 on one shard, 100/6 on five) add up to 999.9999999999999 in floating point
    const m = applyCapacity(row(1000, 1000, 0, 0.9), 6 * SHARD_MIN_BYTES, 6 * SHARD_MIN_RECORDS, 6);
    expect(m).toEqual({ acceptedBytes: 1000, acceptedRecords: 1000, throttledBytes: 0, throttledRecords: 0 });
  });

  test('maxInRollingDay: calls less than 1,440 minutes apart share a window', () => {
    expect(maxInRollingDay([1000, 1100])).toBe(2);
    expect(maxInRollingDay([0, 1440])).toBe(1);
    expect(maxInRollingDay([0, 1439, 1440, 2879])).toBe(2);
  });

  test('formatTimeline: a header, one row per minute, rounded numbers, an event with a comma or quote quoted', () => {
    const csv = formatTimeline([
      { minute: 0, shards: 1, capacityBytesPerSecond: MiB, capacityRecordsPerSecond: 1000, throttledBytes: 0.4, throttledRecords: 2.5, event: '' },
      { minute: 1, shards: 2, capacityBytesPerSecond: 2 * MiB, capacityRecordsPerSecond: 2000, throttledBytes: 10.6, throttledRecords: 0, event: 'say "hi", twice' },
      { minute: 2, shards: 2, capacityBytesPerSecond: 2 * MiB, capacityRecordsPerSecond: 2000, throttledBytes: 0, throttledRecords: 0, event: 'UpdateShardCount 2->4' },
    ]);
    expect(csv).toBe('minute,shards,capacity_bytes_per_s,capacity_records_per_s,throttled_bytes,throttled_records,event\n'
      + '0,1,1048576,1000,0,3,\n1,2,2097152,2000,11,0,"say ""hi"", twice"\n2,2,2097152,2000,0,0,UpdateShardCount 2->4\n');
  });
});
