/**
 * A stand-in for a Firehose delivery stream whose source is a Kinesis stream (moto's Firehose reads no source stream and
 * writes prefixes literally): it reads every shard of the source, buffers, runs the configured processors (a Lambda
 * transform, JQ metadata extraction for dynamic partitioning, the newline delimiter), evaluates the prefix and error
 * prefix, compresses and writes the objects to moto's S3. For a Redshift destination it writes the intermediate S3
 * objects (the COPY into Redshift is not emulated).
 * @see https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
 */
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { LOCAL_REGION } from './assembly';
import { ShardReader, ShardRecord, listShards, sleep, streamNameOf } from './kinesis-reader';
import { LambdaHost } from './lambda-host';
import { DeliverySpec } from './wiring';

export interface DeliveryCounters {
  records: number;
  delivered: number;
  processingFailed: number;
  partitioningFailed: number;
  dropped: number;
  objects: number;
  /** OpenSearch destinations: documents that would be indexed. */
  documents: number;
}

interface Pending { readonly record: ShardRecord; readonly recordId: string }
interface Out { data: Buffer; keys: Record<string, string>; arrival: number }

/** Parses the JQ the library's deliveries use for partition keys: `{key: .path.to.field, ...}`. Anything else is an error. */
export function parseMetadataQuery(query: string): Array<{ key: string; path: string[] }> {
  const m = /^\s*\{(.*)\}\s*$/.exec(query);
  if (!m) throw new Error(`MetadataExtractionQuery not understood: ${query}`);
  return m[1].split(',').map((part) => {
    const kv = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*$/.exec(part);
    if (!kv) throw new Error(`MetadataExtractionQuery entry not understood: ${part} (in ${query})`);
    return { key: kv[1], path: kv[2].slice(1).split('.') };
  });
}

/** `!{timestamp:yyyy}`-style namespaces of a prefix; an unknown namespace is an error. */
export function evaluatePrefix(prefix: string, at: number, keys: Record<string, string>, errorType?: string): string {
  const d = new Date(at);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return prefix.replace(/!\{([^}]*)\}/g, (_all, expr: string) => {
    const [ns, arg] = [expr.slice(0, expr.indexOf(':')), expr.slice(expr.indexOf(':') + 1)];
    if (ns === 'timestamp') {
      return arg.replace(/yyyy|MM|dd|HH|mm|ss/g, (t) => ({
        yyyy: pad(d.getUTCFullYear(),
          4),
        MM: pad(d.getUTCMonth() + 1),
        dd: pad(d.getUTCDate()),
        HH: pad(d.getUTCHours()),
        mm: pad(d.getUTCMinutes()),
        ss: pad(d.getUTCSeconds()),
      }[t]!));
    }
    if (ns === 'partitionKeyFromQuery' || ns === 'partitionKeyFromLambda') {
      if (!(arg in keys)) throw new Error(`prefix ${prefix}: no partition key ${arg}`);
      return keys[arg];
    }
    if (ns === 'firehose' && arg === 'error-output-type' && errorType) return errorType;
    if (ns === 'firehose' && arg === 'random-string') return randomUUID().slice(0, 11);
    throw new Error(`prefix namespace !{${expr}} not understood`);
  });
}

export class FirehoseStandIn {
  public readonly counters: DeliveryCounters = {
    records: 0,
    delivered: 0,
    processingFailed: 0,
    partitioningFailed: 0,
    dropped: 0,
    objects: 0,
    documents: 0,
  };
  /** Object keys written, for the per-prefix counts. */
  public readonly keys: string[] = [];
  private stopped = false;
  private readonly loops: Promise<void>[] = [];
  private buffer: Pending[] = [];
  private bufferBytes = 0;
  private bufferSince = Date.now();
  private readonly query?: Array<{ key: string; path: string[] }>;
  private nextId = 0;
  private flushing: Promise<void> = Promise.resolve();

  /** `timeScale`: buffering intervals are divided by it (time compression for local runs). */
  constructor(public readonly spec: DeliverySpec, private readonly kinesis: KinesisClient, private readonly s3: S3Client,
    private readonly functions: ReadonlyMap<string, LambdaHost>, private readonly timeScale: number) {
    const extraction = spec.processors.find((p) => p.type === 'MetadataExtraction');
    if (extraction && extraction.type === 'MetadataExtraction') this.query = parseMetadataQuery(extraction.query);
    if (spec.dynamicPartitioning !== (this.query !== undefined) && !spec.prefix.includes('partitionKeyFromLambda')) {
      throw new Error(`${spec.logicalId}: dynamic partitioning ${spec.dynamicPartitioning} without a metadata extraction query is not understood`);
    }
    for (const p of spec.processors) if (p.type === 'Lambda' && !functions.has(p.functionArn)) throw new Error(`${spec.logicalId}: processor function ${p.functionArn} not in the template`);
  }

  public async start(): Promise<void> {
    const name = streamNameOf(this.spec.sourceStreamArn);
    for (const shardId of await listShards(this.kinesis, name)) {
      this.loops.push(this.pollShard(new ShardReader(this.kinesis, name, shardId,
        'TRIM_HORIZON')));
    }
    this.loops.push(this.timer());
  }

  /** Stops reading and writes what is buffered. */
  public async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
    await this.flush();
  }

  /** Writes what is buffered now (a drain, for --once). */
  public async flush(): Promise<void> {
    const batch = this.buffer;
    this.buffer = [];
    this.bufferBytes = 0;
    this.bufferSince = Date.now();
    this.flushing = this.flushing.then(() => this.write(batch));
    await this.flushing;
  }

  private async timer(): Promise<void> {
    while (!this.stopped) {
      await sleep(200);
      if (this.buffer.length > 0 && Date.now() - this.bufferSince >= (this.spec.bufferSeconds * 1000) / this.timeScale) await this.flush();
    }
  }

  private async pollShard(reader: ShardReader): Promise<void> {
    while (!this.stopped) {
      const got = await reader.next(10_000);
      for (const record of got) {
        this.buffer.push({ record, recordId: String(this.nextId++) });
        this.bufferBytes += record.data.length;
        this.counters.records++;
      }
      if (this.bufferBytes >= this.spec.bufferMb * 1024 * 1024) await this.flush();
      if (got.length === 0) await sleep(200);
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    if (batch.length === 0) return;
    let outs: Array<Out | { error: string; raw: Pending }> = batch.map((p) => ({
      data: Buffer.from(p.record.data),
      keys: {},
      arrival: p.record.arrival,
    }));
    for (const proc of this.spec.processors) {
      if (proc.type === 'Lambda') outs = await this.lambda(this.functions.get(proc.functionArn)!, batch, outs);
      else if (proc.type === 'MetadataExtraction') outs = outs.map((o, i) => ('error' in o ? o : this.extract(o, batch[i])));
      else outs = outs.map((o) => ('error' in o ? o : { ...o, data: Buffer.concat([o.data, Buffer.from('\n')]) }));
    }
    const groups = new Map<string, { prefixKeys: Record<string, string>; errorType?: string; items: Out[] }>();
    for (const o of outs) {
      if (o === undefined) continue;
      if ('error' in o) {
        const id = `error:${o.error}`;
        const body = Buffer.from(`${JSON.stringify({
          attemptsMade: 1,
          arrivalTimestamp: o.raw.record.arrival,
          errorCode: o.error === 'processing-failed' ? 'Lambda.ProcessingFailed' : 'DynamicPartitioning.MetadataExtractionFailed',
          errorMessage: o.error,
          rawData: Buffer.from(o.raw.record.data).toString('base64'),
        })}\n`);
        const g = groups.get(id) ?? { prefixKeys: {}, errorType: o.error, items: [] };
        g.items.push({ data: body, keys: {}, arrival: o.raw.record.arrival });
        groups.set(id, g);
        if (o.error === 'processing-failed') this.counters.processingFailed++;
        else this.counters.partitioningFailed++;
        continue;
      }
      const id = JSON.stringify(o.keys);
      const g = groups.get(id) ?? { prefixKeys: o.keys, items: [] };
      g.items.push(o);
      groups.set(id, g);
      this.counters.delivered++;
    }
    for (const g of groups.values()) {
      if (this.spec.destination === 'opensearch' && !g.errorType) {
        this.counters.documents += g.items.length;
        continue;
      }
      const oldest = Math.min(...g.items.map((i) => i.arrival));
      const prefix = g.errorType ? evaluatePrefix(this.spec.errorOutputPrefix, oldest, {}, g.errorType) : evaluatePrefix(this.spec.prefix,
        oldest, g.prefixKeys);
      const d = new Date(oldest).toISOString();
      const stamp = `${d.slice(0, 10)}-${d.slice(11, 13)}-${d.slice(14, 16)}-${d.slice(17, 19)}`;
      const raw = Buffer.concat(g.items.map((i) => i.data));
      const gzip = this.spec.compression === 'GZIP';
      const key = `${prefix}${this.spec.name}-1-${stamp}-${randomUUID()}${gzip ? '.gz' : ''}`;
      await this.s3.send(new PutObjectCommand({ Bucket: this.spec.bucket, Key: key, Body: gzip ? gzipSync(raw) : raw }));
      this.keys.push(key);
      this.counters.objects++;
    }
  }

  private extract(o: Out, p: Pending): Out | { error: string; raw: Pending } {
    let value: unknown;
    try {
      value = JSON.parse(o.data.toString('utf8'));
    } catch {
      return { error: 'partitioning-failed', raw: p };
    }
    const keys: Record<string, string> = { ...o.keys };
    for (const q of this.query!) {
      let v: unknown = value;
      for (const seg of q.path) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[seg] : undefined;
      if (v === undefined || v === null || typeof v === 'object') return { error: 'partitioning-failed', raw: p };
      keys[q.key] = String(v);
    }
    return { ...o, keys };
  }

  /** The Lambda transform: Ok records carry new data (and partition keys), ProcessingFailed go to the error prefix, Dropped vanish. */
  private async lambda(fn: LambdaHost, batch: Pending[],
    outs: Array<Out | { error: string; raw: Pending }>): Promise<Array<Out | { error: string; raw: Pending }>> {
    const live = outs.map((o, i) => ({ o, i })).filter((x): x is { o: Out; i: number } => !('error' in x.o));
    const event = {
      invocationId: randomUUID(),
      deliveryStreamArn: `arn:aws:firehose:${LOCAL_REGION}:123456789012:deliverystream/${this.spec.name}`,
      region: LOCAL_REGION,
      sourceKinesisStreamArn: this.spec.sourceStreamArn,
      records: live.map(({ o, i }) => ({
        recordId: batch[i].recordId,
        approximateArrivalTimestamp: o.arrival,
        data: o.data.toString('base64'),
        kinesisRecordMetadata: {
          shardId: batch[i].record.shardId,
          partitionKey: batch[i].record.partitionKey,
          sequenceNumber: batch[i].record.sequenceNumber,
          approximateArrivalTimestamp: o.arrival,
          subsequenceNumber: 0,
        },
      })),
    };
    const r = await fn.invoke(event);
    const result = outs.slice();
    if (!r.ok) {
      for (const { i } of live) result[i] = { error: 'processing-failed', raw: batch[i] };
      return result;
    }
    type TransformResult = { recordId: string; result: string; data?: string; metadata?: { partitionKeys?: Record<string, string> } };
    const byId = new Map(((r.result as { records?: TransformResult[] }).records ?? []).map((x) => [x.recordId, x]));
    for (const { o, i } of live) {
      const x = byId.get(batch[i].recordId);
      if (!x || x.result === 'ProcessingFailed') {
        result[i] = {
          error: 'processing-failed',
          raw: batch[i],
        };
      } else if (x.result === 'Dropped') { result[i] = undefined as unknown as Out; this.counters.dropped++; } else if (x.result === 'Ok') {result[i] = { data: Buffer.from(x.data ?? '', 'base64'), keys: { ...o.keys, ...(x.metadata?.partitionKeys ?? {}) }, arrival: o.arrival };} else {throw new Error(`${this.spec.logicalId}: transform result ${x.result} not understood`);}
    }
    return result;
  }
}
