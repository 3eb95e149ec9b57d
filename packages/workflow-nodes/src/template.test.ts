import { describe, expect, it } from 'vitest';
import { customerSnapshotSchema } from './customer.js';
import { customerTemplateValues, oftenEmptyVariableWarnings, renderTemplate, templateVariables, unknownTemplateVariables } from './template.js';

describe('templates', () => {
  const customer = customerSnapshotSchema.parse({
    id: 'c1',
    name: '陳美玲',
    company: '美玲貿易',
    ownerName: 'Carlos',
    lastProduct: 'POS terminal',
    fields: { tier: 'A' },
    custom: { budget: 250000, city: 'Taichung' },
  });

  it('renders builtin, custom and event variables, with fallbacks', () => {
    const values = customerTemplateValues(customer, { text: 'hola' });
    expect(renderTemplate('{name}（{company}）: {owner} / {last_product} / {custom.budget} / {tier} / {event.text}', values)).toEqual({
      text: '陳美玲（美玲貿易）: Carlos / POS terminal / 250000 / A / hola',
      missing: [],
    });
    expect(renderTemplate('Hi { name }, {email|no email}, {custom.none}!', values)).toEqual({ text: 'Hi 陳美玲, no email, !', missing: ['custom.none'] });
  });

  it('uses the fallback for an empty or blank value, trimmed: {company|your company}', () => {
    const noCompany = customerTemplateValues(customerSnapshotSchema.parse({ id: 'c2', name: 'Ana', company: '   ', fields: {}, custom: {} }));
    expect(renderTemplate('Can we help with {company | your company} at {company|your company}?', noCompany)).toEqual({
      text: 'Can we help with your company at your company?',
      missing: [],
    });
    expect(renderTemplate('help with {company} at ?', noCompany)).toEqual({ text: 'help with  at ?', missing: ['company'] });
    expect(renderTemplate('{company|x}', { company: ' ' }).text).toBe('x');
  });

  it('warns, by node and field, when a variable without fallback is often empty', () => {
    const uses = [
      { nodeId: 'email', field: 'body', variable: 'company' },
      { nodeId: 'email', field: 'subject', variable: 'name' },
      { nodeId: 'email', field: 'body', variable: 'event.text' },
    ];
    const shares: Record<string, { empty: number; total: number }> = { company: { empty: 3, total: 10 }, name: { empty: 2, total: 10 } };
    expect(oftenEmptyVariableWarnings(uses, (v) => shares[v])).toEqual([
      expect.objectContaining({ nodeId: 'email', field: 'body', code: 'template.often_empty', variable: 'company', emptyShare: 0.3,
        message: expect.stringContaining('{company} is empty for 30 % of the customers this flow targets (3 of 10)') }),
    ]);
  });

  it('leaves JSON and other braces alone', () => {
    expect(renderTemplate('{"a": 1, "b": "{name}"} {} {1x}', { name: 'N' }).text).toBe('{"a": 1, "b": "N"} {} {1x}');
    expect(templateVariables('{"a": {name}}').map((v) => v.name)).toEqual(['name']);
  });

  it('reports unknown variables in plain words', () => {
    expect(unknownTemplateVariables('Hi {nmae}, {custom.city}, {custom.cty}', { customFields: ['city'] })).toEqual([
      { name: 'nmae', message: expect.stringContaining('The variable {nmae} is unknown. Use one of {name}') },
      { name: 'custom.cty', message: expect.stringContaining('custom field "cty" that does not exist. Known custom fields: city') },
    ]);
    expect(unknownTemplateVariables('{custom.anything} {event.x} {owner}')).toEqual([]);
  });
});
