/**
 * What sessionize.ts documents beyond the partition into sessions (sessionize.test.ts): the shard a session is closed
 * against, when the sweep may close it, the client session ids it keeps, and the order and de-duplication of events.
 * Every expected value is written out by hand.
 */
import {
  advance, ClickEvent, closeIdle, compareEvents, distinctSorted, SessionAccumulator, sessionIdOf, sessionize, SessionizeOptions,
  shardOfOrigin, UserState,
} from '../../../lambda/session-consumer/sessionize';

const MIN = 60_000;
const GAP = 30 * MIN;
const options: SessionizeOptions = { gapMs: GAP, conversionEventTypes: new Set(['purchase', 'signup']) };
const T0 = Date.UTC(2026, 0, 5, 10);
const USER = 'a:anon-7';
const S1 = 'shardId-000000000001';
const S3 = 'shardId-000000000003';

function ev(id: string, minute: number, extra: Partial<ClickEvent> = {}): ClickEvent {
  return { eventId: id, userKey: USER, eventType: 'page_view', timestamp: T0 + minute * MIN, arrival: T0 + minute * MIN + 500, ...extra };
}

const only = (events: ClickEvent[]): SessionAccumulator => {
  const sessions = sessionize(events, options);
  expect(sessions).toHaveLength(1);
  return sessions[0];
};

describe('shardOfOrigin', () => {
  test('the shard id before the last colon of <shardId>:<sequenceNumber>', () => {
    expect(shardOfOrigin(`${S1}:49590338271490256608559692538361571095921575989136588898`)).toBe(S1);
    expect(shardOfOrigin('a:b:7')).toBe('a:b');
    expect(shardOfOrigin('x:')).toBe('x');
  });

  test('nothing without a shard id before a colon', () => {
    expect(shardOfOrigin(undefined)).toBeUndefined();
    expect(shardOfOrigin('no-colon')).toBeUndefined();
    expect(shardOfOrigin(':123')).toBeUndefined();
    expect(shardOfOrigin('')).toBeUndefined();
  });
});

describe('the shard a session is closed against (lastShard)', () => {
  test('is the shard of the record that arrived last, not of the latest event time', () => {
    // b is later in event time but arrived first (a client that buffered a)
    const s = only([ev('a', 0, { arrival: T0 + 5 * MIN, origin: `${S1}:1` }), ev('b', 1, { arrival: T0 + 2 * MIN, origin: `${S3}:2` })]);
    expect(s.lastShard).toBe(S1);
    expect(s.lastArrival).toBe(T0 + 5 * MIN);
    const t = only([ev('a', 0, { arrival: T0 + 2 * MIN, origin: `${S3}:1` }), ev('b', 1, { arrival: T0 + 5 * MIN, origin: `${S1}:2` })]);
    expect(t.lastShard).toBe(S1);
  });

  test('on a tie of arrival times, the greatest shard id, whatever the order', () => {
    const arrival = T0 + 3 * MIN;
    for (const [x, y] of [[S1, S3], [S3, S1]]) {
      const s = only([ev('a', 0, { arrival, origin: `${x}:1` }), ev('b', 1, { arrival, origin: `${y}:2` })]);
      expect(s.lastShard).toBe(S3);
    }
  });

  test('an event without an origin keeps the shard already known, and alone gives none', () => {
    const s = only([ev('a', 0, { origin: `${S3}:1` }), ev('b', 1, { arrival: T0 + 10 * MIN })]);
    expect(s.lastShard).toBe(S3);
    expect(s.lastArrival).toBe(T0 + 10 * MIN);
    const none = only([ev('a', 0), ev('b', 1)]);
    expect('lastShard' in none).toBe(false);
  });

  test('an open session stored without a shard takes the shard of a record arriving with or after its last one', () => {
    const stored: UserState = {
      open: {
        sessionId: sessionIdOf(USER, 'old'),
        start: T0,
        end: T0 + MIN,
        lastArrival: T0 + 2 * MIN,
        events: 2,
        pageViews: 2,
        productViews: 0,
        products: [],
        converted: false,
        clientSessionIds: [],
      },
    };
    const same = advance(stored, [ev('c', 2, { arrival: T0 + 2 * MIN, origin: `${S1}:9` })], options).state.open!;
    expect(same.lastShard).toBe(S1);
    const earlier = advance(stored, [ev('c', 2, { arrival: T0 + MIN, origin: `${S1}:9` })], options).state.open!;
    expect('lastShard' in earlier).toBe(false);
    expect(earlier.lastArrival).toBe(T0 + 2 * MIN);
    expect(earlier.events).toBe(3);
  });
});

describe('closeIdle', () => {
  test('the sweep may close a session one millisecond after its last arrival plus the idle time, not before', () => {
    const state = advance({}, [ev('a', 0, { arrival: T0 + 7_000 })], options).state;
    const idle = GAP + 5 * MIN;
    const idleAt = T0 + 7_000 + idle + 1;
    expect(closeIdle(state, idleAt, idle).closed?.sessionId).toBe(sessionIdOf(USER, 'a'));
    expect(closeIdle(state, idleAt - 1, idle)).toEqual({ state });
  });

  test('closing keeps the latest end of the closed sessions', () => {
    // an open session at minute 100 and an earlier closed one ending at minute 10
    const first = advance({}, [ev('b', 100)], options);
    const second = advance(first.state, [ev('a', 10)], options);
    expect(second.state.closedUntil).toBe(T0 + 10 * MIN);
    const { state, closed } = closeIdle(second.state, T0 + 1000 * MIN, GAP);
    expect(closed?.sessionId).toBe(sessionIdOf(USER, 'b'));
    expect(state).toEqual({ closedUntil: T0 + 100 * MIN });
  });

  test('a batch that closes sessions moves closedUntil to the latest of them, never back', () => {
    const step = advance({ closedUntil: T0 }, [ev('x', 40), ev('y', 80), ev('z', 120)], options);
    expect(step.closed.map((s) => s.end)).toEqual([T0 + 40 * MIN, T0 + 80 * MIN]);
    expect(step.state.closedUntil).toBe(T0 + 80 * MIN);
    expect(step.state.open?.start).toBe(T0 + 120 * MIN);
    // a batch that closes nothing leaves closedUntil as it was
    expect(advance({ closedUntil: T0 }, [ev('w', 45)], options).state).toMatchObject({ closedUntil: T0 });
  });
});

describe('what a session keeps', () => {
  test('client session ids: distinct, sorted, the ten smallest', () => {
    const hints = ['s12', 's03', 's11', 's01', 's05', 's09', 's02', 's10', 's07', 's04', 's08', 's06', 's03'];
    const s = only(hints.map((h, i) => ev(`e${i}`, i, { sessionHint: h })).concat(ev('no-hint', 20)));
    expect(s.clientSessionIds).toEqual(['s01', 's02', 's03', 's04', 's05', 's06', 's07', 's08', 's09', 's10']);
    expect(only([ev('a', 0, { sessionHint: 'z' }), ev('b', 1, { sessionHint: 'z' }), ev('c', 2)]).clientSessionIds).toEqual(['z']);
    expect(only([ev('a', 0)]).clientSessionIds).toEqual([]);
  });

  test('products: each once, and none from events without one', () => {
    const s = only([ev('a', 0, { productId: 'p9' }), ev('b', 1, { productId: 'p1' }), ev('c', 2, { productId: 'p9' }), ev('d', 3)]);
    expect(s.products).toEqual(['p1', 'p9']);
  });

  test('counts by event type, and conversion by any of the configured types', () => {
    const s = only([ev('a', 0, { eventType: 'signup' }), ev('b', 1, { eventType: 'product_view' }), ev('c', 2), ev('d', 3, { eventType: 'add_to_cart' })]);
    expect([s.events, s.pageViews, s.productViews, s.converted]).toEqual([4, 1, 1, true]);
    expect(only([ev('a', 0, { eventType: 'add_to_cart' })]).converted).toBe(false);
  });

  test('start, end and last arrival of the events it holds', () => {
    const s = only([ev('b', 20, { arrival: T0 + 21 * MIN }), ev('a', 5, { arrival: T0 + 40 * MIN }), ev('c', 12, { arrival: T0 + 13 * MIN })]);
    expect([s.start, s.end, s.lastArrival]).toEqual([T0 + 5 * MIN, T0 + 20 * MIN, T0 + 40 * MIN]);
    expect(s.sessionId).toBe(sessionIdOf(USER, 'a'));
  });
});

describe('order and duplicates', () => {
  test('events are ordered by time, then by id', () => {
    expect(compareEvents(ev('b', 1), ev('a', 2))).toBeLessThan(0);
    expect(compareEvents(ev('a', 2), ev('b', 1))).toBeGreaterThan(0);
    expect(compareEvents(ev('b', 1), ev('a', 1))).toBe(1);
    expect(compareEvents(ev('a', 1), ev('b', 1))).toBe(-1);
    expect(compareEvents(ev('a', 1), ev('a', 1))).toBe(0);
  });

  test('of two copies of an event, the earlier in time is kept, then the earlier arrival', () => {
    const kept = distinctSorted([ev('x', 5), ev('y', 3), ev('x', 2), ev('y', 3, { arrival: T0 + 3 * MIN + 100 })]);
    expect(kept.map((e) => [e.eventId, e.timestamp, e.arrival])).toEqual([
      ['x', T0 + 2 * MIN, T0 + 2 * MIN + 500],
      ['y', T0 + 3 * MIN, T0 + 3 * MIN + 100],
    ]);
  });

  test('the session id is a 32-hex-digit digest of the user and the first event, distinct for each', () => {
    const id = sessionIdOf(USER, 'a');
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(sessionIdOf(USER, 'a')).toBe(id);
    expect(sessionIdOf('a:anon-8', 'a')).not.toBe(id);
    expect(sessionIdOf(USER, 'b')).not.toBe(id);
    // the separator keeps ("u:a", "bc") and ("u:ab", "c") apart
    expect(sessionIdOf('u:a', 'bc')).not.toBe(sessionIdOf('u:ab', 'c'));
  });

  test('an event at the same time as the open session\'s start joins it', () => {
    const first = advance({}, [ev('b', 10)], options);
    const second = advance(first.state, [ev('a', 10)], options);
    expect(second.closed).toEqual([]);
    expect(second.state.open).toMatchObject({ sessionId: sessionIdOf(USER, 'b'), events: 2, start: T0 + 10 * MIN, end: T0 + 10 * MIN });
  });
});

describe('the state a batch leaves', () => {
  test('a batch of late events alone leaves no open session: the state holds closedUntil and nothing else', () => {
    // closed until minute 60; with a 30-minute gap, an event at minute 70 (at or before minute 90) is late
    const result = advance({ closedUntil: T0 + 60 * MIN }, [ev('late', 70)], options);
    expect(result.state).toStrictEqual({ closedUntil: T0 + 60 * MIN });
    expect(Object.keys(result.state)).toEqual(['closedUntil']);
    expect(result.closed).toEqual([]);
    expect(result.assignments).toStrictEqual([{ event: ev('late', 70), sessionId: undefined }]);
  });

  test('an empty batch on an empty state leaves an empty state, without an open or closedUntil key', () => {
    expect(Object.keys(advance({}, [], options).state)).toEqual([]);
  });
});
