import { Duration, Token, aws_kinesis as kinesis } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { FlinkLimits } from './flink-limits';
import {
  BUNDLED_SCRIPT_OUTPUTS, PARAMETER_NAME, SQL_PARAMETERS_GROUP, SQL_RESOURCE, SQL_STATEMENTS_GROUP, renderSqlStatements, sinkStreamArnKey,
} from './job-properties';
import { kpusFor } from './sizing';
import { checkEvaluations } from '../../monitoring/private/thresholds';
import { comboError, propError } from '../../private/errors';
import { checkIntRange, checkPositive, checkRange, isToken } from '../../private/validation';
import { checkLag } from '../../streams/private/validation';
import type { FlinkCodeConfig } from '../code';
import type { FlinkApplicationProps } from '../flink-application';
import type { FlinkApplicationAlarmsProps } from '../flink-application-alarms';
import type { SqlScriptConfig } from '../sql-script';

/** Groups the construct writes; user propertyGroups may not take these ids. */
export const RESERVED_GROUPS: readonly string[] = [SQL_STATEMENTS_GROUP, SQL_PARAMETERS_GROUP];
const SINK_NAME = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * Every check the FlinkApplication props decide alone, called first in the constructor: names, numbers, checkpointing,
 * SQL, property groups and sinks, and the props that contradict each other.
 */
export function validateFlinkApplicationProps(scope: IConstruct, props: FlinkApplicationProps): void {
  checkApplicationName(scope, props.applicationName);
  checkAtLeastOne(scope, 'parallelism', props.parallelism);
  checkAtLeastOne(scope, 'parallelismPerKpu', props.parallelismPerKpu);
  checkAtLeastOne(scope, 'maxKpus', props.maxKpus);
  checkPositive(scope, 'peakRecordsPerSecond', props.peakRecordsPerSecond);
  checkPositive(scope, 'recordsPerSecondPerKpu', props.recordsPerSecondPerKpu);
  checkCheckpointing(scope, props.checkpointInterval, props.minPauseBetweenCheckpoints);
  checkSqlStatements(scope, props.sqlStatements);
  if (props.parallelism !== undefined && props.peakRecordsPerSecond !== undefined) {
    throw comboError(scope, `give parallelism (${props.parallelism}) or peakRecordsPerSecond (${props.peakRecordsPerSecond}), not both`);
  }
  if (props.recordsPerSecondPerKpu !== undefined && props.peakRecordsPerSecond === undefined) {
    throw comboError(scope, `recordsPerSecondPerKpu (${props.recordsPerSecondPerKpu}) only applies with peakRecordsPerSecond`);
  }
  if (props.sqlStatements && props.sqlScript) throw comboError(scope, 'give sqlStatements or sqlScript, not both');
  if (props.sourceConsumer && props.consumerName !== undefined) {
    throw comboError(scope, `consumerName (${JSON.stringify(props.consumerName)}) names a consumer this construct registers; it cannot rename sourceConsumer`);
  }
  if (props.sourceConsumer) checkSameStream(scope, props.sourceStream, props.sourceConsumer);
  checkReservedGroups(scope, props.propertyGroups);
  checkSinkNames(scope, 'kinesisSinks', props.kinesisSinks);
  checkSinkNames(scope, 'firehoseSinks', props.firehoseSinks);
  if (!props.vpc && (props.vpcSubnets || props.securityGroups)) {
    throw comboError(scope, 'vpcSubnets and securityGroups need vpc');
  }
}

/** What the FlinkApplication built from its props: the bound code and script, the parameters it fills, the property groups. */
export interface FlinkApplicationBuild {
  readonly code: FlinkCodeConfig;
  readonly sqlScript?: SqlScriptConfig;
  readonly parallelism: number;
  readonly parallelismPerKpu: number;
  readonly maxKpus: number;
  readonly constructParameters: Record<string, string>;
  readonly propertyGroups: Record<string, Record<string, string>>;
}

/**
 * The checks of what the props resolve to, called once the configuration is built and before the application is made:
 * the SQL the code can run, the KPUs of the parallelism, the parameter names, the property-group limits.
 */
export function validateFlinkApplicationBuild(scope: IConstruct, props: FlinkApplicationProps, build: FlinkApplicationBuild): void {
  const { code, sqlScript } = build;
  if (code.runsSqlFromProperties && !props.sqlStatements && !props.sqlScript) {
    throw propError(scope, 'sqlStatements', undefined, 'must list the SQL to run (or give sqlScript) when code is FlinkCode.sqlRunner()');
  }
  if (sqlScript?.bundled && !code.runsSqlFromProperties) {
    throw comboError(scope, `sqlScript ${JSON.stringify(sqlScript.properties)} is bundled in the library's SQL job: it needs code FlinkCode.sqlRunner()`);
  }
  if (sqlScript?.bundled) checkBundledScriptOutputs(scope, sqlScript.properties[SQL_RESOURCE], props);
  checkKpus(scope, build.parallelism, build.parallelismPerKpu, build.maxKpus);
  checkSqlParameters(scope, props.sqlParameters, Object.keys(build.constructParameters));
  checkPropertyGroups(scope, build.propertyGroups);
}

/**
 * Every output table of a bundled script needs a stream: its own (`kinesisSinks[table]`, `deadLetterStream` for `dlq`,
 * or a `<table>.stream.arn` parameter) or the common `sink`.
 */
function checkBundledScriptOutputs(scope: IConstruct, script: string, props: FlinkApplicationProps): void {
  const sinks = props.kinesisSinks ?? {};
  const parameters = props.sqlParameters ?? {};
  const has = (prefix: string) => sinks[prefix] !== undefined || parameters[sinkStreamArnKey(prefix)] !== undefined;
  if (has('sink')) return;
  const missing = (BUNDLED_SCRIPT_OUTPUTS[script] ?? []).filter((table) => !has(table) && !(table === 'dlq' && props.deadLetterStream));
  if (missing.length > 0) {
    throw comboError(scope, `sqlScript ${script} writes to ${missing.map(sinkStreamArnKey).join(', ')} (each defaulting to sink.stream.arn), `
      + `which nothing sets: give kinesisSinks { sink: <stream> }${missing.filter((t) => t !== 'dlq').map((t) => ` or { ${t}: <stream> }`).join('')}`
      + `${missing.includes('dlq') ? ' and deadLetterStream' : ''}`);
  }
}

/** The consumer must belong to the source stream; checked when both ARNs are known at synth. */
function checkSameStream(scope: IConstruct, stream: kinesis.IStream, consumer: kinesis.IStreamConsumer): void {
  const streamArn = stream.streamArn;
  const consumerStreamArn = consumer.stream.streamArn;
  if (consumer.stream === stream || Token.isUnresolved(streamArn) || Token.isUnresolved(consumerStreamArn)) return;
  if (streamArn !== consumerStreamArn) {
    throw comboError(scope, `sourceConsumer reads ${consumerStreamArn}, not sourceStream ${streamArn}`);
  }
}

/** Small pure checks of FlinkApplication props; each skips tokens and undefined. */

/** `applicationName`: 1-128 characters of [a-zA-Z0-9_.-]. */
function checkApplicationName(scope: IConstruct, name: string | undefined): void {
  if (name === undefined || isToken(name)) return;
  if (name.length < 1 || name.length > FlinkLimits.MAX_APPLICATION_NAME_LENGTH || !FlinkLimits.APPLICATION_NAME_PATTERN.test(name)) {
    throw propError(scope, 'applicationName', name, `must be 1-${FlinkLimits.MAX_APPLICATION_NAME_LENGTH} characters of [a-zA-Z0-9_.-]`);
  }
}

/** A whole number >= 1 (parallelism, parallelismPerKpu, maxKpus). */
function checkAtLeastOne(scope: IConstruct, prop: string, value: number | undefined): void {
  if (value === undefined || isToken(value)) return;
  if (!Number.isInteger(value) || value < 1) throw propError(scope, prop, value, 'must be a whole number >= 1');
}

/** The KPUs a parallelism needs stay within maxKpus. */
function checkKpus(scope: IConstruct, parallelism: number, parallelismPerKpu: number, maxKpus: number): void {
  if (isToken(parallelism) || isToken(parallelismPerKpu) || isToken(maxKpus)) return;
  const kpus = kpusFor(parallelism, parallelismPerKpu);
  if (kpus > maxKpus) {
    throw comboError(scope, `parallelism ${parallelism} at parallelismPerKpu ${parallelismPerKpu} needs ${kpus} KPUs, more than `
      + `maxKpus ${maxKpus} (${FlinkLimits.DEFAULT_MAX_KPUS} per application unless AWS raised your quota): raise parallelismPerKpu, `
      + 'lower the parallelism or peakRecordsPerSecond, or raise maxKpus after a quota increase');
  }
}

/** Checkpoint interval >= 1 ms and minimum pause >= 0, both whole milliseconds. */
function checkCheckpointing(scope: IConstruct, interval: Duration | undefined, minPause: Duration | undefined): void {
  if (interval !== undefined && !Token.isUnresolved(interval.toMilliseconds({ integral: false }))) {
    const ms = interval.toMilliseconds({ integral: false });
    if (!Number.isInteger(ms) || ms < 1) throw propError(scope, 'checkpointInterval', interval.toHumanString(), 'must be a whole number of milliseconds >= 1');
  }
  if (minPause !== undefined && !Token.isUnresolved(minPause.toMilliseconds({ integral: false }))) {
    const ms = minPause.toMilliseconds({ integral: false });
    if (!Number.isInteger(ms) || ms < 0) throw propError(scope, 'minPauseBetweenCheckpoints', minPause.toHumanString(), 'must be a whole number of milliseconds >= 0');
  }
}

/** Each SQL statement is a non-empty string; all of them fit in one property group. */
function checkSqlStatements(scope: IConstruct, statements: readonly string[] | undefined): void {
  if (statements === undefined) return;
  if (statements.length === 0) throw propError(scope, 'sqlStatements', statements, 'must list at least one statement');
  statements.forEach((statement, i) => {
    if (typeof statement !== 'string' || (!isToken(statement) && statement.trim().length === 0)) {
      throw propError(scope, `sqlStatements[${i}]`, statement, 'must be a non-empty SQL statement');
    }
  });
  const entries = Object.keys(renderSqlStatements(statements)).length;
  if (entries > FlinkLimits.MAX_PROPERTIES_PER_GROUP) {
    throw propError(scope, 'sqlStatements', `${statements.length} statements in ${entries} property entries`,
      `must fit in ${FlinkLimits.MAX_PROPERTIES_PER_GROUP} property entries (one per statement, plus one per further `
      + `${FlinkLimits.MAX_PROPERTY_LENGTH} characters of a long statement): ship the SQL as an S3 object with sqlScript instead`);
  }
}

/** User property groups must not take the ids of the groups the construct writes. */
function checkReservedGroups(scope: IConstruct, groups: Record<string, Record<string, string>> | undefined): void {
  for (const id of Object.keys(groups ?? {})) {
    if (RESERVED_GROUPS.includes(id)) {
      throw propError(scope, 'propertyGroups', id, `must not use the group ids the construct writes (${RESERVED_GROUPS.join(', ')}): use sqlStatements, sqlScript and sqlParameters`);
    }
  }
}

/** Sink names become parameter prefixes (`<name>.stream.arn`). */
function checkSinkNames(scope: IConstruct, prop: string, sinks: Record<string, unknown> | undefined): void {
  for (const name of Object.keys(sinks ?? {})) {
    if (!SINK_NAME.test(name)) throw propError(scope, prop, name, 'names must be 1-100 characters of [A-Za-z0-9_-]');
  }
}

/** Placeholder names the job accepts, none of the ones the construct fills, values within the property limits. */
function checkSqlParameters(scope: IConstruct, parameters: Record<string, string> | undefined, constructKeys: readonly string[]): void {
  for (const [name, value] of Object.entries(parameters ?? {})) {
    if (!PARAMETER_NAME.test(name) || name.length > FlinkLimits.MAX_PROPERTY_LENGTH) {
      throw propError(scope, 'sqlParameters', name, 'names must be 1-2048 characters of [A-Za-z0-9_.-]');
    }
    if (constructKeys.includes(name)) {
      throw propError(scope, 'sqlParameters', name, `must not set a parameter the construct fills from its props (${constructKeys.join(', ')})`);
    }
    if (typeof value !== 'string' || (!Token.isUnresolved(value) && (value.length < 1 || value.length > FlinkLimits.MAX_PROPERTY_LENGTH))) {
      throw propError(scope, `sqlParameters["${name}"]`, value === undefined ? undefined : `${String(value).length} characters`,
        `must be 1-${FlinkLimits.MAX_PROPERTY_LENGTH} characters`);
    }
  }
}

/** Runtime property groups within the service's limits (ids, entries per group, groups, key and value lengths). */
function checkPropertyGroups(scope: IConstruct, groups: Record<string, Record<string, string>>): void {
  const ids = Object.keys(groups);
  if (ids.length > FlinkLimits.MAX_PROPERTY_GROUPS) {
    throw propError(scope, 'propertyGroups', `${ids.length} groups`,
      `must make at most ${FlinkLimits.MAX_PROPERTY_GROUPS} property groups together with the ones the construct writes (${RESERVED_GROUPS.join(', ')})`);
  }
  for (const id of ids) {
    const prop = id === SQL_PARAMETERS_GROUP ? 'sqlParameters' : 'propertyGroups';
    if (id.length > FlinkLimits.MAX_GROUP_ID_LENGTH || !FlinkLimits.GROUP_ID_PATTERN.test(id)) {
      throw propError(scope, prop, id, `ids must be 1-${FlinkLimits.MAX_GROUP_ID_LENGTH} characters of [a-zA-Z0-9_.-]`);
    }
    const entries = Object.entries(groups[id]);
    if (entries.length > FlinkLimits.MAX_PROPERTIES_PER_GROUP) {
      throw propError(scope, prop === 'propertyGroups' ? `propertyGroups["${id}"]` : prop, `${entries.length} entries`,
        `must hold at most ${FlinkLimits.MAX_PROPERTIES_PER_GROUP} entries${prop === 'sqlParameters' ? ' together with the ones the construct fills' : ''}`);
    }
    for (const [key, value] of entries) {
      if (key.length < 1 || key.length > FlinkLimits.MAX_PROPERTY_LENGTH) {
        throw propError(scope, `propertyGroups["${id}"]`, key, `keys must be 1-${FlinkLimits.MAX_PROPERTY_LENGTH} characters`);
      }
      if (typeof value !== 'string' || (!Token.isUnresolved(value) && (value.length < 1 || value.length > FlinkLimits.MAX_PROPERTY_LENGTH))) {
        throw propError(scope, `propertyGroups["${id}"]["${key}"]`, value === undefined ? undefined : `${String(value).length} characters`,
          `must be 1-${FlinkLimits.MAX_PROPERTY_LENGTH} characters`);
      }
    }
  }
}

/** Every check of `FlinkApplicationAlarms`: the evaluation of each threshold and its limit. */
export function validateFlinkApplicationAlarmsProps(scope: IConstruct, p: FlinkApplicationAlarmsProps, defaultPeriods: Record<string, number>): void {
  // Minutes in a row without output: up to an hour.
  checkIntRange(scope, 'recordsOutZero.evaluationPeriods', p.recordsOutZero?.evaluationPeriods, 1, 60);
  checkEvaluations(scope, Duration.minutes(1), {
    downtime: p.downtime,
    failedCheckpoints: p.failedCheckpoints,
    checkpointDuration: p.checkpointDuration,
    cpuUtilization: p.cpuUtilization,
    heapMemoryUtilization: p.heapMemoryUtilization,
    consumerLag: p.consumerLag,
    recordsOutZero: p.recordsOutZero,
  }, defaultPeriods);
  checkEvaluations(scope, Duration.minutes(5), { restarts: p.restarts }, defaultPeriods);
  checkRange(scope, 'cpuUtilization.maxPercent', p.cpuUtilization?.maxPercent, 1, 100);
  checkRange(scope, 'heapMemoryUtilization.maxPercent', p.heapMemoryUtilization?.maxPercent, 1, 100);
  checkLag(scope, 'consumerLag.maxLag', p.consumerLag);
  const maxDuration = p.checkpointDuration?.maxDuration;
  if (maxDuration && !maxDuration.isUnresolved()) {
    checkRange(scope, 'checkpointDuration.maxDuration (ms)', maxDuration.toMilliseconds(), 0, Number.MAX_SAFE_INTEGER, true);
  }
}
