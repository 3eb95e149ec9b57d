import { describe, expect, it } from 'vitest';
import { mergeCustomer } from './merge.js';

describe('mergeCustomer', () => {
  it('fills empty fields, keeps equal ones and reports conflicts without dropping a value', () => {
    const base = { fullName: '張大明', company: '台積電', phone: '+886912345678', phoneRaw: '0912-345-678', tags: ['VIP'], custom: { 卡號: 'M-1' } };
    const incoming = {
      fullName: '張大明',
      company: '鴻海',
      email: 'daming@example.tw',
      phone: '+886933222111',
      phoneRaw: '0933-222-111',
      tags: ['VIP', '潛在客戶'],
      notes: 'prefers calls',
      custom: { 卡號: 'M-2', 生肖: '龍' },
    };
    const r = mergeCustomer(base, incoming, 9);
    expect(r.merged).toEqual({
      fullName: '張大明',
      company: '台積電',
      phone: '+886912345678',
      phoneRaw: '0912-345-678',
      email: 'daming@example.tw',
      tags: ['VIP', '潛在客戶'],
      notes: 'prefers calls',
      custom: { 卡號: 'M-1', 生肖: '龍' },
    });
    expect(r.filled.sort()).toEqual(['custom:生肖', 'email', 'notes', 'tags']);
    expect(r.conflicts).toEqual([
      { field: 'company', kept: '台積電', incoming: '鴻海', line: 9 },
      { field: 'phone', kept: '+886912345678', incoming: '0933-222-111', line: 9 },
      { field: 'custom:卡號', kept: 'M-1', incoming: 'M-2', line: 9 },
    ]);
  });

  it('treats case differences as equal and keeps products within two, reporting the rest', () => {
    const r = mergeCustomer({ fullName: 'Ana', email: 'ana@x.es', productsOfInterest: ['A'], custom: {} }, { fullName: 'ANA', productsOfInterest: ['B', 'C'], custom: {} }, 4);
    expect(r.merged.productsOfInterest).toEqual(['A', 'B']);
    expect(r.conflicts).toEqual([{ field: 'productsOfInterest', kept: ['A', 'B'], incoming: ['C'], line: 4 }]);
  });

  it('appends a different note instead of replacing it', () => {
    const r = mergeCustomer({ fullName: 'Ana', notes: 'first', custom: {} }, { fullName: 'Ana', notes: 'second', custom: {} }, 3);
    expect(r.merged.notes).toBe('first\nsecond');
    expect(r.conflicts).toEqual([]);
  });
});

describe('mergeCustomer: spellings of the same value', () => {
  it('does not report a name or company written differently as a conflict', () => {
    const r = mergeCustomer(
      { fullName: 'María García', company: 'Telefónica', custom: {} },
      { fullName: 'Garcia, Maria', company: 'TELEFONICA S.A.', custom: {} },
      2,
    );
    expect(r.conflicts).toEqual([]);
    expect(r.merged).toMatchObject({ fullName: 'María García', company: 'Telefónica' });
    expect(mergeCustomer({ fullName: '張大明', custom: {} }, { fullName: '张大明', custom: {} }, 3).conflicts).toEqual([]);
  });
});
