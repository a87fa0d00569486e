/**
 * The GetMetricData request the handler makes and how its answer becomes the policy's input. Pure.
 *
 * Per minute (Sum, 60 s): `IncomingBytes` and `IncomingRecords` (accepted writes only), `WriteProvisionedThroughputExceeded`
 * and `PutRecords.ThrottledRecords` (records rejected by throttling: the policy estimates the demand hidden by throttling
 * from them, and tells a hot key from demand by throttling at low utilisation); optionally the consumer lag.
 */
import type { MetricDataQuery, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import type { MinuteSample } from './policy';

export const MINUTE_MS = 60_000;

/**
 * Kinesis metrics are published with a delay (commonly 1-3 minutes, unverified). Minutes older than this with no datapoint
 * are taken as minutes without writes (Kinesis publishes nothing for them); newer ones may simply not be published yet, so
 * the samples end at the latest published minute, or this many minutes ago, whichever is later.
 */
export const ASSUMED_PUBLICATION_DELAY_MINUTES = 5;

/**
 * Minutes of lag datapoints that count toward the lag guard, before the publication delay: the guard looks at the last
 * LAG_WINDOW_MINUTES + ASSUMED_PUBLICATION_DELAY_MINUTES minutes, so that a source that stopped publishing (a consumer
 * that went away) does not hold scale-in back forever.
 */
export const LAG_WINDOW_MINUTES = 5;

export interface MetricsRequest {
  readonly streamName: string;
  /** First minute to read, epoch minute (inclusive). */
  readonly startMinute: number;
  /** Minute after the last one to read, epoch minute (exclusive): the current, incomplete minute. */
  readonly endMinute: number;
  readonly lagIteratorAge: boolean;
  readonly lagConsumers: readonly string[];
}

const Q = {
  bytes: 'bytes',
  records: 'records',
  throttled: 'throttled',
  putRecordsThrottled: 'putRecordsThrottled',
  iteratorAge: 'iteratorAge',
} as const;

export function metricQueries(req: MetricsRequest): MetricDataQuery[] {
  const stream = [{ Name: 'StreamName', Value: req.streamName }];
  const stat = (id: string, metricName: string, statName: string, dims = stream): MetricDataQuery => ({
    Id: id,
    MetricStat: { Metric: { Namespace: 'AWS/Kinesis', MetricName: metricName, Dimensions: dims }, Period: 60, Stat: statName },
    ReturnData: true,
  });
  const queries = [
    stat(Q.bytes, 'IncomingBytes', 'Sum'),
    stat(Q.records, 'IncomingRecords', 'Sum'),
    stat(Q.throttled, 'WriteProvisionedThroughputExceeded', 'Sum'),
    stat(Q.putRecordsThrottled, 'PutRecords.ThrottledRecords', 'Sum'),
  ];
  if (req.lagIteratorAge) queries.push(stat(Q.iteratorAge, 'GetRecords.IteratorAgeMilliseconds', 'Maximum'));
  req.lagConsumers.forEach((consumer, i) => queries.push(stat(`consumer${i}`, 'SubscribeToShardEvent.MillisBehindLatest', 'Maximum',
    [...stream, { Name: 'ConsumerName', Value: consumer }])));
  return queries;
}

export interface StreamReadings {
  /** Per-minute samples, oldest first, zero-filled, ending at the latest published minute (see above). */
  readonly samples: MinuteSample[];
  /** Largest lag over the watched sources in the lag window; undefined without data there. */
  readonly lagMillis?: number;
  /** Latest minute any write metric was published for, epoch minute. */
  readonly lastPublishedMinute?: number;
}

/** Turns GetMetricData results (any order, possibly paginated and merged) into the policy's samples and lag. */
export function readings(req: MetricsRequest, results: readonly MetricDataResult[]): StreamReadings {
  const series = (id: string): Map<number, number> => {
    const out = new Map<number, number>();
    for (const r of results.filter((x) => x.Id === id)) {
      (r.Timestamps ?? []).forEach((t, i) => {
        const value = r.Values?.[i];
        if (value === undefined || !Number.isFinite(value)) return;
        const minute = Math.floor(new Date(t).getTime() / MINUTE_MS);
        out.set(minute, value);
      });
    }
    return out;
  };
  const bytes = series(Q.bytes);
  const records = series(Q.records);
  const throttled = series(Q.throttled);
  const putRecordsThrottled = series(Q.putRecordsThrottled);
  const published = [...bytes.keys(), ...records.keys(), ...throttled.keys(), ...putRecordsThrottled.keys()]
    .filter((m) => m >= req.startMinute && m < req.endMinute);
  const lastPublishedMinute = published.length > 0 ? Math.max(...published) : undefined;
  const last = Math.max(lastPublishedMinute ?? Number.NEGATIVE_INFINITY, req.endMinute - 1 - ASSUMED_PUBLICATION_DELAY_MINUTES);
  const samples: MinuteSample[] = [];
  for (let minute = req.startMinute; minute <= last; minute++) {
    samples.push({
      minute,
      incomingBytes: bytes.get(minute) ?? 0,
      incomingRecords: records.get(minute) ?? 0,
      // WriteProvisionedThroughputExceeded counts PutRecord and PutRecords rejections, PutRecords.ThrottledRecords only the
      // latter: the larger is the better count when one of them is late or missing.
      throttledRecords: Math.max(throttled.get(minute) ?? 0, putRecordsThrottled.get(minute) ?? 0),
    });
  }

  const lagIds = [...(req.lagIteratorAge ? [Q.iteratorAge] : []), ...req.lagConsumers.map((_, i) => `consumer${i}`)];
  const lagFrom = req.endMinute - ASSUMED_PUBLICATION_DELAY_MINUTES - LAG_WINDOW_MINUTES;
  let lagMillis: number | undefined;
  for (const id of lagIds) {
    for (const [minute, value] of series(id)) {
      if (minute >= lagFrom && minute < req.endMinute) lagMillis = Math.max(lagMillis ?? 0, value);
    }
  }
  return { samples, lagMillis, lastPublishedMinute };
}
