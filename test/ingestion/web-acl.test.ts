import * as fc from 'fast-check';
import { IAM_CALLER, decodePutRecords, deployedRequestTemplate, ingestionStack, renderRequest } from './support';
import { COUNTED_BODY_RULES, MAX_BODY_BYTES, greaterThanPattern } from '../../lib/ingestion/private/web-acl-rules';
import { assertProperty } from '../support/property';

/**
 * The rules of AWSManagedRulesCommonRuleSet that inspect the body (AWS WAF developer guide, "Baseline rule groups"):
 * any of them blocking would drop a whole batch of click events.
 */
const COMMON_RULE_SET_BODY_RULES = ['SizeRestrictions_BODY', 'EC2MetaDataSSRF_BODY', 'GenericLFI_BODY', 'GenericRFI_BODY', 'CrossSiteScripting_BODY'];

/** API Gateway's payload limit for REST APIs, which also bounds what the integration sends Kinesis. */
const API_GATEWAY_PAYLOAD_BYTES = 10 * 1000 * 1000;

const { template } = ingestionStack();
const acl = Object.values(template.findResources('AWS::WAFv2::WebACL'))[0].Properties;
const ruleNamed = (name: string) => acl.Rules.find((r: { Name: string }) => r.Name === name);

/**
 * The web ACL's verdict on a request, as configured: rules in priority order, the first terminating action wins. The
 * managed group's own rules are AWS's and not reproduced; `bodyMatches` names those that would match the body, and the
 * configured overrides decide what they do.
 */
function verdict(request: { contentLength: number; bodyMatches: string[] }): 'ALLOW' | 'BLOCK' {
  for (const rule of [...acl.Rules].sort((a, b) => a.Priority - b.Priority)) {
    const s = rule.Statement;
    if (s.RegexMatchStatement) {
      expect(s.RegexMatchStatement.FieldToMatch).toEqual({ SingleHeader: { Name: 'content-length' } });
      if (new RegExp(s.RegexMatchStatement.RegexString).test(String(request.contentLength)) && rule.Action.Block) return 'BLOCK';
    } else if (s.ManagedRuleGroupStatement) {
      const counted = new Set((s.ManagedRuleGroupStatement.RuleActionOverrides ?? [])
        .filter((o: any) => o.ActionToUse.Count).map((o: { Name: string }) => o.Name));
      if (request.bodyMatches.some((m) => !counted.has(m)) && rule.OverrideAction.None) return 'BLOCK';
    }
  }
  return acl.DefaultAction.Allow ? 'ALLOW' : 'BLOCK';
}

/**
 * The largest batch the API can forward: 500 records whose Kinesis payload (event + _ingest + partition key) adds up to
 * 5 MiB, each with a 256-character client key of control characters (6 bytes each once JSON-escaped) and URLs that
 * match the body rules (a script tag, an IPv4 URL, a path traversal, the instance metadata address).
 */
function maximalBatch(): { body: string; kinesisBytes: number; rendered: string } {
  const key = '\u0001'.repeat(256);
  const event = (i: number, padding: number) => ({
    eventId: `e-${i}`,
    userId: `u-${i}`,
    eventType: 'page_view',
    timestamp: 1767607200000 + i,
    page: 'https://shop.example.com/search?q=<script>alert(1)</script>&from=../../etc/passwd',
    referrer: `http://10.0.0.1/intranet?next=http://169.254.169.254/latest/meta-data/&pad=${'x'.repeat(padding)}`,
  });
  const vtl = deployedRequestTemplate(template);
  const probe = decodePutRecords(renderRequest(vtl, { records: [{ partitionKey: key, data: event(100, 0) }] }, IAM_CALLER));
  const perRecord = Math.floor((5 * 1024 * 1024) / 500) - probe.Records[0].bytes;
  const records = Array.from({ length: 500 }, (_, i) => ({ partitionKey: key, data: event(100 + i, perRecord) }));
  const body = JSON.stringify({ records });
  const rendered = renderRequest(vtl, { records }, IAM_CALLER);
  const kinesisBytes = decodePutRecords(rendered).Records.reduce((sum, r) => sum + r.bytes, 0);
  return { body, kinesisBytes, rendered };
}

describe('StreamIngestionApi web ACL', () => {
  test('every body rule of the common rule set counts; header, path, query and cookie rules keep blocking', () => {
    const common = ruleNamed('AWSManagedRulesCommonRuleSet');
    expect(common.OverrideAction).toEqual({ None: {} });
    expect(common.Statement.ManagedRuleGroupStatement.ScopeDownStatement).toBeUndefined();
    const overrides = common.Statement.ManagedRuleGroupStatement.RuleActionOverrides;
    expect(overrides.map((o: { Name: string }) => o.Name).sort()).toEqual([...COMMON_RULE_SET_BODY_RULES].sort());
    for (const o of overrides) expect(o.ActionToUse).toEqual({ Count: {} });
  });

  test('a maximal batch of click events with hostile-looking URLs passes; one byte more than the limit is blocked', () => {
    const batch = maximalBatch();
    const contentLength = Buffer.byteLength(batch.body);
    // The batch is what Kinesis takes at most (5 MiB), and within the limit the API enforces.
    expect(batch.kinesisBytes).toBeLessThanOrEqual(5 * 1024 * 1024);
    expect(batch.kinesisBytes).toBeGreaterThan(5 * 1024 * 1024 - 500);
    expect(contentLength).toBeLessThanOrEqual(MAX_BODY_BYTES);
    // Base64 makes the request to Kinesis 4/3 of the data: still under API Gateway's payload limit.
    expect(Buffer.byteLength(batch.rendered)).toBeLessThan(API_GATEWAY_PAYLOAD_BYTES);
    expect(verdict({ contentLength, bodyMatches: COMMON_RULE_SET_BODY_RULES })).toBe('ALLOW');
    expect(verdict({ contentLength: MAX_BODY_BYTES, bodyMatches: [] })).toBe('ALLOW');
    expect(verdict({ contentLength: MAX_BODY_BYTES + 1, bodyMatches: [] })).toBe('BLOCK');
    expect(verdict({ contentLength: 10 * MAX_BODY_BYTES, bodyMatches: [] })).toBe('BLOCK');
    // The managed group's other rules still block.
    expect(verdict({ contentLength: 100, bodyMatches: ['NoUserAgent_HEADER'] })).toBe('BLOCK');
  });

  test('the size pattern matches exactly the integers above the limit', () => {
    for (const limit of [0, 9, 10, 99, 100, 6_291_456, 5_999_999, 1_000_000, MAX_BODY_BYTES]) {
      const pattern = new RegExp(greaterThanPattern(limit));
      const near = fc.oneof(fc.nat({ max: limit * 3 + 20 }), fc.integer({ min: Math.max(0, limit - 50), max: limit + 50 }), fc.nat());
      assertProperty(fc.property(near, fc.nat({ max: 2 }), (n, zeros) => {
        expect(pattern.test('0'.repeat(zeros) + String(n))).toBe(n > limit);
      }), { seed: 7, numRuns: 300 });
      expect(pattern.test('')).toBe(false);
      expect(pattern.test('12a')).toBe(false);
    }
    expect(greaterThanPattern(MAX_BODY_BYTES).length).toBeLessThanOrEqual(512);
  });

  test('the counted set is the body rules of the group', () => {
    expect([...COUNTED_BODY_RULES].sort()).toEqual([...COMMON_RULE_SET_BODY_RULES].sort());
  });
});
