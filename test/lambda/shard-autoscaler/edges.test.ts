/**
 * Alarm events at the edges of what the autoscaler accepts: stamps in the future (clock skew, replays). Fixed seed.
 */
import * as fc from 'fast-check';
import { AlarmTrigger, handledAt, judgeAlarmEvent } from '../../../lambda/shard-autoscaler/events';
import { assertProperty } from '../../support/property';

const SEED = 20261207;
const NAMES = ['out-throttling', 'out-utilisation', 'in-utilisation'];
const T0 = Date.UTC(2026, 11, 7);

const trigger = (alarmName: string, stateTimestamp: number): AlarmTrigger => ({ kind: 'alarm', via: 'eventbridge', alarmName, state: 'ALARM', stateTimestamp });

describe('alarm events stamped in the future', () => {
  test('property: after any accepted events, stamped up to two days ahead, a genuine later transition is accepted', () => {
    const step = fc.record({
      advance: fc.integer({ min: 1, max: 30 * 60_000 }),
      skew: fc.integer({ min: -5 * 60_000, max: 48 * 3_600_000 }),
      alarm: fc.constantFrom(...NAMES),
    });
    assertProperty(fc.property(fc.array(step, { minLength: 1, maxLength: 10 }), fc.constantFrom(...NAMES), (steps, alarm) => {
      let now = T0;
      let last: number | undefined;
      for (const s of steps) {
        now += s.advance;
        const t = trigger(s.alarm, now + s.skew);
        if (judgeAlarmEvent(t, { alarmNames: NAMES, lastAlarmEventMs: last, now }).accept) last = handledAt(t, now);
      }
      now += 1;
      expect(judgeAlarmEvent(trigger(alarm, now), { alarmNames: NAMES, lastAlarmEventMs: last, now })).toEqual({ accept: true });
    }), { seed: SEED, numRuns: 500 });
  });

  test('a state item written before the fix, holding a future stamp, no longer makes genuine events stale', () => {
    const now = T0;
    expect(judgeAlarmEvent(trigger(NAMES[0], now - 1000), { alarmNames: NAMES, lastAlarmEventMs: now + 3_600_000, now })).toEqual({ accept: true });
    // Its own redelivery is still a duplicate.
    expect(judgeAlarmEvent(trigger(NAMES[0], now + 3_600_000), { alarmNames: NAMES, lastAlarmEventMs: now + 3_600_000, now })).toMatchObject({ accept: false, why: 'duplicate' });
  });
});
