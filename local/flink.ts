/**
 * The Flink hop: the application's jar from cdk.out on a local MiniCluster (a plain JVM runs the job's main, whose
 * execution environment is then local), with the property groups of the template plus a `LocalOverrides` group that
 * points the Kinesis source and sinks at moto (endpoint, BASIC credentials) and makes the source poll (moto has no
 * SubscribeToShard). The job's SQL text is not touched. moto needs CBOR off: AWS_CBOR_DISABLE for the source's SDK v1,
 * -Daws.cborEnabled=false for the sinks' SDK v2.
 *
 * The classpath is what the Managed Flink runtime provides (the job's `provided` Maven dependencies), then the jar.
 */
import { ChildProcess, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LOCAL_REGION } from './assembly';
import { ROOT, startProcess } from './processes';
import { FlinkSpec } from './wiring';

/** The property group the job reads local overrides from, and its keys. */
export const LOCAL_OVERRIDES = 'LocalOverrides';

/**
 * The template's property groups, with what a local run changes: SqlParameters `source.init.position` TRIM_HORIZON and
 * `source.idle.timeout` 1 s when the template leaves them out, `watermark.delay.seconds` when `watermarkDelaySeconds` is
 * given (see generator.ts), and the LocalOverrides group.
 */
export function localProperties(spec: FlinkSpec, endpoint: string,
  watermarkDelaySeconds?: number): Array<{ PropertyGroupId: string; PropertyMap: Record<string, string> }> {
  if (spec.propertyGroups[LOCAL_OVERRIDES]) throw new Error(`${spec.logicalId}: the template already has a ${LOCAL_OVERRIDES} group`);
  const groups = Object.entries(spec.propertyGroups).map(([id, map]) => ({ PropertyGroupId: id, PropertyMap: { ...map } }));
  const params = groups.find((g) => g.PropertyGroupId === 'SqlParameters');
  // fresh local streams: read them from the start, so that records put before the source's first poll are not skipped
  if (params && params.PropertyMap['source.init.position'] === undefined) params.PropertyMap['source.init.position'] = 'TRIM_HORIZON';
  // one shard, two subtasks: the idle subtask must not hold the watermark for the default 30 s
  if (params && params.PropertyMap['source.idle.timeout'] === undefined) params.PropertyMap['source.idle.timeout'] = '1 s';
  if (params && watermarkDelaySeconds !== undefined) params.PropertyMap['watermark.delay.seconds'] = String(watermarkDelaySeconds);
  groups.push({
    PropertyGroupId: LOCAL_OVERRIDES,
    PropertyMap: {
      'aws.endpoint': endpoint,
      'aws.region': LOCAL_REGION,
      'aws.credentials.provider': 'BASIC',
      'aws.credentials.basic.accesskeyid': 'testing',
      'aws.credentials.basic.secretkey': 'testing',
      'scan.stream.recordpublisher': 'POLLING',
      // the sinks' SDK v2 speaks HTTP/2 to Kinesis by default; moto serves HTTP/1.1
      'sink.http-client.protocol.version': 'HTTP1_1',
    },
  });
  return groups;
}

/** The `provided` classpath of flink/pom.xml (the Managed Flink runtime's classes), resolved by Maven once and cached. */
function providedClasspath(cacheDir: string): string {
  const pom = path.join(ROOT, 'flink', 'pom.xml');
  const hash = createHash('sha256').update(fs.readFileSync(pom)).digest('hex').slice(0, 16);
  const file = path.join(cacheDir, `flink-provided-classpath-${hash}.txt`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(cacheDir, { recursive: true });
    execFileSync('mvn', ['-B', '-q', '-ntp', '-f', pom, 'dependency:build-classpath', '-Dmdep.includeScope=provided',
      `-Dmdep.outputFile=${file}`], { stdio: 'inherit' });
  }
  return fs.readFileSync(file, 'utf8').trim();
}

export class FlinkHop {
  private child?: ChildProcess;
  private readonly logFile: string;

  constructor(public readonly spec: FlinkSpec, private readonly endpoint: string, private readonly logDir: string,
    private readonly watermarkDelaySeconds?: number) {
    this.logFile = path.join(logDir, `flink-${spec.logicalId}.log`);
  }

  /**
   * Resolves once the job's Kinesis source has started reading each of the source stream's `shards` shards (the
   * connector logs one line per shard); throws with the end of the job's log if the JVM exits first or `timeoutMs` passes.
   */
  public async reading(shards: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const log = fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : '';
      const seeded = [...log.matchAll(/Subtask (\d+) will start consuming seeded shard/g)].map((m) => Number(m[1]));
      if (seeded.length >= shards) {
        const subtasks = Math.max(...seeded) + 1;
        if (subtasks > this.parallelism) {
          throw new Error(`Flink ${this.spec.logicalId}: the job reads with ${subtasks} source subtasks; the template's parallelism `
            + `${this.spec.parallelism} (at most 2 locally) is ${this.parallelism}`);
        }
        return;
      }
      const exited = this.child?.exitCode !== null && this.child?.exitCode !== undefined;
      if (exited || Date.now() > deadline) {
        const tail = log.split('\n').filter((l) => /ERROR|Exception|Caused by/.test(l)).slice(-8).join('\n');
        throw new Error(`Flink ${this.spec.logicalId}: ${exited ? `the job's JVM exited (${this.child!.exitCode})` : `not reading ${shards} shards within ${timeoutMs / 1000} s`}; `
          + `${this.logFile}:\n${tail}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** CPU seconds (user + system) the job's JVM has used so far, from /proc; undefined where there is none. */
  public cpuSeconds(): number | undefined {
    try {
      const fields = fs.readFileSync(`/proc/${this.child?.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      // utime and stime are fields 14 and 15 of the line, in clock ticks (100 a second on Linux)
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return undefined;
    }
  }

  /** The job's parallelism locally: the template's, at most 2. */
  public get parallelism(): number {
    return Math.min(this.spec.parallelism, 2);
  }

  public start(): void {
    const props = path.join(this.logDir, `${this.spec.logicalId}.application_properties.json`);
    fs.writeFileSync(props, JSON.stringify(localProperties(this.spec, this.endpoint, this.watermarkDelaySeconds), null, 2));
    const classpath = `${providedClasspath(path.join(ROOT, 'local', '.cache'))}:${this.spec.jarPath}`;
    // the runtime's log4j, configured to log INFO to the hop's log file (a plain JVM has no Flink log configuration)
    const log4j = path.join(this.logDir, 'log4j2.properties');
    fs.writeFileSync(log4j, ['rootLogger.level = INFO', 'rootLogger.appenderRef.out.ref = out', 'appender.out.type = Console',
      'appender.out.name = out',
      'appender.out.layout.type = PatternLayout', 'appender.out.layout.pattern = %d{HH:mm:ss.SSS} %-5p %c{1} - %m%n', ''].join('\n'));
    this.child = startProcess('java', [
      // a short-lived local job: start-up (planning, code generation) dominates, so the client compiler alone and the
      // serial collector, which take less CPU from a busy machine than C2 and G1's threads
      '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC',
      // the local environment's default parallelism is the JVM's processor count (a parallelism.default system property
      // is not read): the template's parallelism, at most 2
      `-XX:ActiveProcessorCount=${this.parallelism}`,
      '-Daws.cborEnabled=false', `-Dlog4j.configurationFile=${log4j}`, '-cp', classpath,
      'com.example.kinesispipelines.flink.KinesisSqlJob', '--properties', props,
    ], {
      env: { ...process.env, AWS_CBOR_DISABLE: 'true', AWS_REGION: LOCAL_REGION },
      logFile: this.logFile,
    });
  }
}
