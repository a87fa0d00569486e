/**
 * The click event as its one definition says (`schemas/click-event.schema.json`, JSON Schema draft 4): the checks are that
 * file, compiled by Ajv when the module loads (a few milliseconds, once per execution environment), so no limit is typed
 * twice. Pure: no SDK, no clock.
 */
import Ajv from 'ajv-draft-04';
import type { ErrorObject } from 'ajv-draft-04';
import clickEventSchema from '../../schemas/click-event.schema.json';

/**
 * A click event as it travels on the clicks stream (the schema's properties; others are allowed and ignored). The test
 * `test/schemas/event-schemas.test.ts` checks that these names are the schema's.
 */
export interface ClickEventJson {
  readonly eventId: string;
  readonly userId?: string;
  readonly anonymousId?: string;
  /** The client's own session id, kept as a hint: sessions are cut by inactivity gap. */
  readonly sessionId?: string;
  readonly eventType: string;
  readonly productId?: string;
  readonly page?: string;
  /** Epoch milliseconds, or ISO 8601 with a zone offset or Z. */
  readonly timestamp: number | string;
  /** Reserved: what the ingestion API stamps on a record. */
  readonly _ingest?: unknown;
}

export { clickEventSchema };

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
const validate = ajv.compile<ClickEventJson>(clickEventSchema);

/** Whether a decoded JSON value is a click event, or why not (every problem, `; `-separated, naming the field). */
export type ClickEventCheck = { readonly ok: true; readonly event: ClickEventJson } | { readonly ok: false; readonly reason: string };

export function checkClickEvent(value: unknown): ClickEventCheck {
  if (validate(value)) return { ok: true, event: value };
  return { ok: false, reason: describeErrors(validate.errors ?? []) };
}

/**
 * One line per problem, without repeats: `eventId must NOT have fewer than 1 characters; userId or anonymousId is required`.
 * The alternatives of an `anyOf` that failed are joined with `or` (Ajv reports them before the `anyOf` itself).
 */
export function describeErrors(errors: readonly ErrorObject[]): string {
  const text = (e: ErrorObject): string => {
    if (e.keyword === 'required') return `${(e.params as { missingProperty: string }).missingProperty} is required`;
    const at = e.instancePath === '' ? 'event' : e.instancePath.slice(1).replace(/\//g, '.');
    return `${at} ${e.message ?? e.keyword}`;
  };
  const lines: string[] = [];
  let pending: ErrorObject[] = [];
  for (const e of errors) {
    if (e.keyword === 'anyOf') {
      const branch = `${e.schemaPath}/`;
      const alternatives = pending.filter((p) => p.schemaPath.startsWith(branch));
      pending = pending.filter((p) => !p.schemaPath.startsWith(branch));
      const parts = [...new Set(alternatives.map(text))];
      lines.push(parts.every((p) => p.endsWith(' is required'))
        ? `${parts.map((p) => p.slice(0, -' is required'.length)).join(' or ')} is required`
        : parts.join(' or '));
    } else {
      pending.push(e);
    }
  }
  return [...new Set([...pending.map(text), ...lines])].join('; ');
}

/** The schema's length limits, for code and tests that need them as numbers (read from the schema, never typed again). */
export const ClickEventLimits = {
  /** Longest eventId, userId, anonymousId, sessionId and productId, in characters (code points). */
  MAX_ID_LENGTH: clickEventSchema.properties.userId.maxLength,
  MAX_EVENT_TYPE_LENGTH: clickEventSchema.properties.eventType.maxLength,
  MAX_PAGE_LENGTH: clickEventSchema.properties.page.maxLength,
} as const;
