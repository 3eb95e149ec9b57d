export * from './system.js';
export * from './users.js';
export * from './customers.js';
export * from './tags.js';
export * from './interactions.js';
export * from './audit.js';
export * from './segments.js';
export * from './imports.js';
