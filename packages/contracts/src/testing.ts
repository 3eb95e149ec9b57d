/**
 * `@nudge/contracts/testing`: answers shaped exactly as the server sends them, for tests that
 * stand in for the API (the editor's component tests). Built from the same registry as the
 * schemas, so a fixture cannot drift from the contract.
 */
import { customerFields } from '@nudge/db/fields';
import { CustomerOut, type CustomerOut as Customer } from './customers.js';

/** A customer answer (GET /api/customers/:id): every field empty (null, [], false, 0) except those given. */
export function customerAnswer(over: Partial<Customer> & Pick<Customer, 'id' | 'fullName'>): Customer {
  const empty: Record<string, unknown> = {};
  for (const f of customerFields.api) {
    empty[f.name] =
      f.name === 'customFields' ? {}
      : f.type === 'array' || f.name === 'preferredContactSlots' ? []
      : !f.notNull ? null
      : f.type === 'boolean' ? false
      : f.type === 'number' ? 0
      : f.type === 'enum' ? f.values![0]
      : f.type === 'datetime' ? '2026-01-01T00:00:00.000Z'
      : '';
  }
  return CustomerOut.parse({ ...empty, tags: [], masked: false, ...over });
}
