/**
 * Malformed records, kept whole in the failure bucket. The key is derived from the record's shard and sequence number
 * (and its arrival day), so a redelivered batch overwrites the same object with the same content instead of adding one.
 * Pure: the handler makes the PutObject call.
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import { arrivalOf, recordPosition } from './events';

export interface PoisonObject {
  readonly key: string;
  readonly body: string;
}

export function poisonObject(prefix: string, record: KinesisStreamRecord, reason: string, now: number): PoisonObject {
  const { shardId, sequenceNumber } = recordPosition(record);
  const arrival = arrivalOf(record);
  const day = new Date(Number.isFinite(arrival) ? arrival : now).toISOString().slice(0, 10).replace(/-/g, '/');
  const key = `${prefix}${day}/${safe(shardId)}/${safe(sequenceNumber)}.json`;
  const body = JSON.stringify({
    reason,
    eventSourceARN: record.eventSourceARN,
    eventID: record.eventID,
    shardId,
    sequenceNumber,
    partitionKey: record.kinesis?.partitionKey,
    approximateArrivalTimestamp: record.kinesis?.approximateArrivalTimestamp,
    // The whole record as Lambda delivered it, data in base64, so that it can be fixed and put back on the stream.
    record,
  });
  return { key, body };
}

function safe(s: string): string {
  return s.replace(/[^A-Za-z0-9_.:-]/g, '_');
}
