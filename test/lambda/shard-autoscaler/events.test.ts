import { judgeAlarmEvent, MAX_ALARM_EVENT_AGE_MS, parseTime, parseTriggers } from '../../../lambda/shard-autoscaler/events';

const NAMES = ['a-ScaleOutThrottling', 'a-ScaleOutUtilization', 'a-ScaleInUtilization'];
const NOW = Date.parse('2026-11-28T18:00:00Z');

describe('shard-autoscaler events', () => {
  test('CloudWatch timestamps with a +0000 offset parse', () => {
    expect(parseTime('2026-11-28T17:59:30.123+0000')).toBe(Date.parse('2026-11-28T17:59:30.123Z'));
    expect(parseTime('2026-11-28T17:59:30Z')).toBe(Date.parse('2026-11-28T17:59:30Z'));
    expect(parseTime('yesterday')).toBeUndefined();
    expect(parseTime(42)).toBeUndefined();
  });

  test('an EventBridge alarm state change', () => {
    const [t] = parseTriggers({
      'id': 'e-1',
      'detail-type': 'CloudWatch Alarm State Change',
      'source': 'aws.cloudwatch',
      'detail': { alarmName: NAMES[0], state: { value: 'ALARM', timestamp: '2026-11-28T17:59:30.000+0000' } },
    });
    expect(t).toEqual({ kind: 'alarm', via: 'eventbridge', alarmName: NAMES[0], state: 'ALARM', stateTimestamp: NOW - 30_000, eventId: 'e-1' });
  });

  test('an SNS batch gives one trigger per record', () => {
    const record = (name: string) => ({
      Sns: { MessageId: `m-${name}`, Message: JSON.stringify({ AlarmName: name, NewStateValue: 'ALARM', StateChangeTime: '2026-11-28T17:59:30.000+0000' }) },
    });
    const triggers = parseTriggers({ Records: [record(NAMES[0]), record(NAMES[2]), { Sns: { Message: 'not json' } }] });
    expect(triggers.map((t) => t.kind)).toEqual(['alarm', 'alarm', 'unknown']);
    expect(triggers[1]).toMatchObject({ via: 'sns', alarmName: NAMES[2], eventId: `m-${NAMES[2]}` });
  });

  test('a CloudWatch Lambda alarm action payload', () => {
    const [t] = parseTriggers({ source: 'aws.cloudwatch', alarmData: { alarmName: NAMES[1], state: { value: 'ALARM', timestamp: '2026-11-28T17:59:30.000+0000' } } });
    expect(t).toMatchObject({ kind: 'alarm', via: 'lambda-action', alarmName: NAMES[1] });
  });

  test('the scheduled re-check, and anything else', () => {
    expect(parseTriggers({ 'source': 'aws.events', 'detail-type': 'Scheduled Event', 'time': '2026-11-28T18:00:00Z' }))
      .toEqual([{ kind: 'schedule', time: NOW }]);
    expect(parseTriggers('hello')[0].kind).toBe('unknown');
    expect(parseTriggers({ source: 'aws.s3' })[0].kind).toBe('unknown');
    expect(parseTriggers({ 'source': 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', 'detail': { alarmName: 'x' } })[0].kind).toBe('unknown');
  });

  describe('judging an alarm event', () => {
    const event = (stateTimestamp: number, alarmName = NAMES[0], state = 'ALARM') =>
      ({ kind: 'alarm' as const, via: 'eventbridge' as const, alarmName, state, stateTimestamp });

    test('a fresh transition of one of the alarms is accepted', () => {
      expect(judgeAlarmEvent(event(NOW - 60_000), { alarmNames: NAMES, now: NOW })).toEqual({ accept: true });
    });
    test('the same transition again is a duplicate', () => {
      expect(judgeAlarmEvent(event(NOW - 60_000), { alarmNames: NAMES, lastAlarmEventMs: NOW - 60_000, now: NOW }))
        .toMatchObject({ accept: false, why: 'duplicate' });
    });
    test('an older transition than the last handled is stale', () => {
      expect(judgeAlarmEvent(event(NOW - 90_000), { alarmNames: NAMES, lastAlarmEventMs: NOW - 60_000, now: NOW }))
        .toMatchObject({ accept: false, why: 'stale' });
    });
    test('a transition from before the last scaling call is stale', () => {
      expect(judgeAlarmEvent(event(NOW - 90_000), { alarmNames: NAMES, lastCallMs: NOW - 80_000, now: NOW }))
        .toMatchObject({ accept: false, why: 'stale', detail: expect.stringContaining('predates the UpdateShardCount call') });
    });
    test('a transition older than the maximum age is stale', () => {
      expect(judgeAlarmEvent(event(NOW - MAX_ALARM_EVENT_AGE_MS - 1), { alarmNames: NAMES, now: NOW }))
        .toMatchObject({ accept: false, why: 'stale' });
      expect(judgeAlarmEvent(event(NOW - MAX_ALARM_EVENT_AGE_MS), { alarmNames: NAMES, now: NOW })).toEqual({ accept: true });
    });
    test('other alarms and other states are not acted on', () => {
      expect(judgeAlarmEvent(event(NOW, 'other'), { alarmNames: NAMES, now: NOW })).toMatchObject({ why: 'foreign' });
      expect(judgeAlarmEvent(event(NOW, NAMES[0], 'OK'), { alarmNames: NAMES, now: NOW })).toMatchObject({ why: 'not-alarm' });
    });
  });
});
