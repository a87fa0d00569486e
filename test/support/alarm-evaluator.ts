/**
 * A small evaluator of CloudWatch alarms as they appear in a synthesized template (`AWS::CloudWatch::Alarm`), driven by
 * synthetic per-minute data, so that a test can check that an alarm goes to ALARM on the data it exists to catch and stays
 * OK on normal data.
 *
 * What it implements, from CloudWatch's documentation (metric math syntax and functions; "Evaluating an alarm"):
 * - per-period statistics over per-minute datapoints: Sum, Average, Maximum, Minimum, SampleCount (a minute's value is
 *   one datapoint; a period of k minutes aggregates k of them; a period without any datapoint is missing);
 * - the metric-math subset this library writes: numbers, metric ids, `+ - * /`, unary minus, comparisons
 *   (`> < >= <= == !=`, 1 or 0), `AND`, `OR`, `FILL(x, value)`, `IF(condition, a, b)`, `MAX([a, b, ...])` (point by
 *   point), `DIFF(x)`; a time series and a number combine point by point; a missing operand, a division by zero or a
 *   non-finite result is a missing point;
 * - evaluation: of the newest `EvaluationPeriods` periods, ALARM when at least `DatapointsToAlarm` breach; missing periods
 *   per `TreatMissingData` (notBreaching: good, breaching: bad, ignore and missing: left out; a window with nothing left
 *   is INSUFFICIENT_DATA).
 * Anything outside the subset throws, so an alarm the library starts writing differently fails loudly here.
 */

/** Per-minute values of each metric, keyed by metric name (optionally `name|dimension=value` for one of several). */
export type MinuteData = Record<string, ReadonlyArray<number | undefined>>;

export type AlarmState = 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';

type Series = Array<number | undefined>;
type Value = number | Series | Value[];

interface MetricRef {
  readonly MetricName: string;
  readonly Namespace: string;
  readonly Dimensions?: Array<{ Name: string; Value: unknown }>;
}

/** The alarm properties of a synthesized template the evaluator reads. */
export interface AlarmProperties {
  readonly MetricName?: string;
  readonly Namespace?: string;
  readonly Dimensions?: Array<{ Name: string; Value: unknown }>;
  readonly Statistic?: string;
  readonly Period?: number;
  readonly Metrics?: Array<{
    Id: string;
    Expression?: string;
    ReturnData?: boolean;
    MetricStat?: { Metric: MetricRef; Period: number; Stat: string };
  }>;
  readonly Threshold: number;
  readonly ComparisonOperator: string;
  readonly EvaluationPeriods: number;
  readonly DatapointsToAlarm?: number;
  readonly TreatMissingData?: string;
}

/** Aggregates per-minute datapoints into periods of `periodSeconds` with a CloudWatch statistic. */
export function periodStatistic(minutes: ReadonlyArray<number | undefined>, periodSeconds: number, stat: string): Series {
  if (periodSeconds % 60 !== 0) throw new Error(`period ${periodSeconds} s: only whole minutes are modelled`);
  const k = periodSeconds / 60;
  const out: Series = [];
  for (let start = 0; start + k <= minutes.length; start += k) {
    const points = minutes.slice(start, start + k).filter((v): v is number => v !== undefined);
    if (points.length === 0) {
      out.push(stat === 'SampleCount' ? 0 : undefined);
      continue;
    }
    switch (stat) {
      case 'Sum': out.push(points.reduce((a, b) => a + b, 0)); break;
      case 'Average': out.push(points.reduce((a, b) => a + b, 0) / points.length); break;
      case 'Maximum': out.push(Math.max(...points)); break;
      case 'Minimum': out.push(Math.min(...points)); break;
      case 'SampleCount': out.push(points.length); break;
      default: throw new Error(`statistic ${stat} is outside the modelled subset`);
    }
  }
  return out;
}

function lookup(data: MinuteData, metric: MetricRef): ReadonlyArray<number | undefined> {
  for (const d of metric.Dimensions ?? []) {
    const key = `${metric.MetricName}|${d.Name}=${String(d.Value)}`;
    if (data[key]) return data[key];
  }
  const series = data[metric.MetricName];
  if (!series) throw new Error(`no data for ${metric.Namespace} ${metric.MetricName}: give the scenario's per-minute values`);
  return series;
}

/** The per-period series an alarm compares with its threshold. */
export function alarmSeries(alarm: AlarmProperties, data: MinuteData): { series: Series; periodSeconds: number } {
  if (alarm.MetricName) {
    const periodSeconds = alarm.Period ?? 60;
    const metric = { MetricName: alarm.MetricName, Namespace: alarm.Namespace ?? '', Dimensions: alarm.Dimensions };
    return { series: periodStatistic(lookup(data, metric), periodSeconds, alarm.Statistic ?? 'Average'), periodSeconds };
  }
  const queries = alarm.Metrics ?? [];
  const ids: Record<string, Series> = {};
  let periodSeconds = 60;
  for (const q of queries) {
    if (q.MetricStat) {
      periodSeconds = q.MetricStat.Period;
      ids[q.Id] = periodStatistic(lookup(data, q.MetricStat.Metric), q.MetricStat.Period, q.MetricStat.Stat);
    }
  }
  const returned = queries.filter((q) => q.ReturnData !== false);
  if (returned.length !== 1) throw new Error('an alarm on metric queries returns exactly one of them');
  const value = returned[0].Expression ? evaluateExpression(returned[0].Expression, ids) : ids[returned[0].Id];
  const length = Math.max(0, ...Object.values(ids).map((s) => s.length));
  return { series: asSeries(value, length), periodSeconds };
}

/** The state of the alarm after each period (evaluated over the periods up to and including it). */
export function alarmStates(alarm: AlarmProperties, data: MinuteData): AlarmState[] {
  const { series } = alarmSeries(alarm, data);
  const m = alarm.EvaluationPeriods;
  const n = alarm.DatapointsToAlarm ?? m;
  const treat = alarm.TreatMissingData ?? 'missing';
  const states: AlarmState[] = [];
  for (let end = 0; end < series.length; end++) {
    const window = series.slice(Math.max(0, end - m + 1), end + 1);
    let breaching = 0;
    let counted = 0;
    for (const v of window) {
      if (v === undefined) {
        if (treat === 'breaching') { breaching++; counted++; } else if (treat === 'notBreaching') {counted++;}
        continue;
      }
      counted++;
      if (breaches(v, alarm.ComparisonOperator, alarm.Threshold)) breaching++;
    }
    if (window.length < m && breaching < n) states.push('INSUFFICIENT_DATA');
    else if (breaching >= n) states.push('ALARM');
    else if (counted === 0) states.push('INSUFFICIENT_DATA');
    else states.push('OK');
  }
  return states;
}

/** The state after the last period. */
export function finalState(alarm: AlarmProperties, data: MinuteData): AlarmState {
  const states = alarmStates(alarm, data);
  return states[states.length - 1] ?? 'INSUFFICIENT_DATA';
}

function breaches(v: number, op: string, threshold: number): boolean {
  switch (op) {
    case 'GreaterThanThreshold': return v > threshold;
    case 'GreaterThanOrEqualToThreshold': return v >= threshold;
    case 'LessThanThreshold': return v < threshold;
    case 'LessThanOrEqualToThreshold': return v <= threshold;
    default: throw new Error(`comparison ${op} is outside the modelled subset`);
  }
}

// ---- metric math -------------------------------------------------------------------------------------------------

type Token = { kind: 'num'; value: number } | { kind: 'id'; value: string } | { kind: 'op'; value: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(>=|<=|==|!=|[-+*/()<>,[\]]))/y;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) throw new Error(`cannot read the expression at "${text.slice(pos)}"`);
    pos = re.lastIndex;
    if (m[1] !== undefined) tokens.push({ kind: 'num', value: Number(m[1]) });
    else if (m[2] !== undefined) tokens.push({ kind: 'id', value: m[2] });
    else tokens.push({ kind: 'op', value: m[3] });
  }
  return tokens;
}

/** Evaluates an expression over the per-period series of its metric ids. */
export function evaluateExpression(text: string, ids: Record<string, Series>): Value {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const isOp = (v: string) => peek()?.kind === 'op' && peek()!.value === v;
  const isWord = (v: string) => peek()?.kind === 'id' && peek()!.value === v;
  const expect = (v: string) => {
    if (!isOp(v)) throw new Error(`expected "${v}" in ${text}`);
    i++;
  };

  const or = (): Value => {
    let left = and();
    while (isWord('OR')) { i++; const r = and(); left = zip(left, r, (a, b) => (a !== 0 || b !== 0 ? 1 : 0)); }
    return left;
  };
  const and = (): Value => {
    let left = comparison();
    while (isWord('AND')) { i++; const r = comparison(); left = zip(left, r, (a, b) => (a !== 0 && b !== 0 ? 1 : 0)); }
    return left;
  };
  const comparison = (): Value => {
    const left = additive();
    const t = peek();
    if (t?.kind === 'op' && ['>', '<', '>=', '<=', '==', '!='].includes(t.value)) {
      i++;
      const right = additive();
      const f: Record<string, (a: number, b: number) => boolean> = {
        '>': (a, b) => a > b, '<': (a, b) => a < b, '>=': (a, b) => a >= b, '<=': (a, b) => a <= b, '==': (a, b) => a === b, '!=': (a, b) => a !== b,
      };
      return zip(left, right, (a, b) => (f[t.value](a, b) ? 1 : 0));
    }
    return left;
  };
  const additive = (): Value => {
    let left = multiplicative();
    while (isOp('+') || isOp('-')) {
      const op = tokens[i++].value;
      const r = multiplicative();
      left = zip(left, r, op === '+' ? (a, b) => a + b : (a, b) => a - b);
    }
    return left;
  };
  const multiplicative = (): Value => {
    let left = unary();
    while (isOp('*') || isOp('/')) {
      const op = tokens[i++].value;
      const r = unary();
      left = zip(left, r, op === '*' ? (a, b) => a * b : (a, b) => a / b);
    }
    return left;
  };
  const unary = (): Value => {
    if (isOp('-')) { i++; return zip(0, unary(), (a, b) => a - b); }
    return primary();
  };
  const args = (): Value[] => {
    expect('(');
    const list: Value[] = [or()];
    while (isOp(',')) { i++; list.push(or()); }
    expect(')');
    return list;
  };
  const primary = (): Value => {
    const t = peek();
    if (!t) throw new Error(`unexpected end of ${text}`);
    if (t.kind === 'num') { i++; return t.value; }
    if (isOp('(')) { i++; const v = or(); expect(')'); return v; }
    if (isOp('[')) {
      i++;
      const list: Value[] = [or()];
      while (isOp(',')) { i++; list.push(or()); }
      expect(']');
      return list;
    }
    if (t.kind === 'id') {
      i++;
      if (isOp('(')) return call(t.value, args());
      if (!(t.value in ids)) throw new Error(`unknown metric id ${t.value} in ${text}`);
      return ids[t.value];
    }
    throw new Error(`unexpected "${t.value}" in ${text}`);
  };
  const call = (name: string, a: Value[]): Value => {
    switch (name) {
      case 'FILL': {
        const [x, fill] = a;
        if (typeof fill !== 'number') throw new Error('FILL takes a number as its fill value here');
        return isSeries(x) ? x.map((v) => (v === undefined ? fill : v)) : x;
      }
      case 'IF': {
        const [c, yes, no] = a;
        return zip3(c, yes, no, (cv, y, n) => (cv !== 0 ? y : n));
      }
      case 'MAX': {
        const [list] = a;
        if (a.length !== 1 || !Array.isArray(list) || !(list as Value[]).every((x) => typeof x === 'number' || isSeries(x))) {
          throw new Error('MAX is modelled for an array of time series ([a, b, ...]) only');
        }
        const items = list as Array<number | Series>;
        return items.slice(1).reduce<Value>((acc, x) => zipMax(acc, x), items[0]);
      }
      case 'DIFF': {
        const [x] = a;
        if (!isSeries(x)) throw new Error('DIFF takes a time series');
        return x.map((v, k) => (k === 0 || v === undefined || x[k - 1] === undefined ? undefined : v - x[k - 1]!));
      }
      default: throw new Error(`function ${name} is outside the modelled subset`);
    }
  };

  const value = or();
  if (i !== tokens.length) throw new Error(`unexpected "${tokens[i].value}" in ${text}`);
  return value;
}

function isSeries(v: Value): v is Series {
  return Array.isArray(v) && v.every((x) => x === undefined || typeof x === 'number');
}

function at(v: Value, k: number): number | undefined {
  if (typeof v === 'number') return v;
  if (isSeries(v)) return v[k];
  throw new Error('an array of series is only an argument of MAX');
}

function finite(x: number): number | undefined {
  return Number.isFinite(x) ? x : undefined;
}

function lengthOf(...vs: Value[]): number | undefined {
  const lengths = vs.filter(isSeries).map((s) => s.length);
  return lengths.length ? Math.max(...lengths) : undefined;
}

function zip(a: Value, b: Value, f: (x: number, y: number) => number): Value {
  const n = lengthOf(a, b);
  if (n === undefined) return finite(f(at(a, 0)!, at(b, 0)!)) ?? NaN;
  return Array.from({ length: n }, (_, k) => {
    const x = at(a, k);
    const y = at(b, k);
    return x === undefined || y === undefined ? undefined : finite(f(x, y));
  });
}

function zip3(a: Value, b: Value, c: Value, f: (x: number, y: number, z: number) => number): Value {
  const n = lengthOf(a, b, c) ?? 1;
  const out = Array.from({ length: n }, (_, k) => {
    const x = at(a, k);
    if (x === undefined) return undefined;
    const y = at(b, k);
    const z = at(c, k);
    const chosen = x !== 0 ? y : z;
    return chosen === undefined ? undefined : finite(f(x, y ?? NaN, z ?? NaN));
  });
  return lengthOf(a, b, c) === undefined ? out[0]! : out;
}

function zipMax(a: Value, b: Value): Value {
  const n = lengthOf(a, b);
  const pick = (x: number | undefined, y: number | undefined) => (x === undefined ? y : y === undefined ? x : Math.max(x, y));
  if (n === undefined) return pick(at(a, 0), at(b, 0))!;
  return Array.from({ length: n }, (_, k) => pick(at(a, k), at(b, k)));
}

function asSeries(v: Value, length: number): Series {
  if (typeof v === 'number') return Array.from({ length }, () => finite(v));
  if (isSeries(v)) return v;
  throw new Error('an alarm expression must give one time series');
}
