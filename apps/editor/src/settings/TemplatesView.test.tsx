// Settings → Templates: Meta's review shows (pending, rejected with the reason, paused), and
// Meta refusing a template on save is said at the field in the user's language, not as a crash;
// Meta refusing (or not answering) a delete is said at that template's row, and the row stays.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import i18n from 'i18next';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import '../i18n';
import { ApiError } from '../api/client';

const tpl = vi.hoisted(() => ({ templates: vi.fn(), quickReplies: vi.fn(), addTemplate: vi.fn(), saveTemplate: vi.fn(), deleteTemplate: vi.fn(), addQuickReply: vi.fn(), saveQuickReply: vi.fn(), deleteQuickReply: vi.fn() }));
const api = vi.hoisted(() => ({ teams: vi.fn() }));
vi.mock('./templates-api', async (original) => ({ ...(await original<typeof import('./templates-api')>()), templatesApi: tpl }));
vi.mock('./api', async (original) => ({ ...(await original<typeof import('./api')>()), settingsApi: api }));
const { TemplatesView } = await import('./TemplatesView');

const row = (x: Record<string, unknown>) => ({ id: 'x', name: 'x', channel: 'whatsapp', language: 'en', subject: null, body: 'Hi {name}', category: 'utility', status: 'approved', rejectedReason: null, createdAt: '2026-12-01T00:00:00Z', updatedAt: '2026-12-01T00:00:00Z', ...x });

beforeEach(async () => {
  await i18n.changeLanguage('en');
  tpl.templates.mockResolvedValue([
    row({ id: 'a', name: 'big_sale', status: 'rejected', rejectedReason: 'INCORRECT_CATEGORY', category: 'marketing' }),
    row({ id: 'b', name: 'reminder', status: 'pending' }),
    row({ id: 'c', name: 'old_promo', status: 'paused', rejectedReason: 'low quality' }),
  ]);
  tpl.quickReplies.mockResolvedValue([]);
  api.teams.mockResolvedValue([]);
});
afterEach(() => {
  cleanup();
  vi.clearAllMocks();
  vi.unstubAllGlobals();
});

describe('Settings → Templates: Meta\'s review', () => {
  it('shows each template\'s review status, and why a rejected or paused one is not sendable', async () => {
    render(<TemplatesView />);
    const items = await screen.findAllByTestId('template');
    expect(items.map((li) => within(li).getByTestId('template-status').textContent)).toEqual(['Rejected', 'Waiting for approval', 'Paused by WhatsApp']);
    expect(within(items[0]!).getByTestId('template-reason').textContent).toBe('Why: INCORRECT_CATEGORY');
    expect(within(items[1]!).queryByTestId('template-reason')).toBeNull();
    expect(within(items[2]!).getByTestId('template-reason').textContent).toBe('Why: low quality');
  });

  it('Meta refusing the template is said at the text field with Meta\'s reason (Simplified Chinese); Meta down is a banner', async () => {
    await i18n.changeLanguage('zh-CN');
    tpl.addTemplate.mockRejectedValueOnce(new ApiError(422, 'whatsapp_template_refused', 'body.body: WhatsApp refused the template', [{ path: 'body.body', code: 'whatsapp_template_refused', message: 'Variables can\'t be at the start', params: { reason: 'Variables can\'t be at the start', name: 'hello' } }]));
    render(<TemplatesView />);
    fireEvent.click(await screen.findByRole('button', { name: i18n.t('settings.templates.add') }));
    const form = screen.getByRole('form', { name: i18n.t('settings.templates.add') });
    fireEvent.change(within(form).getByLabelText(i18n.t('settings.templates.name')), { target: { value: 'hello' } });
    fireEvent.change(within(form).getByLabelText(i18n.t('settings.templates.body')), { target: { value: '{name}' } });
    fireEvent.click(within(form).getByRole('button', { name: i18n.t('settings.templates.save') }));
    expect((await within(form).findByRole('alert')).textContent).toBe('WhatsApp 拒绝了此模板：Variables can\'t be at the start');
    expect(within(form).getByLabelText(i18n.t('settings.templates.body')).getAttribute('aria-invalid')).toBe('true');

    tpl.addTemplate.mockRejectedValueOnce(new ApiError(502, 'whatsapp_unavailable', 'WhatsApp did not take the template'));
    fireEvent.click(within(form).getByRole('button', { name: i18n.t('settings.templates.save') }));
    await waitFor(() => expect(within(form).getByRole('alert').textContent).toBe('WhatsApp 没有响应，未保存任何内容。请稍后重试。'));
  });
});

describe('Settings → Templates: deleting one that Meta has', () => {
  it('Meta refusing the delete is said at that template\'s row with Meta\'s reason (Spanish); Meta down (繁體中文) too; the row stays', async () => {
    await i18n.changeLanguage('es');
    vi.stubGlobal('confirm', vi.fn(() => true)); // the environment has no window.confirm
    tpl.deleteTemplate.mockRejectedValueOnce(new ApiError(422, 'whatsapp_template_delete_refused', 'params.id: WhatsApp refused to delete the template "reminder" (en), so it was kept here too: in use', [{ path: 'params.id', code: 'whatsapp_template_delete_refused', message: 'This template is used by an active campaign.', params: { reason: 'This template is used by an active campaign.', name: 'reminder' } }]));
    render(<TemplatesView />);
    const items = await screen.findAllByTestId('template');
    fireEvent.click(within(items[1]!).getByRole('button', { name: i18n.t('settings.templates.delete') }));
    expect((await within(items[1]!).findByRole('alert')).textContent).toBe('WhatsApp no permitió eliminar esta plantilla, así que se conservó: This template is used by an active campaign.');
    expect(within(items[0]!).queryByRole('alert')).toBeNull();
    expect(screen.getAllByTestId('template')).toHaveLength(3);
    expect(tpl.deleteTemplate).toHaveBeenCalledWith('b');

    await i18n.changeLanguage('zh-TW');
    tpl.deleteTemplate.mockRejectedValueOnce(new ApiError(502, 'whatsapp_unavailable', 'WhatsApp did not delete the template "big_sale". It was kept; try again later.'));
    fireEvent.click(within(items[0]!).getByRole('button', { name: i18n.t('settings.templates.delete') }));
    expect((await within(items[0]!).findByRole('alert')).textContent).toBe('WhatsApp 沒有回應，範本已保留。請稍後再刪除一次。');
    expect(within(items[1]!).queryByRole('alert')).toBeNull();

    // a delete that works: the list is read again
    tpl.deleteTemplate.mockResolvedValueOnce(undefined);
    fireEvent.click(within(items[2]!).getByRole('button', { name: i18n.t('settings.templates.delete') }));
    await waitFor(() => expect(tpl.templates).toHaveBeenCalledTimes(2));
    expect(screen.queryByTestId('delete-error')).toBeNull();
  });
});
