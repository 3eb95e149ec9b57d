export { recordConversationMessage, groupCommitOf, type ConversationInbound, type ConversationInboundResult } from './inbound.js';
export { applyDeliveryStatus, type StatusUpdate } from './status.js';
export { startOutbox, kickOutbox, type OutboxDrainer } from './outbox.js';
export { startInbox } from './start.js';
export { assignConversation, assignBacklog } from './assignment.js';
export { insertExampleRules } from './examples.js';
export { inboxMetrics, metricsQuery } from './metrics.js';
export { sweepInbox } from './jobs.js';
