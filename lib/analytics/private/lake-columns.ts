/**
 * The columns of every prefix the pipelines write to the data lake, each derived from the definition of what is written
 * there: the event schemas (`schemas/*.json`, shipped with the package) for the raw archives, the Flink jobs' sink
 * tables for what the jobs write, and the session consumer's poison object for the poison records. The Flink SQL is not
 * shipped, so its sink tables are stated here once in Flink's own types and the tests check them against the scripts'
 * `CREATE TABLE` statements, column for column.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataLakeColumn, DataLakeColumnType } from '../../delivery/data-lake-schema';
import { comboError } from '../../private/errors';

/** Where the event schemas are, in the repository and in the package. */
export const SCHEMAS_DIR = path.join(__dirname, '..', '..', '..', 'schemas');

/** A sink table of a Flink script: its name and its columns as `name TYPE`, in order. */
export interface FlinkSinkTable {
  readonly script: string;
  readonly table: string;
  readonly columns: ReadonlyArray<readonly [string, string]>;
}

const IOT = 'iot-anomalies.sql';
const CLICKS = 'clickstream-top-products.sql';

export const FLINK_SINKS = {
  IOT_ANOMALIES: {
    script: IOT,
    table: 'iot_anomalies',
    columns: [
      ['record_type', 'STRING'], ['device_id', 'STRING'], ['machine_id', 'STRING'], ['event_time', 'TIMESTAMP_LTZ(3)'],
      ['metric', 'STRING'], ['reading', 'DOUBLE'], ['window_mean', 'DOUBLE'], ['window_stddev', 'DOUBLE'], ['z_score', 'DOUBLE'],
      ['window_samples', 'BIGINT'], ['sigma_threshold', 'DOUBLE'],
    ],
  },
  IOT_MACHINE_MINUTES: {
    script: IOT,
    table: 'iot_machine_minutes',
    columns: [
      ['record_type', 'STRING'], ['machine_id', 'STRING'], ['window_start', 'TIMESTAMP(3)'], ['window_end', 'TIMESTAMP(3)'],
      ['readings', 'BIGINT'], ['devices', 'BIGINT'], ['temperature_avg', 'DOUBLE'], ['temperature_min', 'DOUBLE'],
      ['temperature_max', 'DOUBLE'], ['vibration_avg', 'DOUBLE'], ['vibration_max', 'DOUBLE'], ['pressure_avg', 'DOUBLE'],
      ['pressure_min', 'DOUBLE'], ['pressure_max', 'DOUBLE'],
    ],
  },
  IOT_DEAD_LETTERS: {
    script: IOT,
    table: 'iot_dead_letters',
    columns: [['record_type', 'STRING'], ['pipeline', 'STRING'], ['error', 'STRING'], ['payload', 'STRING']],
  },
  TOP_PRODUCTS: {
    script: CLICKS,
    table: 'top_products',
    columns: [
      ['record_type', 'STRING'], ['window_start', 'TIMESTAMP(3)'], ['window_end', 'TIMESTAMP(3)'], ['product_rank', 'BIGINT'],
      ['product_id', 'STRING'], ['view_count', 'BIGINT'],
    ],
  },
  TRAFFIC_MINUTES: {
    script: CLICKS,
    table: 'traffic_minutes',
    columns: [
      ['record_type', 'STRING'], ['window_start', 'TIMESTAMP(3)'], ['window_end', 'TIMESTAMP(3)'], ['events', 'BIGINT'],
      ['page_views', 'BIGINT'], ['product_views', 'BIGINT'], ['add_to_carts', 'BIGINT'], ['purchases', 'BIGINT'],
      ['sessions', 'BIGINT'], ['users', 'BIGINT'],
    ],
  },
  CLICK_DEAD_LETTERS: {
    script: CLICKS,
    table: 'click_dead_letters',
    columns: [['record_type', 'STRING'], ['pipeline', 'STRING'], ['error', 'STRING'], ['payload', 'STRING']],
  },
} as const satisfies Record<string, FlinkSinkTable>;

/**
 * The Hive type of a Flink column as the job's JSON format writes it. Timestamps are ISO-8601 text
 * (`json.timestamp-format.standard`), kept as strings: `from_iso8601_timestamp(window_start)` reads them in Athena.
 */
export function hiveTypeOfFlink(flinkType: string): DataLakeColumnType {
  const t = flinkType.toUpperCase();
  if (t === 'STRING' || t.startsWith('VARCHAR') || t.startsWith('CHAR')) return DataLakeColumnType.STRING;
  if (t === 'BIGINT') return DataLakeColumnType.BIGINT;
  if (t === 'INT' || t === 'INTEGER') return DataLakeColumnType.INT;
  if (t === 'DOUBLE') return DataLakeColumnType.DOUBLE;
  if (t === 'FLOAT') return DataLakeColumnType.FLOAT;
  if (t === 'BOOLEAN') return DataLakeColumnType.BOOLEAN;
  if (t.startsWith('TIMESTAMP')) return DataLakeColumnType.STRING;
  throw comboError(undefined, `no Hive type for the Flink type ${flinkType}`);
}

/** The data lake columns of one or more sink tables that write to one stream (the union, in order of first use). */
export function sinkColumns(...tables: FlinkSinkTable[]): DataLakeColumn[] {
  const columns: DataLakeColumn[] = [];
  for (const t of tables) {
    for (const [name, type] of t.columns) {
      const hive = hiveTypeOfFlink(type);
      const known = columns.find((c) => c.name === name);
      if (known && known.type.hiveType !== hive.hiveType) throw comboError(undefined, `column ${name} has two types: ${known.type.hiveType} and ${hive.hiveType}`);
      if (!known) {
        columns.push({
          name,
          type: hive,
          comment: type.startsWith('TIMESTAMP') ? `${type} as ISO-8601 text (UTC): from_iso8601_timestamp(${name})` : undefined,
        });
      }
    }
  }
  return columns;
}

/** The Hive type of a property of a JSON schema (draft 4). */
function hiveTypeOfJson(name: string, type: unknown): DataLakeColumnType {
  if (Array.isArray(type)) return DataLakeColumnType.STRING; // e.g. ["integer", "string"]: the text of either
  switch (type) {
    case 'string': return DataLakeColumnType.STRING;
    case 'integer': return DataLakeColumnType.BIGINT;
    case 'number': return DataLakeColumnType.DOUBLE;
    case 'boolean': return DataLakeColumnType.BOOLEAN;
    default: throw comboError(undefined, `no Hive type for the JSON schema type of ${name}: ${JSON.stringify(type)}`);
  }
}

/**
 * The columns of the events of one schema file (`click-event.schema.json`...): its top-level properties in order,
 * lowercased (the JSON SerDe matches keys case-insensitively), with their descriptions.
 */
export function eventSchemaColumns(file: string): DataLakeColumn[] {
  const schema = JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, file), 'utf-8'));
  return Object.entries(schema.properties as Record<string, { type: unknown; description?: string }>).map(([name, p]) => ({
    name: name.toLowerCase(),
    type: hiveTypeOfJson(name, p.type),
    comment: p.description ? `${name}: ${p.description}`.slice(0, 255) : name,
  }));
}

/**
 * The poison object the session consumer puts in the failure bucket for a malformed record (lambda/session-consumer,
 * `poisonObject`): its top-level keys, and the fields of the Lambda Kinesis record it carries whole.
 */
export function poisonColumns(): DataLakeColumn[] {
  const s = DataLakeColumnType.STRING;
  return [
    { name: 'reason', type: s, comment: 'Why the record was not a valid click event' },
    { name: 'eventsourcearn', type: s },
    { name: 'eventid', type: s },
    { name: 'shardid', type: s },
    { name: 'sequencenumber', type: s },
    { name: 'partitionkey', type: s },
    { name: 'approximatearrivaltimestamp', type: DataLakeColumnType.DOUBLE, comment: 'Epoch seconds' },
    {
      name: 'record',
      type: DataLakeColumnType.structOf([
        { name: 'eventid', type: s },
        { name: 'kinesis', type: DataLakeColumnType.structOf([{ name: 'data', type: s }, { name: 'partitionkey', type: s }, { name: 'sequencenumber', type: s }]) },
      ]),
      comment: 'The Kinesis record as Lambda delivered it; record.kinesis.data is the payload in base64',
    },
  ];
}
