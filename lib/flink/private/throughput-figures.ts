// Written by `npm run bench:flink` (flink/bench.sh) after a full run: rerun it to update, or edit the figures by hand
// from bench/results/flink.json. sizing.ts turns them into records/s per KPU.
//
// INTERIM: these are still the heap-backend figures of the bench before its rewrite (2026-11-28, the lower of two
// runs), which give the planning figures the templates were built with (7,000 and 30,000 records/s per KPU). The
// rewritten bench's full run on RocksDB (2026-12-07, bench/results/flink.md) measured IoT 1,598 and clickstream 44,543
// records per CPU-second; rerunning `npm run bench:flink` writes those figures here (then regenerate the snapshots
// whose Flink parallelism changes).

/** Steady-state records per CPU-second of the shipped SQL jobs on the RocksDB state backend (what Managed Flink runs). */
export const MEASURED_THROUGHPUT = {
  command: 'npm run bench:flink (before its rewrite: heap backend, 1,000,000 records, warm-up run excluded)',
  date: '2026-11-28',
  machine: '2 cores, load average 4-10 from other work',
  /** sql/iot-anomalies.sql. */
  iotRecordsPerCpuSecond: 14_142,
  /** sql/clickstream-top-products.sql. */
  clickstreamRecordsPerCpuSecond: 60_459,
} as const;
