/**
 * The README's claims about the scaling policy, each by a case a mutation of the claim would fail: "scale in only after
 * 60 unthrottled minutes at ≤ 52.5 %".
 */
import { BASE, minute, NOW, NOW_MINUTE } from './policy-fixtures';
import { decide, MinuteSample, PolicyInput } from '../../../lambda/shard-autoscaler/policy';

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
