import { aws_wafv2 as wafv2 } from 'aws-cdk-lib';
import { propError } from '../../private/errors';
import { KinesisLimits as K } from '../../private/kinesis-limits';

/**
 * Bytes of envelope the request body may carry per record on top of the event itself:
 * `{"partitionKey":<key>,"data":},` is 29 bytes plus the key, and a 256-character key written entirely as JSON
 * `\uXXXX` escapes is 256 × 6 + 2 = 1,538 bytes; 2 KiB leaves room for whitespace.
 */
export const ENVELOPE_BYTES_PER_RECORD = 2048;

/**
 * The largest request body `POST /events` accepts: a `PutRecords` request carries at most 500 records and 5 MiB of
 * data and partition keys, and each record's data is the client's event as JSON (the template base64-encodes it for
 * Kinesis: 4/3 of 5 MiB, under API Gateway's 10 MB integration payload limit), so the body is at most 5 MiB of events
 * plus the envelope of 500 records: 6,266,880 bytes. A body between the events Kinesis takes and this limit
 * passes WAF and is answered by Kinesis with a 400.
 */
export const MAX_BODY_BYTES = K.PUT_RECORDS_MAX_BYTES + K.PUT_RECORDS_MAX_RECORDS * ENVELOPE_BYTES_PER_RECORD;

/**
 * Rules of `AWSManagedRulesCommonRuleSet` that inspect the request body, set to count instead of block:
 * - `SizeRestrictions_BODY` blocks bodies over 8 KB, i.e. any batch of more than about seven 1 KiB events; our own
 *   `BodySizeLimit` rule takes its place at the API's real limit;
 * - `CrossSiteScripting_BODY`, `GenericRFI_BODY` (URLs with IPv4 addresses), `GenericLFI_BODY` (`../`) and
 *   `EC2MetaDataSSRF_BODY` (169.254.169.254) match what click events legitimately carry in `page` and referrer URLs
 *   (a visitor arriving from a link crafted by someone else, an intranet address), and one match would block the whole
 *   batch of up to 500 events. The body is data: API Gateway neither renders nor fetches it, it reaches Kinesis
 *   base64-encoded, and consumers must treat every field as untrusted text. Their matches stay visible as WAF count
 *   metrics and in the WAF log.
 * The rules on headers, URI path, query string and cookies keep blocking.
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html
 */
export const COUNTED_BODY_RULES = [
  'SizeRestrictions_BODY',
  'CrossSiteScripting_BODY',
  'GenericRFI_BODY',
  'GenericLFI_BODY',
  'EC2MetaDataSSRF_BODY',
];

/**
 * A regular expression matching the decimal integers greater than `limit` (leading zeros allowed): longer numbers, or
 * numbers of the same length that agree with `limit` up to a digit where they are higher.
 */
export function greaterThanPattern(limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 0) throw propError(undefined, 'limit', limit, 'must be a non-negative integer');
  const digits = String(limit);
  const alternatives = [`[1-9][0-9]{${digits.length},}`];
  for (let i = 0; i < digits.length; i++) {
    const d = Number(digits[i]);
    if (d === 9) continue;
    const rest = digits.length - i - 1;
    alternatives.push(`${digits.slice(0, i)}[${d + 1}-9]${rest > 0 ? `[0-9]{${rest}}` : ''}`);
  }
  return `^0*(${alternatives.join('|')})$`;
}

/**
 * Blocks a request whose `Content-Length` is above `MAX_BODY_BYTES`. WAF sees at most the first 8–64 KB of a body
 * behind API Gateway, so it cannot measure a larger body itself: it reads the length the client declares, which API
 * Gateway holds the body to. A request without the header (chunked) is left to API Gateway's 10 MB payload limit.
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/web-request-body-inspection.html
 */
export function bodySizeRule(priority: number): wafv2.CfnWebACL.RuleProperty {
  return {
    name: 'BodySizeLimit',
    priority,
    action: { block: {} },
    statement: {
      regexMatchStatement: {
        fieldToMatch: { singleHeader: { Name: 'content-length' } },
        regexString: greaterThanPattern(MAX_BODY_BYTES),
        textTransformations: [{ priority: 0, type: 'NONE' }],
      },
    },
    visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: 'BodySizeLimit' },
  };
}

/** The AWS common rule set with the body rules above counted. */
export function commonRuleSetRule(priority: number): wafv2.CfnWebACL.RuleProperty {
  return {
    name: 'AWSManagedRulesCommonRuleSet',
    priority,
    overrideAction: { none: {} },
    statement: {
      managedRuleGroupStatement: {
        vendorName: 'AWS',
        name: 'AWSManagedRulesCommonRuleSet',
        ruleActionOverrides: COUNTED_BODY_RULES.map((name) => ({ name, actionToUse: { count: {} } })),
      },
    },
    visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: 'CommonRuleSet' },
  };
}

/** The rule that blocks an IP address after `limit` requests in 5 minutes. */
export function ratePerIpRule(priority: number, limit: number): wafv2.CfnWebACL.RuleProperty {
  return {
    name: 'RatePerIp',
    priority,
    action: { block: {} },
    statement: { rateBasedStatement: { limit, aggregateKeyType: 'IP' } },
    visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: 'RatePerIp' },
  };
}

/** The web ACL of the ingestion API: body size, the common rule set (body rules counted), and a per-IP rate limit. */
export function ingestionWebAclProps(ratePerIpLimit: number): wafv2.CfnWebACLProps {
  return {
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: 'StreamIngestionApi' },
    rules: [bodySizeRule(0), commonRuleSetRule(1), ratePerIpRule(2, ratePerIpLimit)],
  };
}
