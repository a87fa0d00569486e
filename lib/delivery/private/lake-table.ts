import { Stack, aws_glue as glue, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DataLakeColumn } from '../data-lake-schema';

/**
 * How a partition column's values are projected (Athena partition projection): Athena computes the partitions from
 * these rules and the query's filters, so data is queryable as soon as it lands, with no crawler and no `MSCK REPAIR`.
 * @see https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html
 */
export interface ProjectedPartition {
  readonly name: string;
  readonly type: string;
  readonly comment: string;
  /** The `projection.<name>.*` parameters, without that prefix (`type`, `range`, `digits`, `format`...). */
  readonly projection: Record<string, string>;
  /** The S3 path segment(s) of the column, with `${name}` where its value goes (`year=${year}`, `${dt}`). */
  readonly segment: string;
}

/** Time partitions as the library's deliveries write them: `year=yyyy/month=MM/day=dd/hour=HH`, UTC arrival time. */
export const TIME_PARTITIONS: Record<string, ProjectedPartition> = {
  year: integerPartition('year', 2020, 2099, 4),
  month: integerPartition('month', 1, 12, 2),
  day: integerPartition('day', 1, 31, 2),
  hour: integerPartition('hour', 0, 23, 2),
};

function integerPartition(name: string, min: number, max: number, digits: number): ProjectedPartition {
  return {
    name,
    type: 'string',
    comment: `Arrival time (UTC), ${digits} digits`,
    projection: { type: 'integer', range: `${min},${max}`, digits: String(digits) },
    segment: `${name}=\${${name}}`,
  };
}

/** A partition from a JSON field (Firehose dynamic partitioning): any value, which the query must give (`=` or `IN`). */
export function injectedPartition(name: string, type: string): ProjectedPartition {
  return { name, type, comment: 'Dynamic partition (JSON field); a query must filter it with = or IN', projection: { type: 'injected' }, segment: `${name}=\${${name}}` };
}

/** A date partition written as one path segment in `format` (Java DateTimeFormatter), e.g. `yyyy/MM/dd`. */
export function datePartition(name: string, format: string, unit: 'DAYS' | 'HOURS'): ProjectedPartition {
  return {
    name,
    type: 'string',
    comment: `Date (UTC) as ${format}`,
    projection: { type: 'date', format, range: `${format.replace('yyyy', '2020').replace('MM', '01').replace('dd', '01').replace('HH', '00')},NOW`, interval: '1', unit },
    segment: `\${${name}}`,
  };
}

/** Storage of the objects under the table. */
export interface LakeStorage {
  readonly parquet: boolean;
  /** JSON compression as Firehose writes it (`gzip`, `snappy`, `zip`, `hadoop_snappy`, `uncompressed`). */
  readonly compression: string;
}

export interface LakeTableOptions {
  readonly databaseName: string;
  readonly tableName: string;
  readonly description: string;
  readonly bucket: s3.IBucket;
  /** Static key prefix, empty or ending with `/`. */
  readonly prefix: string;
  readonly columns: DataLakeColumn[];
  readonly partitions: ProjectedPartition[];
  readonly storage: LakeStorage;
}

/**
 * A Glue table over a prefix of the data lake, with partition projection whose `storage.location.template` is the
 * prefix the writer uses, segment for segment.
 */
export function createLakeTable(scope: Construct, id: string, o: LakeTableOptions): glue.CfnTable {
  const partitionNames = o.partitions.map((p) => p.name);
  const location = `s3://${o.bucket.bucketName}/${o.prefix}`;
  const projection: Record<string, string> = { 'projection.enabled': 'true' };
  for (const p of o.partitions) {
    for (const [k, v] of Object.entries(p.projection)) projection[`projection.${p.name}.${k}`] = v;
  }
  projection['storage.location.template'] = location + o.partitions.map((p) => `${p.segment}/`).join('');
  const format = o.storage.parquet
    ? { 'classification': 'parquet', 'parquet.compression': 'SNAPPY' }
    : { classification: 'json', compressionType: o.storage.compression.toLowerCase() };
  return new glue.CfnTable(scope, id, {
    catalogId: Stack.of(scope).account,
    databaseName: o.databaseName,
    tableInput: {
      name: o.tableName,
      description: o.description,
      tableType: 'EXTERNAL_TABLE',
      parameters: { ...format, EXTERNAL: 'TRUE', ...projection },
      partitionKeys: o.partitions.map((p) => ({ name: p.name, type: p.type, comment: p.comment })),
      storageDescriptor: {
        location,
        columns: o.columns.filter((c) => !partitionNames.includes(c.name)).map((c) => ({ name: c.name, type: c.type.hiveType, comment: c.comment })),
        ...(o.storage.parquet ? {
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
        } : {
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: { serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe', parameters: { 'case.insensitive': 'TRUE', 'ignore.malformed.json': 'TRUE' } },
        }),
      },
    },
  });
}
