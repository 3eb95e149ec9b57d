/**
 * Enum values as plain lists (no drizzle), so the API contracts the editor bundles can name them
 * without the table definitions. The pg enums are built from these lists.
 */

/** admin: everything; manager: all customers and settings; agent: own/team customers; viewer: read-only, masked. */
export const USER_ROLES = ['admin', 'manager', 'agent', 'viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const TAG_DIMENSIONS = ['attribute', 'behaviour', 'value'] as const;

export const CONVERSATION_STATUSES = ['open', 'pending', 'snoozed', 'resolved'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];
