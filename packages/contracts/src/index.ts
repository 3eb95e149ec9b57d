/**
 * `@nudge/contracts`: the HTTP API's request and answer shapes, as zod schemas. The server's
 * routes validate with them and the OpenAPI document is generated from them; the editor parses
 * answers with them. Browser-safe: zod, the customer field registry and workflow-nodes' shapes
 * (`@nudge/workflow-nodes/graph`), nothing that touches a database or a node: module.
 * Component names for OpenAPI are given with zod's own `.meta({ id })`, which
 * @asteasolutions/zod-to-openapi (v8+) reads, so no `.openapi()` extension is needed.
 */
export * from './flows.js';
export * from './customers.js';
export * from './tasks.js';
export * from './fields.js';
export * from './tags.js';
export * from './segments.js';
export * from './auth.js';
export * from './conversations.js';
export * from './permissions.js';
export * from './templates.js';
export * from './inbox-metrics.js';
