import * as fc from 'fast-check';
import {
  advance, Advance, ClickEvent, closeIdle, sessionIdOf, sessionize, SessionAccumulator, SessionizeOptions, UserState,
} from '../../../lambda/session-consumer/sessionize';
import { SessionLimits } from '../../../lib/pipelines/private/session-contract';
import { assertProperty } from '../../support/property';

const MIN = 60_000;
const GAP = 30 * MIN;
const options: SessionizeOptions = { gapMs: GAP, conversionEventTypes: new Set(['purchase']) };
const T0 = Date.UTC(2026, 0, 5, 10);
const USER = 'u:alice';

function ev(id: string, minute: number, extra: Partial<ClickEvent> = {}): ClickEvent {
  return { eventId: id, userKey: USER, eventType: 'page_view', timestamp: T0 + minute * MIN, arrival: T0 + minute * MIN + 500, ...extra };
}

/** Events of one user at arbitrary times over ~10 gaps, with unique ids and a mix of types and products. */
const eventsArb = fc.uniqueArray(
  fc.record({
    id: fc.string({ minLength: 1, maxLength: 6 }),
    offset: fc.integer({ min: 0, max: 10 * GAP }),
    type: fc.constantFrom('page_view', 'product_view', 'add_to_cart', 'purchase'),
    product: fc.option(fc.constantFrom('p1', 'p2', 'p3', 'p4'), { nil: undefined }),
    hint: fc.option(fc.constantFrom('s1', 's2'), { nil: undefined }),
    delay: fc.integer({ min: 0, max: 5 * MIN }),
  }),
  { selector: (e) => e.id, maxLength: 60 },
).map((list) => list.map((e): ClickEvent => ({
  eventId: e.id,
  userKey: USER,
  eventType: e.type,
  timestamp: T0 + e.offset,
  arrival: T0 + e.offset + e.delay,
  ...(e.product ? { productId: e.product } : {}),
  ...(e.hint ? { sessionHint: e.hint } : {}),
})));

/** A deterministic shuffle (Park–Miller generator), so that a failing case can be replayed from its seed. */
function shuffle<T>(list: readonly T[], seed: number): T[] {
  const out = [...list];
  let s = (Math.abs(seed) % 2147483646) + 1;
  const rand = () => {
    s = (s * 48271) % 2147483647;
    return (s - 1) / 2147483646;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Folds batches into a state the way the handler does, collecting every closed session and where every event went. */
function fold(batches: ClickEvent[][], start: UserState = {}) {
  let state = start;
  const closed: SessionAccumulator[] = [];
  const assigned = new Map<string, string | undefined>();
  let assignments = 0;
  for (const batch of batches) {
    const step = advance(state, batch, options);
    state = step.state;
    closed.push(...step.closed);
    for (const a of step.assignments) {
      assignments++;
      assigned.set(a.event.eventId, a.sessionId);
    }
  }
  return { state, closed, assigned, assignments, sessions: state.open ? [...closed, state.open] : closed };
}

/** Checks that sessions are well formed and consistent with the events assigned to them. */
function checkSessions(events: readonly ClickEvent[], sessions: readonly SessionAccumulator[], assigned: Map<string, string | undefined>): void {
  const byId = new Map(sessions.map((s) => [s.sessionId, s]));
  expect(byId.size).toBe(sessions.length);
  const members = new Map<string, ClickEvent[]>();
  for (const e of events) {
    const id = assigned.get(e.eventId);
    if (id === undefined) continue;
    expect(byId.has(id)).toBe(true);
    members.set(id, [...(members.get(id) ?? []), e]);
  }
  for (const s of sessions) {
    const list = (members.get(s.sessionId) ?? []).sort((a, b) => a.timestamp - b.timestamp);
    expect(s.events).toBe(list.length);
    expect(s.start).toBe(list[0].timestamp);
    expect(s.end).toBe(list[list.length - 1].timestamp);
    for (let i = 1; i < list.length; i++) expect(list[i].timestamp - list[i - 1].timestamp).toBeLessThanOrEqual(GAP);
    expect(s.pageViews).toBe(list.filter((e) => e.eventType === 'page_view').length);
    expect(s.productViews).toBe(list.filter((e) => e.eventType === 'product_view').length);
    expect(s.converted).toBe(list.some((e) => e.eventType === 'purchase'));
    expect(s.products).toEqual([...new Set(list.flatMap((e) => (e.productId ? [e.productId] : [])))].sort());
  }
  // Never overlapping, always more than the gap apart.
  const spans = [...sessions].sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i++) expect(spans[i].start - spans[i - 1].end).toBeGreaterThan(GAP);
}

describe('sessionize', () => {
  test('splits at gaps longer than the inactivity gap and counts what each session holds', () => {
    const sessions = sessionize([
      ev('a', 0), ev('b', 10, { eventType: 'product_view', productId: 'p2' }), ev('c', 40, { eventType: 'purchase', productId: 'p1' }),
      ev('d', 71), ev('e', 72, { productId: 'p2' }),
    ], options);
    expect(sessions.map((s) => [s.events, s.pageViews, s.productViews, s.products, s.converted])).toEqual([
      [3, 1, 1, ['p1', 'p2'], true],
      [2, 2, 0, ['p2'], false],
    ]);
    expect(sessions[0].sessionId).toBe(sessionIdOf(USER, 'a'));
    expect(sessions[1].sessionId).toBe(sessionIdOf(USER, 'd'));
    expect(sessions[0].end - sessions[0].start).toBe(40 * MIN);
  });

  test('a gap of exactly the inactivity gap keeps the session; one millisecond more splits it', () => {
    expect(sessionize([ev('a', 0), ev('b', 30)], options)).toHaveLength(1);
    const split = sessionize([ev('a', 0), { ...ev('b', 30), timestamp: T0 + GAP + 1 }], options);
    expect(split).toHaveLength(2);
  });

  test('property: every event lands in exactly one session, sessions never overlap and the gap is respected', () => {
    assertProperty(fc.property(eventsArb, (events) => {
      const step = advance({}, events, options);
      const sessions = step.state.open ? [...step.closed, step.state.open] : step.closed;
      expect(step.assignments).toHaveLength(events.length);
      expect(step.assignments.every((a) => a.sessionId !== undefined)).toBe(true);
      expect(sessions.reduce((n, s) => n + s.events, 0)).toBe(events.length);
      checkSessions(events, sessions, new Map(step.assignments.map((a) => [a.event.eventId, a.sessionId])));
    }));
  });

  test('property: the order of events within a batch does not matter', () => {
    assertProperty(fc.property(eventsArb, fc.integer(), fc.integer({ min: 0, max: 10 }), (events, seed, splitAt) => {
      // From an empty state and from a state with an open session and a closed one.
      const prior = advance({}, events.slice(0, splitAt), options).state;
      for (const state of [{}, prior]) {
        const rest = events.slice(splitAt);
        const a: Advance = advance(state, rest, options);
        const b: Advance = advance(state, shuffle(rest, seed), options);
        expect(b).toEqual(a);
      }
    }));
  });

  test('property: duplicates of an event within a batch count once', () => {
    assertProperty(fc.property(eventsArb, fc.integer(), (events, seed) => {
      const once = advance({}, events, options);
      const twice = advance({}, shuffle([...events, ...events], seed), options);
      expect(twice).toEqual(once);
    }));
  });

  test('property: time-ordered events split into batches give the same sessions as one batch', () => {
    assertProperty(fc.property(eventsArb, fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 5 }), (events, cuts) => {
      const sorted = [...events].sort((a, b) => a.timestamp - b.timestamp || (a.eventId < b.eventId ? -1 : 1));
      const bounds = [...new Set(cuts.map((c) => Math.min(c, sorted.length)))].sort((a, b) => a - b);
      const batches: ClickEvent[][] = [];
      let from = 0;
      for (const b of [...bounds, sorted.length]) {
        batches.push(sorted.slice(from, b));
        from = b;
      }
      const folded = fold(batches);
      const whole = advance({}, events, options);
      expect(folded.state).toEqual(whole.state);
      expect(folded.closed).toEqual(whole.closed);
    }));
  });

  test('property: batches in any order: every event once (in a session or late), sessions disjoint and gap-separated', () => {
    assertProperty(fc.property(eventsArb, fc.integer(), fc.integer({ min: 1, max: 8 }), (events, seed, batchCount) => {
      const shuffled = shuffle(events, seed);
      const size = Math.ceil(shuffled.length / batchCount) || 1;
      const batches: ClickEvent[][] = [];
      for (let i = 0; i < shuffled.length; i += size) batches.push(shuffled.slice(i, i + size));
      const { sessions, closed, assigned, assignments } = fold(batches);
      expect(assignments).toBe(events.length);
      expect(assigned.size).toBe(events.length);
      const late = [...assigned.values()].filter((id) => id === undefined).length;
      expect(sessions.reduce((n, s) => n + s.events, 0) + late).toBe(events.length);
      // A closed session is closed once and never changes afterwards.
      expect(new Set(closed.map((s) => s.sessionId)).size).toBe(closed.length);
      checkSessions(events, sessions, assigned);
    }));
  });

  test('an event at or before the end of the last closed session plus the gap is late; after it, it opens a session', () => {
    const state: UserState = { closedUntil: T0 };
    const step = advance(state, [ev('late', 30), ev('new', 31)], options);
    expect(step.assignments.map((a) => [a.event.eventId, a.sessionId !== undefined])).toEqual([['late', false], ['new', true]]);
    expect(step.state.open?.events).toBe(1);
  });

  test('an out-of-order event within the gap before the open session extends it backwards', () => {
    const first = advance({}, [ev('b', 100), ev('c', 110)], options);
    const second = advance(first.state, [ev('a', 75), ev('z', 50)], options);
    expect(second.closed).toEqual([]);
    expect(second.state.open?.start).toBe(T0 + 50 * MIN);
    expect(second.state.open?.events).toBe(4);
    expect(second.state.open?.sessionId).toBe(first.state.open?.sessionId);
  });

  test('events before the open session and beyond the gap form a closed session of their own', () => {
    const first = advance({}, [ev('b', 100)], options);
    const second = advance(first.state, [ev('a', 10)], options);
    expect(second.closed.map((s) => s.events)).toEqual([1]);
    expect(second.state.open?.sessionId).toBe(first.state.open?.sessionId);
    expect(second.state.closedUntil).toBe(T0 + 10 * MIN);
  });

  test('keeps at most 100 products per session, the smallest ids, whatever the order', () => {
    assertProperty(fc.property(fc.integer(), (seed) => {
      const events = Array.from({ length: 150 }, (_, i) => ev(`e${i}`, i / 10, { productId: `p${String(i).padStart(3, '0')}` }));
      const a = sessionize(shuffle(events, seed), options)[0];
      expect(a.products).toHaveLength(SessionLimits.MAX_PRODUCTS_PER_SESSION);
      expect(a.products[0]).toBe('p000');
      expect(a.products[99]).toBe('p099');
    }), { numRuns: 20 });
  });

  describe('closeIdle', () => {
    const open = advance({}, [ev('a', 0)], options).state;
    const lastArrival = open.open!.lastArrival;

    test('closes only once no record arrived for the idle time', () => {
      expect(closeIdle(open, lastArrival + GAP, GAP).closed).toBeUndefined();
      const result = closeIdle(open, lastArrival + GAP + 1, GAP);
      expect(result.closed?.sessionId).toBe(open.open!.sessionId);
      expect(result.state).toEqual({ closedUntil: T0 });
    });

    test('after it, an event within the gap of the closed session is late', () => {
      const { state } = closeIdle(open, lastArrival + 2 * GAP, GAP);
      const step = advance(state, [ev('b', 29)], options);
      expect(step.assignments[0].sessionId).toBeUndefined();
      expect(step.state.open).toBeUndefined();
    });

    test('does nothing without an open session', () => {
      expect(closeIdle({ closedUntil: T0 }, T0 + 100 * GAP, GAP)).toEqual({ state: { closedUntil: T0 } });
    });
  });
});
