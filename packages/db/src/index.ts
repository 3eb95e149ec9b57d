export * from './client.js';
export { migrate, migrationsFolder } from './migrate.js';
export * as schema from './schema/index.js';
export { customerFields, customerValue, customerValueColumns, CUSTOMER_FIELD_TRAITS } from './customer-fields.js';
export { buildFieldRegistry, FieldRegistry, type CustomerField, type FieldFormat, type FieldTraits, type FieldType } from './fields.js';
export { preparedOnce, preparedCount } from './prepared.js';
