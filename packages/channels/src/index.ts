export * from './types.js';
export * from './idempotency.js';
export * from './email.js';
export * from './whatsapp.js';
export * from './sms.js';
export * from './channels.js';
export * from './sql-idempotency.js';
export * from './whatsapp-webhooks.js';
