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
-- Rows are not copied between chained operators: no operator of this script keeps a reference to a row it has passed
-- on (ROLLING_ANOMALIES copies the rows it keeps waiting for the watermark).
SET 'pipeline.object-reuse' = 'true';
-- Window aggregates in one phase: a two-phase (local/global) window aggregate keeps a source subtask's records in its
-- local pre-aggregate until that subtask's own watermark passes the window; when its shards go quiet, the subtask turns
-- idle, the other subtasks' watermark closes the window without those records, and they are dropped when they come.
SET 'table.optimizer.agg-phase-strategy' = 'ONE_PHASE';

-- One row per record: the reading's fields, or (parse_error not NULL) the whole record as payload. The sensor-reading
-- format (a format of this job) parses each record once, from its bytes: deviceId and machineId of 1-128 characters,
-- ts epoch milliseconds (a JSON integer or a string of digits, at most max.future.skew.seconds ahead of the clock:
-- such a record would push the watermark past every later reading), readings as TRY_CAST(... AS DOUBLE) reads their
-- text ("temperature": "hot" is a missing reading), one of them required. A rejected record's event time is its ts
-- when that is valid (it moves the watermark like any record), else the epoch, which never advances the watermark.
CREATE TABLE iot_raw (
  device_id STRING,
  machine_id STRING,
  temperature DOUBLE,
  vibration DOUBLE,
  pressure DOUBLE,
  event_time TIMESTAMP_LTZ(3),
  parse_error STRING,
  payload STRING,
  WATERMARK FOR event_time AS event_time - INTERVAL '${watermark.delay.seconds:-5}' SECOND(3)
) WITH (
  'connector' = 'kinesis',
  'stream' = '${source.stream.name}',
  'aws.region' = '${aws.region}',
  'format' = 'sensor-reading',
  'sensor-reading.max-future-skew' = '${max.future.skew.seconds:-300} s',
  'scan.stream.initpos' = '${source.init.position:-LATEST}',
  'scan.stream.recordpublisher' = 'EFO',
  'scan.stream.efo.registration' = 'NONE',
  'scan.stream.efo.consumername' = '${source.efo.consumer.name}',
  'scan.stream.efo.consumerarn.${source.stream.name}' = '${source.efo.consumer.arn}'
);

-- Anomalies, per device and metric, against the device's readings of the last stats.window.minutes of event time.
-- ROLLING_ANOMALIES is a step of this job (flink/README.md). For each reading it keeps the count, sum and sum of
-- squares of each metric over the device's readings in [event_time - window, event_time], bounds included (the
-- reading and any other reading at the same time included): the same doubles as
--   COUNT(m) OVER w, SUM(m) OVER w, SUM(m * m) OVER w ... WINDOW w AS (PARTITION BY device_id ORDER BY event_time
--   RANGE BETWEEN INTERVAL '${stats.window.minutes:-10}' MINUTE(3) PRECEDING AND CURRENT ROW)
-- over the readings (rejected records have no device_id and are passed over), to the last bit where several readings
-- leave the window at once (they are subtracted in time order, as that window does on RocksDB). It then takes the
-- reading out again and scores it against the readings before it, per metric (temperature, vibration, pressure, in
-- that order), with the arithmetic of this SQL, to the last bit:
--   n = m_count - 1, mean = (m_sum - m) / NULLIF(n, 0),
--   std = SQRT(GREATEST((m_sumsq - m * m) / NULLIF(n, 0) - POWER(mean, 2), 0.0))  (population standard deviation)
-- and emits one row per anomaly: m IS NOT NULL AND n >= ${anomaly.min.samples:-5} AND std > 0
-- AND ABS(m - mean) > ${anomaly.sigma:-3.0} * std, with the reading's columns and metric, reading, window_mean (mean),
-- window_stddev (std), z_score ((m - mean) / std) and window_samples (n). Only the anomalies (a few hundred per
-- million readings) leave the step: no SQL runs per reading after it.
-- Cost: constant per reading, whatever the window, where that OVER window reads all of the device's stored times on
-- every reading. Late readings: as in that window, a reading waits until the watermark passes its time, and one at or
-- before the last time already emitted for its device is dropped (numLateRecordsDropped of the step's operator). Its
-- state is Flink managed state, in checkpoints and savepoints: per device one value (the counts and sums, the
-- readings waiting for the watermark, the oldest and newest times still in the window; the times between in chunks of
-- 8 in a map state) and two event-time timers (the first waiting reading's time, the next cleanup time), so a reading
-- costs one read and one write of that value when it comes and one of each when the watermark passes it, plus at most
-- one timer, whatever the window; a device's state is cleared 1.5 windows after its last reading.
-- The step rebinds iot_raw to the stream it reads, so the statements below share the one source. The view keeps the
-- name iot_window: its operator's uid is rolling-sums-iot_window, with the same state and serializers as when this
-- script used ROLLING_SUMS, so a savepoint of that version can restore the devices' windows (checked with the
-- operator alone; the other operators' ids come from the plan, which changed: deploy once with allowNonRestoredState).
CREATE TEMPORARY VIEW iot_window AS
SELECT * FROM TABLE(ROLLING_ANOMALIES(TABLE iot_raw, DESCRIPTOR(device_id), DESCRIPTOR(event_time),
  INTERVAL '${stats.window.minutes:-10}' MINUTE(3), DESCRIPTOR(temperature, vibration, pressure),
  ${anomaly.sigma:-3.0}, ${anomaly.min.samples:-5}));

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

CREATE TEMPORARY VIEW iot_readings AS
SELECT device_id, machine_id, event_time, temperature, vibration, pressure
FROM iot_raw
WHERE parse_error IS NULL;

INSERT INTO iot_anomalies
SELECT 'iot_anomaly', device_id, machine_id, event_time, metric, reading, window_mean, window_stddev, z_score,
  window_samples, CAST(${anomaly.sigma:-3.0} AS DOUBLE)
FROM iot_window;

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
FROM iot_raw
WHERE parse_error IS NOT NULL;
