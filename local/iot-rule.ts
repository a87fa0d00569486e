/**
 * The part of IoT SQL (version 2016-03-23) that the IotSensorPipeline's rule uses, evaluated on one MQTT message: a topic
 * filter, `SELECT *` and aliased `topic(n)` and `timestamp()` projections, and the `${topic(n)}` substitution template of the
 * partition key. Anything else (WHERE, other functions, nested fields) is an error, never a silent skip.
 * @see https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-reference.html
 */

export interface IotRule {
  readonly topicFilter: string;
  readonly selectAll: boolean;
  /** `alias -> how to compute it`, in SELECT order. */
  readonly projections: ReadonlyArray<{ readonly alias: string; readonly fn: 'topic'; readonly level: number } | { readonly alias: string; readonly fn: 'timestamp' }>;
}

const STATEMENT = /^\s*SELECT\s+([\s\S]+?)\s+FROM\s+'([^']+)'\s*$/i;
const TOPIC = /^topic\(\s*(\d+)\s*\)\s+AS\s+([A-Za-z_][A-Za-z0-9_]*)$/i;
const TIMESTAMP = /^timestamp\(\s*\)\s+AS\s+([A-Za-z_][A-Za-z0-9_]*)$/i;

export function parseIotSql(sql: string): IotRule {
  const m = STATEMENT.exec(sql);
  if (!m) throw new Error(`IoT SQL not understood (only SELECT <fields> FROM '<topic filter>'): ${sql}`);
  let selectAll = false;
  const projections: IotRule['projections'][number][] = [];
  for (const part of m[1].split(',').map((p) => p.trim())) {
    let t: RegExpExecArray | null;
    if (part === '*') selectAll = true;
    else if ((t = TOPIC.exec(part))) projections.push({ alias: t[2], fn: 'topic', level: Number(t[1]) });
    else if ((t = TIMESTAMP.exec(part))) projections.push({ alias: t[1], fn: 'timestamp' });
    else throw new Error(`IoT SQL projection not understood: ${part} (in ${sql})`);
  }
  return { topicFilter: m[2], selectAll, projections };
}

/** Whether an MQTT topic matches a topic filter (`+` one level, `#` the rest). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

/** `topic(n)`: the n-th level of the topic, 1-based. */
function topicLevel(topic: string, level: number): string {
  const levels = topic.split('/');
  if (level < 1 || level > levels.length) throw new Error(`topic(${level}) of ${topic}: no such level`);
  return levels[level - 1];
}

/**
 * The record the rule writes for a message on a topic, or undefined when the topic does not match. A payload that is not
 * a JSON object cannot be selected with `*` and is an error (IoT Core would send it to the error action).
 */
export function applyIotRule(rule: IotRule, topic: string, payload: unknown, now: number): Record<string, unknown> | undefined {
  if (!topicMatches(rule.topicFilter, topic)) return undefined;
  const out: Record<string, unknown> = {};
  if (rule.selectAll) {
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new Error('SELECT * of a payload that is not a JSON object');
    Object.assign(out, payload);
  }
  for (const p of rule.projections) out[p.alias] = p.fn === 'topic' ? topicLevel(topic, p.level) : now;
  return out;
}

/** A substitution template such as `${topic(2)}` evaluated for a topic; other substitutions are errors. */
export function substitute(template: string, topic: string): string {
  return template.replace(/\$\{([^}]*)\}/g, (_all, expr: string) => {
    const t = /^\s*topic\(\s*(\d+)\s*\)\s*$/.exec(expr);
    if (!t) throw new Error(`substitution template not understood: \${${expr}}`);
    return topicLevel(topic, Number(t[1]));
  });
}
