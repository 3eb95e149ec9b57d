// Settings → Auto-replies: a rule answers with a saved template chosen from the channel's and
// language's saved templates (its text shown with the variables), or with text; the server's
// refusal of an unknown or wrong-channel template is said at the field, in the user's language.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import i18n from 'i18next';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import '../i18n';
import { ApiError } from '../api/client';

const api = vi.hoisted(() => ({ rules: vi.fn(), addRule: vi.fn(), saveRule: vi.fn(), deleteRule: vi.fn(), testRules: vi.fn() }));
const tpl = vi.hoisted(() => ({ templates: vi.fn() }));
vi.mock('./api', async (original) => ({ ...(await original<typeof import('./api')>()), settingsApi: api }));
vi.mock('./templates-api', async (original) => ({ ...(await original<typeof import('./templates-api')>()), templatesApi: tpl }));
const { AutoRepliesView } = await import('./AutoRepliesView');

const template = (x: Partial<Record<string, unknown>> & { id: string; name: string; channel: string; language: string; body: string }) => ({
  subject: null, category: x.channel === 'whatsapp' ? 'utility' : null, status: 'approved', rejectedReason: null, createdAt: '2026-12-01T00:00:00Z', updatedAt: '2026-12-01T00:00:00Z', ...x,
});
const TEMPLATES = [
  template({ id: 't-wa-en', name: 'warranty_info', channel: 'whatsapp', language: 'en', body: 'Hi {name}, {owner} will send the warranty for {{1}}.' }),
  template({ id: 't-wa-es', name: 'garantia', channel: 'whatsapp', language: 'es', body: 'Hola {name}, la garantía es de 2 años.' }),
  template({ id: 't-sms-en', name: 'sms_warranty', channel: 'sms', language: 'en', body: 'Warranty: 2 years.' }),
  template({ id: 't-wa-en-2', name: 'price_list', channel: 'whatsapp', language: 'en', body: 'Our price list', status: 'pending' }),
];
const rule = (x: Record<string, unknown>) => ({ id: 'r1', name: 'Warranty', kind: 'keyword', position: 10, match: 'contains', patterns: ['warranty'], replies: {}, template: null, templateId: null, hours: 'always', teamId: null, active: true, ...x });

beforeEach(async () => {
  await i18n.changeLanguage('en');
  api.rules.mockResolvedValue([]);
  tpl.templates.mockResolvedValue(TEMPLATES);
});
afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

async function openNewKeywordRule() {
  render(<AutoRepliesView />);
  const group = await screen.findByTestId('rules-keyword');
  fireEvent.click(within(group).getByRole('button', { name: 'Add a rule' }));
  return screen.getByRole('form', { name: 'New rule' });
}

describe('Settings → Auto-replies: answering with a saved template', () => {
  it('offers the saved templates of the chosen channel and language, shows the text with its variables, and saves the templateId', async () => {
    api.addRule.mockImplementation(async (body: object) => ({ id: 'new', ...body }));
    const form = await openNewKeywordRule();
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: 'Warranty' } });
    fireEvent.change(within(form).getByLabelText('Phrasings, one per line'), { target: { value: 'warranty\n保固' } });
    fireEvent.click(within(form).getByLabelText('A saved template'));
    const picker = within(form).getByTestId('template-picker');
    const select = within(picker).getByLabelText('Template') as HTMLSelectElement;
    await waitFor(() => expect([...select.options].map((o) => o.textContent)).toEqual(['Choose a template…', 'warranty_info · Approved', 'price_list · Waiting for approval']));
    // another language, another channel: other templates
    fireEvent.change(within(picker).getByLabelText('Template language'), { target: { value: 'es' } });
    expect([...select.options].map((o) => o.value)).toEqual(['', 't-wa-es']);
    fireEvent.change(within(picker).getByLabelText('Template channel'), { target: { value: 'sms' } });
    expect([...select.options].map((o) => o.value)).toEqual(['']);
    expect(within(picker).getByText(/No saved SMS template in this language yet/)).toBeTruthy();
    fireEvent.change(within(picker).getByLabelText('Template language'), { target: { value: 'en' } });
    expect([...select.options].map((o) => o.value)).toEqual(['', 't-sms-en']);
    fireEvent.change(within(picker).getByLabelText('Template channel'), { target: { value: 'whatsapp' } });
    fireEvent.change(select, { target: { value: 't-wa-en' } });

    const preview = within(picker).getByRole('group', { name: 'What the customer gets' });
    expect(within(preview).getByTestId('template-preview-text').textContent).toBe('Hi {name}, {owner} will send the warranty for {{1}}.');
    expect([...preview.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['{name}', '{owner}', '{{1}}']);
    expect(within(preview).getByText('Filled in when sent: {name}, {owner}, {{1}}')).toBeTruthy();
    expect(within(form).getByText('The texts below answer if the template is deleted.')).toBeTruthy();

    fireEvent.click(within(form).getByRole('button', { name: 'Save rule' }));
    await waitFor(() => expect(api.addRule).toHaveBeenCalledTimes(1));
    expect(api.addRule.mock.calls[0]![0]).toMatchObject({ name: 'Warranty', kind: 'keyword', patterns: ['warranty', '保固'], templateId: 't-wa-en' });
  });

  it('asks for a template before saving when "a saved template" is chosen; answering with text sends no templateId', async () => {
    api.addRule.mockImplementation(async (body: object) => ({ id: 'new', ...body }));
    const form = await openNewKeywordRule();
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: 'Hours' } });
    fireEvent.click(within(form).getByLabelText('A saved template'));
    fireEvent.click(within(form).getByRole('button', { name: 'Save rule' }));
    expect(await within(form).findByText('Choose a template, or answer with text.')).toBeTruthy();
    expect(api.addRule).not.toHaveBeenCalled();
    fireEvent.click(within(form).getByLabelText('Text'));
    expect(within(form).queryByTestId('template-picker')).toBeNull();
    fireEvent.change(within(form).getByLabelText('English'), { target: { value: 'We open at 9.' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save rule' }));
    await waitFor(() => expect(api.addRule).toHaveBeenCalledTimes(1));
    expect(api.addRule.mock.calls[0]![0]).toMatchObject({ templateId: null, replies: { en: 'We open at 9.' } });
  });

  it('editing a rule shows its template chosen, with the channel and language it has; the list names the template', async () => {
    api.rules.mockResolvedValue([rule({ templateId: 't-wa-es' })]);
    render(<AutoRepliesView />);
    expect((await screen.findByTestId('rule-template')).textContent).toBe('template garantia');
    fireEvent.click(screen.getByRole('button', { name: 'Edit' }));
    const picker = screen.getByTestId('template-picker');
    await waitFor(() => expect((within(picker).getByLabelText('Template') as HTMLSelectElement).value).toBe('t-wa-es'));
    expect((within(picker).getByLabelText('Template language') as HTMLSelectElement).value).toBe('es');
    expect((within(picker).getByLabelText('Template channel') as HTMLSelectElement).value).toBe('whatsapp');
    expect(within(picker).getByTestId('template-preview-text').textContent).toBe('Hola {name}, la garantía es de 2 años.');
  });

  it('says the server\'s refusal at the template field: wrong channel in Traditional Chinese, unknown in Spanish', async () => {
    await i18n.changeLanguage('zh-TW');
    api.rules.mockResolvedValue([rule({ templateId: 't-wa-en' })]);
    api.saveRule.mockRejectedValueOnce(new ApiError(422, 'template_wrong_channel', 'body.templateId: the template "x" is for email', [{ path: 'body.templateId', code: 'template_wrong_channel', message: 'template is for email', params: { channel: 'email', name: 'x' } }]));
    render(<AutoRepliesView />);
    fireEvent.click(await screen.findByRole('button', { name: i18n.t('settings.rules.edit') }));
    await waitFor(() => expect((screen.getByLabelText('範本') as HTMLSelectElement).value).toBe('t-wa-en'));
    fireEvent.click(screen.getByRole('button', { name: i18n.t('settings.rules.save') }));
    expect((await screen.findByRole('alert')).textContent).toBe('此範本用於 電子郵件。自動回覆回答的是聊天訊息：請選擇 WhatsApp 或簡訊範本。');
    expect(screen.getByLabelText('範本').getAttribute('aria-invalid')).toBe('true');

    cleanup();
    await i18n.changeLanguage('es');
    api.saveRule.mockRejectedValueOnce(new ApiError(400, 'unknown_template', 'body.templateId: no saved message template', [{ path: 'body.templateId', code: 'unknown_template', message: 'no such template' }]));
    render(<AutoRepliesView />);
    fireEvent.click(await screen.findByRole('button', { name: i18n.t('settings.rules.edit') }));
    await waitFor(() => expect((screen.getByLabelText('Plantilla') as HTMLSelectElement).value).toBe('t-wa-en'));
    fireEvent.click(screen.getByRole('button', { name: i18n.t('settings.rules.save') }));
    expect((await screen.findByRole('alert')).textContent).toBe('Esta plantilla ya no existe (¿eliminada?). Elija otra.');
  });
});
