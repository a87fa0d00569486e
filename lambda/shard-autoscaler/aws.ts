/**
 * The shard autoscaler's calls to AWS, behind one interface so that the handler's steps take them as a dependency (as
 * flink-app-control's `FlinkApi` does): the stream, the state item, the scaling alarms, the metrics, the scaling call and
 * the report. `sdkAws` implements it with the SDK clients of clients.ts.
 */
import { DescribeAlarmsCommand, GetMetricDataCommand, MetricAlarm, MetricDataResult, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeStreamSummaryCommand, UpdateShardCountCommand } from '@aws-sdk/client-kinesis';
import { PublishCommand } from '@aws-sdk/client-sns';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { rewriteForShards } from './alarms';
import type { Clients } from './clients';
import { MINUTE_MS, metricQueries } from './metrics';
import { AutoscalerState, fromItem, toItem } from './state';
import type { AutoscalerHandlerConfig } from '../../lib/scaling/private/handler-config';

/** Another invocation wrote the state between this one's read and its write. */
export class ConcurrentUpdateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConcurrentUpdateError';
  }
}

/** The stream does not exist (deleted, or not yet created). */
export class StreamNotFoundError extends Error {}

export interface StreamView {
  readonly status: string;
  readonly openShards: number;
  readonly mode: string;
}

export interface LoadedState {
  readonly state: AutoscalerState;
  readonly version: number;
}

export interface AutoscalerAws {
  /** DescribeStreamSummary; throws `StreamNotFoundError` for a stream that does not exist. */
  describeStream(config: AutoscalerHandlerConfig): Promise<StreamView>;
  /** The state item (consistent read), version 0 when there is none. */
  loadState(config: AutoscalerHandlerConfig): Promise<LoadedState>;
  /** Writes the state if nobody wrote it since it was read (else `ConcurrentUpdateError`); returns the new version. */
  saveState(config: AutoscalerHandlerConfig, state: AutoscalerState, version: number): Promise<number>;
  /** The scaling alarms that exist, of the given names. */
  describeAlarms(config: AutoscalerHandlerConfig, names: string[]): Promise<MetricAlarm[]>;
  /** Rewrites the alarms' metric math for a shard count; returns the names rewritten. */
  rewriteAlarms(alarms: MetricAlarm[], shards: number): Promise<string[]>;
  /** GetMetricData over whole minutes, every page. */
  getMetricData(startMinute: number, endMinute: number, queries: ReturnType<typeof metricQueries>): Promise<MetricDataResult[]>;
  /** UpdateShardCount (UNIFORM_SCALING), not retried. */
  updateShardCount(streamName: string, target: number): Promise<void>;
  /** Publishes a report to the topic. */
  publish(topicArn: string, subject: string, message: string): Promise<void>;
}

/** Warnings the calls raise (an alarm that is missing), for the handler's logger. */
export type Warn = (message: string, detail: Record<string, unknown>) => void;

export function sdkAws(clients: Clients, warn: Warn): AutoscalerAws {
  return {
    async describeStream(config) {
      let out;
      try {
        out = await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: config.streamName }));
      } catch (e) {
        if ((e as Error).name === 'ResourceNotFoundException') throw new StreamNotFoundError((e as Error).message);
        throw e;
      }
      const d = out.StreamDescriptionSummary;
      if (!d || d.OpenShardCount === undefined || !d.StreamStatus) {
        throw new Error(`DescribeStreamSummary of ${config.streamName} returned no summary`);
      }
      return { status: d.StreamStatus, openShards: d.OpenShardCount, mode: d.StreamModeDetails?.StreamMode ?? 'PROVISIONED' };
    },

    async loadState(config) {
      const out = await clients.dynamodb.send(new GetCommand({
        TableName: config.tableName, Key: { stream: config.streamName }, ConsistentRead: true,
      }));
      const item = out.Item as Record<string, unknown> | undefined;
      return { state: fromItem(item), version: typeof item?.version === 'number' ? item.version : 0 };
    },

    async saveState(config, state, version) {
      const next = version + 1;
      try {
        await clients.dynamodb.send(new PutCommand({
          TableName: config.tableName,
          Item: { stream: config.streamName, version: next, updatedAt: new Date().toISOString(), ...toItem(state) },
          ConditionExpression: version === 0 ? 'attribute_not_exists(#s) OR #v = :zero' : '#v = :v',
          ExpressionAttributeNames: version === 0 ? { '#s': 'stream', '#v': 'version' } : { '#v': 'version' },
          ExpressionAttributeValues: version === 0 ? { ':zero': 0 } : { ':v': version },
        }));
      } catch (e) {
        if ((e as Error).name === 'ConditionalCheckFailedException') {
          throw new ConcurrentUpdateError(`another invocation changed the autoscaler state of ${config.streamName} concurrently; this one stops without acting`);
        }
        throw e;
      }
      return next;
    },

    async describeAlarms(config, names) {
      const out = await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ['MetricAlarm'] }));
      const found = out.MetricAlarms ?? [];
      const missing = names.filter((n) => !found.some((a) => a.AlarmName === n));
      if (missing.length > 0) warn('scaling alarms not found; they wake the autoscaler and must exist', { missing, stream: config.streamName });
      return found;
    },

    async rewriteAlarms(alarms, shards) {
      // Build every input first: an alarm that cannot be rewritten stops the rewrite before any alarm changes.
      const inputs = alarms.map((a) => rewriteForShards(a, shards));
      const done: string[] = [];
      for (const input of inputs) {
        await clients.cloudwatch.send(new PutMetricAlarmCommand(input));
        done.push(input.AlarmName!);
      }
      return done;
    },

    async getMetricData(startMinute, endMinute, queries) {
      const results: MetricDataResult[] = [];
      let token: string | undefined;
      do {
        const out = await clients.cloudwatch.send(new GetMetricDataCommand({
          StartTime: new Date(startMinute * MINUTE_MS),
          EndTime: new Date(endMinute * MINUTE_MS),
          MetricDataQueries: queries,
          ScanBy: 'TimestampAscending',
          NextToken: token,
        }));
        results.push(...(out.MetricDataResults ?? []));
        token = out.NextToken;
      } while (token);
      return results;
    },

    async updateShardCount(streamName, target) {
      await clients.kinesisScaling.send(new UpdateShardCountCommand({
        StreamName: streamName,
        TargetShardCount: target,
        ScalingType: 'UNIFORM_SCALING',
      }));
    },

    async publish(topicArn, subject, message) {
      await clients.sns.send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message }));
    },
  };
}
