import { describe, expect, it } from 'vitest';
import { fieldsFromSchema, humanize, initialValue, problemsForField, type JsonSchema } from './schemaModel';

// Shapes as zod 4's z.toJSONSchema() writes them.
const sendMessage: JsonSchema = {
  type: 'object',
  properties: {
    channel: { type: 'string', enum: ['email', 'whatsapp', 'sms'], default: 'email' },
    subject: { type: 'string', maxLength: 150 },
    body: { type: 'string', minLength: 1 },
    delayMinutes: { type: 'integer', minimum: 0, maximum: 1440 },
    trackClicks: { type: 'boolean', default: true },
    cc: { type: 'array', items: { type: 'string' } },
    owner: { anyOf: [{ type: 'string' }, { type: 'null' }] },
  },
  required: ['channel', 'body'],
  additionalProperties: false,
};

describe('fieldsFromSchema', () => {
  it('maps primitive types, required flags, bounds and defaults', () => {
    const fields = fieldsFromSchema(sendMessage, { body: { widget: 'template' } });
    expect(fields.map((f) => [f.name, f.kind, f.required])).toEqual([
      ['channel', 'enum', true],
      ['subject', 'text', false],
      ['body', 'widget', true],
      ['delayMinutes', 'integer', false],
      ['trackClicks', 'boolean', false],
      ['cc', 'stringList', false],
      ['owner', 'text', false],
    ]);
    const channel = fields[0]!;
    expect(channel.kind === 'enum' && channel.options.map((o) => o.value)).toEqual(['email', 'whatsapp', 'sms']);
    expect(channel.default).toBe('email');
    expect(fields[2]).toMatchObject({ kind: 'widget', widget: 'template', title: 'Body' });
    expect(fields[3]).toMatchObject({ minimum: 0, maximum: 1440, title: 'Delay minutes' });
  });

  it('uses widget hints for durations, cron, timezones and tags', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: { wait: { type: 'string' }, cron: { type: 'string' }, tz: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } },
    };
    const fields = fieldsFromSchema(schema, { wait: { widget: 'duration' }, cron: { widget: 'cron' }, tz: { widget: 'timezone' }, tags: { widget: 'tags' } });
    expect(fields.map((f) => (f.kind === 'widget' ? f.widget : f.kind))).toEqual(['duration', 'cron', 'timezone', 'tags']);
  });

  it('nests objects and arrays of objects with dotted paths', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        split: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a'] },
        cases: { type: 'array', minItems: 1, items: { type: 'object', properties: { id: { type: 'string' }, label: { type: 'string' } }, required: ['id'] } },
      },
    };
    const [split, cases] = fieldsFromSchema(schema);
    expect(split!.kind).toBe('object');
    if (split!.kind === 'object') expect(split!.fields.map((f) => [f.path, f.required])).toEqual([['split.a', true], ['split.b', false]]);
    expect(cases).toMatchObject({ kind: 'list', minItems: 1 });
    if (cases!.kind === 'list') expect(cases!.itemFields.map((f) => f.path)).toEqual(['cases[].id', 'cases[].label']);
  });

  it('turns a discriminated union into a variant picker and literal unions into a select', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        mode: { anyOf: [{ const: 'once' }, { const: 'again' }] },
        until: {
          oneOf: [
            { type: 'object', properties: { kind: { type: 'string', const: 'date' }, date: { type: 'string', format: 'date-time' } }, required: ['kind', 'date'] },
            { type: 'object', properties: { kind: { type: 'string', const: 'business_hours' } }, required: ['kind'] },
          ],
        },
      },
    };
    const [mode, until] = fieldsFromSchema(schema);
    expect(mode).toMatchObject({ kind: 'enum', options: [{ value: 'once' }, { value: 'again' }] });
    expect(until).toMatchObject({ kind: 'variant', discriminator: 'kind' });
    if (until!.kind === 'variant') expect(until!.variants.map((v) => v.value)).toEqual(['date', 'business_hours']);
  });

  it('resolves $ref into $defs and falls back to JSON for what it cannot draw', () => {
    const schema: JsonSchema = {
      type: 'object',
      $defs: { Money: { type: 'object', properties: { amount: { type: 'number' }, currency: { type: 'string' } } } },
      properties: { budget: { $ref: '#/$defs/Money' }, extra: { type: 'object' }, mixed: { anyOf: [{ type: 'string' }, { type: 'number' }] } },
    };
    const [budget, extra, mixed] = fieldsFromSchema(schema);
    expect(budget!.kind).toBe('object');
    expect(extra!.kind).toBe('json');
    expect(mixed!.kind).toBe('json');
  });
});

describe('initialValue', () => {
  it('builds defaults for a new list item', () => {
    expect(initialValue({ type: 'object', properties: { id: { type: 'string' }, weight: { type: 'number', default: 50 }, on: { type: 'boolean' } }, required: ['id'] })).toEqual({ id: '', weight: 50, on: false });
  });
});

describe('problemsForField', () => {
  it('matches validator field paths in several spellings', () => {
    const problems = [
      { field: 'body', code: 'required', message: 'x' },
      { field: 'config.subject', code: 'too_long', message: 'y' },
      { field: 'cases[1].label', code: 'required', message: 'z' },
      { code: 'no_trigger', message: 'w' },
    ];
    expect(problemsForField(problems, 'body').map((p) => p.code)).toEqual(['required']);
    expect(problemsForField(problems, 'subject').map((p) => p.code)).toEqual(['too_long']);
    expect(problemsForField(problems, 'cases.1.label').map((p) => p.message)).toEqual(['z']);
  });
  it('humanizes names', () => {
    expect(humanize('followUpDays')).toBe('Follow up days');
    expect(humanize('send_at')).toBe('Send at');
  });
});

describe('shapes from the real node catalogue', () => {
  it('draws the recursive condition tree of if/else with the condition builder', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: { condition: { $ref: '#/$defs/c' } },
      required: ['condition'],
      $defs: {
        c: {
          oneOf: [
            { type: 'object', properties: { type: { type: 'string', const: 'tag' }, tag: { type: 'string' } } },
            { type: 'object', properties: { type: { type: 'string', enum: ['and', 'or'] }, conditions: { type: 'array', items: { $ref: '#/$defs/c' } } } },
          ],
        },
      },
    };
    expect(fieldsFromSchema(schema)[0]).toMatchObject({ kind: 'condition', required: true });
  });
  it('merges a union of enums and constants into one select', () => {
    const schema: JsonSchema = { type: 'object', properties: { channel: { default: 'any', anyOf: [{ type: 'string', enum: ['email', 'whatsapp', 'sms'] }, { type: 'string', const: 'any' }] } } };
    const [channel] = fieldsFromSchema(schema);
    expect(channel!.kind === 'enum' && channel!.options.map((o) => o.value)).toEqual(['email', 'whatsapp', 'sms', 'any']);
  });
  it('reads widget hints on nested paths', () => {
    const schema: JsonSchema = { type: 'object', properties: { whatsappTemplate: { type: 'object', properties: { parameters: { type: 'array', items: { type: 'string' } } } } } };
    const [wt] = fieldsFromSchema(schema, { 'whatsappTemplate.parameters': { widget: 'template' } });
    expect(wt!.kind === 'object' && wt!.fields[0]!.kind).toBe('stringList');
  });
});
