/**
 * The event schemas of the pipelines (`schemas/*.schema.json` at the package root, JSON Schema draft 4), read at synth time
 * so that the API Gateway model and the consumers share one definition.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { aws_apigateway as apigw } from 'aws-cdk-lib';
import { comboError } from '../../private/errors';

/** The folder of the schema files (lib/ and its jsii output both sit two levels below the package root's schemas/). */
export const SCHEMAS_DIR = path.join(__dirname, '..', '..', '..', 'schemas');

/** The click event of a ClickstreamPipeline's clicks stream. */
export const CLICK_EVENT_SCHEMA_FILE = path.join(SCHEMAS_DIR, 'click-event.schema.json');
/** The sensor reading of an IotSensorPipeline's readings stream (after the IoT rule). */
export const SENSOR_READING_SCHEMA_FILE = path.join(SCHEMAS_DIR, 'sensor-reading.schema.json');

/** The keywords of `apigw.JsonSchema`, by their JSON Schema spelling, except `$schema` and `$ref` (renamed). */
const KEYWORDS = new Set([
  'id', 'type', 'title', 'description', 'enum', 'default', 'format', 'definitions', 'multipleOf', 'maximum',
  'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern', 'items', 'additionalItems',
  'maxItems', 'minItems', 'uniqueItems', 'contains', 'maxProperties', 'minProperties', 'required', 'properties',
  'additionalProperties', 'patternProperties', 'dependencies', 'propertyNames', 'allOf', 'anyOf', 'oneOf', 'not',
]);
/** Keywords whose value is a map of names to schemas, and those whose value is a schema or a list of schemas. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions']);
const SUBSCHEMAS = new Set(['items', 'additionalItems', 'additionalProperties', 'contains', 'propertyNames', 'allOf', 'anyOf', 'oneOf', 'not']);
const TYPES = new Set<string>(Object.values(apigw.JsonSchemaType));

/** Reads a schema file as an API Gateway model schema; a keyword API Gateway's model type lacks is an error. */
export function loadJsonSchema(file: string): apigw.JsonSchema {
  return toJsonSchema(JSON.parse(fs.readFileSync(file, 'utf8')), path.basename(file));
}

/** Converts a parsed JSON Schema (draft 4) to `apigw.JsonSchema`: `$schema` becomes `schema`, `$ref` becomes `ref`. */
export function toJsonSchema(raw: unknown, where: string): apigw.JsonSchema {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw comboError(where, 'a schema must be an object');
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const at = `${where}/${key}`;
    if (key === '$schema') {
      if (value !== apigw.JsonSchemaVersion.DRAFT4) throw comboError(at, `API Gateway models are draft 4, got ${JSON.stringify(value)}`, { prop: key, value });
      out.schema = apigw.JsonSchemaVersion.DRAFT4;
    } else if (key === '$ref') {
      out.ref = value;
    } else if (!KEYWORDS.has(key)) {
      throw comboError(at, 'unknown JSON Schema keyword', { prop: key, value });
    } else if (key === 'type') {
      const types = Array.isArray(value) ? value : [value];
      for (const t of types) if (!TYPES.has(t)) throw comboError(at, `unknown type ${JSON.stringify(t)}`, { prop: key, value: t });
      out.type = value;
    } else if (SCHEMA_MAPS.has(key)) {
      out[key] = Object.fromEntries(Object.entries(value as object).map(([name, s]) => [name, toJsonSchema(s, `${at}/${name}`)]));
    } else if (SUBSCHEMAS.has(key) && typeof value === 'object' && value !== null) {
      out[key] = Array.isArray(value) ? value.map((s, i) => toJsonSchema(s, `${at}/${i}`)) : toJsonSchema(value, at);
    } else {
      out[key] = value;
    }
  }
  return out as apigw.JsonSchema;
}
