import { Token } from 'aws-cdk-lib';
import { FlinkLimits } from './flink-limits';

/**
 * Records per second one KPU (one vCPU) sustains running the library's SQL jobs.
 * PLACEHOLDER: a conservative figure until `npm run bench:flink` measures the shipped jobs; replace it here (and only
 * here) with the measured records/s per core.
 */
export const DEFAULT_RECORDS_PER_SECOND_PER_KPU = 2_000;

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
