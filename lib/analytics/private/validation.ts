/**
 * Checks of the analytics constructs' props. Small, pure and token-safe (a token skips the check).
 */
import { Duration, Size, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { propError } from '../../private/errors';

/** Athena's smallest per-query data usage control: 10 MB. */
export const MIN_BYTES_SCANNED_CUTOFF = 10_000_000;

export interface AnalyticsPropsToCheck {
  readonly bytesScannedCutoffPerQuery?: Size;
  readonly resultsPrefix?: string;
  readonly resultsExpiration?: Duration;
  readonly workGroupName?: string;
}

export function validateAnalyticsProps(scope: IConstruct, p: AnalyticsPropsToCheck): void {
  if (p.bytesScannedCutoffPerQuery && !Token.isUnresolved(p.bytesScannedCutoffPerQuery.toBytes())) {
    const bytes = p.bytesScannedCutoffPerQuery.toBytes();
    if (bytes < MIN_BYTES_SCANNED_CUTOFF) throw propError(scope, 'bytesScannedCutoffPerQuery', `${bytes} bytes`, 'must be at least 10,000,000 bytes (10 MB, the smallest Athena accepts)');
  }
  if (p.resultsPrefix !== undefined && !Token.isUnresolved(p.resultsPrefix) && !/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*\/$/.test(p.resultsPrefix)) {
    throw propError(scope, 'resultsPrefix', p.resultsPrefix, 'must be a non-empty key prefix of safe characters ending with "/"');
  }
  if (p.resultsExpiration && !p.resultsExpiration.isUnresolved()) {
    const days = p.resultsExpiration.toDays({ integral: false });
    if (!Number.isInteger(days) || days < 1) throw propError(scope, 'resultsExpiration', p.resultsExpiration.toHumanString(), 'must be a whole number of days, at least 1');
  }
  if (p.workGroupName !== undefined && !Token.isUnresolved(p.workGroupName) && !/^[A-Za-z0-9._-]{1,128}$/.test(p.workGroupName)) {
    throw propError(scope, 'workGroupName', p.workGroupName, 'must be 1–128 characters of letters, digits, . _ -');
  }
}
