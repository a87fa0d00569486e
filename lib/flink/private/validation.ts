import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { FlinkLimits } from './flink-limits';
import { PARAMETER_NAME, SQL_PARAMETERS_GROUP, SQL_STATEMENTS_GROUP, renderSqlStatements } from './job-properties';

/** Groups the construct writes; user propertyGroups may not take these ids. */
export const RESERVED_GROUPS: readonly string[] = [SQL_STATEMENTS_GROUP, SQL_PARAMETERS_GROUP];
const SINK_NAME = /^[A-Za-z0-9_-]{1,100}$/;
import { kpusFor } from './sizing';
import { checkEvaluations } from '../../monitoring/private/thresholds';
import { comboError, isToken, propError } from '../../private/errors';
import { checkIntRange, checkRange } from '../../private/validation';
import { checkLag } from '../../streams/private/validation';
import type { FlinkApplicationAlarmsProps } from '../flink-application-alarms';


/** Small pure checks of FlinkApplication props; each skips tokens and undefined. */

/** `applicationName`: 1-128 characters of [a-zA-Z0-9_.-]. */
export function checkApplicationName(scope: IConstruct, name: string | undefined): void {
  if (name === undefined || isToken(name)) return;
  if (name.length < 1 || name.length > FlinkLimits.MAX_APPLICATION_NAME_LENGTH || !FlinkLimits.APPLICATION_NAME_PATTERN.test(name)) {
    throw propError(scope, 'applicationName', name, `must be 1-${FlinkLimits.MAX_APPLICATION_NAME_LENGTH} characters of [a-zA-Z0-9_.-]`);
  }
}

/** A whole number >= 1 (parallelism, parallelismPerKpu, maxKpus). */
export function checkAtLeastOne(scope: IConstruct, prop: string, value: number | undefined): void {
  if (value === undefined || isToken(value)) return;
  if (!Number.isInteger(value) || value < 1) throw propError(scope, prop, value, 'must be a whole number >= 1');
}

/** The KPUs a parallelism needs stay within maxKpus. */
export function checkKpus(scope: IConstruct, parallelism: number, parallelismPerKpu: number, maxKpus: number): void {
  if (isToken(parallelism) || isToken(parallelismPerKpu) || isToken(maxKpus)) return;
  const kpus = kpusFor(parallelism, parallelismPerKpu);
  if (kpus > maxKpus) {
    throw comboError(scope, `parallelism ${parallelism} at parallelismPerKpu ${parallelismPerKpu} needs ${kpus} KPUs, more than `
      + `maxKpus ${maxKpus} (${FlinkLimits.DEFAULT_MAX_KPUS} per application unless AWS raised your quota): raise parallelismPerKpu, `
      + 'lower the parallelism or peakRecordsPerSecond, or raise maxKpus after a quota increase');
  }
}

/** Checkpoint interval >= 1 ms and minimum pause >= 0, both whole milliseconds. */
export function checkCheckpointing(scope: IConstruct, interval: Duration | undefined, minPause: Duration | undefined): void {
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
export function checkSqlStatements(scope: IConstruct, statements: readonly string[] | undefined): void {
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
export function checkReservedGroups(scope: IConstruct, groups: Record<string, Record<string, string>> | undefined): void {
  for (const id of Object.keys(groups ?? {})) {
    if (RESERVED_GROUPS.includes(id)) {
      throw propError(scope, 'propertyGroups', id, `must not use the group ids the construct writes (${RESERVED_GROUPS.join(', ')}): use sqlStatements, sqlScript and sqlParameters`);
    }
  }
}

/** Sink names become parameter prefixes (`<name>.stream.arn`). */
export function checkSinkNames(scope: IConstruct, prop: string, sinks: Record<string, unknown> | undefined): void {
  for (const name of Object.keys(sinks ?? {})) {
    if (!SINK_NAME.test(name)) throw propError(scope, prop, name, 'names must be 1-100 characters of [A-Za-z0-9_-]');
  }
}

/** Placeholder names the job accepts, none of the ones the construct fills, values within the property limits. */
export function checkSqlParameters(scope: IConstruct, parameters: Record<string, string> | undefined, constructKeys: readonly string[]): void {
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
export function checkPropertyGroups(scope: IConstruct, groups: Record<string, Record<string, string>>): void {
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
