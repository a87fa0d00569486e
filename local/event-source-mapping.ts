/**
 * A Kinesis event source mapping with Lambda's semantics, for one function: per shard, batches of up to BatchSize records
 * (gathered for up to MaximumBatchingWindowInSeconds), in order; a batch is done (checkpointed) when the function succeeds
 * and reports no failed item. Otherwise:
 * - partial batch response (ReportBatchItemFailures): the batch is retried from the failed record with the lowest
 *   sequence number; an item identifier that is not in the batch fails the whole batch;
 * - function error: with BisectBatchOnFunctionError the batch is split in two and each half retried (a split does not
 *   count as a retry), without it the batch is retried whole;
 * - after MaximumRetryAttempts retries, or once the oldest record is older than MaximumRecordAgeInSeconds, the batch goes
 *   to the on-failure destination (an S3 object describing it, with the invocation payload) and the shard moves on.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
 */
import { randomUUID } from 'node:crypto';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { LOCAL_REGION } from './assembly';
import { ShardReader, ShardRecord, listShards, sleep, streamNameOf } from './kinesis-reader';
import { LambdaHost } from './lambda-host';
import { MappingSpec } from './wiring';

export interface MappingCounters {
  records: number;
  invocations: number;
  functionErrors: number;
  partialFailures: number;
  bisections: number;
  retries: number;
  batchesToDestination: number;
  recordsToDestination: number;
  checkpointed: number;
  /** Wall-clock milliseconds of each invocation (the function's duration, as Lambda would bill it, plus IPC). */
  invocationMs: number[];
}

export class EventSourceMapping {
  public readonly counters: MappingCounters = {
    records: 0,
    invocations: 0,
    functionErrors: 0,
    partialFailures: 0,
    bisections: 0,
    retries: 0,
    batchesToDestination: 0,
    recordsToDestination: 0,
    checkpointed: 0,
    invocationMs: [],
  };
  private stopped = false;
  private readonly loops: Promise<void>[] = [];
  private readonly uuid = randomUUID();

  constructor(private readonly spec: MappingSpec, private readonly fn: LambdaHost, private readonly kinesis: KinesisClient,
    private readonly s3: S3Client) {
    if (spec.parallelizationFactor !== 1) throw new Error(`${spec.logicalId}: ParallelizationFactor ${spec.parallelizationFactor} is not emulated (1 only)`);
  }

  public async start(): Promise<void> {
    const name = streamNameOf(this.spec.streamArn);
    for (const shardId of await listShards(this.kinesis, name)) {
      this.loops.push(this.pollShard(new ShardReader(this.kinesis, name, shardId, this.spec.startingPosition)));
    }
  }

  public async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private async pollShard(reader: ShardReader): Promise<void> {
    const pending: ShardRecord[] = [];
    while (!this.stopped) {
      const windowEnd = Date.now() + this.spec.maximumBatchingWindowSeconds * 1000;
      while (pending.length < this.spec.batchSize && !this.stopped) {
        const got = await reader.next(this.spec.batchSize - pending.length);
        pending.push(...got);
        if (got.length === 0) {
          if (pending.length > 0 && Date.now() >= windowEnd) break;
          await sleep(pending.length > 0 ? 50 : 200);
        }
      }
      if (pending.length === 0) continue;
      const batch = pending.splice(0, this.spec.batchSize);
      this.counters.records += batch.length;
      await this.deliver(batch);
    }
  }

  private async deliver(batch: ShardRecord[]): Promise<void> {
    const parts: Array<{ records: ShardRecord[]; retries: number }> = [{ records: batch, retries: 0 }];
    while (parts.length > 0) {
      const part = parts.shift()!;
      for (;;) {
        const age = Date.now() - part.records[0].arrival;
        if (this.spec.maximumRecordAgeSeconds >= 0 && age > this.spec.maximumRecordAgeSeconds * 1000) {
          await this.toDestination(part.records, 'RecordAgeExceeded', part.retries);
          break;
        }
        this.counters.invocations++;
        const invoked = Date.now();
        const r = await this.fn.invoke(this.event(part.records));
        this.counters.invocationMs.push(Date.now() - invoked);
        let failedFrom: number | undefined;
        let functionError = !r.ok;
        if (r.ok && this.spec.reportBatchItemFailures) {
          const failures = (r.result as { batchItemFailures?: Array<{ itemIdentifier?: string }> } | null)?.batchItemFailures ?? [];
          for (const f of failures) {
            const i = part.records.findIndex((x) => x.sequenceNumber === f.itemIdentifier);
            if (i < 0) functionError = true;
            else failedFrom = failedFrom === undefined ? i : Math.min(failedFrom, i);
          }
        }
        if (!functionError && failedFrom === undefined) {
          this.counters.checkpointed += part.records.length;
          break;
        }
        if (functionError) {
          this.counters.functionErrors++;
          if (this.spec.bisectOnError && part.records.length > 1) {
            this.counters.bisections++;
            const mid = Math.ceil(part.records.length / 2);
            parts.unshift({ records: part.records.slice(0, mid), retries: part.retries }, {
              records: part.records.slice(mid),
              retries: part.retries,
            });
            break;
          }
        } else {
          this.counters.partialFailures++;
          this.counters.checkpointed += failedFrom!;
          part.records = part.records.slice(failedFrom);
        }
        if (this.spec.maximumRetryAttempts >= 0 && part.retries >= this.spec.maximumRetryAttempts) {
          await this.toDestination(part.records, functionError ? 'RetryAttemptsExhausted' : 'RetryAttemptsExhausted', part.retries);
          break;
        }
        part.retries++;
        this.counters.retries++;
        await sleep(100);
      }
    }
  }

  private event(records: ShardRecord[]): KinesisStreamEvent {
    return {
      Records: records.map((r): KinesisStreamRecord => ({
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: r.partitionKey,
          sequenceNumber: r.sequenceNumber,
          data: Buffer.from(r.data).toString('base64'),
          approximateArrivalTimestamp: r.arrival / 1000,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `${r.shardId}:${r.sequenceNumber}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: `arn:aws:iam::123456789012:role/${this.spec.functionName}-role`,
        awsRegion: LOCAL_REGION,
        eventSourceARN: this.spec.streamArn,
      })),
    };
  }

  /** The on-failure record Lambda writes to an S3 destination: the batch's position and the invocation payload. */
  private async toDestination(records: ShardRecord[], condition: string, retries: number): Promise<void> {
    this.counters.batchesToDestination++;
    this.counters.recordsToDestination += records.length;
    if (!this.spec.onFailureBucket) return;
    const now = new Date();
    const first = records[0];
    const last = records[records.length - 1];
    const key = `aws/lambda/${this.uuid}/${first.shardId}/${now.toISOString().slice(0, 10).replace(/-/g, '/')}/${now.toISOString().replace(/:/g, '.')}-${randomUUID()}`;
    const body = {
      requestContext: { requestId: randomUUID(), functionArn: this.fn.spec.arn, condition, approximateInvokeCount: retries + 1 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: now.toISOString(),
      KinesisBatchInfo: {
        shardId: first.shardId,
        startSequenceNumber: first.sequenceNumber,
        endSequenceNumber: last.sequenceNumber,
        approximateArrivalOfFirstRecord: new Date(first.arrival).toISOString(),
        approximateArrivalOfLastRecord: new Date(last.arrival).toISOString(),
        batchSize: records.length,
        streamArn: this.spec.streamArn,
      },
      payload: JSON.stringify(this.event(records)),
    };
    await this.s3.send(new PutObjectCommand({ Bucket: this.spec.onFailureBucket, Key: key, Body: JSON.stringify(body) }));
  }
}
