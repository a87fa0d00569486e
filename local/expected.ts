/**
 * What the clickstream Flink job must emit for a generated run, computed from the generated events: the windows its
 * watermark has closed by the last event (watermark = latest event time - the delay), top N rows per closed hopping window
 * and one row per closed one-minute traffic window.
 */
const MINUTE = 60_000;

/** Windows `[start, start + size)` every `slide`, containing `t`. */
function hopStarts(t: number, slide: number, size: number): number[] {
  const last = Math.floor(t / slide) * slide;
  const out: number[] = [];
  for (let s = last; s > t - size; s -= slide) out.push(s);
  return out;
}

export interface FlinkClickExpectations {
  readonly topProductRows: number;
  readonly trafficRows: number;
  readonly watermark: number;
  /** Rows per window, by `<record_type> <window_start ISO>` (for a report of what differs). */
  readonly rowsByWindow: Record<string, number>;
}

export function expectedClickResults(
  eventTimes: readonly number[], productViews: ReadonlyArray<{ productId: string; timestamp: number }>,
  params: { topN: number; windowMinutes: number; slideMinutes: number; watermarkDelaySeconds: number },
): FlinkClickExpectations {
  const watermark = Math.max(...eventTimes) - params.watermarkDelaySeconds * 1000;
  const closed = (end: number) => end <= watermark;
  const size = params.windowMinutes * MINUTE;
  const slide = params.slideMinutes * MINUTE;
  const products = new Map<number, Set<string>>();
  for (const v of productViews) {
    for (const s of hopStarts(v.timestamp, slide, size)) {
      if (!closed(s + size)) continue;
      products.set(s, (products.get(s) ?? new Set()).add(v.productId));
    }
  }
  let topProductRows = 0;
  const rowsByWindow: Record<string, number> = {};
  for (const [start, set] of products) {
    topProductRows += Math.min(params.topN, set.size);
    rowsByWindow[`top_products ${new Date(start).toISOString()}`] = Math.min(params.topN, set.size);
  }
  const minutes = new Set(eventTimes.map((t) => Math.floor(t / MINUTE) * MINUTE).filter((s) => closed(s + MINUTE)));
  for (const m of minutes) rowsByWindow[`traffic_minute ${new Date(m).toISOString()}`] = 1;
  return { topProductRows, trafficRows: minutes.size, watermark, rowsByWindow };
}

export interface FlinkIotExpectations { readonly anomalies: number; readonly machineMinuteRows: number; readonly watermark: number }

type Metric = 'temperature' | 'vibration' | 'pressure';
const METRICS: readonly Metric[] = ['temperature', 'vibration', 'pressure'];

/**
 * What the IoT Flink job must emit for a generated run, computed from the valid readings as `sql/iot-anomalies.sql`
 * defines it: per device and metric, the readings of the last `statsWindowMinutes` up to and including the current one
 * (RANGE, bounds inclusive) less the current one give the prior count, mean and population standard deviation; a reading
 * is an anomaly when at least `minSamples` precede it, the deviation is above 0 and it lies more than `sigma` deviations
 * from the mean. The OVER window emits a reading once the watermark reaches its time; a machine-minute row once the
 * watermark passes the minute's end. Sums run in time order, as the job's accumulators do.
 */
export function expectedIotResults(
  readings: ReadonlyArray<{ deviceId: string; machineId: string; ts: number } & Partial<Record<Metric, number>>>,
  params: { statsWindowMinutes: number; sigma: number; minSamples: number; watermarkDelaySeconds: number },
): FlinkIotExpectations {
  const watermark = Math.max(...readings.map((r) => r.ts)) - params.watermarkDelaySeconds * 1000;
  const byDevice = new Map<string, typeof readings[number][]>();
  for (const r of readings) byDevice.set(r.deviceId, [...(byDevice.get(r.deviceId) ?? []), r]);
  let anomalies = 0;
  for (const list of byDevice.values()) {
    const sorted = [...list].sort((a, b) => a.ts - b.ts);
    sorted.forEach((r) => {
      if (r.ts > watermark) return;
      const frame = sorted.filter((o) => o.ts >= r.ts - params.statsWindowMinutes * MINUTE && o.ts <= r.ts);
      for (const m of METRICS) {
        const x = r[m];
        if (x === undefined) continue;
        let n = 0;
        let sum = 0;
        let sq = 0;
        for (const o of frame) {
          const v = o[m];
          if (v === undefined) continue;
          n++;
          sum += v;
          sq += v * v;
        }
        const prior = n - 1;
        if (prior < params.minSamples) continue;
        const mean = (sum - x) / prior;
        const std = Math.sqrt(Math.max((sq - x * x) / prior - Math.pow(mean, 2), 0));
        if (std > 0 && Math.abs(x - mean) > params.sigma * std) anomalies++;
      }
    });
  }
  const minutes = new Set(readings.filter((r) => Math.floor(r.ts / MINUTE) * MINUTE + MINUTE <= watermark)
    .map((r) => `${r.machineId}@${Math.floor(r.ts / MINUTE)}`));
  return { anomalies, machineMinuteRows: minutes.size, watermark };
}
