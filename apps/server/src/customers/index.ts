/**
 * Customer operations for the rest of the server (the flow engine's activities, imports):
 * all take the AppContext and an actor (null = the system, e.g. a flow) and emit DomainEvents.
 *   createCustomer, updateCustomer (field changes with old/new values), addInteraction (timeline:
 *   messages, notes, calls, tasks, orders, flow steps; keeps last_interaction_at / last_follow_up_at /
 *   total_spend current), adjustPoints, mergeCustomers, eraseCustomer, normalisePhoneField.
 */
export {
  addInteraction,
  addInteractionOnce,
  addProviderMessage,
  adjustPoints,
  createCustomer,
  eraseCustomer,
  FOLLOW_UP_KINDS,
  mergeCustomers,
  normalisePhoneField,
  presentCustomer,
  updateCustomer,
  type CustomerRow,
} from './service.js';
export { maskEmail, maskPhone, visibleTo, canSee } from './access.js';
export { CustomerCreate, CustomerPatch, InteractionCreate } from '@nudge/contracts';
export { createCustomersRouter } from './router.js';
