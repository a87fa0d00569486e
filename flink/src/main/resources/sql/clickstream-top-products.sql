-- Clickstream analytics: the top N products by views in sliding (HOP) windows, and per-minute traffic metrics.
--
-- Input (one JSON object per Kinesis record, read through the source stream's EFO consumer):
--   {"eventId": "e-81f2", "sessionId": "s-1234", "userId": "u-77", "eventType": "product_view",
--    "productId": "sku-123", "ts": 1735689600000}
-- ts is epoch milliseconds; eventType is free text (product_view, page_view, add_to_cart, purchase, ...); productId is
-- needed for product_view only; userId is optional. A record that is not such an object goes to the dead-letter table
-- with the reason, and never fails the job.
--
-- Output (JSON, "record_type" tells them apart): top_products, traffic_minute, dead_letter.
-- Placeholders ${name} / ${name:-default} are filled from the SqlParameters property group (flink/README.md).

SET 'table.local-time-zone' = 'UTC';
SET 'table.exec.source.idle-timeout' = '${source.idle.timeout:-30 s}';
SET 'pipeline.name' = '${job.name:-clickstream-top-products}';

-- The payload as text; event time as in iot-anomalies.sql (the epoch for a missing, malformed or far-future ts).
CREATE TABLE clicks_raw (
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

CREATE TABLE top_products (
  record_type STRING,
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  product_rank BIGINT,
  product_id STRING,
  view_count BIGINT
) PARTITIONED BY (product_id) WITH (
  'connector' = 'kinesis',
  'stream' = '${top.stream.name:-${sink.stream.name}}',
  'aws.region' = '${aws.region}',
  'format' = 'json',
  'json.timestamp-format.standard' = 'ISO-8601'
);

CREATE TABLE traffic_minutes (
  record_type STRING,
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  events BIGINT,
  page_views BIGINT,
  product_views BIGINT,
  add_to_carts BIGINT,
  purchases BIGINT,
  sessions BIGINT,
  users BIGINT
) WITH (
  'connector' = 'kinesis',
  'stream' = '${traffic.stream.name:-${sink.stream.name}}',
  'aws.region' = '${aws.region}',
  'format' = 'json',
  'json.timestamp-format.standard' = 'ISO-8601'
);

CREATE TABLE click_dead_letters (
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

-- Top-level fields parsed once per record (JSON_FIELDS), with the first reason a record is unusable.
CREATE TEMPORARY VIEW clicks_fields AS
SELECT payload, event_time, JSON_FIELDS(payload) AS f
FROM clicks_raw;

CREATE TEMPORARY VIEW clicks_parsed AS
SELECT
  payload,
  event_time,
  f['sessionId'] AS session_id,
  f['userId'] AS user_id,
  f['eventType'] AS event_type,
  f['productId'] AS product_id,
  CASE
    WHEN f IS NULL THEN 'not a JSON object'
    WHEN CHAR_LENGTH(COALESCE(f['eventType'], '')) NOT BETWEEN 1 AND 64
      THEN 'eventType missing or not 1-64 characters'
    WHEN CHAR_LENGTH(COALESCE(f['sessionId'], '')) NOT BETWEEN 1 AND 128
      THEN 'sessionId missing or not 1-128 characters'
    WHEN event_time = TO_TIMESTAMP_LTZ(0, 3)
      THEN 'ts missing, not epoch milliseconds, or more than ${max.future.skew.seconds:-300} s ahead of the clock'
    WHEN f['eventType'] = 'product_view' AND CHAR_LENGTH(COALESCE(f['productId'], '')) NOT BETWEEN 1 AND 128
      THEN 'productId missing or not 1-128 characters on a product_view'
  END AS parse_error
FROM clicks_fields;

CREATE TEMPORARY VIEW clicks AS
SELECT session_id, user_id, event_type, product_id, event_time
FROM clicks_parsed
WHERE parse_error IS NULL;

-- Window Top-N: per window, the top.n products by views; equal views rank by product id (ascending), so that the
-- ranking is deterministic and exactly top.n rows come out of a window with at least top.n products.
INSERT INTO top_products
SELECT 'top_products', window_start, window_end, product_rank, product_id, view_count
FROM (
  SELECT window_start, window_end, product_id, view_count,
    ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY view_count DESC, product_id ASC) AS product_rank
  FROM (
    SELECT window_start, window_end, product_id, COUNT(*) AS view_count
    FROM TABLE(HOP(TABLE clicks, DESCRIPTOR(event_time),
      INTERVAL '${top.slide.minutes:-1}' MINUTE, INTERVAL '${top.window.minutes:-5}' MINUTE))
    WHERE event_type = 'product_view'
    GROUP BY window_start, window_end, product_id
  )
)
WHERE product_rank <= ${top.n:-10};

-- Per-type counts use COUNT(CASE ...): in a window aggregate, Flink 1.19 merges COUNT(*) FILTER (WHERE ...) with a
-- plain COUNT(*) of the same query and returns the unfiltered count (found by ClickstreamSqlTest).
INSERT INTO traffic_minutes
SELECT
  'traffic_minute', window_start, window_end,
  COUNT(*),
  COUNT(CASE WHEN event_type = 'page_view' THEN 1 END),
  COUNT(CASE WHEN event_type = 'product_view' THEN 1 END),
  COUNT(CASE WHEN event_type = 'add_to_cart' THEN 1 END),
  COUNT(CASE WHEN event_type = 'purchase' THEN 1 END),
  COUNT(DISTINCT session_id),
  COUNT(DISTINCT user_id)
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(event_time), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end;

INSERT INTO click_dead_letters
SELECT 'dead_letter', 'clickstream-top-products', parse_error, SUBSTRING(payload FROM 1 FOR 100000)
FROM clicks_parsed
WHERE parse_error IS NOT NULL;
