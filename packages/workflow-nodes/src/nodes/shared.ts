import type { Condition } from '../condition.js';
import { evaluateCondition, segmentIdsIn } from '../condition.js';
import type { NodeContext } from '../context.js';
import type { CustomerSnapshot } from '../customer.js';
import { NonRetryableNodeError } from '../errors.js';
import { t } from '../i18n.js';

export const nextPort = { id: 'next', label: t('Then', '然後', '然后', 'Después'), optional: true } as const;

/** The run's customer; a customer erased meanwhile fails the step without retries. */
export async function loadCustomer(ctx: NodeContext): Promise<CustomerSnapshot> {
  const customer = await ctx.customers.get(ctx.run.customerId);
  if (!customer) {
    throw new NonRetryableNodeError(
      `Customer ${ctx.run.customerId} no longer exists (deleted or erased); the step cannot run.`,
      'customer_missing',
    );
  }
  return customer;
}

/** Looks up every segment the conditions mention, then evaluates them. */
export async function evaluateForCustomer(
  ctx: NodeContext,
  customer: CustomerSnapshot,
  conditions: readonly Condition[],
): Promise<boolean[]> {
  const ids = new Set<string>();
  for (const c of conditions) segmentIdsIn(c, ids);
  const segments = new Map<string, boolean>();
  await Promise.all(
    [...ids].map(async (id) => segments.set(id, await ctx.customers.inSegment(customer.id, id))),
  );
  const input = { nowMs: ctx.now(), segments };
  return conditions.map((c) => evaluateCondition(c, customer, input));
}

/** The owner's user id, or a non-retryable error naming what to fix. */
export function requireOwner(customer: CustomerSnapshot, what: string): string {
  if (!customer.ownerId) {
    throw new NonRetryableNodeError(
      `Customer ${customer.name} has no owner, so ${what} has nobody to go to. Assign an owner first (e.g. with an "Assign owner" step).`,
      'owner_missing',
    );
  }
  return customer.ownerId;
}
