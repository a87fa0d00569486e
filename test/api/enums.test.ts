import * as lib from '../../lib';

/**
 * jsii users (Python, Java, .NET) see an enum's member names and, through any value that reaches a template or a
 * handler, its values: both are uppercase, as aws-cdk-lib's are. The one exception is a value that is an AWS API's own
 * literal (OpenSearch index rotation: `NoRotation`, `OneHour`, ...), which the construct passes through unchanged.
 */
const AWS_LITERAL_VALUES = new Set(['OpenSearchIndexRotation']);

/** The exported enums: objects whose every key maps to a string and back (TypeScript string enums). */
function exportedEnums(): Array<[string, Record<string, string>]> {
  return Object.entries(lib)
    .filter(([, v]) => typeof v === 'object' && v !== null && !Array.isArray(v)
      && Object.keys(v).length > 0 && Object.values(v).every((x) => typeof x === 'string'))
    .map(([k, v]) => [k, v as Record<string, string>]);
}

describe('exported enums', () => {
  test('the library exports its enums (the scan finds them)', () => {
    expect(exportedEnums().map(([name]) => name)).toEqual(expect.arrayContaining(['ScalingSensitivity', 'CapacityMode', 'FlinkLogLevel']));
  });

  test.each(exportedEnums())('%s: member names and values are uppercase', (name, members) => {
    for (const [member, value] of Object.entries(members)) {
      expect(member).toMatch(/^[A-Z][A-Z0-9_]*$/);
      if (!AWS_LITERAL_VALUES.has(name)) expect(value).toMatch(/^[A-Z][A-Z0-9_]*$/);
    }
  });
});
