import { Names, Stack, aws_cloudwatch as cloudwatch, aws_cloudwatch_actions as cw_actions, aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AlarmTopic } from './alarm-topic';

/** Options every alarm construct of this library takes. */
export interface AlarmSetOptions {
  /**
   * Create the alarms. Turn off to keep only metrics and dashboard widgets.
   * @default true
   */
  readonly alarmsEnabled?: boolean;
  /**
   * Topic the alarms notify.
   * @default - a new KMS-encrypted `AlarmTopic` (child `Topic`), unless `defaultAlarmTopic` is false
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Create a KMS-encrypted topic when `alarmTopic` is not given. Turn off to add your own actions only.
   * @default true
   */
  readonly defaultAlarmTopic?: boolean;
  /**
   * Prefix of the alarm names; names are `<prefix>-<alarm>`, stable across deploys.
   * @default - the stack name and this construct's unique id
   */
  readonly alarmNamePrefix?: string;
}

/**
 * Base of the alarm constructs (stream, autoscaler, Flink, Firehose): one place for naming, actions and the topic.
 * Metric definitions live beside the resource (`metricXxx()`); a subclass only decides thresholds and assembles.
 */
export abstract class AlarmSet extends Construct {
  /** Every alarm this construct created. */
  public readonly alarms: cloudwatch.Alarm[] = [];
  /** The topic the alarms notify, if any. */
  public readonly alarmTopic?: sns.ITopic;
  /** Whether alarms are created. */
  protected readonly alarmsEnabled: boolean;
  private readonly namePrefix: string;
  private readonly actions: cloudwatch.IAlarmAction[] = [];

  constructor(scope: Construct, id: string, options: AlarmSetOptions = {}) {
    super(scope, id);
    this.alarmsEnabled = options.alarmsEnabled ?? true;
    this.namePrefix = options.alarmNamePrefix ?? `${Stack.of(this).stackName}-${Names.uniqueResourceName(this, { maxLength: 120 })}`;
    if (this.alarmsEnabled) {
      this.alarmTopic = options.alarmTopic
        ?? ((options.defaultAlarmTopic ?? true) ? new AlarmTopic(this, 'Topic').topic : undefined);
      if (this.alarmTopic) this.actions.push(new cw_actions.SnsAction(this.alarmTopic));
    }
  }

  /** Adds an action (SNS, Lambda, Systems Manager...) to every alarm, present and future. */
  public addAlarmAction(...actions: cloudwatch.IAlarmAction[]): void {
    this.actions.push(...actions);
    for (const alarm of this.alarms) alarm.addAlarmAction(...actions);
  }

  /** Dashboard widgets for what this construct watches. */
  public abstract widgets(): cloudwatch.IWidget[];

  /** Creates an alarm named `<prefix>-<id>` with the actions of this set; none when alarms are turned off. */
  protected createAlarm(id: string, props: cloudwatch.AlarmProps): cloudwatch.Alarm | undefined {
    if (!this.alarmsEnabled) return undefined;
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: `${this.namePrefix}-${id}`,
      ...props,
    });
    alarm.addAlarmAction(...this.actions);
    alarm.addOkAction(...this.actions);
    this.alarms.push(alarm);
    return alarm;
  }
}
