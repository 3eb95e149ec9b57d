/** The flow runtime as other packages (bench/, test/) use it: `@nudge/server/flows`. */
export { startFlowRuntime, type FlowRuntime, type FlowRuntimeOptions } from './worker.js';
export { enrollCustomer, enrollMany, type EnrollOptions, type EnrollResult, type EnrollManyResult } from './enroll.js';
export { sweepAll, sweepFlow, type SweepResult } from './triggers.js';
