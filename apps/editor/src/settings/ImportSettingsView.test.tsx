// Settings → Import: the organisation's country of phone numbers without +country code, which
// every import's mapping step starts from.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import i18n from 'i18next';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import '../i18n';
import { useSession } from '../shell/session';
import { ApiError } from '../api/client';

const api = vi.hoisted(() => ({ importSettings: vi.fn(), importFields: vi.fn(), saveImportSettings: vi.fn() }));
vi.mock('../customers/api', () => ({ customersApi: api }));
const { ImportSettingsView } = await import('./ImportSettingsView');

beforeEach(async () => {
  await i18n.changeLanguage('en');
  useSession.setState({ user: { id: 'a', name: 'Ada Admin', email: 'ada@x', role: 'admin', teamId: null, rights: [] } }); // only admins change it
  api.importSettings.mockResolvedValue({ defaultRegion: 'TW' });
  api.importFields.mockResolvedValue({ fields: [], regions: ['TW', 'ES', 'MX'] });
});
afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe('Settings → Import', () => {
  it("shows the organisation's country and saves another", async () => {
    api.saveImportSettings.mockImplementation(async (body: { defaultRegion: string }) => body);
    render(<ImportSettingsView />);
    const country = (await screen.findByLabelText('Country of phone numbers without +country code')) as HTMLSelectElement;
    expect(country.value).toBe('TW');
    expect([...country.options].map((o) => o.textContent)).toEqual(['Mexico (MX)', 'Spain (ES)', 'Taiwan (TW)']);
    fireEvent.change(country, { target: { value: 'ES' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(api.saveImportSettings).toHaveBeenCalledWith({ defaultRegion: 'ES' }));
    expect((await screen.findByRole('status')).textContent).toBe('Saved. New imports start from this country.');
  });

  it('says a refused country at the field, in the user\'s language', async () => {
    await i18n.changeLanguage('zh-TW');
    api.saveImportSettings.mockRejectedValue(new ApiError(400, 'invalid_input', 'body.defaultRegion: must be a country code', [{ path: 'body.defaultRegion', message: 'must be a country code' }]));
    render(<ImportSettingsView />);
    await screen.findByLabelText('未寫 +國碼的電話所屬國家/地區');
    fireEvent.click(screen.getByRole('button', { name: '儲存' }));
    expect((await screen.findByRole('alert')).textContent).toBe('請從清單中選擇國家/地區。');
  });

  it('a manager sees the country read-only, with who may change it, and no Save', async () => {
    useSession.setState({ user: { id: 'm', name: 'Max Manager', email: 'max@x', role: 'manager', teamId: null, rights: [] } });
    render(<ImportSettingsView />);
    const country = (await screen.findByLabelText('Country of phone numbers without +country code')) as HTMLSelectElement;
    expect(country.disabled).toBe(true);
    expect(screen.getByText('Only administrators can change this.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Save' })).toBeNull();
  });
});
