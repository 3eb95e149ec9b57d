import { describe, expect, it } from 'vitest';
import { CustomerOut } from './customers.js';
import { customerAnswer } from './testing.js';

describe('customerAnswer', () => {
  it('is a whole customer as the contract says, with what was given', () => {
    const c = customerAnswer({ id: '22222222-2222-4222-8222-222222222222', fullName: 'Ana García', ownerId: 'u-owner' });
    expect(CustomerOut.safeParse(c).success).toBe(true);
    expect(c).toMatchObject({ fullName: 'Ana García', ownerId: 'u-owner', tags: [], masked: false });
  });
});
