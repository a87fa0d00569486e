import { Duration, aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { IDelivery } from './delivery-base';
import { quotaUtilizationPercent } from './private/delivery-metrics';
import { FirehoseLimits as L } from './private/firehose-limits';
import { secondsOf, validateDeliveryAlarmsProps } from './private/validation';
import { AlarmEvaluation, AlarmSet, AlarmSetOptions } from '../monitoring/alarm-set';

/** `DeliveryTo<destination>.DataFreshness`, Maximum: the age of the oldest record not yet delivered. */
export interface DataFreshnessThreshold extends AlarmEvaluation {
  /**
   * How much older than the delivery's expected latency (its buffering interval, 1.5 times that with dynamic
   * partitioning, plus the transform's buffering interval) the oldest record may get.
   * @default Duration.minutes(5), over 1 of 1 period
   * @see https://docs.aws.amazon.com/firehose/latest/dev/firehose-cloudwatch-metrics-best-practices.html
   */
  readonly margin?: Duration;
  /**
   * The age that raises the alarm, replacing expected latency plus margin.
   * @default - expected latency plus margin
   * @see https://docs.aws.amazon.com/firehose/latest/dev/firehose-cloudwatch-metrics-best-practices.html
   */
  readonly maxAge?: Duration;
}

/** `DeliveryTo<destination>.Success`, Average: the share of delivery attempts (puts, COPYs, index requests) that succeeded. */
export interface DeliverySuccessThreshold extends AlarmEvaluation {
  /**
   * Alarm below this ratio, in (0, 1].
   * @default 1 (any failed attempt), over 3 of 3 periods: failures that persist for 15 minutes, not one retried error
   * @see https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-metrics.html
   */
  readonly minRatio?: number;
}

/** `ThrottledRecords`, Sum: records a direct-PUT delivery stream refused because a quota was exceeded. */
export interface ThrottledRecordsThreshold extends AlarmEvaluation {
  /**
   * Alarm above this many throttled records per 5 minutes, ≥ 0.
   * @default 0, over 1 of 1 period: producers were refused records and must retry them
   * @see https://docs.aws.amazon.com/firehose/latest/dev/firehose-cloudwatch-metrics-best-practices.html
   */
  readonly maxRecords?: number;
}

/**
 * Direct-PUT volume against the Region's quotas: `IncomingBytes`, `IncomingRecords` and `IncomingPutRequests` (Sum per
 * 5 minutes ÷ 300) over `BytesPerSecondLimit`, `RecordsPerSecondLimit` and `PutRequestsPerSecondLimit`, in percent:
 * the metric math of the Firehose best practices. The quotas come from their metrics, so a raised quota moves the alarm.
 */
export interface QuotaUtilizationThreshold extends AlarmEvaluation {
  /**
   * Alarm above this percentage of a quota, in (0, 100].
   * @default 80, over 3 of 3 periods
   * @see https://docs.aws.amazon.com/firehose/latest/dev/firehose-cloudwatch-metrics-best-practices.html
   */
  readonly maxPercent?: number;
}

/** `KinesisMillisBehindLatest`, Maximum: how far Firehose's reading lags the tip of the source stream. */
export interface SourceLagThreshold extends AlarmEvaluation {
  /**
   * Alarm when Firehose reads records older than this.
   * @default Duration.minutes(5), over 3 of 3 periods
   * @see https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-metrics.html
   */
  readonly maxLag?: Duration;
}

/** The alarms of a delivery stream and their thresholds. Every alarm uses 5-minute periods. */
export interface DeliveryAlarmOptions extends AlarmSetOptions {
  /**
   * @default - expected latency + 5 minutes, 1 of 1
   * @see https://docs.aws.amazon.com/firehose/latest/dev/firehose-cloudwatch-metrics-best-practices.html
   */
  readonly dataFreshness?: DataFreshnessThreshold;
  /**
   * @default - below 1, 3 of 3
   * @see https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-metrics.html
   */
  readonly deliverySuccess?: DeliverySuccessThreshold;
  /**
   * Direct PUT only. @default - above 0, 1 of 1
   * @see https://docs.aws.amazon.com/firehose/latest/dev/firehose-cloudwatch-metrics-best-practices.html
   */
  readonly throttledRecords?: ThrottledRecordsThreshold;
  /**
   * Direct PUT only. @default - above 80 %, 3 of 3
   * @see https://docs.aws.amazon.com/firehose/latest/dev/firehose-cloudwatch-metrics-best-practices.html
   */
  readonly quotaUtilization?: QuotaUtilizationThreshold;
  /**
   * Kinesis stream source only. @default - above 5 minutes, 3 of 3
   * @see https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-metrics.html
   */
  readonly sourceLag?: SourceLagThreshold;
}

/** Properties of `DeliveryAlarms`. */
export interface DeliveryAlarmsProps extends DeliveryAlarmOptions {
  /** The delivery stream watched. */
  readonly delivery: IDelivery;
  /**
   * How long a record legitimately waits before delivery: the buffering interval (times 1.5 with dynamic partitioning)
   * plus the transform's buffering interval.
   */
  readonly expectedLatency: Duration;
  /** Whether producers put records directly (the quota and throttling alarms apply) or Firehose reads a stream. */
  readonly directPut: boolean;
}

/** 5-minute periods each alarm evaluates unless told otherwise (see the thresholds' docs). */
/** The direct-PUT quotas, each alarmed and graphed as the ingestion's percentage of it. */
const DIRECT_PUT_QUOTAS = [
  {
    id: 'BytesQuota',
    kind: 'bytes',
    label: 'Bytes ingested',
    widgetLabel: 'Bytes',
    what: 'volume is',
    quota: 'BytesPerSecondLimit',
    advice: 'request a quota increase before producers are throttled',
    incoming: (d: IDelivery) => d.metricIncomingBytes(),
    limit: (d: IDelivery) => d.metricBytesPerSecondLimit(),
  },
  {
    id: 'RecordsQuota',
    kind: 'records',
    label: 'Records ingested',
    widgetLabel: 'Records',
    what: 'records are',
    quota: 'RecordsPerSecondLimit',
    advice: 'batch records or request a quota increase',
    incoming: (d: IDelivery) => d.metricIncomingRecords(),
    limit: (d: IDelivery) => d.metricRecordsPerSecondLimit(),
  },
  {
    id: 'PutRequestsQuota',
    kind: 'requests',
    label: 'Put requests',
    widgetLabel: 'Requests',
    what: 'requests are',
    quota: 'PutRequestsPerSecondLimit',
    advice: 'use PutRecordBatch or request a quota increase',
    incoming: (d: IDelivery) => d.metricIncomingPutRequests(),
    limit: (d: IDelivery) => d.metricPutRequestsPerSecondLimit(),
  },
] as const;

const DELIVERY_ALARM_PERIODS = { dataFreshness: 1, deliverySuccess: 3, throttledRecords: 1, quotaUtilization: 3, sourceLag: 3 } as const;

/**
 * The alarms of a Firehose delivery stream, which no monitoring library ships: data freshness beyond the buffering
 * interval plus a margin (delivery is stale), delivery success below 1 (the destination refuses data), and, for direct
 * PUT, throttled records and volume near the Region's quotas; for a Kinesis source, Firehose's lag behind the stream.
 * Created as child `Alarms` of every delivery construct; by default they notify a KMS-encrypted SNS topic.
 * @see https://docs.aws.amazon.com/firehose/latest/dev/firehose-cloudwatch-metrics-best-practices.html
 */
export class DeliveryAlarms extends AlarmSet {
  /** The data-freshness threshold in seconds the alarm uses. */
  public readonly dataFreshnessThresholdSeconds: number;
  private readonly props: DeliveryAlarmsProps;

  constructor(scope: Construct, id: string, props: DeliveryAlarmsProps) {
    super(scope, id, props);
    validateDeliveryAlarmsProps(this, props, DELIVERY_ALARM_PERIODS);
    this.props = props;
    const d = props.delivery;

    const fresh = props.dataFreshness ?? {};
    const expected = secondsOf(props.expectedLatency) ?? L.DEFAULT_BUFFER_INTERVAL_SECONDS;
    this.dataFreshnessThresholdSeconds = secondsOf(fresh.maxAge) ?? Math.ceil(expected + (secondsOf(fresh.margin) ?? 300));
    this.thresholdAlarm('DataFreshness', {
      evaluation: fresh,
      defaultPeriods: DELIVERY_ALARM_PERIODS.dataFreshness,
      metric: d.metricDataFreshness(),
      threshold: this.dataFreshnessThresholdSeconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: `Delivery is stale: the oldest undelivered record is older than ${this.dataFreshnessThresholdSeconds} s (expected latency ${Math.ceil(expected)} s plus margin). Check the error log group and the destination`,
    });

    const success = props.deliverySuccess ?? {};
    const minRatio = success.minRatio ?? 1;
    this.thresholdAlarm('DeliverySuccess', {
      evaluation: success,
      defaultPeriods: DELIVERY_ALARM_PERIODS.deliverySuccess,
      metric: d.metricDeliverySuccess(),
      threshold: minRatio,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      description: `Deliveries fail: fewer than ${minRatio * 100} % of delivery attempts succeed. Firehose retries, then writes the records to the S3 error output; see the error log group`,
    });

    if (props.directPut) {
      const throttled = props.throttledRecords ?? {};
      this.thresholdAlarm('ThrottledRecords', {
        evaluation: throttled,
        defaultPeriods: DELIVERY_ALARM_PERIODS.throttledRecords,
        metric: d.metricThrottledRecords(),
        threshold: throttled.maxRecords ?? 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        description: 'Producers are throttled: records exceed the direct-PUT quotas of the delivery stream and must be retried (request a quota increase)',
      });
      const quota = props.quotaUtilization ?? {};
      const maxPercent = quota.maxPercent ?? 80;
      for (const q of DIRECT_PUT_QUOTAS) {
        this.thresholdAlarm(q.id, {
          evaluation: quota,
          defaultPeriods: DELIVERY_ALARM_PERIODS.quotaUtilization,
          metric: quotaUtilizationPercent(q.kind, q.incoming(d), q.limit(d), `${q.label} (% of quota)`),
          threshold: maxPercent,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          description: `Direct PUT ${q.what} above ${maxPercent} % of ${q.quota}: ${q.advice}`,
        });
      }
    } else {
      const lag = props.sourceLag ?? {};
      const maxLag = lag.maxLag ?? Duration.minutes(5);
      this.thresholdAlarm('SourceLag', {
        evaluation: lag,
        defaultPeriods: DELIVERY_ALARM_PERIODS.sourceLag,
        metric: d.metricKinesisMillisBehindLatest(),
        threshold: maxLag.toMilliseconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        description: `Firehose reads the source stream more than ${maxLag.toHumanString()} behind its tip: it shares the shards' read capacity with the other polling consumers`,
      });
    }
  }

  /** Freshness against its threshold, success ratio, and ingestion against the quotas or the source lag. */
  public widgets(): cloudwatch.IWidget[] {
    const d = this.props.delivery;
    const widgets: cloudwatch.IWidget[] = [
      new cloudwatch.GraphWidget({
        title: 'Data freshness (s)',
        left: [d.metricDataFreshness()],
        leftAnnotations: [{ value: this.dataFreshnessThresholdSeconds, label: 'Alarm' }],
        width: 8,
      }),
      new cloudwatch.GraphWidget({ title: 'Delivery success', left: [d.metricDeliverySuccess()], leftYAxis: { min: 0, max: 1 }, width: 8 }),
    ];
    if (this.props.directPut) {
      widgets.push(new cloudwatch.GraphWidget({
        title: 'Direct PUT quota use (%)',
        left: DIRECT_PUT_QUOTAS.map((q) => quotaUtilizationPercent(q.kind, q.incoming(d), q.limit(d), q.widgetLabel)),
        right: [d.metricThrottledRecords()],
        leftYAxis: { min: 0, max: 100 },
        width: 8,
      }));
    } else {
      widgets.push(new cloudwatch.GraphWidget({ title: 'Behind the source stream (ms)', left: [d.metricKinesisMillisBehindLatest()], width: 8 }));
    }
    return widgets;
  }
}
