import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import i18n from 'i18next';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import '../i18n';
import type { JsonSchema } from './schemaModel';
import { SchemaForm } from './SchemaForm';
import { fieldControl } from '../flows/ConfigPanel';

const waitForEvent: JsonSchema = {
  type: 'object',
  properties: {
    event: { default: 'message.received', type: 'string', enum: ['message.received', 'message.read', 'order.created'] },
    channel: { default: 'any', anyOf: [{ type: 'string', enum: ['email', 'whatsapp', 'sms'] }, { type: 'string', const: 'any' }] },
    keywords: { default: [], type: 'array', items: { type: 'string', minLength: 1 } },
    timeout: { type: 'object', properties: { amount: { type: 'integer', minimum: 1 }, unit: { type: 'string', enum: ['minutes', 'hours', 'days', 'weeks'] } }, required: ['amount', 'unit'] },
  },
  required: ['timeout'],
};

describe('SchemaForm', () => {
  beforeAll(async () => {
    await i18n.changeLanguage('en');
    // widgets load their pick lists (tags, users…); answer with empty lists
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ items: [] }), { status: 200 })));
  });
  afterEach(cleanup);

  it('renders widgets from the schema and hints, with translated labels, and reports changes', () => {
    const onChange = vi.fn();
    const value = { event: 'message.received', channel: 'any', keywords: [], timeout: { amount: 3, unit: 'days' } };
    render(<SchemaForm idPrefix="t" schema={waitForEvent} ui={{ timeout: { widget: 'duration' }, keywords: { widget: 'tags' } }} value={value} onChange={onChange} />);
    expect(screen.getByLabelText('Event')).toHaveProperty('value', 'message.received');
    expect(screen.getByRole('option', { name: 'Customer replied' })).toBeTruthy();
    expect(screen.getByRole('option', { name: 'Any' })).toBeTruthy();
    const amount = screen.getByLabelText('Amount') as HTMLInputElement;
    expect(amount.value).toBe('3');
    expect(amount.className).toContain('nodrag');
    fireEvent.change(amount, { target: { value: '5' } });
    expect(onChange).toHaveBeenLastCalledWith({ ...value, timeout: { amount: 5, unit: 'days' } });
    fireEvent.change(screen.getByLabelText('Unit'), { target: { value: 'hours' } });
    expect(onChange).toHaveBeenLastCalledWith({ ...value, timeout: { amount: 3, unit: 'hours' } });
  });

  it('offers seconds when the duration schema allows them (a wait), and not otherwise', () => {
    const onChange = vi.fn();
    const wait: JsonSchema = {
      type: 'object',
      properties: { duration: { type: 'object', properties: { amount: { type: 'integer', minimum: 1 }, unit: { type: 'string', enum: ['seconds', 'minutes', 'hours', 'days', 'weeks'] } }, required: ['amount', 'unit'] } },
      required: ['duration'],
    };
    render(<SchemaForm idPrefix="s" schema={wait} ui={{ duration: { widget: 'duration' } }} value={{ duration: { amount: 1, unit: 'days' } }} onChange={onChange} />);
    fireEvent.change(screen.getByLabelText('Unit'), { target: { value: 'seconds' } });
    expect(onChange).toHaveBeenLastCalledWith({ duration: { amount: 1, unit: 'seconds' } });
    cleanup();
    render(<SchemaForm idPrefix="m" schema={waitForEvent} ui={{ timeout: { widget: 'duration' } }} value={{ timeout: { amount: 3, unit: 'days' } }} onChange={() => {}} />);
    expect(screen.queryByRole('option', { name: 'seconds' })).toBeNull();
    expect(screen.getByRole('option', { name: 'minutes' })).toBeTruthy();
  });

  it('shows the problems of a field under it', () => {
    render(
      <SchemaForm idPrefix="p" schema={{ type: 'object', properties: { body: { type: 'string' } }, required: ['body'] }} ui={{ body: { widget: 'template' } }} value={{ body: '' }} onChange={() => {}}
        problems={[{ nodeId: 'x', field: 'body', code: 'node.invalid_config', message: 'body: Write the message' }]} />,
    );
    expect(screen.getByRole('alert').textContent).toBe('Write the message');
    expect(screen.getByRole('button', { name: '{name}' })).toBeTruthy();
  });

  it("says why a wait's amount is wrong next to the duration, in the UI language, and a checklist click finds its input", async () => {
    const wait: JsonSchema = {
      type: 'object',
      properties: { duration: { type: 'object', properties: { amount: { type: 'integer', minimum: 1 }, unit: { type: 'string', enum: ['seconds', 'minutes', 'hours', 'days', 'weeks'] } }, required: ['amount', 'unit'] } },
      required: ['duration'],
    };
    const problems = [
      { nodeId: 'w', field: 'duration.amount', code: 'node.invalid_config', message: 'duration.amount: Enter a whole number of at least 1' },
      { nodeId: 'w', field: 'keywords.0', code: 'node.invalid_config', message: 'keywords.0: Fill in this field' },
    ];
    const { container } = render(<SchemaForm idPrefix="w" schema={wait} ui={{ duration: { widget: 'duration' } }} value={{ duration: { amount: -1, unit: 'days' } }} onChange={() => {}} problems={problems} />);
    const field = container.querySelector('[data-field="duration"]')!;
    expect(field.className).toContain('invalid');
    expect(field.querySelector('.field-error')?.textContent).toBe('Enter a whole number of at least 1');
    expect(fieldControl(container, 'duration.amount')).toBe(screen.getByLabelText('Amount'));
    expect(fieldControl(container, 'config.duration')).toBe(screen.getByLabelText('Amount'));
    expect(fieldControl(container, null)).toBeNull();
    expect(fieldControl(container, 'nowhere')).toBeNull();
    await act(() => i18n.changeLanguage('zh-TW'));
    expect(field.querySelector('.field-error')?.textContent).toBe('請輸入至少為 1 的整數');
    await act(() => i18n.changeLanguage('es'));
    expect(field.querySelector('.field-error')?.textContent).toBe('Escriba un número entero de al menos 1');
    await act(() => i18n.changeLanguage('en'));
    cleanup();
    // an object's parts are fields of their own: the reason shows once, at the part
    render(<SchemaForm idPrefix="k" schema={waitForEvent} value={{ keywords: [''], timeout: { amount: 0, unit: 'days' } }} onChange={() => {}}
      problems={[{ nodeId: 'w', field: 'timeout.amount', code: 'node.invalid_config', message: 'timeout.amount: Use at least 1' }]} />);
    expect(screen.getAllByRole('alert').map((a) => a.textContent)).toEqual(['Use at least 1']);
  });

  it('switches labels with the language', async () => {
    render(<SchemaForm idPrefix="l" schema={waitForEvent} ui={{ timeout: { widget: 'duration' } }} value={{ timeout: { amount: 3, unit: 'days' } }} onChange={() => {}} />);
    await act(() => i18n.changeLanguage('zh-TW'));
    expect(screen.getByText('最長等待')).toBeTruthy();
    expect(screen.getByRole('option', { name: '天' })).toBeTruthy();
    await act(() => i18n.changeLanguage('en'));
  });
});
