// The KPU planning figures' source: `npm run bench:flink` (flink/bench.sh) rewrites this file after a full run (both
// jobs on RocksDB, 500,000 records or more each); sizing.ts turns the figures into records/s per KPU.
//
// These are the lower of the two RocksDB runs of 2026-12-07 (bench/results/flink.md): a full run of 500,000 records on
// a machine at load average 36-48 (IoT 1,598, clickstream 44,543) and a run of 300,000 records on a quiet machine
// (`npm run bench:flink -- --backend rocksdb --records 300000`, load average 3: IoT 1,451, clickstream 18,750; the
// clickstream job's short steady state there is the likely reason for its lower figure). Lower is the safe side: a
// Flink application sized too small falls behind its stream.

/** Steady-state records per CPU-second of the shipped SQL jobs on the RocksDB state backend (what Managed Flink runs). */
export const MEASURED_THROUGHPUT = {
  command: 'npm run bench:flink (RocksDB backend, parallelism 2; the lower of a 500,000- and a 300,000-record run)',
  date: '2026-12-07',
  machine: '2 cores (OpenJDK 17, Flink 1.19.1)',
  /** sql/iot-anomalies.sql. */
  iotRecordsPerCpuSecond: 1_451,
  /** sql/clickstream-top-products.sql. */
  clickstreamRecordsPerCpuSecond: 18_750,
} as const;
