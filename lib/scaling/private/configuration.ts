/**
 * The configuration the ShardAutoscaler construct builds from its resolved props: the handler's configuration and the
 * settings the alarms and rules are made from.
 */
import { Duration } from 'aws-cdk-lib';
import { AutoscalerHandlerConfig } from './handler-config';
import { AlarmThresholds, SensitivityName, alarmThresholds } from './thresholds';

/** The ShardAutoscaler props the construct reads, with every default applied. */
export interface AutoscalerSettings {
  readonly minShards: number;
  readonly maxShards: number;
  readonly targetUtilization: number;
  readonly scaleOutSensitivity: SensitivityName;
  readonly scaleInSensitivity: SensitivityName;
  /** Undefined: the handler's policy applies its own default. */
  readonly reserveCallsForScaleOut?: number;
  readonly lagGuard?: Duration;
  readonly lagGuardConsumers: string[];
  readonly lagGuardIteratorAge: boolean;
  readonly dryRun: boolean;
  readonly recheckInterval: Duration;
  /** Undefined: CloudFormation names the alarms. */
  readonly alarmNamePrefix?: string;
  /** The alarm thresholds that agree with the handler's policy for these settings. */
  readonly thresholds: AlarmThresholds;
}

/** The settings, less the thresholds, which follow from them. */
export type AutoscalerSettingsInput = Omit<AutoscalerSettings, 'thresholds'>;

export function autoscalerSettings(input: AutoscalerSettingsInput): AutoscalerSettings {
  return { ...input, thresholds: alarmThresholds(input.targetUtilization, input.scaleOutSensitivity, input.scaleInSensitivity) };
}

/** What the handler reads from its environment, beside the settings. */
export interface AutoscalerResources {
  readonly streamName: string;
  readonly streamArn: string;
  readonly tableName: string;
  readonly topicArn: string;
  /** The three scaling alarms' names (their Ref when CloudFormation names them). */
  readonly alarmNames: AutoscalerHandlerConfig['alarmNames'];
}

/** The handler's configuration (serialised into its environment). */
export function autoscalerHandlerConfig(settings: AutoscalerSettings, resources: AutoscalerResources): AutoscalerHandlerConfig {
  return {
    streamName: resources.streamName,
    streamArn: resources.streamArn,
    tableName: resources.tableName,
    topicArn: resources.topicArn,
    alarmNames: resources.alarmNames,
    minShards: settings.minShards,
    maxShards: settings.maxShards,
    targetUtilization: settings.targetUtilization,
    scaleOutSensitivity: settings.scaleOutSensitivity,
    scaleInSensitivity: settings.scaleInSensitivity,
    reserveCallsForScaleOut: settings.reserveCallsForScaleOut,
    lagGuardMillis: settings.lagGuard?.toMilliseconds(),
    lagGuardConsumers: settings.lagGuardConsumers,
    lagGuardIteratorAge: settings.lagGuardIteratorAge,
    dryRun: settings.dryRun,
  };
}
