-- REFERENCE: sql/iot-anomalies.sql as shipped on 2026-12-07 (raw text, JSON_FIELDS, JSON_EVENT_TIME, OVER window), the
-- oracle of IotAnomaliesEquivalenceTest for candidate scripts. With the one-phase window aggregate the shipped script
-- has since (QuietShardWindowsTest): the minute averages of a two-phase aggregate add in another order, to other last bits.
-- IoT sensor analytics: per-device rolling statistics and k-sigma anomalies, per-machine one-minute aggregates.
--
-- Input (one JSON object per Kinesis record, read through the source stream's EFO consumer):
--   {"deviceId": "sensor-0001", "machineId": "press-07", "ts": 1735689600000,
--    "temperature": 71.3, "vibration": 0.012, "pressure": 101.3}
-- ts is epoch milliseconds; each reading is optional but one must be there. A record that is not such an object goes
-- to the dead-letter table with the reason, and never fails the job.
--
-- Output (JSON, one record per row, "record_type" tells them apart): iot_anomaly, iot_machine_minute, dead_letter.
-- Placeholders ${name} / ${name:-default} are filled from the SqlParameters property group (flink/README.md).

SET 'table.local-time-zone' = 'UTC';
SET 'table.exec.source.idle-timeout' = '${source.idle.timeout:-30 s}';
SET 'pipeline.name' = '${job.name:-iot-anomalies}';
SET 'table.optimizer.agg-phase-strategy' = 'ONE_PHASE';

-- Raw records: the payload as text, so that malformed JSON cannot fail deserialization. JSON_EVENT_TIME (a function
-- of this job) reads ts; when it is missing, not a positive integer, or more than max.future.skew.seconds ahead of
-- the clock (such a record would push the watermark past every later reading), the event time is the epoch, which
-- never advances the watermark, and the record goes to the dead letters.
CREATE TABLE iot_raw (
  payload STRING,
  event_time AS JSON_EVENT_TIME(payload, 'ts', ${max.future.skew.seconds:-300}),
  WATERMARK FOR event_time AS event_time - INTERVAL '${watermark.delay.seconds:-5}' SECOND
) WITH (
  'connector' = 'kinesis',
  'stream' = '${source.stream.name}',
  'aws.region' = '${aws.region}',
  'format' = 'raw',
  'scan.stream.initpos' = '${source.init.position:-LATEST}',
  'scan.stream.recordpublisher' = 'EFO',
  'scan.stream.efo.registration' = 'NONE',
  'scan.stream.efo.consumername' = '${source.efo.consumer.name}',
  'scan.stream.efo.consumerarn.${source.stream.name}' = '${source.efo.consumer.arn}'
);

CREATE TABLE iot_anomalies (
  record_type STRING,
  device_id STRING,
  machine_id STRING,
  event_time TIMESTAMP_LTZ(3),
  metric STRING,
  reading DOUBLE,
  window_mean DOUBLE,
  window_stddev DOUBLE,
  z_score DOUBLE,
  window_samples BIGINT,
  sigma_threshold DOUBLE
) PARTITIONED BY (device_id) WITH (
  'connector' = 'kinesis',
  'stream' = '${anomalies.stream.name:-${sink.stream.name}}',
  'aws.region' = '${aws.region}',
  'format' = 'json',
  'json.timestamp-format.standard' = 'ISO-8601'
);

CREATE TABLE iot_machine_minutes (
  record_type STRING,
  machine_id STRING,
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  readings BIGINT,
  devices BIGINT,
  temperature_avg DOUBLE,
  temperature_min DOUBLE,
  temperature_max DOUBLE,
  vibration_avg DOUBLE,
  vibration_max DOUBLE,
  pressure_avg DOUBLE,
  pressure_min DOUBLE,
  pressure_max DOUBLE
) PARTITIONED BY (machine_id) WITH (
  'connector' = 'kinesis',
  'stream' = '${aggregates.stream.name:-${sink.stream.name}}',
  'aws.region' = '${aws.region}',
  'format' = 'json',
  'json.timestamp-format.standard' = 'ISO-8601'
);

CREATE TABLE iot_dead_letters (
  record_type STRING,
  pipeline STRING,
  error STRING,
  payload STRING
) WITH (
  'connector' = 'kinesis',
  'stream' = '${dlq.stream.name:-${sink.stream.name}}',
  'aws.region' = '${aws.region}',
  'format' = 'json'
);

-- Every record once, its top-level fields parsed once (JSON_FIELDS, a function of this job: one parse per record
-- where each JSON_VALUE parses the payload again), with the first reason it is unusable (NULL when it is fine).
-- Numbers are read with TRY_CAST, so that "temperature": "hot" is a missing reading, not a failed job.
CREATE TEMPORARY VIEW iot_fields AS
SELECT payload, event_time, JSON_FIELDS(payload) AS f
FROM iot_raw;

CREATE TEMPORARY VIEW iot_parsed AS
SELECT
  payload,
  event_time,
  f['deviceId'] AS device_id,
  f['machineId'] AS machine_id,
  TRY_CAST(f['temperature'] AS DOUBLE) AS temperature,
  TRY_CAST(f['vibration'] AS DOUBLE) AS vibration,
  TRY_CAST(f['pressure'] AS DOUBLE) AS pressure,
  CASE
    WHEN f IS NULL THEN 'not a JSON object'
    WHEN CHAR_LENGTH(COALESCE(f['deviceId'], '')) NOT BETWEEN 1 AND 128
      THEN 'deviceId missing or not 1-128 characters'
    WHEN CHAR_LENGTH(COALESCE(f['machineId'], '')) NOT BETWEEN 1 AND 128
      THEN 'machineId missing or not 1-128 characters'
    WHEN event_time = TO_TIMESTAMP_LTZ(0, 3)
      THEN 'ts missing, not epoch milliseconds, or more than ${max.future.skew.seconds:-300} s ahead of the clock'
    WHEN TRY_CAST(f['temperature'] AS DOUBLE) IS NULL
      AND TRY_CAST(f['vibration'] AS DOUBLE) IS NULL
      AND TRY_CAST(f['pressure'] AS DOUBLE) IS NULL
      THEN 'no numeric reading (temperature, vibration, pressure)'
  END AS parse_error
FROM iot_fields;

CREATE TEMPORARY VIEW iot_readings AS
SELECT device_id, machine_id, event_time, temperature, vibration, pressure
FROM iot_parsed
WHERE parse_error IS NULL;

-- Rolling sums over the last stats.window.minutes of event time, per device; the frame includes the current reading,
-- which iot_scored takes out again so that a reading is compared with the readings before it.
CREATE TEMPORARY VIEW iot_window AS
SELECT
  device_id, machine_id, event_time, temperature, vibration, pressure,
  COUNT(temperature) OVER w AS t_n, SUM(temperature) OVER w AS t_sum, SUM(temperature * temperature) OVER w AS t_sq,
  COUNT(vibration) OVER w AS v_n, SUM(vibration) OVER w AS v_sum, SUM(vibration * vibration) OVER w AS v_sq,
  COUNT(pressure) OVER w AS p_n, SUM(pressure) OVER w AS p_sum, SUM(pressure * pressure) OVER w AS p_sq
FROM iot_readings
WINDOW w AS (
  PARTITION BY device_id
  ORDER BY event_time
  RANGE BETWEEN INTERVAL '${stats.window.minutes:-10}' MINUTE PRECEDING AND CURRENT ROW
);

-- Mean and population standard deviation of the readings before the current one (n >= 1), per metric.
CREATE TEMPORARY VIEW iot_scored AS
SELECT
  device_id, machine_id, event_time, temperature, vibration, pressure,
  t_n - 1 AS t_prior, (t_sum - temperature) / NULLIF(t_n - 1, 0) AS t_mean,
  SQRT(GREATEST((t_sq - temperature * temperature) / NULLIF(t_n - 1, 0)
    - POWER((t_sum - temperature) / NULLIF(t_n - 1, 0), 2), 0.0)) AS t_std,
  v_n - 1 AS v_prior, (v_sum - vibration) / NULLIF(v_n - 1, 0) AS v_mean,
  SQRT(GREATEST((v_sq - vibration * vibration) / NULLIF(v_n - 1, 0)
    - POWER((v_sum - vibration) / NULLIF(v_n - 1, 0), 2), 0.0)) AS v_std,
  p_n - 1 AS p_prior, (p_sum - pressure) / NULLIF(p_n - 1, 0) AS p_mean,
  SQRT(GREATEST((p_sq - pressure * pressure) / NULLIF(p_n - 1, 0)
    - POWER((p_sum - pressure) / NULLIF(p_n - 1, 0), 2), 0.0)) AS p_std
FROM iot_window;

-- A reading is an anomaly when at least anomaly.min.samples readings precede it in the window, their standard
-- deviation is above zero, and it lies more than anomaly.sigma standard deviations from their mean.
INSERT INTO iot_anomalies
SELECT 'iot_anomaly', device_id, machine_id, event_time, 'temperature', temperature, t_mean, t_std,
  (temperature - t_mean) / t_std, t_prior, CAST(${anomaly.sigma:-3.0} AS DOUBLE)
FROM iot_scored
WHERE temperature IS NOT NULL AND t_prior >= ${anomaly.min.samples:-5} AND t_std > 0
  AND ABS(temperature - t_mean) > ${anomaly.sigma:-3.0} * t_std
UNION ALL
SELECT 'iot_anomaly', device_id, machine_id, event_time, 'vibration', vibration, v_mean, v_std,
  (vibration - v_mean) / v_std, v_prior, CAST(${anomaly.sigma:-3.0} AS DOUBLE)
FROM iot_scored
WHERE vibration IS NOT NULL AND v_prior >= ${anomaly.min.samples:-5} AND v_std > 0
  AND ABS(vibration - v_mean) > ${anomaly.sigma:-3.0} * v_std
UNION ALL
SELECT 'iot_anomaly', device_id, machine_id, event_time, 'pressure', pressure, p_mean, p_std,
  (pressure - p_mean) / p_std, p_prior, CAST(${anomaly.sigma:-3.0} AS DOUBLE)
FROM iot_scored
WHERE pressure IS NOT NULL AND p_prior >= ${anomaly.min.samples:-5} AND p_std > 0
  AND ABS(pressure - p_mean) > ${anomaly.sigma:-3.0} * p_std;

-- Per machine, per minute of event time.
INSERT INTO iot_machine_minutes
SELECT
  'iot_machine_minute', machine_id, window_start, window_end,
  COUNT(*), COUNT(DISTINCT device_id),
  AVG(temperature), MIN(temperature), MAX(temperature),
  AVG(vibration), MAX(vibration),
  AVG(pressure), MIN(pressure), MAX(pressure)
FROM TABLE(TUMBLE(TABLE iot_readings, DESCRIPTOR(event_time), INTERVAL '1' MINUTE))
GROUP BY machine_id, window_start, window_end;

INSERT INTO iot_dead_letters
SELECT 'dead_letter', 'iot-anomalies', parse_error, SUBSTRING(payload FROM 1 FOR 100000)
FROM iot_parsed
WHERE parse_error IS NOT NULL;
