import { describe, expect, it } from 'vitest';
import { resolveMapping, suggestMapping } from './mapping.js';
import { CsvImportError } from './errors.js';

describe('suggestMapping', () => {
  it('maps English headers', () => {
    const { mapping } = suggestMapping(['Full Name', 'Company', 'Mobile', 'E-mail', 'Tags', 'Lead source']);
    expect(mapping).toEqual({ 'Full Name': 'fullName', Company: 'company', Mobile: 'phone', 'E-mail': 'email', Tags: 'tags', 'Lead source': 'source' });
  });

  it('maps Traditional Chinese headers', () => {
    const { mapping } = suggestMapping(['客戶姓名', '電話', '公司', '電郵', '行業', '備註']);
    expect(mapping).toEqual({ 客戶姓名: 'fullName', 電話: 'phone', 公司: 'company', 電郵: 'email', 行業: 'industry', 備註: 'notes' });
  });

  it('maps Simplified Chinese headers', () => {
    const { mapping } = suggestMapping(['客户姓名', '电话', '公司名称', '邮箱', '生日', '标签']);
    expect(mapping).toEqual({ 客户姓名: 'fullName', 电话: 'phone', 公司名称: 'company', 邮箱: 'email', 生日: 'birthday', 标签: 'tags' });
  });

  it('maps Spanish headers, with or without accents', () => {
    const { mapping } = suggestMapping(['Nombre del Cliente', 'Teléfono', 'Empresa', 'Correo electrónico', 'Cumpleaños', 'Notas']);
    expect(mapping).toEqual({
      'Nombre del Cliente': 'fullName',
      Teléfono: 'phone',
      Empresa: 'company',
      'Correo electrónico': 'email',
      Cumpleaños: 'birthday',
      Notas: 'notes',
    });
  });

  it('recognises a synonym inside a longer header and keeps unknown columns as custom fields', () => {
    const { mapping, suggestions } = suggestMapping(['客戶姓名（必填）', '手機號碼', '會員卡號']);
    expect(mapping).toEqual({ '客戶姓名（必填）': 'fullName', 手機號碼: 'phone', 會員卡號: 'custom:會員卡號' });
    expect(suggestions.map((s) => s.match)).toEqual(['partial', 'exact', 'none']);
  });

  it('gives a field to one column only, preferring the exact synonym', () => {
    const { mapping } = suggestMapping(['Phone (office)', 'Phone']);
    expect(mapping).toEqual({ 'Phone (office)': 'custom:Phone (office)', Phone: 'phone' });
  });
});

describe('resolveMapping', () => {
  const headers = ['Nombre', 'Teléfono', 'Móvil', 'Empresa'];

  it('applies overrides on top of the suggestion', () => {
    expect(resolveMapping(headers, { Móvil: 'phone', Teléfono: 'ignore' })).toEqual({
      Nombre: 'fullName',
      Teléfono: 'ignore',
      Móvil: 'phone',
      Empresa: 'company',
    });
  });

  it('moves a field taken by an override away from the suggested column', () => {
    expect(resolveMapping(headers, { Móvil: 'phone' })).toMatchObject({ Teléfono: 'custom:Teléfono', Móvil: 'phone' });
  });

  it('refuses a mapping without a name, an unknown column, a field mapped twice and an unknown target', () => {
    const error = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(CsvImportError);
        return (e as CsvImportError).message;
      }
      throw new Error('expected an error');
    };
    expect(error(() => resolveMapping(headers, { Nombre: 'ignore' }))).toMatch(/No column is mapped to the customer name/);
    expect(error(() => resolveMapping(headers, { Apellido: 'fullName' }))).toMatch(/column "Apellido" that the file does not have/);
    expect(error(() => resolveMapping(headers, { Teléfono: 'phone', Móvil: 'phone' }))).toMatch(/"Teléfono" and "Móvil" are both mapped to phone/);
    expect(error(() => resolveMapping(headers, { Empresa: 'employer' as never }))).toMatch(/Mapping for column "Empresa"/);
    expect(error(() => resolveMapping(['name', 'name'], {}))).toMatch(/^Line 1: the header has the same column name more than once/);
  });
});

describe('suggestMapping: owner', () => {
  it('recognises the owner column in each language', () => {
    for (const header of ['Owner', '負責人', '负责人', 'Responsable']) expect(suggestMapping(['Name', header]).mapping[header]).toBe('ownerId');
  });
});

describe('suggestMapping: a header naming two fields', () => {
  it('maps the owner column of a CRM export to the owner, never to the name', () => {
    const headers = ['Customer', 'Phone', 'Contact owner', 'Customer owner', '客戶負責人', '負責人姓名', 'Nombre del responsable', 'Owner email'];
    const { mapping } = suggestMapping(headers);
    // one column per field: the first owner header takes it, the others stay custom fields
    expect(mapping['Contact owner']).toBe('ownerId');
    expect(mapping.Customer).toBe('fullName');
    for (const h of headers.slice(3)) expect(mapping[h], h).toBe(`custom:${h}`);
    for (const h of headers.slice(3)) expect(suggestMapping(['Name', h]).mapping[h], h).toBe('ownerId');
  });

  it('leaves a header holding words of two fields as a custom field instead of guessing by length', () => {
    const { mapping, suggestions } = suggestMapping(['Customer email', 'Company phone']);
    expect(mapping).toEqual({ 'Customer email': 'custom:Customer email', 'Company phone': 'custom:Company phone' });
    expect(suggestions.map((s) => s.match)).toEqual(['none', 'none']);
    // another column holding the name does not make the guess safer
    expect(suggestMapping(['Client', 'Customer email']).mapping).toEqual({ Client: 'fullName', 'Customer email': 'custom:Customer email' });
  });

  it('still reads a longer synonym that holds a shorter one of another field', () => {
    // "contact number" (phone) holds "contact" (a name word): the phone synonym covers it
    expect(suggestMapping(['Name', 'Contact number (home)']).mapping['Contact number (home)']).toBe('phone');
  });
});
