/**
 * The runtime properties (`EnvironmentProperties.PropertyGroups`) the library's Flink SQL job reads: the contract
 * between this construct and flink/ (JobProperties.java and flink/README.md, which name the same groups and keys).
 * Pure: no CDK import.
 */
import { FlinkLimits } from './flink-limits';

/** Group that says which SQL runs: `statement.NNN` keys, or `sql.s3.uri`, or `sql.resource` (exactly one form). */
export const SQL_STATEMENTS_GROUP = 'SqlStatements';
/** A script in S3 (`s3://bucket/key`), statements separated by `;`. */
export const SQL_S3_URI = 'sql.s3.uri';
/** A script bundled in the job's jar, by resource path. */
export const SQL_RESOURCE = 'sql.resource';
/** The scripts bundled in the jar (flink/src/main/resources/sql/). */
export const BUNDLED_SCRIPTS = ['sql/iot-anomalies.sql', 'sql/clickstream-top-products.sql'] as const;
/**
 * The output tables of each bundled script, by parameter prefix: table `x` writes to `${x.stream.arn}`, which defaults
 * to `${sink.stream.arn}` (flink/README.md, "Parameters").
 */
export const BUNDLED_SCRIPT_OUTPUTS: Record<string, readonly string[]> = {
  'sql/iot-anomalies.sql': ['anomalies', 'aggregates', 'dlq'],
  'sql/clickstream-top-products.sql': ['top', 'traffic', 'dlq'],
};

/** Group of placeholder values: key `name` fills `${name}` in every statement. */
export const SQL_PARAMETERS_GROUP = 'SqlParameters';
/** Placeholder names the job accepts. */
export const PARAMETER_NAME = /^[A-Za-z0-9_.-]+$/;
/** Parameters the construct fills. */
export const SOURCE_STREAM_ARN = 'source.stream.arn';
export const SOURCE_EFO_CONSUMER_ARN = 'source.efo.consumer.arn';
export const SOURCE_EFO_CONSUMER_NAME = 'source.efo.consumer.name';
export const DLQ_STREAM_ARN = 'dlq.stream.arn';
/** `<prefix>.stream.arn` for each named Kinesis sink; the job derives `<prefix>.stream.name`. */
export function sinkStreamArnKey(prefix: string): string {
  return `${prefix}.stream.arn`;
}
/** `<prefix>.delivery.stream.name` for each named Firehose sink. */
export function sinkDeliveryStreamNameKey(prefix: string): string {
  return `${prefix}.delivery.stream.name`;
}

/** Key of statement `index` (0-based): `statement.000`, `statement.001`, ... */
export function statementKey(index: number): string {
  return `statement.${String(index).padStart(3, '0')}`;
}

/**
 * Key of part `part` (1-based) of a statement longer than one property value: the first 2,048 characters stay under
 * `statement.NNN`, the rest follow in `statement.NNN.part.1`, `statement.NNN.part.2`, ... and the job appends them verbatim.
 */
export function statementPartKey(index: number, part: number): string {
  return `${statementKey(index)}.part.${part}`;
}

/** Splits a string into chunks of at most `size` UTF-16 units, never between the two halves of a surrogate pair. */
export function chunk(value: string, size: number = FlinkLimits.MAX_PROPERTY_LENGTH): string[] {
  const parts: string[] = [];
  let start = 0;
  while (start < value.length) {
    let end = Math.min(start + size, value.length);
    const last = value.charCodeAt(end - 1);
    if (end < value.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    parts.push(value.slice(start, end));
    start = end;
  }
  return parts;
}

/** The `SqlStatements` property map for a list of statements (each one whole or split across part keys). */
export function renderSqlStatements(statements: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  statements.forEach((statement, index) => {
    const [first, ...rest] = chunk(statement);
    map[statementKey(index)] = first;
    rest.forEach((part, i) => {
      map[statementPartKey(index, i + 1)] = part;
    });
  });
  return map;
}

/** Inverse of renderSqlStatements (what the job does), for tests and for reading a template back. */
export function parseSqlStatements(map: Record<string, string>): string[] {
  const statements: string[] = [];
  for (let index = 0; map[statementKey(index)] !== undefined; index++) {
    let statement = map[statementKey(index)];
    for (let part = 1; map[statementPartKey(index, part)] !== undefined; part++) statement += map[statementPartKey(index, part)];
    statements.push(statement);
  }
  return statements;
}
