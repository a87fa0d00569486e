import { aws_cloudwatch as cloudwatch, aws_kms as kms, aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PipelineAnalytics } from '../../analytics/pipeline-analytics';
import { NamedQuery } from '../../analytics/private/pipeline-queries';
import { S3DataLakeDelivery } from '../../delivery/s3-data-lake-delivery';
import { KinesisLimits as L } from '../../private/kinesis-limits';
import { ShardAutoscalerOptions } from '../../scaling/shard-autoscaler';
import { PipelineStream } from '../../streams/pipeline-stream';

/**
 * A stream of analytics results (anomalies, aggregates, top-N, dead letters): low volume, so one provisioned shard
 * ($0.015 per shard-hour, about $11 a month, against $29 of on-demand stream-hours), with the stream alarms, whose
 * write-throttling alarm says when it needs more.
 */
export function resultStream(scope: Construct, id: string, encryptionKey: kms.IKey | undefined, alarms: { alarmTopic: sns.ITopic }): PipelineStream {
  return new PipelineStream(scope, id, { shardCount: 1, encryptionKey, alarms });
}

/** Autoscaler bounds when the user gives none: a quarter to four times the planned shards, within Kinesis' limits. */
export function defaultAutoscaling(plannedShards: number): ShardAutoscalerOptions {
  return {
    minShards: Math.max(1, Math.ceil(plannedShards / 4)),
    maxShards: Math.min(L.MAX_SHARDS_PER_STREAM, Math.max(2, plannedShards * 4)),
  };
}

/** A titled row of a stream's widgets. */
export function addStreamWidgets(dashboard: cloudwatch.Dashboard, title: string, stream: PipelineStream): void {
  dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `## ${title}`, width: 24, height: 1 }));
  dashboard.addWidgets(...stream.widgets());
}

/**
 * Registers the Glue table of each delivery with the pipeline's analytics (for `grantQuery`), then saves the queries
 * whose tables all exist (the queries of a turned-off delivery are left out).
 */
export function addLakeQueries(analytics: PipelineAnalytics, deliveries: Array<S3DataLakeDelivery | undefined>, queries: NamedQuery[]): void {
  for (const d of deliveries) {
    if (d?.glueTableName) analytics.addTable(d.glueTableName, d.prefix);
  }
  for (const q of queries) {
    const tables = [...q.sql.matchAll(/\b(?:FROM|JOIN)\s+([a-z_][a-z0-9_]*)/g)].map((m) => m[1]);
    if (tables.every((t) => analytics.tableNames.includes(t))) {
      analytics.addNamedQuery(q.id, { queryName: q.queryName, description: q.description, sql: q.sql });
    }
  }
}
