/**
 * The decision logic of the Firehose transform, with no AWS SDK and no I/O: each record of a batch is validated as a JSON
 * object, stamped with its ingest time without re-serializing what the producer sent, written back as one line, or marked ProcessingFailed with its original data
 * (Firehose then writes it to the error output) without failing the batch. Every record id of the batch is returned,
 * in order, as Firehose requires.
 * @see https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html
 */
import { decodeStrictBase64 } from '../shared/base64';

/** A record as Firehose hands it to the function (the fields this logic reads). */
export interface InputRecord {
  readonly recordId: string;
  /** Epoch milliseconds at which the record reached Firehose (or the source stream). */
  readonly approximateArrivalTimestamp: number;
  /** Base64 of the record. */
  readonly data: string;
}

export type RecordResult = 'Ok' | 'ProcessingFailed';

export interface OutputRecord {
  readonly recordId: string;
  readonly result: RecordResult;
  /** Base64 of the transformed record (Ok) or of the original one (ProcessingFailed). */
  readonly data: string;
}

/** Why a record was marked ProcessingFailed. */
export type FailureReason = 'not-base64' | 'not-utf8' | 'not-json' | 'not-an-object' | 'oversized' | 'response-budget';

export interface Failure {
  readonly recordId: string;
  readonly reason: FailureReason;
}

export interface TransformConfig {
  /** Field set to the ISO-8601 arrival time; empty: none. */
  readonly ingestTimestampField: string;
  /** Largest transformed record, bytes. */
  readonly maxRecordBytes: number;
  /** End each record with "\n" (newline-delimited JSON). */
  readonly appendNewline: boolean;
  /** Largest response, bytes: Lambda's 6 MB synchronous payload limit, with headroom. */
  readonly responseBudgetBytes: number;
}

/** Lambda refuses synchronous responses above 6 MB; this leaves headroom for the JSON around the records. */
export const DEFAULT_RESPONSE_BUDGET_BYTES = 6_000_000;
/** The largest record Firehose accepts, before base64: 1,000 KiB. */
export const DEFAULT_MAX_RECORD_BYTES = 1000 * 1024;

/** Configuration from the function's environment (set by `DeliveryTransform.jsonRecords`). */
export function configFromEnv(env: Record<string, string | undefined>): TransformConfig {
  const max = Number(env.MAX_RECORD_BYTES);
  return {
    ingestTimestampField: env.INGEST_TIMESTAMP_FIELD ?? 'ingested_at',
    maxRecordBytes: Number.isInteger(max) && max > 0 ? max : DEFAULT_MAX_RECORD_BYTES,
    appendNewline: env.APPEND_NEWLINE !== 'false',
    responseBudgetBytes: DEFAULT_RESPONSE_BUDGET_BYTES,
  };
}

const decoder = new TextDecoder('utf-8', { fatal: true });
const CLOSE_BRACE = 0x7d;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;

/**
 * One record transformed, or the reason it cannot be. Pure.
 *
 * Lossless: the producer's bytes are validated (strict base64, UTF-8, JSON, an object at the top) but never re-serialized,
 * so numbers beyond double precision, `1e400`, duplicate keys, escapes and key order reach the destination as sent. The
 * only changes: the ingest field is inserted before the object's closing brace (unless the producer's object already has
 * a field of that name: the producer's value is kept and none is added), line breaks between tokens become spaces so that
 * the record is one line (valid JSON has none inside strings), whitespace after the closing brace is dropped, and the
 * record ends with one newline.
 */
export function transformRecord(record: InputRecord, config: TransformConfig): { data: string } | { reason: FailureReason } {
  const raw = decodeStrictBase64(record.data);
  if (raw === undefined) return { reason: 'not-base64' };
  if (raw.length > config.maxRecordBytes) return { reason: 'oversized' };
  let text: string;
  try {
    text = decoder.decode(raw);
  } catch {
    return { reason: 'not-utf8' };
  }
  let value: unknown;
  try {
    // Validation only: the parsed value decides nothing about the output but whether the field is already there.
    value = JSON.parse(text);
  } catch {
    return { reason: 'not-json' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { reason: 'not-an-object' };
  const field = config.ingestTimestampField;
  let insertion = '';
  if (field !== '' && !Object.prototype.hasOwnProperty.call(value, field)) {
    const at = new Date(record.approximateArrivalTimestamp);
    const stamp = Number.isNaN(at.getTime()) ? 'null' : JSON.stringify(at.toISOString());
    insertion = `${Object.keys(value).length > 0 ? ',' : ''}${JSON.stringify(field)}:${stamp}`;
  }
  // An object's text ends with its closing brace, followed by nothing but whitespace.
  const end = raw.lastIndexOf(CLOSE_BRACE);
  const head = Buffer.from(raw.subarray(0, end));
  for (let i = head.indexOf(LF); i >= 0; i = head.indexOf(LF, i + 1)) head[i] = SPACE;
  for (let i = head.indexOf(CR); i >= 0; i = head.indexOf(CR, i + 1)) head[i] = SPACE;
  const out = Buffer.concat([head, Buffer.from(`${insertion}}${config.appendNewline ? '\n' : ''}`, 'utf-8')]);
  if (out.length > config.maxRecordBytes) return { reason: 'oversized' };
  return { data: out.toString('base64') };
}

/** Bytes one output record adds to the response JSON, data included. */
function responseBytes(recordId: string, result: RecordResult, data: string): number {
  return JSON.stringify({ recordId, result, data }).length + 1;
}

/**
 * The whole batch. A record whose transformed form would push the response past the budget (given that every later
 * record needs at least its original size) is returned ProcessingFailed with its original data, so the response always
 * fits when the request did.
 */
export function transformBatch(records: readonly InputRecord[], config: TransformConfig): { records: OutputRecord[]; failures: Failure[] } {
  const out: OutputRecord[] = [];
  const failures: Failure[] = [];
  let remainingOriginals = records.reduce((sum, r) => sum + responseBytes(r.recordId, 'ProcessingFailed', r.data), 0);
  let used = '{"records":[]}'.length;
  for (const record of records) {
    remainingOriginals -= responseBytes(record.recordId, 'ProcessingFailed', record.data);
    const result = transformRecord(record, config);
    let output: OutputRecord;
    if ('data' in result && used + responseBytes(record.recordId, 'Ok', result.data) + remainingOriginals <= config.responseBudgetBytes) {
      output = { recordId: record.recordId, result: 'Ok', data: result.data };
    } else {
      failures.push({ recordId: record.recordId, reason: 'reason' in result ? result.reason : 'response-budget' });
      output = { recordId: record.recordId, result: 'ProcessingFailed', data: record.data };
    }
    used += responseBytes(output.recordId, output.result, output.data);
    out.push(output);
  }
  return { records: out, failures };
}
