/**
 * Traffic traces: one row per minute, the per-minute sums CloudWatch exports for a stream
 * (`minute,incoming_bytes,incoming_records`). In a trace the values are the demand: what producers tried to write.
 * An optional fourth column, `hot_key_share`, is the share of the minute's demand that producers write under one partition
 * key (a hot key): that share always lands on one shard, however many the stream has.
 */

export interface TraceRow {
  /** Minute index or epoch minute; consecutive rows are consecutive minutes. */
  readonly minute: number;
  /** Bytes producers tried to write in the minute. */
  readonly incomingBytes: number;
  /** Records producers tried to write in the minute. */
  readonly incomingRecords: number;
  /** Share (0–1) of the bytes and records written under one partition key, which one shard receives. @default 0 */
  readonly hotKeyShare?: number;
}

export const TRACE_HEADER = 'minute,incoming_bytes,incoming_records';
/** The header of a trace with a hot key. */
export const HOT_KEY_TRACE_HEADER = `${TRACE_HEADER},hot_key_share`;

/** Parses a trace CSV; throws naming the line on anything malformed, missing or out of order. */
export function parseTrace(csv: string): TraceRow[] {
  const lines = csv.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new Error('trace is empty');
  const header = lines[0].split(',').map((h) => h.trim());
  const hot = header.length === 4;
  const want = (hot ? HOT_KEY_TRACE_HEADER : TRACE_HEADER).split(',');
  if (header.length !== want.length || header.some((h, i) => h !== want[i])) {
    throw new Error(`trace header must be "${TRACE_HEADER}" or "${HOT_KEY_TRACE_HEADER}", got "${lines[0]}"`);
  }
  const rows: TraceRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i].split(',').map((c) => Number(c.trim()));
    if (cells.length !== want.length || cells.some((c) => !Number.isFinite(c) || c < 0)) {
      throw new Error(`trace line ${i + 1}: expected ${want.length} non-negative numbers, got "${lines[i]}"`);
    }
    const [minute, incomingBytes, incomingRecords, hotKeyShare] = cells;
    if (hot && hotKeyShare > 1) throw new Error(`trace line ${i + 1}: hot_key_share must be from 0 to 1, got ${hotKeyShare}`);
    if (!Number.isInteger(minute)) throw new Error(`trace line ${i + 1}: minute must be a whole number, got ${minute}`);
    if (rows.length > 0 && minute !== rows[rows.length - 1].minute + 1) {
      throw new Error(`trace line ${i + 1}: minute ${minute} does not follow ${rows[rows.length - 1].minute}`);
    }
    rows.push(hot ? { minute, incomingBytes, incomingRecords, hotKeyShare } : { minute, incomingBytes, incomingRecords });
  }
  if (rows.length === 0) throw new Error('trace has a header but no rows');
  return rows;
}

/** Writes a trace CSV (header and one line per row; the hot-key column when any row has a hot key). */
export function formatTrace(rows: readonly TraceRow[]): string {
  const hot = rows.some((r) => r.hotKeyShare !== undefined);
  const out = [hot ? HOT_KEY_TRACE_HEADER : TRACE_HEADER];
  for (const r of rows) {
    const base = `${r.minute},${Math.round(r.incomingBytes)},${Math.round(r.incomingRecords)}`;
    out.push(hot ? `${base},${Number((r.hotKeyShare ?? 0).toFixed(4))}` : base);
  }
  return out.join('\n') + '\n';
}
