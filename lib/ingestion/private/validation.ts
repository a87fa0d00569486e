/**
 * Checks of the ingestion constructs' props: small and pure, built on the shared checks.
 */
import { IConstruct } from 'constructs';
import { comboError, propError } from '../../private/errors';
import { checkIntRange } from '../../private/validation';
import type { IotStreamRuleProps } from '../iot-stream-rule';
import type { StreamIngestionApiProps } from '../stream-ingestion-api';

/** Every check of the StreamIngestionApi props. */
export function validateStreamIngestionApiProps(scope: IConstruct, props: StreamIngestionApiProps): void {
  checkIntRange(scope, 'throttlingRateLimit', props.throttlingRateLimit, 1, 10_000);
  checkIntRange(scope, 'throttlingBurstLimit', props.throttlingBurstLimit, 1, 5_000);
  checkIntRange(scope, 'wafRateLimitPer5Minutes', props.wafRateLimitPer5Minutes, 10, 2_000_000_000);
  if (props.wafEnabled === false && props.webAclArn !== undefined) {
    throw comboError(scope, `webAclArn ${props.webAclArn} contradicts wafEnabled false: give one`);
  }
}

/** Every check of the IotStreamRule props. */
export function validateIotStreamRuleProps(scope: IConstruct, props: IotStreamRuleProps): void {
  const sql = props.sql;
  if (sql !== undefined && !/^\s*SELECT\s[\s\S]*\sFROM\s+'[^']+'/i.test(sql)) {
    throw propError(scope, 'sql', sql, "must be an IoT SQL statement: SELECT <fields> FROM '<topic filter>' [WHERE ...]");
  }
  if (props.ruleName !== undefined && !/^[a-zA-Z0-9_]{1,128}$/.test(props.ruleName)) {
    throw propError(scope, 'ruleName', props.ruleName, 'must be 1–128 characters of [a-zA-Z0-9_]');
  }
}
