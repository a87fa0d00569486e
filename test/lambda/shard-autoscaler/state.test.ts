import * as fc from 'fast-check';
import {
  AutoscalerState, callsInLast24h, DAY_MS, forgetCall, fromItem, hasCallLeft, INITIAL_STATE, intentDue, keepIntent,
  nextCallAvailableAt, pruneCalls, recordCall, toItem,
} from '../../../lambda/shard-autoscaler/state';
import { assertProperty } from '../../support/property';

const MINUTE = 60_000;
const NOW = Date.parse('2026-11-28T18:00:00Z');
const attempt = { kind: 'scale-out' as const, fromShards: 4, targetShards: 8, reason: 'throttled', error: 'LimitExceededException' };

describe('shard-autoscaler state', () => {
  test('the record of calls never lets an 11th call into a rolling 24 h', () => {
    // Any sequence of attempts, each made only when a call is left, never puts more than 10 calls in any 24 h window.
    assertProperty(fc.property(fc.array(fc.integer({ min: 0, max: 3 * 24 * 60 }), { maxLength: 80 }), (offsets) => {
      let state: AutoscalerState = INITIAL_STATE;
      for (const t of [...offsets].sort((a, b) => a - b).map((m) => NOW + m * MINUTE)) {
        state = pruneCalls(state, t);
        if (hasCallLeft(state, t)) state = recordCall(state, t);
        expect(callsInLast24h(state, t)).toBeLessThanOrEqual(10);
      }
      const all = state.calls;
      for (const t of all) expect(all.filter((u) => u > t - DAY_MS && u <= t).length).toBeLessThanOrEqual(10);
    }));
  });

  test('a call is available again when the oldest of ten leaves the window', () => {
    let state: AutoscalerState = INITIAL_STATE;
    for (let i = 0; i < 10; i++) state = recordCall(state, NOW + i * 60 * MINUTE);
    const now = NOW + 10 * 60 * MINUTE;
    expect(hasCallLeft(state, now)).toBe(false);
    expect(nextCallAvailableAt(state, now)).toBe(NOW + DAY_MS);
    expect(hasCallLeft(state, NOW + DAY_MS)).toBe(true);
  });

  test('forgetting a refused call removes exactly that one', () => {
    const state = recordCall(recordCall(INITIAL_STATE, NOW - MINUTE), NOW);
    expect(forgetCall(state, NOW).calls).toEqual([NOW - MINUTE]);
    expect(forgetCall(state, NOW - 5 * MINUTE)).toBe(state);
  });

  test('a kept intent backs off 1, 2, 4 ... up to 30 minutes, and keeps the time it was first kept', () => {
    let state: AutoscalerState = INITIAL_STATE;
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const now = NOW + i * 60 * MINUTE;
      state = keepIntent(state, attempt, now);
      waits.push((state.intent!.nextAttemptAt - now) / MINUTE);
      expect(intentDue(state, now)).toBe(false);
      expect(intentDue(state, state.intent!.nextAttemptAt)).toBe(true);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 30, 30, 30]);
    expect(state.intent).toMatchObject({ since: NOW, attempts: 8 });
    // A known earliest time (a call available again) wins over a shorter backoff.
    expect(keepIntent(INITIAL_STATE, { ...attempt, notBefore: NOW + DAY_MS }, NOW).intent!.nextAttemptAt).toBe(NOW + DAY_MS);
  });

  test('the item round-trips, and a malformed item reads as the initial state', () => {
    const state = keepIntent({
      ...recordCall(INITIAL_STATE, NOW), followUp: true, lastAlarmEventMs: NOW - 1, lastNotice: 'x', lastRestCheckMs: NOW - 2,
    }, attempt, NOW);
    expect(fromItem(JSON.parse(JSON.stringify(toItem(state))))).toEqual(state);
    expect(fromItem(undefined)).toEqual(INITIAL_STATE);
    expect(fromItem({ calls: 'nope', intent: { kind: 'sideways' }, followUp: 'yes', lastRestCheckMs: 'soon' })).toEqual(INITIAL_STATE);
    expect(fromItem({ calls: [3, 'x', 1] }).calls).toEqual([1, 3]);
  });
});
