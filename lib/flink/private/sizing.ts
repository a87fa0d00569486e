import { Token } from 'aws-cdk-lib';
import { FlinkLimits } from './flink-limits';
import { MEASURED_THROUGHPUT } from './throughput-figures';

/**
 * Share of a KPU's vCPU (1 KPU = 1 vCPU, 4 GiB) that the SQL itself may use, on top of PEAK_CPU_TARGET: the bench
 * (`npm run bench:flink`) measures the job's own work from records' bytes to result rows, on the RocksDB backend with
 * checkpoints; the other half is left for what it leaves out: the Kinesis source's EFO subscription and record
 * decoding, the Kinesis sink's PutRecords, the service's metrics and logging, and the bench machine's cores being no
 * slower than a KPU's vCPU.
 */
export const BENCH_HEADROOM = 0.5;

/**
 * Records per second one KPU is planned to sustain for a job the bench measured at `recordsPerCpuSecond` (steady
 * state, RocksDB): that figure times BENCH_HEADROOM, rounded down to two significant digits.
 */
export function plannedRecordsPerKpu(recordsPerCpuSecond: number): number {
  const planned = recordsPerCpuSecond * BENCH_HEADROOM;
  const step = Math.pow(10, Math.max(0, Math.floor(Math.log10(planned)) - 1));
  return Math.max(1, Math.floor(planned / step) * step);
}

/** Records/s per KPU of the shipped IoT script (sql/iot-anomalies.sql). */
export const IOT_RECORDS_PER_SECOND_PER_KPU = plannedRecordsPerKpu(MEASURED_THROUGHPUT.iotRecordsPerCpuSecond);

/** Records/s per KPU of the shipped clickstream script (sql/clickstream-top-products.sql). */
export const CLICKSTREAM_RECORDS_PER_SECOND_PER_KPU = plannedRecordsPerKpu(MEASURED_THROUGHPUT.clickstreamRecordsPerCpuSecond);

/**
 * Records per second one KPU sustains for SQL the library has not measured: the heavier of the shipped scripts (JSON
 * parsing, rolling statistics per key and a windowed aggregate), so that sizing a user's script errs on the large side.
 */
export const DEFAULT_RECORDS_PER_SECOND_PER_KPU = Math.min(IOT_RECORDS_PER_SECOND_PER_KPU, CLICKSTREAM_RECORDS_PER_SECOND_PER_KPU);

/** The share of a KPU's CPU the sizing plans to use at the declared peak: the service's own scale-up threshold. */
export const PEAK_CPU_TARGET = FlinkLimits.AUTOSCALING_SCALE_UP_CPU;

export interface FlinkSize {
  /** KPUs the application runs on (excluding the orchestration KPU). */
  readonly kpus: number;
  /** Parallelism (`kpus * parallelismPerKpu`). */
  readonly parallelism: number;
}

/**
 * KPUs and parallelism for a declared peak: enough KPUs that the peak keeps each KPU at or below PEAK_CPU_TARGET,
 * so that the declared peak does not by itself trigger service autoscaling.
 *
 *   kpus = max(1, ceil(peakRecordsPerSecond / (recordsPerSecondPerKpu * PEAK_CPU_TARGET)))
 *   parallelism = kpus * parallelismPerKpu
 */
export function sizeForPeak(peakRecordsPerSecond: number, recordsPerSecondPerKpu: number, parallelismPerKpu: number): FlinkSize {
  const kpus = Math.max(1, Math.ceil(peakRecordsPerSecond / (recordsPerSecondPerKpu * PEAK_CPU_TARGET)));
  return { kpus, parallelism: kpus * parallelismPerKpu };
}

/** KPUs the service allocates for a parallelism: ceil(parallelism / parallelismPerKpu). */
export function kpusFor(parallelism: number, parallelismPerKpu: number): number {
  return Math.ceil(parallelism / parallelismPerKpu);
}

/**
 * The initial parallelism: sized from a declared peak (known at synth), else the given parallelism, else 1.
 */
export function initialParallelism(p: {
  readonly parallelism?: number; readonly peakRecordsPerSecond?: number; readonly recordsPerSecondPerKpu?: number;
}, parallelismPerKpu: number): number {
  const size = p.peakRecordsPerSecond !== undefined && !Token.isUnresolved(p.peakRecordsPerSecond)
    ? sizeForPeak(p.peakRecordsPerSecond, p.recordsPerSecondPerKpu ?? DEFAULT_RECORDS_PER_SECOND_PER_KPU, parallelismPerKpu)
    : undefined;
  return size?.parallelism ?? p.parallelism ?? 1;
}
