/**
 * The customer field registry end to end: GET /api/fields (and its OpenAPI entry), labels in the
 * four locale files, and the recipe "adding a typed customer field" (packages/db README) played
 * on a fixture table: one column + one traits entry and the field is in segments, flow
 * conditions, the import's mapping / validation / merge and the export.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { buildFieldRegistry, CUSTOMER_FIELD_TRAITS, customerFields, FieldRegistry } from '@nudge/db';
import { mergeCustomer, resolveMapping, suggestMapping, validateRow } from '@nudge/customer-import';
import { createTestApp, type TestApp, type TestUser } from '../http/testing.js';
import { segmentFieldsOf } from '../segments/compile.js';
import { describeFields, LOCALES } from './router.js';

let t: TestApp;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user('admin');
});
afterAll(() => t.close());

describe('GET /api/fields', () => {
  it('serves the registry with labels in four languages, flags and import aliases; documented in OpenAPI', async () => {
    const res = await t.http.get('/api/fields').set(admin.auth);
    expect(res.status).toBe(200);
    const budgetMin = res.body.fields.find((f: { name: string }) => f.name === 'budgetMin');
    expect(budgetMin).toMatchObject({
      name: 'budgetMin',
      column: 'budget_min',
      type: 'number',
      labels: { en: 'Budget from', 'zh-Hant': expect.any(String), 'zh-Hans': expect.any(String), es: expect.any(String) },
      segment: true,
      condition: true,
      export: true,
      masked: null,
      notAbove: 'budgetMax',
      import: { aliases: expect.arrayContaining(['min budget', '預算下限']), required: false },
    });
    const phone = res.body.fields.find((f: { name: string }) => f.name === 'phone');
    expect(phone).toMatchObject({ masked: 'phone', format: 'phone' });
    expect(res.body.fields.map((f: { name: string }) => f.name)).not.toContain('consentUpdatedAt');
    expect((await t.http.get('/api/fields')).status).toBe(401);
    const doc = await t.http.get('/api/openapi.json');
    expect(doc.body.paths['/api/fields']?.get).toBeTruthy();
  });

  it('every field has its own label in each locale file', () => {
    for (const [lng, file] of Object.entries(LOCALES)) {
      const missing = customerFields.api.filter((f) => !(file.fields as Record<string, string>)[f.name]).map((f) => f.name);
      expect(missing, `fields.<name> missing in ${lng}`).toEqual([]);
    }
  });
});

describe('adding a typed customer field (README recipe, on a fixture table)', () => {
  // Step 1: the column (on a fixture copy of a few of the table's columns).
  const customers = pgTable('customers', {
    id: uuid('id').primaryKey().defaultRandom(),
    fullName: text('full_name').notNull(),
    email: text('email'),
    loyaltyCode: text('loyalty_code'),
  });
  // Step 2: its traits entry.
  const { id, fullName, email } = CUSTOMER_FIELD_TRAITS;
  const registry = new FieldRegistry(
    buildFieldRegistry(customers, {
      id,
      fullName,
      email,
      loyaltyCode: { segment: true, condition: true, maxLength: 20, import: { aliases: ['loyalty code', '會員代碼', 'codigo de fidelidad'] } },
    }),
  );

  it('is in the registry with its column and type derived from the table', () => {
    expect(registry.get('loyaltyCode')).toMatchObject({ column: 'loyalty_code', type: 'text', sqlType: 'text', writable: true, export: true });
    expect(registry.get('email')).toMatchObject({ column: 'email', mask: 'email', format: 'email' });
    expect(describeFields(registry).find((f) => f.name === 'loyaltyCode')).toMatchObject({ segment: true, export: true });
  });

  it('segments and flow conditions may test it', () => {
    expect(segmentFieldsOf(registry).loyaltyCode).toEqual({ column: 'loyalty_code', type: 'text' });
    expect(registry.condition.map((f) => f.name)).toContain('loyaltyCode');
  });

  it('the import maps its header in any language, checks it, and merges it into a duplicate', () => {
    const headers = ['Name', '會員代碼'];
    expect(suggestMapping(headers, registry).mapping).toEqual({ Name: 'fullName', 會員代碼: 'loyaltyCode' });
    const mapping = resolveMapping(headers, {}, registry);
    const ok = validateRow({ line: 2, values: ['Ana', 'GOLD-7'] }, headers, mapping, { defaultRegion: 'TW', fields: registry });
    expect(ok).toEqual({ ok: true, line: 2, customer: { fullName: 'Ana', loyaltyCode: 'GOLD-7', custom: {} } });
    const bad = validateRow({ line: 3, values: ['Ana', 'X'.repeat(21)] }, headers, mapping, { defaultRegion: 'TW', fields: registry });
    expect(bad).toMatchObject({ ok: false, errors: [{ line: 3, column: '會員代碼', field: 'loyaltyCode', message: 'is longer than 20 characters' }] });
    // Without the registry entry the column is kept as a custom field, never dropped.
    expect(suggestMapping(headers).mapping['會員代碼']).toBe('custom:會員代碼');
    const merged = mergeCustomer({ fullName: 'Ana', custom: {} }, { fullName: 'Ana', loyaltyCode: 'GOLD-7', custom: {} }, 2, registry);
    expect(merged.filled).toEqual(['loyaltyCode']);
    expect(merged.merged.loyaltyCode).toBe('GOLD-7');
    const conflict = mergeCustomer({ fullName: 'Ana', loyaltyCode: 'A', custom: {} }, { fullName: 'Ana', loyaltyCode: 'B', custom: {} }, 5, registry);
    expect(conflict.conflicts).toEqual([{ field: 'loyaltyCode', kept: 'A', incoming: 'B', line: 5 }]);
  });

  it('is a column of the export', () => {
    expect(registry.export.map((f) => f.name)).toContain('loyaltyCode');
  });

  it('refuses traits for a column the table does not have', () => {
    expect(() => buildFieldRegistry(customers, { loyaltyKode: { segment: true } })).toThrow(/loyaltyKode/);
  });
});
