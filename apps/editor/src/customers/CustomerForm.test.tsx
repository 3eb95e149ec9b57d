// The customer form: the phone's country is preset from the organisation's setting and sent with
// the number; a number the server finds invalid for that country is said at the phone field.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import i18n from 'i18next';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import '../i18n';
import { ApiError } from '../api/client';

const api = vi.hoisted(() => ({ importSettings: vi.fn(), create: vi.fn(), update: vi.fn() }));
vi.mock('./api', () => ({ customersApi: api }));
const { CustomerForm } = await import('./CustomerForm');

const refusal = new ApiError(400, 'invalid_input', 'phone: "0912 345 678" is not a valid phone number in ES', [
  { path: 'body.phone', code: 'invalid_phone_for_region', value: 'ES', message: 'not a valid phone number in ES' },
]);

beforeEach(async () => {
  await i18n.changeLanguage('en');
  api.importSettings.mockResolvedValue({ defaultRegion: 'ES', regions: ['TW', 'ES', 'US'] });
});
afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe('CustomerForm', () => {
  it("presets the organisation's country and sends it with a local number", async () => {
    const saved = vi.fn();
    api.create.mockResolvedValue({ id: 'c1', fullName: 'Ana Ruiz' });
    render(<CustomerForm onSaved={saved} onCancel={() => undefined} />);
    const country = (await screen.findByLabelText('Country of the phone number')) as HTMLSelectElement;
    expect(country.value).toBe('ES');
    expect(screen.getByText('A number written without +country code is read as a number of this country.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Full name'), { target: { value: 'Ana Ruiz' } });
    fireEvent.change(screen.getByLabelText('Phone'), { target: { value: '612 345 679' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add customer' }));
    await waitFor(() => expect(api.create).toHaveBeenCalledWith({ fullName: 'Ana Ruiz', phone: '612 345 679', phoneRegion: 'ES' }));
    expect(saved).toHaveBeenCalledWith({ id: 'c1', fullName: 'Ana Ruiz' });
  });

  it('says a number not valid in the chosen country at the phone field, in the language of the user', async () => {
    api.create.mockRejectedValue(refusal);
    await i18n.changeLanguage('zh-TW');
    render(<CustomerForm onSaved={() => undefined} onCancel={() => undefined} />);
    fireEvent.change(await screen.findByLabelText('電話'), { target: { value: '0912 345 678' } });
    fireEvent.change(screen.getByLabelText(i18n.t('fields.fullName')), { target: { value: '王小明' } });
    fireEvent.click(screen.getByRole('button', { name: '新增客戶' }));
    const phone = screen.getByLabelText('電話');
    await waitFor(() => expect(phone.getAttribute('aria-invalid')).toBe('true'));
    const note = document.getElementById(phone.getAttribute('aria-describedby')!)!;
    expect(note.textContent).toMatch(/^這不是有效的西班牙.*電話號碼/);
    expect(note.textContent).not.toMatch(/body\.|ES\)?:/);
    expect(screen.queryByRole('alert', { name: /Something went wrong/ })).toBeNull();
  });

  it('edits send only what changed (a masked phone is never written back); a missing name is said before sending', async () => {
    api.update.mockResolvedValue({ id: 'c2', fullName: 'Jo' });
    const customer = { id: 'c2', fullName: 'Jo', phone: '+34 6•• ••• •79', email: null, company: 'Acme' } as never;
    render(<CustomerForm customer={customer} onSaved={() => undefined} onCancel={() => undefined} />);
    const company = await screen.findByLabelText('Company');
    fireEvent.change(company, { target: { value: 'Acme Iberia' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(api.update).toHaveBeenCalledWith('c2', { company: 'Acme Iberia' }));
    fireEvent.change(screen.getByLabelText('Full name'), { target: { value: ' ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Write the customer’s name.')).toBeTruthy();
    expect(api.update).toHaveBeenCalledTimes(1);
  });
});
