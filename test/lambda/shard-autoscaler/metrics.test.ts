import * as fc from 'fast-check';
import { withinReach } from '../../../lambda/shard-autoscaler/handler';
import { ASSUMED_PUBLICATION_DELAY_MINUTES, metricQueries, MINUTE_MS, readings } from '../../../lambda/shard-autoscaler/metrics';
import { assertProperty } from '../../support/property';

const START = 29_000_000;
const END = START + 75;
const request = { streamName: 'clicks', startMinute: START, endMinute: END, lagIteratorAge: true, lagConsumers: ['flink'] };

function series(id: string, points: Array<[number, number]>) {
  return { Id: id, Timestamps: points.map(([m]) => new Date(m * MINUTE_MS)), Values: points.map(([, v]) => v) };
}

describe('shard-autoscaler metrics', () => {
  test('queries: the three write metrics per minute, plus the lag sources of the guard', () => {
    const queries = metricQueries(request);
    expect(queries.map((q) => [q.Id, q.MetricStat!.Metric!.MetricName, q.MetricStat!.Stat, q.MetricStat!.Period])).toEqual([
      ['bytes', 'IncomingBytes', 'Sum', 60],
      ['records', 'IncomingRecords', 'Sum', 60],
      ['throttled', 'WriteProvisionedThroughputExceeded', 'Sum', 60],
      ['putRecordsThrottled', 'PutRecords.ThrottledRecords', 'Sum', 60],
      ['iteratorAge', 'GetRecords.IteratorAgeMilliseconds', 'Maximum', 60],
      ['consumer0', 'SubscribeToShardEvent.MillisBehindLatest', 'Maximum', 60],
    ]);
    expect(queries[5].MetricStat!.Metric!.Dimensions).toEqual([{ Name: 'StreamName', Value: 'clicks' }, { Name: 'ConsumerName', Value: 'flink' }]);
    expect(metricQueries({ ...request, lagIteratorAge: false, lagConsumers: [] })).toHaveLength(4);
  });

  test('throttled records: the larger of WriteProvisionedThroughputExceeded and PutRecords.ThrottledRecords', () => {
    const r = readings(request, [
      series('throttled', [[START + 60, 500], [START + 61, 100]]),
      series('putRecordsThrottled', [[START + 61, 400], [START + 62, 300]]),
    ]);
    expect(r.samples.slice(60, 63).map((s) => s.throttledRecords)).toEqual([500, 400, 300]);
    expect(r.lastPublishedMinute).toBe(START + 62);
  });

  test('samples are zero-filled, oldest first, and end at the latest published minute', () => {
    const r = readings(request, [
      series('bytes', [[START + 70, 5], [START + 2, 7]]),
      series('records', [[START + 71, 3]]),
      series('throttled', []),
    ]);
    expect(r.lastPublishedMinute).toBe(START + 71);
    expect(r.samples).toHaveLength(72);
    expect(r.samples[0]).toEqual({ minute: START, incomingBytes: 0, incomingRecords: 0, throttledRecords: 0 });
    expect(r.samples[2].incomingBytes).toBe(7);
    expect(r.samples[71]).toEqual({ minute: START + 71, incomingBytes: 0, incomingRecords: 3, throttledRecords: 0 });
  });

  test('without recent data the samples still reach the publication delay: no writes is low utilisation', () => {
    const r = readings(request, [series('bytes', [[START + 10, 1]])]);
    expect(r.samples[r.samples.length - 1].minute).toBe(END - 1 - ASSUMED_PUBLICATION_DELAY_MINUTES);
    expect(readings(request, []).samples).toHaveLength(75 - ASSUMED_PUBLICATION_DELAY_MINUTES);
  });

  test('the lag is the largest of the last 10 minutes over every source; a source that stopped publishing does not count', () => {
    const r = readings(request, [
      series('iteratorAge', [[START + 60, 90_000], [START + 69, 1_000], [START + 70, 2_000]]),
      series('consumer0', [[START + 50, 500_000], [START + 54, 4_000]]),
    ]);
    expect(r.lagMillis).toBe(2_000);
    const consumerBehind = readings(request, [series('iteratorAge', [[START + 70, 2_000]]), series('consumer0', [[START + 66, 7_000]])]);
    expect(consumerBehind.lagMillis).toBe(7_000);
    expect(readings(request, [series('bytes', [[START, 1]])]).lagMillis).toBeUndefined();
  });

  test('withinReach keeps a target inside one call\'s reach and the bounds, in the direction of the move', () => {
    const count = fc.integer({ min: 1, max: 10_000 });
    assertProperty(fc.property(
      count, fc.integer({ min: 1, max: 30_000 }), count, count,
      (current, target, a, b) => {
        const [min, max] = a <= b ? [a, b] : [b, a];
        const t = withinReach(target, current, min, max);
        expect(t).toBeGreaterThanOrEqual(Math.ceil(current / 2));
        expect(t).toBeLessThanOrEqual(Math.min(2 * current, 10_000));
        if (target > current) expect(t).toBeGreaterThanOrEqual(current);
        if (target < current) expect(t).toBeLessThanOrEqual(current);
        if (t > current) expect(t).toBeLessThanOrEqual(max);
        if (t < current) expect(t).toBeGreaterThanOrEqual(Math.min(min, current));
      },
    ));
  });
});
