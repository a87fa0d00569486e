/**
 * The handler's metric inputs read back from the moto server: the GetMetricData request of metrics.ts, made as the handler
 * makes it, over per-minute datapoints put as Kinesis publishes them, and the policy's decision on what comes back.
 */
import { CloudWatchClient, GetMetricDataCommand, MetricDataResult, MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { metricQueries, MINUTE_MS, readings } from '../../../lambda/shard-autoscaler/metrics';
import { decide, MinuteSample } from '../../../lambda/shard-autoscaler/policy';
import { motoClientConfig, resetMoto } from '../../support/moto';

const STREAM = 'clicks';
const MIB = 1024 * 1024;
const cloudwatch = () => new CloudWatchClient(motoClientConfig());

interface Minute {
  readonly ago: number;
  readonly bytes: number;
  readonly records: number;
  readonly writeExceeded?: number;
  readonly putRecordsThrottled?: number;
}

async function put(rows: Minute[], endMinute: number): Promise<void> {
  const dims = [{ Name: 'StreamName', Value: STREAM }];
  const data: MetricDatum[] = [];
  for (const m of rows) {
    const ts = new Date((endMinute - m.ago) * MINUTE_MS + 5_000);
    data.push({ MetricName: 'IncomingBytes', Dimensions: dims, Timestamp: ts, Value: m.bytes, Unit: 'Bytes' });
    data.push({ MetricName: 'IncomingRecords', Dimensions: dims, Timestamp: ts, Value: m.records, Unit: 'Count' });
    if (m.writeExceeded !== undefined) {
      data.push({ MetricName: 'WriteProvisionedThroughputExceeded', Dimensions: dims, Timestamp: ts, Value: m.writeExceeded, Unit: 'Count' });
    }
    if (m.putRecordsThrottled !== undefined) {
      data.push({ MetricName: 'PutRecords.ThrottledRecords', Dimensions: dims, Timestamp: ts, Value: m.putRecordsThrottled, Unit: 'Count' });
    }
  }
  for (let i = 0; i < data.length; i += 20) {
    await cloudwatch().send(new PutMetricDataCommand({ Namespace: 'AWS/Kinesis', MetricData: data.slice(i, i + 20) }));
  }
}

async function read(startMinute: number, endMinute: number) {
  const request = { streamName: STREAM, startMinute, endMinute, lagIteratorAge: false, lagConsumers: [] };
  const results: MetricDataResult[] = [];
  let token: string | undefined;
  do {
    const out = await cloudwatch().send(new GetMetricDataCommand({
      StartTime: new Date(startMinute * MINUTE_MS),
      EndTime: new Date(endMinute * MINUTE_MS),
      MetricDataQueries: metricQueries(request),
      ScanBy: 'TimestampAscending',
      NextToken: token,
    }));
    results.push(...(out.MetricDataResults ?? []));
    token = out.NextToken;
  } while (token);
  return readings(request, results);
}

/** The policy's decision for an ACTIVE stream of `shards` shards, no recent calls, the construct's default target. */
function decideOn(shards: number, samples: MinuteSample[], endMinute: number) {
  const config = { minShards: 1, maxShards: 64, targetUtilization: 0.6 };
  return decide({ currentShards: shards, streamStatus: 'ACTIVE', samples, scalingCallTimes: [], now: endMinute * MINUTE_MS, config });
}

function range(fromAgo: number, toAgo: number, m: Omit<Minute, 'ago'>): Minute[] {
  const out: Minute[] = [];
  for (let ago = fromAgo; ago >= toAgo; ago--) out.push({ ago, ...m });
  return out;
}

beforeEach(async () => {
  await resetMoto();
});

describe('shard-autoscaler metrics against moto', () => {
  const end = Math.floor(Date.now() / MINUTE_MS);

  test('PutRecords.ThrottledRecords alone counts as throttling, and the policy scales out on it', async () => {
    // 4 shards, 75% of them accepted (nothing to act on by itself), and as many records again rejected, reported by
    // PutRecords.ThrottledRecords only: demand 6 shards' worth.
    await put([
      ...range(20, 4, { bytes: 2 * 60 * MIB, records: 2 * 60_000 }),
      ...range(3, 1, { bytes: 3 * 60 * MIB, records: 3 * 60_000, putRecordsThrottled: 3 * 60_000 }),
    ], end);
    const r = await read(end - 20, end);
    expect(r.samples.slice(-3).map((s) => s.throttledRecords)).toEqual([180_000, 180_000, 180_000]);
    const d = decideOn(4, r.samples, end);
    expect(d).toMatchObject({ kind: 'scale-out', targetShards: 8, pendingTarget: 10 });
  });

  test('WriteProvisionedThroughputExceeded and PutRecords.ThrottledRecords together: the larger per minute', async () => {
    await put([
      { ago: 3, bytes: 60 * MIB, records: 60_000, writeExceeded: 900, putRecordsThrottled: 700 },
      { ago: 2, bytes: 60 * MIB, records: 60_000, writeExceeded: 100, putRecordsThrottled: 800 },
      { ago: 1, bytes: 60 * MIB, records: 60_000, writeExceeded: 50 },
    ], end);
    const r = await read(end - 3, end);
    expect(r.samples.map((s) => s.throttledRecords)).toEqual([900, 800, 50]);
  });

  test('throttling at low utilisation, read from moto, is a hot key: reported, not scaled', async () => {
    // 10 shards, 2.5 shards' worth accepted, a fifth of the records throttled.
    await put(range(20, 1, { bytes: 2.5 * 60 * MIB, records: 150_000, writeExceeded: 37_500, putRecordsThrottled: 37_500 }), end);
    const r = await read(end - 20, end);
    const d = decideOn(10, r.samples, end);
    expect(d).toMatchObject({ kind: 'none', hotKey: true });
  });
});
