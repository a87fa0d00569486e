/**
 * Writes session summaries to the summary stream with PutRecords: at most 500 records and 5 MiB per request, and only the
 * entries that failed (throttled or internal errors) are sent again, with exponential backoff and full jitter. The caller
 * gets back which summaries made it; the others stay pending in the table for the sweep.
 */
import { PutRecordsCommand, type PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import type { SessionSummary } from './store';

/** PutRecords limits: records per request, and bytes per request (data and partition keys; the older, smaller limit). */
export const PUT_RECORDS_MAX_RECORDS = 500;
export const PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024;

export interface EmitEntry {
  /** Partition key (the user key, so that a user's summaries stay in order on one shard). */
  readonly partitionKey: string;
  readonly summary: SessionSummary;
}

export interface EmitOptions {
  /** Rounds of PutRecords, the first included. @default 5 */
  readonly maxAttempts?: number;
  /** Backoff base, milliseconds; round n waits a random time up to base × 2^n. @default 100 */
  readonly baseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface EmitResult {
  /** Indexes (into the entries given) written to the stream. */
  readonly emitted: number[];
  /** Indexes that still failed after the last round, with the last error code. */
  readonly failed: Array<{ index: number; errorCode: string }>;
  /** PutRecords requests made. */
  readonly requests: number;
}

/** The one call the emitter needs, so that tests can stand in a failing stream. */
export type PutRecords = (command: PutRecordsCommand) => Promise<Pick<PutRecordsCommandOutput, 'Records' | 'FailedRecordCount'>>;

export async function emitSummaries(
  put: PutRecords, streamArn: string, entries: readonly EmitEntry[], options: EmitOptions = {},
): Promise<EmitResult> {
  const maxAttempts = options.maxAttempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 100;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const encoded = entries.map((e) => Buffer.from(JSON.stringify(e.summary) + '\n', 'utf-8'));
  let pending = entries.map((_, i) => i);
  const lastError = new Map<number, string>();
  const emitted: number[] = [];
  let requests = 0;

  for (let attempt = 0; attempt < maxAttempts && pending.length > 0; attempt++) {
    if (attempt > 0) await sleep(Math.random() * baseDelayMs * 2 ** attempt);
    const stillPending: number[] = [];
    for (const chunk of chunks(pending, (i) => encoded[i].length + Buffer.byteLength(entries[i].partitionKey))) {
      requests++;
      let out: Pick<PutRecordsCommandOutput, 'Records' | 'FailedRecordCount'>;
      try {
        out = await put(new PutRecordsCommand({
          StreamARN: streamArn,
          Records: chunk.map((i) => ({ Data: encoded[i], PartitionKey: entries[i].partitionKey })),
        }));
      } catch (e) {
        // The whole request failed (throttled, network): every entry of it is retried.
        for (const i of chunk) lastError.set(i, (e as Error).name || 'RequestFailed');
        stillPending.push(...chunk);
        continue;
      }
      chunk.forEach((i, k) => {
        const r = out.Records?.[k];
        if (r && !r.ErrorCode && r.SequenceNumber) {
          emitted.push(i);
        } else {
          lastError.set(i, r?.ErrorCode ?? 'MissingResult');
          stillPending.push(i);
        }
      });
    }
    pending = stillPending;
  }
  return {
    emitted: emitted.sort((a, b) => a - b),
    failed: pending.map((index) => ({ index, errorCode: lastError.get(index) ?? 'Unknown' })),
    requests,
  };
}

/** Splits indexes into requests of at most 500 records and 5 MiB. */
function chunks(indexes: readonly number[], size: (i: number) => number): number[][] {
  const out: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  for (const i of indexes) {
    const s = size(i);
    if (current.length === PUT_RECORDS_MAX_RECORDS || (current.length > 0 && bytes + s > PUT_RECORDS_MAX_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(i);
    bytes += s;
  }
  if (current.length > 0) out.push(current);
  return out;
}
