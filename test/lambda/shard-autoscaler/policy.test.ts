import * as fc from 'fast-check';
import { MIN, HOUR, NOW_MINUTE, NOW, BASE, minute } from './policy-fixtures';
import { AutoscalerController, simulate, TraceRow } from '../../../bench/sim';
import {
  callsInWindow, decide, demandShards, MinuteSample, PolicyConfig, PolicyInput, projectDemand, requiredHistoryMinutes,
  resolveConfig, restCheckDue, SHARD_BYTES_PER_MINUTE, SHARD_RECORDS_PER_MINUTE, StreamStatus, throttledFraction, utilization,
} from '../../../lambda/shard-autoscaler/policy';
import { assertProperty } from '../../support/property';


/** `n` minutes ending at the newest published minute (NOW_MINUTE − 3), demand from `f(i)` (i = 0 oldest). */
function series(n: number, f: (i: number) => number): MinuteSample[] {
  return Array.from({ length: n }, (_, i) => minute(NOW_MINUTE - 3 - (n - 1 - i), f(i)));
}

function input(partial: Partial<PolicyInput>): PolicyInput {
  return { currentShards: 10, streamStatus: 'ACTIVE', samples: [], scalingCallTimes: [], now: NOW, config: BASE, ...partial };
}

describe('policy: building blocks', () => {
  test('demand of an unthrottled minute is the larger of its bytes and records share', () => {
    expect(demandShards({ minute: 0, incomingBytes: SHARD_BYTES_PER_MINUTE, incomingRecords: 0, throttledRecords: 0 })).toBe(1);
    expect(demandShards({ minute: 0, incomingBytes: 0, incomingRecords: 3 * SHARD_RECORDS_PER_MINUTE, throttledRecords: 0 })).toBe(3);
  });

  test('a throttled minute adds its throttled records at the accepted records\' average size', () => {
    // 2 shards' worth accepted (60,000 records of 2 MiB/60,000 each... per shard), as many throttled: demand 4.
    const s: MinuteSample = { minute: 0, incomingBytes: 2 * SHARD_BYTES_PER_MINUTE, incomingRecords: 100_000, throttledRecords: 100_000 };
    expect(demandShards(s)).toBeCloseTo(4, 10);
    expect(throttledFraction(s)).toBe(0.5);
  });

  test('a minute with only throttled records has unknown (infinite) demand', () => {
    expect(demandShards({ minute: 0, incomingBytes: 0, incomingRecords: 0, throttledRecords: 10 })).toBe(Number.POSITIVE_INFINITY);
  });

  test('projectDemand extends a straight climb and ignores a flat or falling one', () => {
    const climb = series(30, (i) => 1 + 0.1 * i); // 1.0 … 3.9
    expect(projectDemand(climb, 10)).toBeCloseTo(3.9 + 1.0, 6);
    expect(projectDemand(series(30, () => 2), 10)).toBe(0);
    expect(projectDemand(series(30, (i) => 5 - 0.1 * i), 10)).toBe(0);
    expect(projectDemand(series(4, (i) => i), 10)).toBe(0);
  });

  test('callsInWindow counts only the 24 h before now', () => {
    expect(callsInWindow([NOW - 25 * HOUR, NOW - 24 * HOUR, NOW - 23 * HOUR, NOW, NOW + MIN], NOW)).toBe(2);
  });

  test('resolveConfig derives the thresholds from the target utilisation', () => {
    const r = resolveConfig(BASE);
    expect(r.scaleOutUtilization).toBeCloseTo(0.85, 10);
    expect(r.scaleInUtilization).toBeCloseTo(0.525, 10);
    expect(r.saturationUtilization).toBe(0.95);
    expect([r.scaleOutMinutes, r.throttleMinutes, r.scaleInMinutes, r.reserveCallsForScaleOut]).toEqual([2, 1, 60, 2]);
    expect(resolveConfig({ ...BASE, scaleOutSensitivity: 'low', scaleInSensitivity: 'high' })).toMatchObject({ scaleOutMinutes: 5, throttleMinutes: 2, scaleInMinutes: 30 });
    expect(requiredHistoryMinutes(BASE)).toBe(75);
  });
});

describe('policy: decide, hand-computed cases', () => {
  test('throttling: demand estimated from throttled records, sized to the target, reached in two steps', () => {
    // 4 shards fully used (4 shard-eq accepted) and as many records throttled: demand 8 → 8 / 0.7 = 11.4 → 12 shards.
    const accepted = minute(NOW_MINUTE - 3, 4);
    const throttled = { ...accepted, throttledRecords: accepted.incomingRecords };
    const samples = [...series(10, () => 4).map((s) => ({ ...s, minute: s.minute - 1 })), throttled];
    const d = decide(input({ currentShards: 4, samples }));
    expect(d).toMatchObject({ kind: 'scale-out', targetShards: 8, pendingTarget: 12 });
    expect(d.reason).toMatch(/throttled 50.00% of records/);
  });

  test('a saturated minute well above the ten before is a surge: the largest step', () => {
    const samples = [...series(11, (i) => (i < 10 ? 2 : 5.8))];
    const d = decide(input({ currentShards: 6, samples }));
    // 5.8 / 0.7 = 8.3 would be 9; the surge takes 2 × 6 = 12.
    expect(d).toMatchObject({ kind: 'scale-out', targetShards: 12 });
    expect(d.reason).toMatch(/^surge/);
  });

  test('high utilisation for two minutes: sized to the target utilisation', () => {
    const samples = series(40, (i) => (i < 38 ? 5 : 8.8)); // 88% of 10 shards
    expect(decide(input({ samples }))).toMatchObject({ kind: 'scale-out', targetShards: 13 }); // 8.8 / 0.7 = 12.6
  });

  test('a steady climb is sized for the demand 30 minutes ahead, at most 1.5× the peak', () => {
    const samples = series(30, (i) => 6 + (i * 2.6) / 29); // 6 → 8.6 shard-eq, 0.0897 per minute
    const d = decide(input({ samples }));
    // peak 8.6; trend: 8.6 + 30 × 0.0897 = 11.29 → 11.29 / 0.7 = 16.1 → 17
    expect(d).toMatchObject({ kind: 'scale-out', targetShards: 17 });
    expect(decide(input({ samples, config: { ...BASE, growthHorizonMinutes: 0 } }))).toMatchObject({ targetShards: 13 });
  });

  test('at the target utilisation nothing happens', () => {
    const d = decide(input({ samples: series(80, () => 7) }));
    expect(d).toMatchObject({ kind: 'none', reason: 'demand within the target range' });
    expect(d.targetShards).toBeUndefined();
  });

  test('sustained low utilisation: scales in to keep the window peak at 80% of the target', () => {
    // 60 minutes at ≤ 3 shard-eq on 10 shards (≤ 30% ≤ 52.5%): 3 / (0.8 × 0.7) = 5.36 → 6
    const samples = series(80, (i) => (i % 7 === 0 ? 3 : 2));
    expect(decide(input({ samples }))).toMatchObject({ kind: 'scale-in', targetShards: 6 });
  });

  test('scale-in needs the whole window low', () => {
    const samples = series(80, (i) => (i === 40 ? 6 : 2)); // one minute at 60% in the window
    expect(decide(input({ samples })).kind).toBe('none');
    expect(decide(input({ samples: series(59, () => 2) })).kind).toBe('none'); // window not covered yet
  });

  test('a deep scale-in takes its next step as soon as the stream is ACTIVE: no settling wait after the last call', () => {
    // 20 shards just halved to 10 (call 4 minutes ago, the reshard is done): the window is still cold at 10 shards.
    const samples = series(80, () => 2);
    expect(decide(input({ samples, scalingCallTimes: [NOW - 4 * MIN] }))).toMatchObject({ kind: 'scale-in', targetShards: 5, pendingTarget: 4 });
    expect(decide(input({ samples, scalingCallTimes: [NOW - 4 * MIN], streamStatus: 'UPDATING' })).kind).toBe('none');
  });

  describe('rest headroom: a count no call has set for 24 h is sized as a scale-in would size it', () => {
    // 10 shards, target 0.7: the window's peak 7.5 is above 70% of 10; a scale-in sizes a peak to 0.8 × 0.7 = 56%.
    const busy = () => series(80, (i) => (i === 50 ? 7.5 : 6));

    test('no call for 24 h and the window peak above the target: the peak at 56%', () => {
      const d = decide(input({ samples: busy() }));
      expect(d).toMatchObject({ kind: 'scale-out', targetShards: 14 }); // 7.5 / 0.56 = 13.4 → 14
      expect(d.reason).toMatch(/^rest: no call for 24 h and the 60-min peak 7\.50 is above 70% of 10 shards/);
      expect(d.demandShards).toBeCloseTo(7.5);
    });

    test('never into the scale-in band: one shard less where the scale-in sizing would put the peak at or below 52.5%', () => {
      // 7.29 / 0.56 = 13.02 → 14 shards, where 7.29 is 52.1% (a window the next scale-in would take back to 14 − 1): 13
      const d = decide(input({ samples: series(80, (i) => (i === 50 ? 7.29 : 6)) }));
      expect(d).toMatchObject({ kind: 'scale-out', targetShards: 13 });
      expect(decide({ ...input({ samples: series(80, (i) => (i === 50 ? 7.29 : 6)) }), currentShards: 13 }).kind).toBe('none');
    });

    test('a call in the last 24 h: the count was sized by the policy, nothing happens', () => {
      expect(decide(input({ samples: busy(), scalingCallTimes: [NOW - 24 * HOUR + MIN] })).kind).toBe('none');
      expect(decide(input({ samples: busy(), scalingCallTimes: [NOW - 24 * HOUR] })).kind).toBe('scale-out');
    });

    test('the peak at the target, a throttled minute, a window not covered yet, or the maximum reached: nothing happens', () => {
      expect(decide(input({ samples: series(80, (i) => (i === 50 ? 7 : 6)) })).kind).toBe('none');
      // one record throttled, far below the minimum fraction (no scale-out), in the window's oldest minute, or just before it
      const throttledAt = (at: number) => busy().map((s, i) => (i === at ? { ...s, throttledRecords: 1 } : s));
      expect(decide(input({ samples: throttledAt(20) })).kind).toBe('none');
      expect(decide(input({ samples: throttledAt(19) })).kind).toBe('scale-out');
      expect(decide(input({ samples: busy().slice(20) })).kind).toBe('scale-out'); // 60 minutes
      expect(decide(input({ samples: busy().slice(21) })).kind).toBe('none'); // 59 minutes
      expect(decide(input({ samples: busy(), config: { ...BASE, maxShards: 10 } })).kind).toBe('none');
      expect(decide(input({ samples: busy(), config: { ...BASE, maxShards: 12 } }))).toMatchObject({ kind: 'scale-out', targetShards: 12 });
    });

    test('beyond one call\'s reach: 2× now, the rest named', () => {
      const d = decide(input({ currentShards: 4, samples: series(80, () => 3.9) })); // 3.9 / 0.56 = 6.96 → 7; 97.5% of 4
      expect(d.kind).toBe('scale-out');
      const far = decide(input({ currentShards: 10, samples: series(80, (i) => (i === 79 ? 6.9 : 2)), config: { ...BASE, targetUtilization: 0.3 } }));
      // peak 6.9 > 0.3 × 10; 6.9 / 0.24 = 28.75 → 29, reached through 20
      expect(far).toMatchObject({ kind: 'scale-out', targetShards: 20, pendingTarget: 29 });
    });

    test('restCheckDue: no call for 24 h, and no rest check for a scale-in window', () => {
      const window = 60 * MIN; // BASE: scale-in sensitivity medium
      expect(restCheckDue([], undefined, NOW, BASE)).toBe(true);
      expect(restCheckDue([], NOW - window, NOW, BASE)).toBe(true);
      expect(restCheckDue([], NOW - window + 1, NOW, BASE)).toBe(false);
      expect(restCheckDue([], NOW - 29 * MIN, NOW, { ...BASE, scaleInSensitivity: 'high' })).toBe(false);
      expect(restCheckDue([], NOW - 30 * MIN, NOW, { ...BASE, scaleInSensitivity: 'high' })).toBe(true);
      expect(restCheckDue([NOW - 24 * HOUR + 1], undefined, NOW, BASE)).toBe(false);
      expect(restCheckDue([NOW - 24 * HOUR], undefined, NOW, BASE)).toBe(true);
    });
  });

  test('deep scale-in goes halfway and names the rest', () => {
    const samples = series(80, () => 1);
    expect(decide(input({ currentShards: 40, samples }))).toMatchObject({ kind: 'scale-in', targetShards: 20, pendingTarget: 2 });
  });

  test('the lag guard holds scale-in back, but not scale-out', () => {
    const cold = series(80, () => 2);
    const config = { ...BASE, lagGuardMillis: 60_000 };
    expect(decide(input({ samples: cold, config, lagMillis: 60_001 }))).toMatchObject({ kind: 'none' });
    expect(decide(input({ samples: cold, config, lagMillis: 60_001 })).reason).toMatch(/lag guard/);
    expect(decide(input({ samples: cold, config, lagMillis: 60_000 })).kind).toBe('scale-in');
    expect(decide(input({ samples: cold, config })).kind).toBe('scale-in'); // lag unknown: not tripped
    const hot = series(40, () => 9);
    expect(decide(input({ samples: hot, config, lagMillis: 10_000_000 })).kind).toBe('scale-out');
  });

  test('the call budget: 10 in a rolling 24 h, the last two reserved for scale-out', () => {
    const calls = (n: number) => Array.from({ length: n }, (_, i) => NOW - 23 * HOUR + i * HOUR);
    const cold = series(80, () => 2);
    const hot = series(40, () => 9);
    expect(decide(input({ samples: cold, scalingCallTimes: calls(7) })).kind).toBe('scale-in');
    expect(decide(input({ samples: cold, scalingCallTimes: calls(8) })).reason).toMatch(/reserved for scale-out/);
    expect(decide(input({ samples: hot, scalingCallTimes: calls(9) })).kind).toBe('scale-out');
    expect(decide(input({ samples: hot, scalingCallTimes: calls(10) }))).toMatchObject({ kind: 'none', callsInLast24h: 10 });
    // calls older than 24 h do not count
    expect(decide(input({ samples: hot, scalingCallTimes: calls(10).map((t) => t - 2 * HOUR) })).kind).toBe('scale-out');
  });

  test('nothing while the stream is not ACTIVE', () => {
    for (const streamStatus of ['UPDATING', 'CREATING', 'DELETING'] as StreamStatus[]) {
      expect(decide(input({ streamStatus, samples: series(40, () => 9.9) }))).toMatchObject({ kind: 'none', reason: `stream is ${streamStatus}` });
    }
  });

  test('a count outside [min, max] is moved back inside, one call\'s reach at a time', () => {
    expect(decide(input({ currentShards: 2, config: { ...BASE, minShards: 5 } }))).toMatchObject({ kind: 'scale-out', targetShards: 4, pendingTarget: 5 });
    expect(decide(input({ currentShards: 40, config: { ...BASE, maxShards: 10 } }))).toMatchObject({ kind: 'scale-in', targetShards: 20, pendingTarget: 10 });
  });

  test('throttling at the maximum: no call, and the reason says so', () => {
    const samples = [minute(NOW_MINUTE - 3, 10, 50_000)];
    expect(decide(input({ samples, config: { ...BASE, maxShards: 10 } }))).toMatchObject({ kind: 'none' });
    expect(decide(input({ samples, config: { ...BASE, maxShards: 10 } })).reason).toMatch(/maximum 10/);
  });

  test('throttling while the demand fits (sub-minute bursts) forces ×1.25 once the count settled, not before', () => {
    const burst = [minute(NOW_MINUTE - 3, 5, 1000)]; // 5 shard-eq on 10 shards, yet throttled
    expect(decide(input({ samples: burst }))).toMatchObject({ kind: 'scale-out', targetShards: 13 });
    expect(decide(input({ samples: burst, scalingCallTimes: [NOW - 5 * MIN] })).kind).toBe('none');
  });

  test('throttling below the minimum fraction does not count', () => {
    const samples = [minute(NOW_MINUTE - 3, 5, 1)]; // 1 record of ~154,000
    expect(decide(input({ samples })).kind).toBe('none');
  });

  test('a hot key (throttled at low utilisation) is reported, and no scale-out follows', () => {
    // 10 shards, 2.5 shard-eq accepted (25%), a fifth of the records throttled: one shard is full, the stream is not.
    const hot = series(20, () => 2.5).map((s) => ({ ...s, throttledRecords: Math.round(s.incomingRecords / 4) }));
    const d = decide(input({ samples: hot }));
    expect(d).toMatchObject({ kind: 'none', hotKey: true });
    expect(d.reason).toMatch(/hot partition key/);
    // The same throttled share at 60% utilisation is demand: scale out.
    const busy = series(20, () => 6).map((s) => ({ ...s, throttledRecords: Math.round(s.incomingRecords / 4) }));
    const out = decide(input({ samples: busy }));
    expect(out.kind).toBe('scale-out');
    expect(out.hotKey).toBeUndefined();
  });

  test('throttled minutes from before the count settled are not taken for a hot key: a surge chain goes on', () => {
    // Called 5 minutes ago (4 → 8 shards): minutes measured at 4 shards are 50% of 8 once the count is 8, and throttled.
    const before = series(15, () => 2).map((s) => ({ ...s, minute: s.minute - 4 }));
    const surge = [0, 1, 2, 3].map((i) => ({ ...minute(NOW_MINUTE - 6 + i, 3.9), throttledRecords: 200_000 }));
    const d = decide(input({ currentShards: 8, samples: [...before, ...surge], scalingCallTimes: [NOW - 5 * MIN] }));
    expect(d.kind).toBe('scale-out');
    expect(d.hotKey).toBeUndefined();
  });

  test('one shard is never a hot key: the stream is the shard', () => {
    const samples = series(20, () => 0.3).map((s) => ({ ...s, throttledRecords: Math.round(s.incomingRecords) }));
    expect(decide(input({ currentShards: 1, samples })).kind).toBe('scale-out');
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// Properties

const configArb: fc.Arbitrary<PolicyConfig> = fc.record({
  minShards: fc.integer({ min: 1, max: 50 }),
  span: fc.integer({ min: 0, max: 400 }),
  targetUtilization: fc.double({ min: 0.05, max: 1, noNaN: true }),
  scaleOutSensitivity: fc.constantFrom('high', 'medium', 'low' as const),
  scaleInSensitivity: fc.constantFrom('high', 'medium', 'low' as const),
  lagGuardMillis: fc.option(fc.integer({ min: 0, max: 3_600_000 }), { nil: undefined }),
  reserveCallsForScaleOut: fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }),
  growthHorizonMinutes: fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
}).map(({ span, ...c }) => ({ ...c, maxShards: c.minShards + span }));

/** Per-minute samples ending at NOW_MINUTE − 3, oldest first, any mix of traffic and throttling. */
const samplesArb = (maxLength: number) => fc.array(fc.record({
  shardEq: fc.double({ min: 0, max: 800, noNaN: true }),
  recordBytes: fc.integer({ min: 1, max: 1024 * 1024 }),
  throttledShare: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
}), { maxLength }).map((rows) => rows.map((r, i): MinuteSample => {
  const bytes = r.shardEq * SHARD_BYTES_PER_MINUTE;
  const records = Math.round(bytes / r.recordBytes);
  return {
    minute: NOW_MINUTE - 3 - (rows.length - 1 - i),
    incomingBytes: bytes,
    incomingRecords: records,
    throttledRecords: Math.round(records * r.throttledShare),
  };
}));

const callsArb = fc.array(fc.integer({ min: 0, max: 30 * 60 }), { maxLength: 14 }).map((ago) => ago.map((m) => NOW - m * MIN).sort((a, b) => a - b));

const inputArb: fc.Arbitrary<PolicyInput> = fc.record({
  config: configArb,
  currentShards: fc.integer({ min: 1, max: 10_000 }),
  streamStatus: fc.constantFrom('ACTIVE', 'ACTIVE', 'ACTIVE', 'UPDATING' as const),
  samples: samplesArb(200),
  lagMillis: fc.option(fc.integer({ min: 0, max: 7_200_000 }), { nil: undefined }),
  scalingCallTimes: callsArb,
}).map((r) => ({ ...r, now: NOW }));

describe('policy: properties', () => {
  test('the target stays within [½×, 2×] of the current count, and within [min, max] when the count is', () => {
    assertProperty(fc.property(inputArb, (inp) => {
      const d = decide(inp);
      if (d.targetShards === undefined) return d.kind === 'none';
      const c = inp.currentShards;
      expect(Number.isInteger(d.targetShards)).toBe(true);
      expect(d.targetShards).not.toBe(c);
      expect(d.targetShards).toBeGreaterThanOrEqual(Math.ceil(c / 2));
      expect(d.targetShards).toBeLessThanOrEqual(2 * c);
      const { minShards, maxShards } = inp.config;
      if (c >= minShards && c <= maxShards) {
        expect(d.targetShards).toBeGreaterThanOrEqual(minShards);
        expect(d.targetShards).toBeLessThanOrEqual(maxShards);
      } else {
        // outside the bounds: a step toward them
        const bound = c < minShards ? minShards : maxShards;
        expect(Math.abs(d.targetShards - bound)).toBeLessThan(Math.abs(c - bound));
      }
      expect(d.kind).toBe(d.targetShards > c ? 'scale-out' : 'scale-in');
      return true;
    }), { numRuns: 3000 });
  });

  test('no target once 10 calls were made in the rolling 24 h', () => {
    assertProperty(fc.property(inputArb, fc.array(fc.integer({ min: 0, max: 24 * 60 - 1 }), { minLength: 10, maxLength: 12 }), (inp, ago) => {
      const d = decide({ ...inp, scalingCallTimes: ago.map((m) => NOW - m * MIN) });
      expect(d.targetShards).toBeUndefined();
    }), { numRuns: 500 });
  });

  test('no scale-in while the lag guard is tripped', () => {
    assertProperty(fc.property(inputArb, fc.integer({ min: 0, max: 3_600_000 }), fc.integer({ min: 1, max: 3_600_000 }), (inp, guard, over) => {
      const d = decide({ ...inp, config: { ...inp.config, lagGuardMillis: guard }, lagMillis: guard + over });
      expect(d.kind).not.toBe('scale-in');
      if (d.targetShards !== undefined) expect(d.targetShards).toBeGreaterThan(inp.currentShards);
    }), { numRuns: 2000 });
  });

  test('always scales out under throttling when the budget allows', () => {
    // ACTIVE, below the maximum, fewer than 10 calls in 24 h, and the newest published minutes throttled after the
    // count settled (the last call is more than settleMinutes before them).
    const arb = fc.record({
      base: inputArb,
      throttledMinutes: fc.array(fc.record({
        shardEq: fc.double({ min: 0.001, max: 800, noNaN: true }),
        share: fc.double({ min: 0.002, max: 1, noNaN: true }),
      }), { minLength: 2, maxLength: 2 }),
      calls: fc.array(fc.integer({ min: 16, max: 24 * 60 - 1 }), { maxLength: 9 }),
    });
    assertProperty(fc.property(arb, ({ base, throttledMinutes, calls }) => {
      const config = base.config;
      const current = Math.min(Math.max(base.currentShards, config.minShards), config.maxShards);
      fc.pre(current < config.maxShards);
      const tail: MinuteSample[] = throttledMinutes.map((t, i) => {
        const accepted = t.shardEq * SHARD_BYTES_PER_MINUTE;
        const records = Math.max(1, Math.round(accepted / 1024));
        // throttled / (accepted + throttled) = share
        const throttledRecords = Math.max(1, Math.ceil((records * t.share) / (1 - Math.min(t.share, 0.999))));
        return { minute: NOW_MINUTE - 4 + i, incomingBytes: accepted, incomingRecords: records, throttledRecords };
      });
      const samples = [...base.samples.map((s) => ({ ...s, minute: s.minute - 2 })), ...tail];
      // A hot key (throttled while the stream has room, after the count settled) is reported instead (tested above).
      const lowUtilization = tail.some((s) => utilization(s, current) < resolveConfig(config).hotKeyUtilization);
      fc.pre(current === 1 || !lowUtilization);
      const d = decide({
        ...base, config, currentShards: current, streamStatus: 'ACTIVE', samples, scalingCallTimes: calls.map((m) => NOW - m * MIN),
      });
      expect(d.kind).toBe('scale-out');
      expect(d.targetShards).toBeGreaterThan(current);
    }), { numRuns: 2000 });
  });

  test('driven through the simulator over random traces: never more than 10 calls in any rolling 24 h, no call AWS rejects', () => {
    // Piecewise traces of 1.5 to 3 days: random levels (idle to 60 MiB/s) held for 3 minutes to 2 hours, so that the
    // policy is pushed to scale often in both directions.
    const segment = fc.record({
      minutes: fc.integer({ min: 3, max: 120 }),
      mibPerSecond: fc.oneof(fc.double({ min: 0, max: 2, noNaN: true }), fc.double({ min: 0, max: 60, noNaN: true }), fc.constant(0)),
      recordBytes: fc.integer({ min: 100, max: 50_000 }),
    });
    const traceArb = fc.array(segment, { minLength: 20, maxLength: 80 }).map((segs) => {
      const rows: TraceRow[] = [];
      for (const s of segs) {
        for (let i = 0; i < s.minutes && rows.length < 4320; i++) {
          const bytes = s.mibPerSecond * 1024 * 1024 * 60;
          rows.push({ minute: rows.length, incomingBytes: bytes, incomingRecords: Math.round(bytes / s.recordBytes) });
        }
      }
      while (rows.length < 2160) rows.push({ ...rows[rows.length % 50], minute: rows.length });
      return rows;
    });
    let busiest = 0;
    const delays = fc.integer({ min: 0, max: 4 });
    assertProperty(fc.property(traceArb, configArb, delays, fc.integer({ min: 0, max: 10 }), (trace, config, delay, reshard) => {
      const initial = Math.min(Math.max(1, Math.ceil(demandShards({ ...trace[0], throttledRecords: 0 }) / 0.7)), config.maxShards);
      const cfg = { ...config, minShards: Math.min(config.minShards, initial) };
      const options = { initialShards: initial, metricDelayMinutes: delay, reshardMinutes: reshard };
      const { result } = simulate(trace, new AutoscalerController(cfg), options);
      expect(result.maxCallsInRolling24h).toBeLessThanOrEqual(10);
      expect(result.limitViolations).toBe(0);
      busiest = Math.max(busiest, result.maxCallsInRolling24h);
    }), { numRuns: 25, seed: 20261128 });
    // The traces did push the policy to its budget (otherwise the property above says little). The seed is fixed so
    // that this holds in every run: with a random one, 25 traces now and then all stay under the budget.
    expect(busiest).toBe(10);
  });
});
