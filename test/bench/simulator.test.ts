import { readFileSync } from 'fs';
import { join } from 'path';
import {
  applyCapacity, AutoscalerController, AwsSamplesController, Controller, formatTimeline, formatTrace, maxInRollingDay, parseTrace,
  reactiveBound, SimAlarm, simulate,
  StaticController, StreamApi, StreamView, SubstationController, substationDownscale, substationUpscale, TIMELINE_HEADER, TraceRow,
} from '../../bench/sim';
import { TRACES } from '../../bench/traces/generate';

const MiB = 1024 * 1024;
/** One shard's per-minute capacity. */
const SHARD_MIN_BYTES = 60 * MiB;

/** A trace of `n` minutes at `mibPerSecond` in records of `recordBytes`. */
function flat(n: number, mibPerSecond: number, recordBytes = 4096, from = 0): TraceRow[] {
  return Array.from({ length: n }, (_, i) => ({
    minute: from + i,
    incomingBytes: mibPerSecond * SHARD_MIN_BYTES,
    incomingRecords: Math.round((mibPerSecond * SHARD_MIN_BYTES) / recordBytes),
  }));
}

/** A controller that records what it sees and calls UpdateShardCount at given minutes. */
class Scripted implements Controller {
  public readonly name = 'scripted';
  public readonly views: Array<{ minute: number; shards: number; status: string; published: number; newest?: number; completed: boolean }> = [];
  public readonly answers: boolean[] = [];
  constructor(private readonly calls: Record<number, number> = {}) {}
  step(view: StreamView, api: StreamApi): void {
    this.views.push({
      minute: view.minute,
      shards: view.shards,
      status: view.status,
      published: view.published.length,
      newest: view.published.at(-1)?.minute,
      completed: view.reshardCompleted,
    });
    const target = this.calls[view.minute];
    if (target !== undefined) this.answers.push(api.updateShardCount(target));
  }
}

describe('simulator: traces', () => {
  test('parses the CloudWatch export format and rejects malformed traces naming the line', () => {
    expect(parseTrace('minute,incoming_bytes,incoming_records\n5,100,2\n6,0,0\n')).toEqual([
      { minute: 5, incomingBytes: 100, incomingRecords: 2 }, { minute: 6, incomingBytes: 0, incomingRecords: 0 },
    ]);
    expect(() => parseTrace('minute,bytes,records\n0,1,1')).toThrow(/header must be/);
    expect(() => parseTrace('minute,incoming_bytes,incoming_records\n0,1,1\n2,1,1')).toThrow(/line 3: minute 2 does not follow 0/);
    expect(() => parseTrace('minute,incoming_bytes,incoming_records\n0,-1,1')).toThrow(/line 2/);
    expect(() => parseTrace('minute,incoming_bytes,incoming_records\n')).toThrow(/no rows/);
  });

  test('the committed traces are what the generator writes (deterministic seeds)', () => {
    for (const [name, gen] of Object.entries(TRACES)) {
      const committed = parseTrace(readFileSync(join(__dirname, '../../bench/traces', `${name}.csv`), 'utf8'));
      const generated = gen();
      expect(committed.length).toBe(generated.length);
      expect(committed[committed.length - 1].incomingBytes).toBe(Math.round(generated[generated.length - 1].incomingBytes));
      expect(committed.slice(0, 50).map((r) => r.incomingRecords)).toEqual(generated.slice(0, 50).map((r) => Math.round(r.incomingRecords)));
    }
  });

  test('a trace may carry a hot-key share per minute, from 0 to 1', () => {
    const csv = 'minute,incoming_bytes,incoming_records,hot_key_share\n0,100,2,0\n1,100,2,0.25\n';
    expect(parseTrace(csv)).toEqual([
      { minute: 0, incomingBytes: 100, incomingRecords: 2, hotKeyShare: 0 }, { minute: 1, incomingBytes: 100, incomingRecords: 2, hotKeyShare: 0.25 },
    ]);
    expect(formatTrace(parseTrace(csv))).toBe(csv);
    expect(() => parseTrace('minute,incoming_bytes,incoming_records,hot_key_share\n0,1,1,1.5')).toThrow(/line 2: hot_key_share must be from 0 to 1/);
    expect(() => parseTrace('minute,incoming_bytes,incoming_records,hot_key_share\n0,1,1')).toThrow(/expected 4 non-negative numbers/);
  });

  test('the surge traces: a 6× step within 3 minutes, a 2.5× spike of 20 minutes, a second surge before a scale-in window', () => {
    const step = TRACES['step-6x']();
    const s = 1440 + 600;
    expect(step[s + 2].incomingBytes / step[s - 1].incomingBytes).toBeGreaterThan(5);
    const spike = TRACES['spike-2.5x-20min']();
    const high = spike.filter((r) => r.incomingBytes > 2 * 3 * SHARD_MIN_BYTES);
    expect(high.length).toBeGreaterThanOrEqual(18);
    expect(high.length).toBeLessThanOrEqual(20);
    const hot = TRACES['hot-key']();
    expect(hot.filter((r) => (r.hotKeyShare ?? 0) > 0)).toHaveLength(240);
  });

  test('the flash sale rises 5× within 3 minutes', () => {
    const t = TRACES['flash-sale']();
    const start = 2 * 1440 + 20 * 60;
    const before = t[start - 1].incomingBytes;
    expect(t[start + 3].incomingBytes / before).toBeGreaterThan(4);
    expect(t[start + 3].incomingBytes / before).toBeLessThan(6.5);
  });
});

describe('simulator: throttling accounting', () => {
  test('demand beyond the capacity is throttled; CloudWatch counts only accepted records', () => {
    const trace = flat(10, 3); // 3 MiB/s on 2 shards: a third throttled
    const seen = new Scripted();
    const { result, timeline } = simulate(trace, seen, { initialShards: 2, metricDelayMinutes: 0 });
    expect(result.throttledBytesFraction).toBeCloseTo(1 / 3, 6);
    expect(result.throttledRecordsFraction).toBeCloseTo(1 / 3, 4);
    expect(timeline[0].throttledBytes).toBeCloseTo(SHARD_MIN_BYTES, 0);
    expect(timeline[0]).toMatchObject({ shards: 2, capacityBytesPerSecond: 2 * MiB, capacityRecordsPerSecond: 2000 });
    expect(result.shardHours).toBeCloseTo(20 / 60, 10);
  });

  test('records bind before bytes with small records', () => {
    const trace = flat(5, 0.1, 50); // 0.1 MiB/s in 50-byte records = 2,097 records/s on 1 shard (1,000/s)
    const { result } = simulate(trace, new StaticController(), { initialShards: 1 });
    expect(result.throttledRecordsFraction).toBeCloseTo(1 - 1000 / 2097.152, 3);
    expect(result.throttledBytesFraction).toBeCloseTo(result.throttledRecordsFraction, 3);
  });

  test('the policy sees accepted bytes and records and the throttled records, as CloudWatch publishes them', () => {
    const seen: StreamView[] = [];
    const spy: Controller = { name: 'spy', step: (v) => { seen.push({ ...v, published: [...v.published] }); } };
    simulate(flat(3, 3), spy, { initialShards: 2, metricDelayMinutes: 0 });
    const s = seen[2].published[0];
    expect(s.incomingBytes).toBeCloseTo(2 * SHARD_MIN_BYTES, 0);
    expect(s.incomingRecords + s.throttledRecords).toBe(Math.round((3 * SHARD_MIN_BYTES) / 4096));
    expect(s.throttledRecords).toBeGreaterThan(0);
  });
});

describe('simulator: hot key', () => {
  test('a hot key lands on one shard: more shards do not relieve it', () => {
    // 3 MiB/s spread evenly plus 1.5 MiB/s under one key: the hot shard gets 1.5 + 3/n MiB/s against its 1 MiB/s.
    const row = { minute: 0, incomingBytes: 4.5 * SHARD_MIN_BYTES, incomingRecords: 4.5 * 60_000, hotKeyShare: 1 / 3 };
    const on5 = applyCapacity(row, 5 * SHARD_MIN_BYTES, 5 * 60_000, 5);
    expect(on5.throttledBytes).toBeCloseTo((1.5 + 0.6 - 1) * SHARD_MIN_BYTES, 0);
    const on20 = applyCapacity(row, 20 * SHARD_MIN_BYTES, 20 * 60_000, 20);
    expect(on20.throttledBytes).toBeCloseTo((1.5 + 0.15 - 1) * SHARD_MIN_BYTES, 0);
    // without a hot key, 5 shards take it all
    expect(applyCapacity({ ...row, hotKeyShare: 0 }, 5 * SHARD_MIN_BYTES, 5 * 60_000, 5).throttledBytes).toBe(0);
  });

  test('the autoscaler does not scale out on a hot key', () => {
    // 10 shards (the minimum): the 1.5 MiB/s hot key fills one, the stream's accepted utilisation is about 37%.
    const trace = TRACES['hot-key']();
    const c = new AutoscalerController({ minShards: 10, maxShards: 10_000, targetUtilization: 0.6 });
    const { timeline } = simulate(trace, c, { initialShards: 10 });
    const during = timeline.slice(1440 + 600, 1440 + 840);
    expect(during.some((r) => r.throttledBytes > 0)).toBe(true);
    expect(during.filter((r) => /UpdateShardCount \d+->(\d+)/.test(r.event))).toEqual([]);
    expect(c.decisions.filter((d) => d.decision.hotKey).length).toBeGreaterThan(200);
  });
});

describe('simulator: the bound', () => {
  test('on a step, the bound is the throttling of doubling at the first published minute and at every completed reshard', () => {
    // 1 shard at 0.5 MiB/s, 3 MiB/s from minute 20. Minute 20 is published at the start of 23: 1 → 2 then, ready at 27;
    // 2 → 4 at 27, ready at 31. Throttled: 7 minutes of 2 MiB/s at 1 shard, 4 minutes of 1 MiB/s at 2 shards.
    const trace = [...flat(20, 0.5), ...flat(40, 3, 4096, 20)];
    const { result, timeline } = simulate(trace, new StaticController(), { initialShards: 1 });
    const bound = reactiveBound(trace, timeline, { metricDelayMinutes: 2, reshardMinutes: 4, evidenceUtilization: 0.8 });
    const total = (20 * 0.5 + 40 * 3) * SHARD_MIN_BYTES;
    expect(bound.throttledBytesFraction).toBeCloseTo(((7 * 2 + 4 * 1) * SHARD_MIN_BYTES) / total, 9);
    expect(bound.shards.slice(26, 32)).toEqual([1, 2, 2, 2, 2, 4]);
    expect(result.throttledBytesFraction).toBeGreaterThan(bound.throttledBytesFraction);
  });

  test('the bound never throttles more than the policy it starts from, nor less than what the delay forces', () => {
    for (const name of ['flash-sale', 'step-6x', 'periodic-bursts']) {
      const trace = TRACES[name]();
      for (const controller of [new AutoscalerController({ minShards: 1, maxShards: 10_000, targetUtilization: 0.6 }), new AwsSamplesController()]) {
        const { result, timeline } = simulate(trace, controller);
        const bound = reactiveBound(trace, timeline, { metricDelayMinutes: 2, reshardMinutes: 4, evidenceUtilization: 0.8 });
        expect(bound.throttledBytesFraction).toBeLessThanOrEqual(result.throttledBytesFraction + 1e-12);
        bound.shards.forEach((b, t) => expect(b).toBeGreaterThanOrEqual(timeline[t].shards));
      }
    }
  });
});

describe('simulator: time', () => {
  test('a decision at minute t sees only minutes up to t − 1 − delay', () => {
    for (const delay of [0, 2, 5]) {
      const c = new Scripted();
      simulate(flat(10, 0.5), c, { initialShards: 1, metricDelayMinutes: delay });
      for (const v of c.views) {
        expect(v.published).toBe(Math.max(0, v.minute - delay));
        if (v.published > 0) expect(v.newest).toBe(v.minute - 1 - delay);
      }
    }
  });

  test('a reshard takes reshardMinutes from the call to the new capacity, UPDATING meanwhile', () => {
    const c = new Scripted({ 3: 2, 5: 4 });
    const { result, timeline } = simulate(flat(12, 0.5), c, { initialShards: 1, reshardMinutes: 4 });
    expect(timeline.map((r) => r.shards)).toEqual([1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
    expect(c.views.slice(3, 8).map((v) => v.status)).toEqual(['ACTIVE', 'UPDATING', 'UPDATING', 'UPDATING', 'ACTIVE']);
    expect(c.views[7].completed).toBe(true);
    // the call at minute 5 came while UPDATING: ResourceInUseException, a violation, no effect
    expect(c.answers).toEqual([true, false]);
    expect(result).toMatchObject({ scalingCalls: 1, limitViolations: 1 });
    expect(timeline[3].event).toBe('UpdateShardCount 1->2');
    expect(timeline[5].event).toMatch(/^rejected UpdateShardCount 1->4 \(ResourceInUseException/);
  });

  test('reshardMinutes 0 applies the new count in the minute of the call', () => {
    const { timeline } = simulate(flat(3, 0.5), new Scripted({ 1: 2 }), { initialShards: 1, reshardMinutes: 0 });
    expect(timeline.map((r) => r.shards)).toEqual([1, 2, 2]);
  });
});

describe('simulator: resharding limits', () => {
  test('targets beyond 2× or below ½× the open count are rejected', () => {
    const c = new Scripted({ 0: 9, 1: 1, 2: 8 });
    const { result, timeline } = simulate(flat(3, 0.5), c, { initialShards: 4, reshardMinutes: 10 });
    expect(c.answers).toEqual([false, false, true]);
    expect(result.limitViolations).toBe(2);
    expect(timeline[0].event).toMatch(/more than 2x/);
    expect(timeline[1].event).toMatch(/less than half/);
  });

  test('an 11th call within a rolling 24 h is rejected; calls older than 24 h free the budget', () => {
    const calls: Record<number, number> = {};
    let shards = 1;
    for (let i = 0; i < 11; i++) {
      shards = shards === 1 ? 2 : 1;
      calls[i * 10] = shards;
    }
    calls[1440] = 2; // 24 h after the first call: allowed again (count was 1 after the rejected 11th)
    const c = new Scripted(calls);
    const { result } = simulate(flat(1441, 0.1), c, { initialShards: 1, reshardMinutes: 1 });
    expect(c.answers.slice(0, 10).every((a) => a)).toBe(true);
    expect(c.answers[10]).toBe(false);
    expect(c.answers[11]).toBe(true);
    expect(result).toMatchObject({ scalingCalls: 11, maxCallsInRolling24h: 10, limitViolations: 1 });
  });

  test('maxInRollingDay counts calls within any 24 h', () => {
    expect(maxInRollingDay([])).toBe(0);
    expect(maxInRollingDay([0, 1439, 1440, 2000])).toBe(3);
    expect(maxInRollingDay([0, 100, 1440, 1540])).toBe(2);
  });
});

describe('simulator: on-demand', () => {
  test('a new stream absorbs 4 MiB/s; a surge beyond 2× the peak throttles about 15 minutes', () => {
    const trace = [...flat(60, 3), ...flat(60, 20, 4096, 60)];
    const { result, timeline } = simulate(trace, 'on-demand');
    expect(timeline.slice(0, 60).every((r) => r.throttledBytes === 0)).toBe(true);
    const throttledMinutes = timeline.filter((r) => r.throttledBytes > 0).map((r) => r.minute);
    expect(throttledMinutes[0]).toBe(60);
    expect(throttledMinutes.length).toBe(15);
    expect(result.shardHours).toBeNull();
    // two hours of stream-hours at $0.04 plus ingest at $0.08/GB
    const gb = (60 * 3 + 60 * 20) * SHARD_MIN_BYTES / (1024 ** 3);
    const accepted = gb - timeline.reduce((a, r) => a + r.throttledBytes, 0) / (1024 ** 3);
    expect(result.costUsd).toBeCloseTo(2 * 0.04 + accepted * 0.08, 6);
    expect(gb).toBeGreaterThan(accepted);
  });
});

describe('simulator: cost and output', () => {
  test('an idle shard for an hour costs one shard-hour at $0.015', () => {
    const { result } = simulate(flat(60, 0), new StaticController(), { initialShards: 1 });
    expect(result).toMatchObject({ shardHours: 1, throttledBytesFraction: 0 });
    expect(result.costUsd).toBeCloseTo(0.015, 10);
  });

  test('the timeline CSV has one row per minute and names each call with its counts', () => {
    const { timeline } = simulate(flat(4, 0.5), new Scripted({ 1: 2 }), { initialShards: 1 });
    const csv = formatTimeline(timeline).trim().split('\n');
    expect(csv[0]).toBe(TIMELINE_HEADER);
    expect(csv).toHaveLength(5);
    expect(csv[2]).toBe(`1,1,${MiB},1000,0,0,UpdateShardCount 1->2`);
    expect(formatTimeline([{ ...timeline[0], event: 'a, "b"' }]).split('\n')[1]).toMatch(/,"a, ""b"""$/);
  });

  test('the shard count must be a whole number within the stream limits', () => {
    expect(() => simulate(flat(2, 1), new StaticController(), { initialShards: 0 })).toThrow(/shards must be a whole number/);
    expect(() => simulate(flat(2, 1), new StaticController(), { metricDelayMinutes: -1 })).toThrow(/metricDelayMinutes/);
  });
});

describe('simulator: alarms and the scaling policies', () => {
  test('an alarm acts on its transition into ALARM only, and again after a reset', () => {
    const a = new SimAlarm('x', 3, 2);
    expect(a.evaluate([true, true])).toBe(false); // not enough datapoints
    expect(a.evaluate([false, true, true])).toBe(true);
    expect(a.evaluate([true, true, true])).toBe(false);
    a.reset();
    expect(a.evaluate([true, true, false])).toBe(true);
    expect(a.evaluate([true, false, false])).toBe(false);
    expect(a.state).toBe('OK');
  });

  test('the autoscaler reacts to throttling after the metric delay, with a call named in the timeline', () => {
    // 1 shard, demand steps to 3 MiB/s at minute 20.
    const trace = [...flat(20, 0.5), ...flat(40, 3, 4096, 20)];
    const { result, timeline } = simulate(trace, new AutoscalerController({ minShards: 1, maxShards: 100, targetUtilization: 0.7 }),
      { initialShards: 1, metricDelayMinutes: 2, reshardMinutes: 4 });
    // minute 20 is published at the start of 23: the call is made then; 2× now, the rest (3 / 0.7 → 5) when ACTIVE at 27
    expect(timeline[23].event).toBe('UpdateShardCount 1->2');
    expect(timeline[27].event).toBe('UpdateShardCount 2->4');
    expect(timeline[31].shards).toBe(4);
    expect(timeline.slice(31).every((r) => r.throttledBytes === 0)).toBe(true);
    expect(result.limitViolations).toBe(0);
  });

  test('aws-samples doubles after five 5-minute periods at ≥ 75%', () => {
    const trace = flat(60, 0.8); // 80% of 1 shard
    const { timeline } = simulate(trace, new AwsSamplesController(), { initialShards: 1, metricDelayMinutes: 0 });
    // periods 0–4 complete at minute 25 (published minutes 0–24)
    expect(timeline.findIndex((r) => r.event !== '')).toBe(25);
    expect(timeline[25].event).toBe('UpdateShardCount 1->2');
  });

  test('substation scales ×2 to ×1.25 by size after five minutes at ≥ 70%', () => {
    expect([1, 4, 5, 12, 13, 32, 33, 100].map(substationUpscale)).toEqual([2, 8, 8, 21, 19, 48, 41, 125]);
    expect([2, 4, 8, 12, 20, 40].map(substationDownscale)).toEqual([1, 2, 5, 7, 14, 32]);
    const { timeline } = simulate(flat(20, 0.75), new SubstationController(), { initialShards: 1, metricDelayMinutes: 0 });
    expect(timeline.findIndex((r) => r.event !== '')).toBe(5);
    expect(timeline[5].event).toBe('UpdateShardCount 1->2');
  });
});
