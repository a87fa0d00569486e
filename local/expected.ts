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

export interface FlinkClickExpectations { readonly topProductRows: number; readonly trafficRows: number; readonly watermark: number }

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
  for (const set of products.values()) topProductRows += Math.min(params.topN, set.size);
  const minutes = new Set(eventTimes.map((t) => Math.floor(t / MINUTE) * MINUTE).filter((s) => closed(s + MINUTE)));
  return { topProductRows, trafficRows: minutes.size, watermark };
}
