import { propError } from '../private/errors';

/**
 * A column type of the data lake table, in Hive DDL (the type system of the Glue Data Catalog, Athena and Firehose's
 * Parquet conversion).
 * @see https://docs.aws.amazon.com/athena/latest/ug/data-types.html
 */
export class DataLakeColumnType {
  public static readonly STRING = new DataLakeColumnType('string');
  public static readonly BOOLEAN = new DataLakeColumnType('boolean');
  public static readonly INT = new DataLakeColumnType('int');
  public static readonly BIGINT = new DataLakeColumnType('bigint');
  public static readonly FLOAT = new DataLakeColumnType('float');
  public static readonly DOUBLE = new DataLakeColumnType('double');
  public static readonly DATE = new DataLakeColumnType('date');
  /** Firehose parses ISO-8601 strings and epoch milliseconds into timestamps when converting to Parquet. */
  public static readonly TIMESTAMP = new DataLakeColumnType('timestamp');
  public static readonly BINARY = new DataLakeColumnType('binary');

  /** `decimal(precision, scale)`, precision 1–38, scale 0–precision. */
  public static decimal(precision: number, scale: number): DataLakeColumnType {
    if (!Number.isInteger(precision) || precision < 1 || precision > 38) {
      throw propError('DataLakeColumnType.decimal', 'precision', precision, 'must be a whole number from 1 to 38');
    }
    if (!Number.isInteger(scale) || scale < 0 || scale > precision) {
      throw propError('DataLakeColumnType.decimal', 'scale', scale, `must be a whole number from 0 to the precision (${precision})`);
    }
    return new DataLakeColumnType(`decimal(${precision},${scale})`);
  }

  /** `array<item>`. */
  public static arrayOf(item: DataLakeColumnType): DataLakeColumnType {
    return new DataLakeColumnType(`array<${item.hiveType}>`);
  }

  /** `map<string,value>` (JSON objects with arbitrary keys). */
  public static mapOf(value: DataLakeColumnType): DataLakeColumnType {
    return new DataLakeColumnType(`map<string,${value.hiveType}>`);
  }

  /** `struct<name:type,...>` (nested JSON objects). */
  public static structOf(fields: DataLakeColumn[]): DataLakeColumnType {
    if (fields.length === 0) throw propError('DataLakeColumnType.structOf', 'fields', fields, 'must hold at least one field');
    return new DataLakeColumnType(`struct<${fields.map((f) => `${f.name}:${f.type.hiveType}`).join(',')}>`);
  }

  /** Any other Hive type, written as Glue expects it (e.g. `varchar(64)`). */
  public static of(hiveType: string): DataLakeColumnType {
    return new DataLakeColumnType(hiveType);
  }

  private constructor(public readonly hiveType: string) {}
}

/** A column of the data lake table: a top-level field of the JSON records. */
export interface DataLakeColumn {
  /** Lowercase name (Glue stores names in lowercase; JSON keys match it case-insensitively). */
  readonly name: string;
  readonly type: DataLakeColumnType;
  /**
   * @default - no comment
   * @see https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-catalog-tables.html#aws-glue-api-catalog-tables-Column
   */
  readonly comment?: string;
}

/** How the records are stored. */
export enum DataLakeFormat {
  /** Newline-delimited JSON, compressed (GZIP by default). */
  JSON = 'JSON',
  /**
   * Apache Parquet converted by Firehose from the JSON records with the declared schema (Snappy-compressed, columnar:
   * Athena reads less and costs less). Needs a schema and buffers of at least 64 MiB.
   * @see https://docs.aws.amazon.com/firehose/latest/dev/record-format-conversion.html
   */
  PARQUET = 'PARQUET',
}

/**
 * Granularity of the time partitions in the object keys (`year=.../month=.../day=.../hour=...`, Hive style), from the
 * time Firehose received each record (UTC).
 * @see https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
 */
export enum DataLakeTimePartitioning {
  YEAR = 'YEAR',
  MONTH = 'MONTH',
  DAY = 'DAY',
  HOUR = 'HOUR',
}
