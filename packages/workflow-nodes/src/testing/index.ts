export * from './memory-context.js';
export { edge, followUpFlow, step } from '../graph/fixtures.js';
