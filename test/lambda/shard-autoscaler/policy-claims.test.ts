/**
 * The README's claims about the scaling policy, each by a case a mutation of the claim would fail: "scale in only after
 * 60 unthrottled minutes at ≤ 52.5 %".
 */
import { BASE, MIN, minute, NOW, NOW_MINUTE } from './policy-fixtures';
import { decide, MinuteSample, PolicyInput, projectDemand, resolveConfig, SHARD_BYTES_PER_MINUTE, throttledFraction } from '../../../lambda/shard-autoscaler/policy';

/** 80 minutes at 2 shard-eq on 10 shards (20 %), ending at the newest published minute; minute `i` (0 oldest) throttles `t`. */
function quiet(throttledAt?: number, t = 1): MinuteSample[] {
  return Array.from({ length: 80 }, (_, i) => minute(NOW_MINUTE - 3 - (79 - i), 2, i === throttledAt ? t : 0));
}

function input(samples: MinuteSample[], partial: Partial<PolicyInput> = {}): PolicyInput {
  return { currentShards: 10, streamStatus: 'ACTIVE', samples, scalingCallTimes: [], now: NOW, config: BASE, ...partial };
}

describe('scale-in needs 60 unthrottled minutes', () => {
  test('20 % utilisation for 80 minutes: scales in (2 / (0.8 × 0.7) = 3.6 → 4 shards, by halves: 5 now)', () => {
    expect(decide(input(quiet()))).toMatchObject({ kind: 'scale-in', targetShards: 5, pendingTarget: 4 });
  });

  test('one throttled record in one minute of the 60 holds scale-in back, wherever the minute is', () => {
    for (const at of [20, 21, 50, 78]) {
      // minutes 20..79 are the window (the newest 60); one record throttled is far below the scale-out threshold
      const d = decide(input(quiet(at)));
      expect({ at, kind: d.kind }).toEqual({ at, kind: 'none' });
    }
  });

  test('a throttled minute before the window no longer counts', () => {
    expect(decide(input(quiet(19)))).toMatchObject({ kind: 'scale-in', targetShards: 5, pendingTarget: 4 });
  });

  test('the utilisation bound is 52.5 % (75 % of the 0.7 target): a window at 52 % scales in, at 53 % it does not', () => {
    // 100 shards, so that the step the margin leaves (peak / (0.8 × 0.7)) is below the current count at 52 %
    const at = (u: number) => Array.from({ length: 60 }, (_, i) => minute(NOW_MINUTE - 3 - (59 - i), u * 100));
    expect(decide(input(at(0.52), { currentShards: 100 }))).toMatchObject({ kind: 'scale-in', targetShards: 93 }); // 52 / 0.56 = 92.9 → 93
    expect(decide(input(at(0.53), { currentShards: 100 })).kind).toBe('none');
  });
});

/**
 * The reason of each decision, written out: the handler logs it and publishes it with the decision, so it is what an
 * operator reads. Values for the 0.7 target: scale-out at 85 %, saturation at 95 %, scale-in at 75 % of 70 %.
 */
describe('each decision says why, with its numbers', () => {
  /** `n` minutes ending at the newest published minute, demand `f(i)` shard equivalents (i = 0 oldest). */
  const series = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => minute(NOW_MINUTE - 3 - (n - 1 - i), f(i)));
  const calls = (n: number) => Array.from({ length: n }, (_, i) => NOW - 23 * 3_600_000 + i * 3_600_000);

  test('no call left, and a count outside the bounds', () => {
    expect(decide(input(series(40, () => 9), { scalingCallTimes: calls(10) })).reason).toBe('all 10 UpdateShardCount calls of the rolling 24 h are used');
    // 2 shards, minimum 5: 2× is the most one call reaches
    expect(decide(input([], { currentShards: 2, config: { ...BASE, minShards: 5 } })))
      .toMatchObject({ kind: 'scale-out', targetShards: 4, pendingTarget: 5, reason: '2 shards is below the minimum 5; 4 now, 5 in further steps' });
    const above = { currentShards: 40, config: { ...BASE, maxShards: 10, lagGuardMillis: 60_000 } };
    expect(decide(input([], above)))
      .toMatchObject({ kind: 'scale-in', targetShards: 20, pendingTarget: 10, reason: '40 shards is above the maximum 10; 20 now, 10 in further steps' });
    expect(decide(input([], { ...above, lagMillis: 60_001 })))
      .toMatchObject({ kind: 'none', reason: '40 shards is above the maximum 10, but the lag guard is tripped' });
    // 8 calls made: a ninth would leave 1 of the 2 reserved for scale-out
    expect(decide(input([], { ...above, scalingCallTimes: calls(8) })))
      .toMatchObject({ kind: 'none', reason: '40 shards is above the maximum 10, but the calls left are reserved for scale-out' });
  });

  test('scale-out: high utilisation, a climb, saturation, throttling at the maximum', () => {
    // two minutes at 88 % of 10 shards after 5.0: the trend (7.36 in 30 min) is below the peak
    expect(decide(input(series(40, (i) => (i < 38 ? 5 : 8.8)))))
      .toMatchObject({ kind: 'scale-out', targetShards: 13, reason: 'utilisation ≥ 85% for 2 min; demand 8.80 shard equivalents' });
    // 6 → 8.6 over 30 minutes: 7.3 + (2.6 / 29) × (14.5 + 30) = 11.29 in 30 minutes
    expect(decide(input(series(30, (i) => 6 + (i * 2.6) / 29))))
      .toMatchObject({ kind: 'scale-out', targetShards: 17, reason: 'utilisation ≥ 85% for 2 min; demand 8.60 shard equivalents, 11.29 expected in 30 min' });
    // one minute at 96 % after 9.0: saturated, not a surge (9.6 < 1.5 × 9.0); 9.6 / 0.7 = 13.7 → 14
    expect(decide(input(series(40, (i) => (i < 39 ? 9 : 9.6)))))
      .toMatchObject({ kind: 'scale-out', targetShards: 14, reason: 'utilisation ≥ 95%; demand 9.60 shard equivalents' });
    // 10 shard-eq accepted (307,200 records of 2 KiB) and 50,000 throttled: 50,000 / 357,200 = 14.00 %
    expect(decide(input([minute(NOW_MINUTE - 3, 10, 50_000)], { config: { ...BASE, maxShards: 10 } })))
      .toMatchObject({ kind: 'none', reason: 'throttled 14.00% of records, but already at the maximum 10' });
  });

  test('a surge of throttling: 4 shards full and as many records throttled, after ten minutes at 4', () => {
    const samples = [...series(10, () => 4).map((s) => ({ ...s, minute: s.minute - 1 })), minute(NOW_MINUTE - 3, 4, 122_880)];
    // demand 8 ≥ 1.5 × 4: a surge; 8 / 0.7 = 11.4 → 12, reached in two calls
    expect(decide(input(samples, { currentShards: 4 })))
      .toMatchObject({ kind: 'scale-out', targetShards: 8, pendingTarget: 12, reason: 'surge: throttled 50.00% of records; demand 8.00 shard equivalents; 8 now, 12 in further steps' });
  });

  test('a hot key', () => {
    // 2.5 shard-eq (76,800 records) on 10 shards with 19,200 throttled: 20 % throttled at 25 % utilisation
    const samples = series(20, () => 2.5).map((s) => ({ ...s, throttledRecords: 19_200 }));
    expect(decide(input(samples))).toMatchObject({
      kind: 'none', hotKey: true, reason: 'throttled 20.00% of records at 25% utilisation: a hot partition key, which more shards would not relieve; no scale-out',
    });
  });

  test('scale-in, and what holds it back', () => {
    const cold = series(80, (i) => (i % 7 === 0 ? 3 : 2));
    // 75 % of 0.7 is 0.52499… in floating point: the reason rounds it to 52 %
    const low = 'utilisation ≤ 52% for 60 min';
    expect(decide(input(cold))).toMatchObject({ kind: 'scale-in', targetShards: 6, reason: `${low}; peak demand 3.00 shard equivalents` });
    expect(decide(input(cold, { config: { ...BASE, lagGuardMillis: 60_000 }, lagMillis: 60_001 })))
      .toMatchObject({ kind: 'none', reason: 'low utilisation for 60 min, but the lag guard is tripped (60001 ms)' });
    expect(decide(input(cold, { scalingCallTimes: calls(8) })))
      .toMatchObject({ kind: 'none', reason: 'low utilisation for 60 min, but the calls left are reserved for scale-out' });
  });
});

/** Each threshold of decide() at its exact value, written out by hand for the 0.7 target (scale-out 85 %, saturation 95 %). */
describe('the thresholds, at their boundaries', () => {
  const series = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => minute(NOW_MINUTE - 3 - (n - 1 - i), f(i)));
  const burst = [minute(NOW_MINUTE - 3, 5, 1000)]; // 5 shard-eq on 10 shards, yet throttled: a forced ×1.25 once settled

  test('the last call counts from its own millisecond, a call stamped after now does not count', () => {
    // a call at now: the count settles 10 minutes later, so the burst is not fresh evidence
    expect(decide(input(burst, { scalingCallTimes: [NOW] })).kind).toBe('none');
    expect(decide(input(burst, { scalingCallTimes: [NOW + MIN] }))).toMatchObject({ kind: 'scale-out', targetShards: 13 });
    // the call 13 minutes ago settled exactly at the start of the newest minute (now − 3 min): it counts as settled
    expect(decide(input(burst, { scalingCallTimes: [NOW - 13 * MIN] }))).toMatchObject({ kind: 'scale-out', targetShards: 13 });
    expect(decide(input(burst, { scalingCallTimes: [NOW - 12 * MIN] })).kind).toBe('none');
  });

  test('a throttled share of exactly 0.1 % counts: saturation, and a hot key', () => {
    // 999 records accepted and 1 throttled: 1 / 1,000 = the default minimum fraction
    const at = (shardEq: number): MinuteSample =>
      ({ minute: NOW_MINUTE - 3, incomingBytes: shardEq * SHARD_BYTES_PER_MINUTE, incomingRecords: 999, throttledRecords: 1 });
    // at 50 % utilisation (not below the hot-key 50 %): demand, forced to 10 × 1.25 → 13
    expect(decide(input([at(5)]))).toMatchObject({ kind: 'scale-out', targetShards: 13 });
    expect(decide(input([at(2.5)]))).toMatchObject({ kind: 'none', hotKey: true });
  });

  test('a hot key needs two shards: at two it is one', () => {
    const hot = series(20, () => 0.5).map((s) => ({ ...s, throttledRecords: Math.round(s.incomingRecords / 4) }));
    expect(decide(input(hot, { currentShards: 2 }))).toMatchObject({ kind: 'none', hotKey: true });
  });

  const flat = { config: { ...BASE, growthHorizonMinutes: 0 } }; // sized for the peak, no trend

  test('saturation at exactly 95 %, high utilisation at exactly 85 %', () => {
    // after minutes at 7 (9.5 is no surge: below 1.5 × 7); 9.5 / 0.7 = 13.6
    expect(decide(input(series(20, (i) => (i < 19 ? 7 : 9.5)), flat))).toMatchObject({ kind: 'scale-out', targetShards: 14 });
    expect(decide(input(series(20, (i) => (i < 18 ? 5 : 8.5)), flat))).toMatchObject({ kind: 'scale-out', targetShards: 13 }); // 8.5 / 0.7 = 12.1
  });

  test('sizing rounds a quotient that is whole up to itself, not one more (floating-point noise aside)', () => {
    // 8.4 on 9 shards for two minutes (≥ 85 %, < 95 %): 8.4 / 0.7 = 12 shards
    const d = decide(input(series(20, (i) => (i < 18 ? 5 : 8.4)), { ...flat, currentShards: 9 }));
    expect(d).toMatchObject({ kind: 'scale-out', targetShards: 12 });
    expect(d.pendingTarget).toBeUndefined();
    // a window peaking at 2.8 on 10 shards: 2.8 / (0.8 × 0.7) = 5 shards
    expect(decide(input(series(80, () => 2.8)))).toMatchObject({ kind: 'scale-in', targetShards: 5 });
  });

  test('low scale-out sensitivity acts on two saturated minutes in a row, not on one', () => {
    const low = { config: { ...BASE, scaleOutSensitivity: 'low' as const, growthHorizonMinutes: 0 } };
    const throttled = (m: number) => minute(m, 9.6, 1000); // 96 % accepted and 1,000 records throttled
    expect(decide(input([throttled(NOW_MINUTE - 3)], low)).kind).toBe('none'); // one published minute
    expect(decide(input([minute(NOW_MINUTE - 4, 7), throttled(NOW_MINUTE - 3)], low)).kind).toBe('none');
    // two throttled: demand 9.6 × 295,912 / 294,912 = 9.63 → 9.63 / 0.7 = 13.8 → 14
    expect(decide(input([throttled(NOW_MINUTE - 4), throttled(NOW_MINUTE - 3)], low))).toMatchObject({ kind: 'scale-out', targetShards: 14 });
    // saturated by utilisation in one of the two: saturation, not throttling, is the reason
    expect(decide(input([minute(NOW_MINUTE - 4, 9.6), throttled(NOW_MINUTE - 3)], low)).reason).toMatch(/^utilisation ≥ 95%; demand 9.63 /);
  });

  test('a wanted count equal to the current one is no call, in either direction', () => {
    // throttled 4 minutes after a call (not settled): the demand estimate 6.53 wants ceil(6.53 / 0.7) = 10, the current count
    const early = [minute(NOW_MINUTE - 3, 6.5, 1000)];
    expect(decide(input(early, { scalingCallTimes: [NOW - 5 * MIN] }))).toMatchObject({ kind: 'none', reason: 'demand within the target range' });
    expect(decide(input(early, { scalingCallTimes: [NOW - 5 * MIN], config: { ...BASE, maxShards: 10 } })))
      .toMatchObject({ kind: 'none', reason: 'demand within the target range' });
    // 2 shards with a cold window peaking at 1.0: 1.0 / 0.56 = 1.8 → 2, the current count: no scale-in
    expect(decide(input(series(80, () => 1), { currentShards: 2 }))).toMatchObject({ kind: 'none', reason: 'demand within the target range' });
  });
});

/**
 * The windows decide() reads, each shown by a case that a wider, narrower or shifted window would decide otherwise:
 * the surge baseline (the 10 minutes before the throttle minutes), the hot-key memory (the newest 30 minutes, counted
 * from the settled count only), the scale-out lookback (the newest max(scale-out, throttle) minutes), and the rest
 * headroom's sizing (the peak at 80 % of the target, below the scale-in bound).
 */
describe('the windows decide() reads', () => {
  const series = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => minute(NOW_MINUTE - 3 - (n - 1 - i), f(i)));
  const flat = (extra: Partial<PolicyInput['config']> = {}) => ({ config: { ...BASE, growthHorizonMinutes: 0, ...extra } });

  test('the surge baseline is the mean of the 10 minutes before the saturated minute, no more and no less', () => {
    // 10 old minutes at 0, 10 at 6, then 9.6 (96 % of 10 shards): 9.6 ≥ 1.5 × 6 = 9, a surge: 2 × 10 = 20 in one call
    expect(decide(input(series(21, (i) => (i < 10 ? 0 : i < 20 ? 6 : 9.6)), flat())))
      .toMatchObject({ kind: 'scale-out', targetShards: 20, reason: 'surge: utilisation ≥ 95%; demand 9.60 shard equivalents' });
    // the 10 before at 7: 9.6 < 10.5, no surge (with one old minute at 0 in the mean, 70 / 11 × 1.5 = 9.55 would be one):
    // 9.6 / 0.7 = 13.7 → 14
    expect(decide(input(series(21, (i) => (i < 10 ? 0 : i < 20 ? 7 : 9.6)), flat())))
      .toMatchObject({ kind: 'scale-out', targetShards: 14, reason: 'utilisation ≥ 95%; demand 9.60 shard equivalents' });
  });

  test('with two throttle minutes, a surge needs both of them at 1.5 × the baseline', () => {
    // low sensitivity: throttle 2 min, scale-out 5 min; baseline 6.5 → 9.75. Saturated minutes at 9.6 and 12: the
    // smaller is below 9.75, no surge; sized for the peak of the 5-minute lookback, 12 / 0.7 = 17.1 → 18
    const samples = series(12, (i) => (i < 10 ? 6.5 : i === 10 ? 9.6 : 12));
    expect(decide(input(samples, flat({ scaleOutSensitivity: 'low' }))))
      .toMatchObject({ kind: 'scale-out', targetShards: 18, reason: 'utilisation ≥ 95%; demand 12.00 shard equivalents' });
  });

  test('scale-out sizes for the peak of the newest max(scale-out, throttle) minutes, not of older ones', () => {
    // an old minute at 12, then 5s, then 9.4 and 8.6 (both ≥ 85 %): peak 9.4 → 9.4 / 0.7 = 13.4 → 14 (12 would give 18,
    // the newest minute alone 13)
    expect(decide(input(series(20, (i) => (i === 0 ? 12 : i < 18 ? 5 : i === 18 ? 9.4 : 8.6)), flat())))
      .toMatchObject({ kind: 'scale-out', targetShards: 14, reason: 'utilisation ≥ 85% for 2 min; demand 9.40 shard equivalents' });
  });

  /** 41 minutes at 2 shard-eq on 10 shards, minute `hotAt` (0 oldest) a hot key (20 % throttled at 25 %), the newest
   * throttled at 60 %: a full stream unless a hot key was seen within the memory. */
  function hotKeyThen60(hotAt: number): MinuteSample[] {
    return series(41, (i) => (i === 40 ? 6 : i === hotAt ? 2.5 : 2)).map((s, i) =>
      (i === hotAt ? { ...s, throttledRecords: 19_200 } : i === 40 ? { ...s, throttledRecords: 1_000 } : s));
  }

  test('a hot key seen in the newest 30 minutes keeps a throttled minute below 85 % a hot-key minute', () => {
    // the hot key 20 minutes before the newest minute: remembered, the newest (60 %) is a hot-key minute too
    expect(decide(input(hotKeyThen60(20)))).toMatchObject({ kind: 'none', hotKey: true });
    // 40 minutes before: forgotten; the newest minute is throttled at 60 %, above the 50 % hot-key bound: a full stream
    expect(decide(input(hotKeyThen60(0)))).toMatchObject({ kind: 'scale-out' });
    // no hot key at all: the same
    expect(decide(input(hotKeyThen60(-1)))).toMatchObject({ kind: 'scale-out' });
  });

  test('a hot key counts from the minute the count settled, that minute included', () => {
    // a call 13 minutes ago settles at the newest minute's start (now − 3 min): that minute, 20 % throttled at 25 %, is a
    // hot key; 12 minutes ago, it is not settled yet, so it is throttling, and too early for a forced step either
    const hot = [minute(NOW_MINUTE - 3, 2.5, 19_200)];
    expect(decide(input(hot, { scalingCallTimes: [NOW - 13 * MIN] }))).toMatchObject({ kind: 'none', hotKey: true });
    expect(decide(input(hot, { scalingCallTimes: [NOW - 12 * MIN] }))).not.toHaveProperty('hotKey');
  });

  test('rest headroom: a 24-hour rest sizes the peak at 56 % (80 % of 0.7), below the 52.5 % scale-in bound', () => {
    const rest = (shards: number, peak: number) => decide(input(series(60, (i) => (i === 30 ? peak : peak / 2)), { currentShards: shards }));
    // 15 shards, peak 11.2 (75 %): 11.2 / 0.56 = 20 shards exactly (11.2 / 0.525 = 21.3 allows 21)
    expect(rest(15, 11.2)).toMatchObject({
      kind: 'scale-out',
      targetShards: 20,
      reason: 'rest: no call for 24 h and the 60-min peak 11.20 is above 70% of 15 shards; sized for 56% as a scale-in would',
    });
    // 5 shards, peak 4.2 (84 %): 4.2 / 0.56 = 7.5 → 8, but at 8 the peak is 52.5 %, where a scale-in would undo it: 7
    expect(rest(5, 4.2)).toMatchObject({ kind: 'scale-out', targetShards: 7 });
    // 10 shards, peak 6 (60 %): within the target, no call
    expect(rest(10, 6)).toMatchObject({ kind: 'none', reason: 'demand within the target range' });
    // 1 shard, peak 0.75 (75 %): 0.75 / 0.56 = 1.3 → 2, but at 2 the peak is 37.5 %, below the scale-in bound: the
    // count that bound allows is 0.75 / 0.525 = 1.4 → 2 − 1 = 1, the current one, so no call
    expect(rest(1, 0.75)).toMatchObject({ kind: 'none', reason: 'demand within the target range' });
  });
});

/**
 * The last of decide()'s Stryker survivors, each at the exact value where the mutant decides otherwise: a demand exactly
 * 1.5× the surge baseline, `low` sensitivity's two throttle minutes half settled and with different throttled shares, a
 * scale-in window exactly at 75 % of the target, a minute of only throttled records (unknown demand), and a step taken
 * while a hot key is reported.
 */
describe('decide() at its exact boundaries and on its rare inputs', () => {
  const series = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => minute(NOW_MINUTE - 3 - (n - 1 - i), f(i)));
  const low = { ...BASE, scaleOutSensitivity: 'low' as const, growthHorizonMinutes: 0 };

  test('a saturated minute at exactly 1.5× the mean of the 10 before is a surge', () => {
    // ten minutes at 6 (mean 6.0, whole numbers: no rounding), then 9.0 on 9 shards (100 %, saturated): 9 = 1.5 × 6, a
    // surge, so 2 × 9 = 18 in one call (not 9 / 0.7 = 12.9 → 13)
    expect(decide(input(series(11, (i) => (i < 10 ? 6 : 9)), { currentShards: 9, config: { ...BASE, growthHorizonMinutes: 0 } })))
      .toMatchObject({ kind: 'scale-out', targetShards: 18, reason: 'surge: utilisation ≥ 95%; demand 9.00 shard equivalents' });
  });

  /** `low` sensitivity's two throttle minutes on 10 shards: 6 shard-eq accepted (184,320 records of 2 KiB) each, the
   * older with `older` records throttled, the newer with `newer`. */
  const twoThrottled = (older: number, newer: number) => [minute(NOW_MINUTE - 4, 6, older), minute(NOW_MINUTE - 3, 6, newer)];

  test('low sensitivity forces the ×1.25 step only when both throttle minutes were measured after the count settled', () => {
    // demand 6 × 185,320 / 184,320 = 6.03 → 6.03 / 0.7 = 8.6 → 9, below the 10 shards: only the forced step scales out
    const after = (callMinutesAgo: number) =>
      decide(input(twoThrottled(1000, 1000), { config: low, scalingCallTimes: [NOW - callMinutesAgo * MIN] }));
    // a call 14 minutes ago settled at now − 4 min: both minutes count, 10 × 1.25 = 12.5 → 13
    expect(after(14)).toMatchObject({ kind: 'scale-out', targetShards: 13 });
    // 13 minutes ago: only the newer minute is settled; one fresh minute of two is not enough
    expect(after(13)).toMatchObject({ kind: 'none', reason: 'demand within the target range' });
  });

  test('the reason names the larger throttled share of the throttle minutes', () => {
    // older: 3,000 of 187,320 = 1.60 %, newer: 1,000 of 185,320 = 0.54 %; demand 6 × 187,320 / 184,320 = 6.10
    expect(decide(input(twoThrottled(3000, 1000), { config: low }))).toMatchObject({
      kind: 'scale-out', targetShards: 13, reason: 'throttled 1.60% of records; demand 6.10 shard equivalents',
    });
  });

  test('a scale-in window exactly at 75 % of the target scales in', () => {
    // target 0.5: the bound 0.375 and 0.375 × 16 = 6 are exact in floating point (0.7's 52.5 % is not). 60 minutes at 6 on
    // 16 shards: 6 / (0.8 × 0.5) = 15
    expect(decide(input(series(60, () => 6), { currentShards: 16, config: { ...BASE, targetUtilization: 0.5 } })))
      .toMatchObject({ kind: 'scale-in', targetShards: 15, reason: 'utilisation ≤ 38% for 60 min; peak demand 6.00 shard equivalents' });
  });

  test('a minute of only throttled records (demand unknown) takes the largest step, also when it is no surge', () => {
    // low sensitivity: ten minutes at 3.5 (a surge needs both throttle minutes ≥ 5.25), then 4 shard-eq accepted with 1,000
    // throttled (4.03), then nothing accepted and 500 throttled: unknown demand. A call 5 minutes ago: the count has not
    // settled, so the empty minute is not taken for a hot key. 2 × 4 = 8
    const samples = [...series(12, () => 3.5).slice(0, 10), minute(NOW_MINUTE - 4, 4, 1000),
      { minute: NOW_MINUTE - 3, incomingBytes: 0, incomingRecords: 0, throttledRecords: 500 }];
    expect(decide(input(samples, { currentShards: 4, config: low, scalingCallTimes: [NOW - 5 * MIN] })))
      .toMatchObject({ kind: 'scale-out', targetShards: 8, reason: 'throttled 100.00% of records; demand unknown shard equivalents' });
  });

  test('a step taken while the newest minute is a hot key still reports the hot key', () => {
    // 10 shards below a minimum of 12, the newest minute 20 % throttled at 25 % utilisation: the step to 12, and hotKey
    const samples = series(20, () => 2.5).map((s) => ({ ...s, throttledRecords: 19_200 }));
    expect(decide(input(samples, { config: { ...BASE, minShards: 12 } })))
      .toMatchObject({ kind: 'scale-out', targetShards: 12, hotKey: true, reason: '10 shards is below the minimum 12' });
  });
});

/**
 * The helpers decide() builds on, each where a Stryker mutant of it (lines 207–299 of policy.ts) changed nothing the
 * tests read: the saturation bound of a high target, the clamp of the reserve, an empty minute's throttled share, and
 * the growth trend's window, minimum of points, horizon 0 and a degenerate (single-minute) fit.
 */
describe('the helpers decide() builds on', () => {
  const series = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => minute(NOW_MINUTE - 3 - (n - 1 - i), f(i)));

  test('saturation is 95 %, or the scale-out utilisation when a target above 0.9 puts that higher', () => {
    // target 0.96: scale-out at 0.96 + 0.04 / 2 = 98 %, so saturation at 98 % too (95 % would be below the scale-out bound)
    expect(resolveConfig({ ...BASE, targetUtilization: 0.96 }).saturationUtilization).toBeCloseTo(0.98, 12);
    // one minute at 96.5 % of 10 shards: saturated for a 0.7 target, not for 0.96 (below 98 %), after minutes at 9
    const samples = series(20, (i) => (i < 19 ? 9 : 9.65));
    expect(decide(input(samples, { config: { ...BASE, targetUtilization: 0.96, growthHorizonMinutes: 0 } }))).toMatchObject({ kind: 'none' });
  });

  test('a reserve for scale-out above 9 is taken as 9: the first call of a day may still scale in', () => {
    expect(resolveConfig({ ...BASE, reserveCallsForScaleOut: 20 }).reserveCallsForScaleOut).toBe(9);
    // 80 cold minutes at 20 %, no call in 24 h: 1 call + 9 reserved = the 10 of the day, so scale-in is allowed
    expect(decide(input(quiet(), { config: { ...BASE, reserveCallsForScaleOut: 20 } }))).toMatchObject({ kind: 'scale-in', targetShards: 5 });
    // with one call made, the reserve holds it back
    expect(decide(input(quiet(), { config: { ...BASE, reserveCallsForScaleOut: 20 }, scalingCallTimes: [NOW - 5 * 3_600_000] })))
      .toMatchObject({ kind: 'none', reason: 'low utilisation for 60 min, but the calls left are reserved for scale-out' });
  });

  test('a minute with no records at all is 0 % throttled, not NaN', () => {
    expect(throttledFraction({ minute: NOW_MINUTE, incomingBytes: 0, incomingRecords: 0, throttledRecords: 0 })).toBe(0);
  });

  /** 30 minutes climbing by 0.1 from 1.0 to 3.9 shard-eq, ending at the newest minute: the fit is the line itself. */
  const climb = () => series(30, (i) => 1 + 0.1 * i);

  test('the trend is fitted to the newest 30 minutes only', () => {
    // 30 older minutes at 10 before the climb: with them the fitted line would fall (no projection); without, 3.9 + 10 × 0.1
    const older = series(60, () => 10).slice(0, 30);
    expect(projectDemand([...older, ...climb()], 10)).toBeCloseTo(4.9, 9);
  });

  test('a minute of unknown (infinite) demand is left out of the fit, not taken into its sums', () => {
    const samples = climb().map((s, i) => (i === 12 ? { ...s, incomingBytes: 0, incomingRecords: 0, throttledRecords: 100 } : s));
    // the 29 other minutes are on the same line: 4.9 still
    expect(projectDemand(samples, 10)).toBeCloseTo(4.9, 9);
  });

  test('five usable minutes are enough for a trend, four are not', () => {
    // 1.0 … 1.4: 1.4 + 10 × 0.1 = 2.4
    expect(projectDemand(climb().slice(0, 5), 10)).toBeCloseTo(2.4, 9);
    expect(projectDemand(climb().slice(0, 4), 10)).toBe(0);
  });

  test('five minutes all stamped with the same minute have no trend (no NaN, which decide() would take for unknown demand)', () => {
    const same = [1, 2, 3, 4, 5].map((d) => minute(NOW_MINUTE - 3, d));
    expect(projectDemand(same, 10)).toBe(0);
  });

  test('a growth horizon of 0 sizes for the measured peak, even where the fitted line ends above it', () => {
    expect(projectDemand(climb(), 0)).toBe(0);
    // 5 → 10 over 28 minutes, then two at 8.6 (≥ 85 % of 10 shards): the fitted line ends near 9.95, above the peak 8.6 of
    // the two newest minutes. Horizon 0: sized for 8.6 / 0.7 = 12.3 → 13, no "expected" in the reason
    const samples = series(30, (i) => (i < 28 ? 5 + (i * 5) / 27 : 8.6));
    expect(decide(input(samples, { config: { ...BASE, growthHorizonMinutes: 0 } })))
      .toMatchObject({ kind: 'scale-out', targetShards: 13, reason: 'utilisation ≥ 85% for 2 min; demand 8.60 shard equivalents' });
  });
});
