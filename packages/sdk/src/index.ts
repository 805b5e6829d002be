export { Runlog } from './client.js';
export { RunHandle } from './run-handle.js';
export { RunlogDeliveryError } from './types.js';
export type {
  ActivityOptions, DeliveryReason, Json, RunEndValues, RunOptions, RunlogOptions, RunlogStats, StepOptions,
} from './types.js';
