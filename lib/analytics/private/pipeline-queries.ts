/**
 * The tables of the pipelines' data lake prefixes and the saved queries users open in the Athena console. Every query
 * filters the partition columns (the arrival-time partitions, and the injected JSON-field partition where the table has
 * one), so that Athena's partition projection reads only the partitions the question needs.
 */
import { AnalyticsQueryOptions } from '../pipeline-analytics';

/** Names of the Glue tables, one per data lake prefix. */
export const LakeTables = {
  RAW_READINGS: 'raw_readings',
  ANOMALIES: 'anomalies',
  MACHINE_MINUTES: 'machine_minutes',
  RAW_CLICKS: 'raw_clicks',
  INSIGHTS: 'insights',
  DEAD_LETTERS: 'dead_letters',
  POISON_RECORDS: 'poison_records',
} as const;

/** `year-month-day` of the arrival-time partitions, comparable with `date_format(..., '%Y-%m-%d')`. */
const DAY = "year || '-' || month || '-' || day";
const SINCE_YESTERDAY = `${DAY} >= date_format(current_date - INTERVAL '1' DAY, '%Y-%m-%d')`;

export interface NamedQuery extends AnalyticsQueryOptions {
  readonly id: string;
}

export const IOT_QUERIES: NamedQuery[] = [
  {
    id: 'DeviceAnomaliesLastDay',
    queryName: 'Anomalies of a device in the last day',
    description: 'Every anomaly of one device (asked as the parameter) in the last 24 hours, newest first',
    sql: [
      'SELECT event_time, metric, reading, window_mean, window_stddev, z_score, window_samples, sigma_threshold, machine_id',
      `FROM ${LakeTables.ANOMALIES}`,
      'WHERE device_id = ?',
      `  AND ${SINCE_YESTERDAY}`,
      "  AND from_iso8601_timestamp(event_time) >= current_timestamp - INTERVAL '1' DAY",
      'ORDER BY event_time DESC',
    ].join('\n'),
  },
  {
    id: 'MachineMinutesInRange',
    queryName: 'Machine aggregates for a time range',
    description: 'The one-minute aggregates of one machine between two UTC days (parameters: machine id, first day and last day as YYYY-MM-DD)',
    sql: [
      'SELECT window_start, window_end, readings, devices, temperature_avg, temperature_min, temperature_max,',
      '  vibration_avg, vibration_max, pressure_avg, pressure_min, pressure_max',
      `FROM ${LakeTables.MACHINE_MINUTES}`,
      'WHERE machine_id = ?',
      `  AND ${DAY} BETWEEN ? AND ?`,
      'ORDER BY window_start',
    ].join('\n'),
  },
  deadLettersLastHour('iot-anomalies'),
];

export const CLICKSTREAM_QUERIES: NamedQuery[] = [
  {
    id: 'TopProductsPerDay',
    queryName: 'Top products per day',
    description: 'Per UTC day of the last week, the 20 products with the most views in the top-N rankings (non-overlapping 5-minute windows, so that each view counts once)',
    sql: [
      'SELECT day_utc, product_id, views, day_rank',
      'FROM (',
      `  SELECT ${DAY} AS day_utc, product_id, SUM(view_count) AS views,`,
      `    ROW_NUMBER() OVER (PARTITION BY ${DAY} ORDER BY SUM(view_count) DESC, product_id) AS day_rank`,
      `  FROM ${LakeTables.INSIGHTS}`,
      "  WHERE record_type = 'top_products'",
      `    AND ${DAY} >= date_format(current_date - INTERVAL '7' DAY, '%Y-%m-%d')`,
      '    AND minute(from_iso8601_timestamp(window_start)) % 5 = 0',
      `  GROUP BY ${DAY}, product_id`,
      ')',
      'WHERE day_rank <= 20',
      'ORDER BY day_utc DESC, day_rank',
    ].join('\n'),
  },
  {
    id: 'FunnelPerDay',
    queryName: 'Funnel and conversion per day',
    description: 'Per UTC day of the last week: page views, product views, add-to-carts and purchases, and the conversion from each step to the next (from the per-minute traffic)',
    sql: [
      `SELECT ${DAY} AS day_utc,`,
      '  SUM(events) AS events, SUM(page_views) AS page_views, SUM(product_views) AS product_views,',
      '  SUM(add_to_carts) AS add_to_carts, SUM(purchases) AS purchases,',
      '  CAST(SUM(add_to_carts) AS DOUBLE) / NULLIF(SUM(product_views), 0) AS view_to_cart,',
      '  CAST(SUM(purchases) AS DOUBLE) / NULLIF(SUM(add_to_carts), 0) AS cart_to_purchase,',
      '  CAST(SUM(purchases) AS DOUBLE) / NULLIF(SUM(page_views), 0) AS purchases_per_page_view',
      `FROM ${LakeTables.INSIGHTS}`,
      "WHERE record_type = 'traffic_minute'",
      `  AND ${DAY} >= date_format(current_date - INTERVAL '7' DAY, '%Y-%m-%d')`,
      `GROUP BY ${DAY}`,
      'ORDER BY day_utc DESC',
    ].join('\n'),
  },
  deadLettersLastHour('clickstream-top-products'),
  {
    id: 'PoisonRecordsLastDay',
    queryName: 'Malformed clicks of the last day',
    description: 'Records the session consumer could not read, kept whole in the data lake (record.kinesis.data is the payload in base64)',
    sql: [
      'SELECT dt, reason, shardid, sequencenumber, partitionkey, from_utf8(from_base64(record.kinesis.data)) AS payload',
      `FROM ${LakeTables.POISON_RECORDS}`,
      "WHERE dt >= date_format(current_date - INTERVAL '1' DAY, '%Y/%m/%d')",
      'ORDER BY dt DESC',
    ].join('\n'),
  },
];

function deadLettersLastHour(pipeline: string): NamedQuery {
  return {
    id: 'DeadLettersLastHour',
    queryName: 'Dead letters of the last hour',
    description: `Records the Flink job (${pipeline}) could not parse, with the reason, that arrived in the data lake in the current or the previous UTC hour`,
    sql: [
      'SELECT year, month, day, hour, error, pipeline, payload',
      `FROM ${LakeTables.DEAD_LETTERS}`,
      `WHERE ${DAY} || ' ' || hour >= date_format(current_timestamp - INTERVAL '1' HOUR, '%Y-%m-%d %H')`,
      `  AND ${DAY} >= date_format(current_timestamp - INTERVAL '1' HOUR, '%Y-%m-%d')`,
    ].join('\n'),
  };
}
