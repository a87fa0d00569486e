/**
 * Writes session summaries to the summary stream with PutRecords: at most 500 records and 5 MiB per request, and only the
 * entries that failed (throttled or internal errors) are sent again, with exponential backoff and full jitter. The caller
 * gets back which summaries made it; the others stay pending in the table for the sweep.
 */
import { createHash } from 'node:crypto';
import { PutRecordsCommand, type PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import type { SessionSummary } from './store';

/** PutRecords limits: records per request, and bytes per request (data and partition keys; the older, smaller limit). */
export const PUT_RECORDS_MAX_RECORDS = 500;
export const PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024;
/** Longest partition key Kinesis accepts, in Unicode characters; and the largest record (data and key), bytes. */
export const MAX_PARTITION_KEY_LENGTH = 256;
export const MAX_RECORD_BYTES = 1024 * 1024;

/**
 * Errors for which a request fails as a whole because of what one of its entries holds: resending the same request can
 * never succeed, so it is split until the entry at fault is alone and the others go through.
 */
const ENTRY_ERRORS = new Set(['ValidationException', 'InvalidArgumentException', 'SerializationException']);

/**
 * The partition key of a user's summaries: the user key itself when it fits Kinesis' 256 characters (the usual case,
 * readable), otherwise `h:` and the SHA-256 of the user key (66 characters), so that every accepted id (up to 256
 * characters, plus the 2 of `u:`/`a:`) gives a key that fits and a user's summaries still share one key.
 */
export function summaryPartitionKey(userKey: string): string {
  return [...userKey].length <= MAX_PARTITION_KEY_LENGTH && userKey.length > 0
    ? userKey : `h:${createHash('sha256').update(userKey, 'utf8').digest('hex')}`;
}

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
  const lastError = new Map<number, string>();
  // An entry Kinesis can never accept is failed at once, on its own, rather than sent in a request it would fail whole.
  const invalid: number[] = [];
  let pending: number[] = [];
  entries.forEach((e, i) => {
    const keyLength = [...e.partitionKey].length;
    if (keyLength < 1 || keyLength > MAX_PARTITION_KEY_LENGTH || encoded[i].length + Buffer.byteLength(e.partitionKey) > MAX_RECORD_BYTES) {
      invalid.push(i);
      lastError.set(i, 'InvalidEntry');
    } else {
      pending.push(i);
    }
  });
  const emitted: number[] = [];
  let requests = 0;

  for (let attempt = 0; attempt < maxAttempts && pending.length > 0; attempt++) {
    if (attempt > 0) await sleep(Math.random() * baseDelayMs * 2 ** attempt);
    const stillPending: number[] = [];
    const queue = chunks(pending, (i) => encoded[i].length + Buffer.byteLength(entries[i].partitionKey));
    for (let chunk = queue.shift(); chunk !== undefined; chunk = queue.shift()) {
      requests++;
      let out: Pick<PutRecordsCommandOutput, 'Records' | 'FailedRecordCount'>;
      try {
        out = await put(new PutRecordsCommand({
          StreamARN: streamArn,
          Records: chunk.map((i) => ({ Data: encoded[i], PartitionKey: entries[i].partitionKey })),
        }));
      } catch (e) {
        const name = (e as Error).name || 'RequestFailed';
        for (const i of chunk) lastError.set(i, name);
        if (ENTRY_ERRORS.has(name)) {
          // One entry made the request invalid: halve the request until that entry is alone; it alone stays failed.
          const half = Math.floor(chunk.length / 2);
          if (chunk.length > 1) queue.unshift(chunk.slice(0, half), chunk.slice(half));
          else invalid.push(chunk[0]);
          continue;
        }
        // The whole request failed (throttled, network): every entry of it is retried.
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
    failed: [...invalid, ...pending].sort((a, b) => a - b).map((index) => ({ index, errorCode: lastError.get(index) ?? 'Unknown' })),
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
