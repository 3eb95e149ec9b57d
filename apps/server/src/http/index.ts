export * from './auth.js';
export * from './errors.js';
export * from './route.js';
export { hashPassword, verifyPassword } from './passwords.js';
