export * from './session-consumer';
export * from './iot-sensor-pipeline';
export * from './clickstream-pipeline';
