/** Tags for the rest of the server: flow actions (add/remove with expiry) and the expiry job. */
export { addTag, removeTag, expireTags, issueTagReminders, findTag, tagsExpiringWithin, tagHealth, type AddTagOptions } from './service.js';
export { createTagsRouter, createCustomerTagsRouter } from './router.js';
export { startCustomerJobs, runCustomerJobs } from './jobs.js';
