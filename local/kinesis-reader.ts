/** Polls every shard of a stream from moto's Kinesis (GetShardIterator/GetRecords), as Lambda's and Firehose's pollers do. */
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand, _Record } from '@aws-sdk/client-kinesis';

export interface ShardRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: Uint8Array;
  /** Epoch milliseconds. */
  readonly arrival: number;
}

export function streamNameOf(arn: string): string {
  return arn.slice(arn.indexOf(':stream/') + ':stream/'.length).split('/')[0];
}

export async function listShards(kinesis: KinesisClient, streamName: string): Promise<string[]> {
  const out = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  return (out.Shards ?? []).map((s) => s.ShardId!);
}

/** Each shard's starting hash key (a key that puts a record on that shard), in shard order. */
export async function shardHashKeys(kinesis: KinesisClient, streamName: string): Promise<string[]> {
  const out = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  return (out.Shards ?? []).map((s) => s.HashKeyRange!.StartingHashKey!);
}

/** One shard's records in order; `next` returns up to `limit` records (an empty list when none are there yet). */
export class ShardReader {
  private iterator?: string;
  public constructor(private readonly kinesis: KinesisClient, private readonly streamName: string, public readonly shardId: string,
    private readonly position: 'TRIM_HORIZON' | 'LATEST') {}

  public async next(limit: number): Promise<ShardRecord[]> {
    if (this.iterator === undefined) {
      const it = await this.kinesis.send(new GetShardIteratorCommand({
        StreamName: this.streamName,
        ShardId: this.shardId,
        ShardIteratorType: this.position,
      }));
      this.iterator = it.ShardIterator!;
    }
    const out = await this.kinesis.send(new GetRecordsCommand({ ShardIterator: this.iterator, Limit: limit }));
    this.iterator = out.NextShardIterator ?? this.iterator;
    return (out.Records ?? []).map((r: _Record) => ({
      shardId: this.shardId,
      sequenceNumber: r.SequenceNumber!,
      partitionKey: r.PartitionKey!,
      data: r.Data!,
      arrival: r.ApproximateArrivalTimestamp ? r.ApproximateArrivalTimestamp.getTime() : Date.now(),
    }));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
