export * from './shapes.js';
export * from './plan.js';
export { validateGraph, analyzeGraph, type ValidateOptions, type GraphNodeSpec } from './validate.js';
export { compileGraph, FlowValidationError } from './compile.js';
export { friendlyErrorMap, issueReason, said } from './messages.js';
export { templateUsesWithoutFallback, targetedSegmentIds } from './template-uses.js';
