import { describe, expect, it } from 'vitest';
import { validateRow } from './row.js';
import { normalisePhone } from './normalise.js';
import { resolveMapping } from './mapping.js';

describe('normalisePhone', () => {
  it.each([
    ['0912-345-678', '+886912345678'],
    ['+886 912 345 678', '+886912345678'],
    ['(02) 2345-6789', '+886223456789'],
    ['00886 912 345 678', '+886912345678'],
    ['０９１２３４５６７８', '+886912345678'],
  ])('reads %s in region TW as %s', (raw, e164) => {
    expect(normalisePhone(raw, 'TW')).toEqual({ ok: true, e164 });
  });

  it('uses the default region for national numbers', () => {
    expect(normalisePhone('612 345 678', 'ES')).toEqual({ ok: true, e164: '+34612345678' });
    expect(normalisePhone('138 0013 8000', 'CN')).toEqual({ ok: true, e164: '+8613800138000' });
    expect(normalisePhone('+34 612 345 678', 'TW')).toEqual({ ok: true, e164: '+34612345678' });
  });

  it('refuses what is not a phone number, saying what to write', () => {
    const r = normalisePhone('12345', 'TW');
    expect(r).toEqual({ ok: false, message: expect.stringMatching(/"12345" is not a valid phone number for country TW.*e\.g\. \+886 /), example: expect.stringMatching(/^\+886 /) });
  });

  it('reads a local number in the import\'s country and refuses one not valid there, never guessing another', () => {
    expect(normalisePhone('612 345 679', 'ES')).toEqual({ ok: true, e164: '+34612345679' });
    // a Taiwanese mobile written without +886 is not a Spanish number: an error with a Spanish example
    const r = normalisePhone('0912 345 678', 'ES');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/^"0912 345 678" is not a valid phone number for country ES; .* e\.g\. \+34 \d/);
  });
});

describe('validateRow', () => {
  const headers = ['客戶姓名', '電話', '電郵', '公司', '等級', '生日', '標籤', '會員卡號', '意向產品', '預算上限'];
  const mapping = resolveMapping(headers);
  const row = (values: string[], line = 2) => validateRow({ line, values }, headers, mapping, { defaultRegion: 'TW' });

  it('normalises a good row', () => {
    const r = row(['  張大明 ', '0912-345-678', ' DaMing@Example.TW ', '台積電', 'a', '1988/5/3', '潛在客戶、VIP', 'M-001', 'A100, B200', '100,000']);
    expect(r).toEqual({
      ok: true,
      line: 2,
      customer: {
        fullName: '張大明',
        phone: '+886912345678',
        phoneRaw: '0912-345-678',
        email: 'daming@example.tw',
        company: '台積電',
        tier: 'A',
        birthday: '1988-05-03',
        tags: ['潛在客戶', 'VIP'],
        productsOfInterest: ['A100', 'B200'],
        budgetMax: 100000,
        custom: { 會員卡號: 'M-001' },
      },
    });
  });

  it('reports every bad value with line, column and field', () => {
    const r = row(['', '12345', 'not-an-email', '', 'Z', '1988-02-30', '', '', 'a,b,c', 'lots'], 7);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      { line: 7, column: '電話', field: 'phone', message: expect.stringContaining('"12345" is not a valid phone number'), code: 'phone_invalid', params: { value: '12345', country: 'TW', example: expect.stringMatching(/^\+886/) } },
      { line: 7, column: '電郵', field: 'email', message: '"not-an-email" is not a valid e-mail address', code: 'email_invalid', params: { value: 'not-an-email' } },
      { line: 7, column: '等級', field: 'tier', message: '"Z" is not a tier; use A, B, C or strategic', code: 'enum_invalid', params: { value: 'Z', field: 'tier', values: 'A, B, C, strategic' } },
      { line: 7, column: '生日', field: 'birthday', message: expect.stringContaining('"1988-02-30" is not a date'), code: 'date_invalid', params: { value: '1988-02-30' } },
      { line: 7, column: '意向產品', field: 'productsOfInterest', message: expect.stringContaining('at most 2 productsOfInterest'), code: 'too_many_items', params: { value: 'a,b,c', count: 3, max: 2, field: 'productsOfInterest' } },
      { line: 7, column: '預算上限', field: 'budgetMax', message: expect.stringContaining('"lots" is not an amount'), code: 'not_amount', params: { value: 'lots' } },
      { line: 7, column: '客戶姓名', field: 'fullName', message: 'is empty; every customer needs a name', code: 'name_required', params: {} },
    ]);
  });

  it('reports a row with more values than the header has columns', () => {
    const r = validateRow({ line: 3, values: ['Ana', '600123456', 'ACME', 'S.A.'] }, ['name', 'phone', 'company'], resolveMapping(['name', 'phone', 'company']), {
      defaultRegion: 'ES',
    });
    expect(r).toEqual({ ok: false, line: 3, errors: [{ line: 3, message: expect.stringContaining('has 4 values but the header has 3 columns'), code: 'extra_values', params: { values: 4, columns: 3 } }] });
  });
});
