// Written by `npm run bench:flink` (flink/bench.sh) on 2026-12-07: rerun it to update, or edit the figures
// by hand from bench/results/flink.json. sizing.ts turns them into records/s per KPU.

/** Steady-state records per CPU-second of the shipped SQL jobs on the RocksDB state backend (what Managed Flink runs). */
export const MEASURED_THROUGHPUT = {
  command: 'npm run bench:flink',
  date: '2026-12-07',
  machine: '2 cores, load average 1.9 before / 3.0 after, OpenJDK 64-Bit Server VM 17.0.15, Linux amd64',
  /** sql/iot-anomalies.sql. */
  iotRecordsPerCpuSecond: 8_828,
  /** sql/clickstream-top-products.sql. */
  clickstreamRecordsPerCpuSecond: 230_050,
} as const;
