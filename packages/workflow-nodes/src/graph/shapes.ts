/**
 * `@nudge/workflow-nodes/graph`: the shapes the editor shares with the server — the flow graph,
 * validation problems, output ports and the node manifest. Browser-safe: imports zod and nothing
 * of the nodes' runtime (a test keeps it so).
 */
export * from './schema.js';
export * from './ports.js';
export * from '../manifest-schema.js';
export { clockTimeSchema, quietHoursSchema, frequencyCapSchema, type QuietHours, type FrequencyCap } from '../time/schemas.js';
export { flowEventTypes, type FlowEventType } from '../events.js';
