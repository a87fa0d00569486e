import { Duration, Size, Token } from 'aws-cdk-lib';
import fc from 'fast-check';
import { BufferingDestination, checkBuffering, checkErrorOutputPrefix, checkRetryDuration } from '../../lib/delivery/private/validation';
import { assertProperty } from '../support/property';

const scope = 'Test';

describe('delivery validation', () => {
  test('property: S3 buffering is accepted exactly within 0–900 s and 1–128 MiB (60 s / 64 MiB with dynamic partitioning)', () => {
    const args = [fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 1, max: 300 }), fc.boolean(), fc.boolean()] as const;
    assertProperty(fc.property(...args, (seconds, mib, dp, conversion) => {
      const ok = seconds >= (dp ? 60 : 0) && seconds <= 900 && mib >= (dp || conversion ? 64 : 1) && mib <= 128;
      const run = () => checkBuffering(scope, {
        destination: BufferingDestination.S3,
        interval: Duration.seconds(seconds),
        size: Size.mebibytes(mib),
        dynamicPartitioning: dp,
        formatConversion: conversion,
      });
      if (ok) expect(run).not.toThrow();
      else expect(run).toThrow(/^Test: buffering(Interval|Size) must be/);
    }));
  });

  test('property: OpenSearch buffering is accepted exactly within 1–100 MB', () => {
    assertProperty(fc.property(fc.integer({ min: 1, max: 300 }), (mib) => {
      const run = () => checkBuffering(scope, { destination: BufferingDestination.OPENSEARCH, size: Size.mebibytes(mib) });
      if (mib <= 100) expect(run).not.toThrow();
      else expect(run).toThrow('Test: bufferingSize must be a whole number of MiB from 1 to 100 for OpenSearch delivery, got ' + mib);
    }));
  });

  test('property: retry durations are accepted exactly within 0–7,200 s', () => {
    assertProperty(fc.property(fc.integer({ min: 0, max: 20_000 }), (seconds) => {
      const run = () => checkRetryDuration(scope, Duration.seconds(seconds));
      if (seconds <= 7200) expect(run).not.toThrow();
      else expect(run).toThrow(`Test: retryDuration must be a whole number of seconds from 0 to 7200, got ${seconds}`);
    }));
  });

  test('values known only at deploy time are not checked', () => {
    expect(() => checkBuffering(scope, {
      destination: BufferingDestination.S3,
      interval: Duration.seconds(Token.asNumber({ Ref: 'Interval' })),
      size: Size.mebibytes(Token.asNumber({ Ref: 'Size' })),
      dynamicPartitioning: true,
    })).not.toThrow();
    expect(() => checkRetryDuration(scope, Duration.seconds(Token.asNumber({ Ref: 'Retry' })))).not.toThrow();
    expect(() => checkErrorOutputPrefix(scope, Token.asString({ Ref: 'Prefix' }))).not.toThrow();
  });
});
