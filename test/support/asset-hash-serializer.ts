/**
 * Jest snapshot serializer that replaces asset hashes (64 hex characters, in S3 keys, asset paths and parameters)
 * with a placeholder, so that a snapshot changes when the template changes, not when a bundled handler is rebuilt.
 */
const HASH = /[0-9a-f]{64}/g;

export function test(value: unknown): boolean {
  return typeof value === 'string' && /[0-9a-f]{64}/.test(value);
}

export function serialize(value: string): string {
  return JSON.stringify(value.replace(HASH, '[ASSET-HASH]'));
}
