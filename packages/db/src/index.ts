export * from './client.js';
export { migrate, migrationsFolder } from './migrate.js';
export * as schema from './schema/index.js';
