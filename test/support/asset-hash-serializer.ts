/**
 * Jest snapshot serializer that replaces asset hashes (64 hex characters, in S3 keys, asset paths and parameters) and
 * hashes derived from them (a value of exactly 32 hex characters, such as the Flink application's ConfigurationHash,
 * which covers the jar's key) with placeholders, so that a snapshot changes when the template changes, not when a
 * bundled handler or the jar is rebuilt (Maven does not build byte-identical jars).
 */
export function normalizeHashes(value: string): string {
  return value.replace(/[0-9a-f]{64}/g, '[ASSET-HASH]').replace(/^[0-9a-f]{32}$/, '[DERIVED-HASH]');
}

export function test(value: unknown): boolean {
  return typeof value === 'string' && normalizeHashes(value) !== value;
}

export function serialize(value: string): string {
  return JSON.stringify(normalizeHashes(value));
}
