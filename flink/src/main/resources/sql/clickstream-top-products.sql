-- Clickstream analytics: the top N products by views in sliding (HOP) windows, and per-minute traffic metrics.
--
-- Input: one click event per Kinesis record, read through the source stream's EFO consumer, exactly as
-- schemas/click-event.schema.json defines it, e.g.
--   {"eventId": "e-81f2", "userId": "u-77", "sessionId": "s-1234", "eventType": "product_view",
--    "productId": "sku-123", "timestamp": 1767607200000}
-- The click-event format (a format of this job) parses each record once, from its bytes, into the columns below and
-- checks it against the schema: timestamp is epoch milliseconds or an ISO 8601 date-time with a zone; eventId,
-- eventType and userId or anonymousId are required; productId on a product_view; other fields (the ingestion API's
-- _ingest among them) are ignored. A record the schema rejects goes whole to the dead-letter table with the reason,
-- and never fails the job.
--
-- Output (JSON, "record_type" tells them apart): top_products, traffic_minute, dead_letter.
-- Placeholders ${name} / ${name:-default} are filled from the SqlParameters property group (flink/README.md).

SET 'table.local-time-zone' = 'UTC';
SET 'table.exec.source.idle-timeout' = '${source.idle.timeout:-30 s}';
SET 'pipeline.name' = '${job.name:-clickstream-top-products}';
-- Rows are not copied between chained operators: no operator of this script keeps a reference to a row it has passed on.
SET 'pipeline.object-reuse' = 'true';
-- Window aggregates in one phase: a two-phase (local/global) window aggregate buffers records before the shuffle and
-- counts a record that arrives behind the watermark into a window that is still buffered, where one phase drops it.
SET 'table.optimizer.agg-phase-strategy' = 'ONE_PHASE';

-- One row per record: the event's fields, or (parse_error not NULL) the whole record as payload. A rejected record's
-- event time is the epoch, which never advances the watermark.
CREATE TABLE clicks_raw (
  event_id STRING,
  event_type STRING,
  user_id STRING,
  anonymous_id STRING,
  session_id STRING,
  product_id STRING,
  event_time TIMESTAMP_LTZ(3),
  parse_error STRING,
  payload STRING,
  WATERMARK FOR event_time AS event_time - INTERVAL '${watermark.delay.seconds:-5}' SECOND(3)
) WITH (
  'connector' = 'kinesis',
  'stream' = '${source.stream.name}',
  'aws.region' = '${aws.region}',
  'format' = 'click-event',
  'click-event.max-future-skew' = '${max.future.skew.seconds:-300} s',
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

-- The accepted clicks. A session is the client's sessionId, or else the visitor (u:userId, a:anonymousId); a user is
-- the visitor (u:userId, or a:anonymousId when not signed in). Written as CASE, which is exactly COALESCE here: in the
-- profile, the keys COALESCE made were encoded to UTF-8 again by Flink's encoder when copied and serialized.
CREATE TEMPORARY VIEW clicks AS
SELECT
  event_type,
  product_id,
  CASE WHEN session_id IS NOT NULL THEN session_id WHEN user_id IS NOT NULL THEN 'u:' || user_id
    ELSE 'a:' || anonymous_id END AS session_key,
  CASE WHEN user_id IS NOT NULL THEN 'u:' || user_id ELSE 'a:' || anonymous_id END AS user_key,
  event_time
FROM clicks_raw
WHERE parse_error IS NULL;

-- Top-N per window: the top.n products by views; equal views rank by product id (ascending), so that the ranking is
-- deterministic and exactly top.n rows come out of a window with at least top.n products. TOP_COUNTS (a function of
-- this job) ranks each window's products inside the window aggregate that closes the window, grouped by the window
-- alone. (A window Top-N, ROW_NUMBER() over a window aggregate grouped by product, ranks in a second operator behind a
-- shuffle, keyed by window: when every source subtask had turned idle (a quiet stream, past source.idle.timeout), the
-- aggregate subtask holding a window's counts could reach that operator after another aggregate subtask had already
-- moved its watermark past the window, and the window's top products were dropped as late.)
INSERT INTO top_products
SELECT 'top_products', window_start, window_end, product_rank, product_id, view_count
FROM (
  SELECT window_start, window_end, TOP_COUNTS(product_id, ${top.n:-10}) AS top
  FROM TABLE(HOP(TABLE clicks, DESCRIPTOR(event_time),
    INTERVAL '${top.slide.minutes:-1}' MINUTE(3), INTERVAL '${top.window.minutes:-5}' MINUTE(3)))
  WHERE event_type = 'product_view'
  GROUP BY window_start, window_end
) CROSS JOIN UNNEST(top) AS t (product_rank, product_id, view_count);

-- Per-type counts use COUNT(CASE ...): in a window aggregate, Flink 1.19 merges COUNT(*) FILTER (WHERE ...) with a
-- plain COUNT(*) of the same query and returns the unfiltered count (found by ClickstreamSqlTest). Sessions and users
-- are DISTINCT_COUNT (a function of this job, exactly COUNT(DISTINCT ...)): it keeps each minute's keys in its
-- accumulator, which the window aggregate reads and writes once per flush of its buffer, where COUNT(DISTINCT ...)
-- reads a state entry per row (a RocksDB read per row and key on RocksDB).
INSERT INTO traffic_minutes
SELECT
  'traffic_minute', window_start, window_end,
  COUNT(*),
  COUNT(CASE WHEN event_type = 'page_view' THEN 1 END),
  COUNT(CASE WHEN event_type = 'product_view' THEN 1 END),
  COUNT(CASE WHEN event_type = 'add_to_cart' THEN 1 END),
  COUNT(CASE WHEN event_type = 'purchase' THEN 1 END),
  DISTINCT_COUNT(session_key),
  DISTINCT_COUNT(user_key)
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(event_time), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end;

INSERT INTO click_dead_letters
SELECT 'dead_letter', 'clickstream-top-products', parse_error, SUBSTRING(payload FROM 1 FOR 100000)
FROM clicks_raw
WHERE parse_error IS NOT NULL;
