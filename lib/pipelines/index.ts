export * from './session-consumer';
export * from './session-consumer-alarms';
export * from './iot-sensor-pipeline';
export * from './clickstream-pipeline';
