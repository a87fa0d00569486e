/**
 * Traffic traces: one row per minute, the per-minute sums CloudWatch exports for a stream
 * (`minute,incoming_bytes,incoming_records`). In a trace the values are the demand: what producers tried to write.
 */

export interface TraceRow {
  /** Minute index or epoch minute; consecutive rows are consecutive minutes. */
  readonly minute: number;
  /** Bytes producers tried to write in the minute. */
  readonly incomingBytes: number;
  /** Records producers tried to write in the minute. */
  readonly incomingRecords: number;
}

export const TRACE_HEADER = 'minute,incoming_bytes,incoming_records';

/** Parses a trace CSV; throws naming the line on anything malformed, missing or out of order. */
export function parseTrace(csv: string): TraceRow[] {
  const lines = csv.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new Error('trace is empty');
  const header = lines[0].split(',').map((h) => h.trim());
  const want = TRACE_HEADER.split(',');
  if (header.length !== want.length || header.some((h, i) => h !== want[i])) {
    throw new Error(`trace header must be "${TRACE_HEADER}", got "${lines[0]}"`);
  }
  const rows: TraceRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i].split(',').map((c) => Number(c.trim()));
    if (cells.length !== 3 || cells.some((c) => !Number.isFinite(c) || c < 0)) {
      throw new Error(`trace line ${i + 1}: expected three non-negative numbers, got "${lines[i]}"`);
    }
    const [minute, incomingBytes, incomingRecords] = cells;
    if (!Number.isInteger(minute)) throw new Error(`trace line ${i + 1}: minute must be a whole number, got ${minute}`);
    if (rows.length > 0 && minute !== rows[rows.length - 1].minute + 1) {
      throw new Error(`trace line ${i + 1}: minute ${minute} does not follow ${rows[rows.length - 1].minute}`);
    }
    rows.push({ minute, incomingBytes, incomingRecords });
  }
  if (rows.length === 0) throw new Error('trace has a header but no rows');
  return rows;
}

/** Writes a trace CSV (header and one line per row). */
export function formatTrace(rows: readonly TraceRow[]): string {
  const out = [TRACE_HEADER];
  for (const r of rows) out.push(`${r.minute},${Math.round(r.incomingBytes)},${Math.round(r.incomingRecords)}`);
  return out.join('\n') + '\n';
}
