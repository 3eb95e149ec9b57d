// The import wizard's mapping step says what the server suggested (the Owner column shows Owner,
// never the first option "Full name") and counts the row errors as it lists them.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import i18n from 'i18next';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import '../i18n';
import { useSession } from '../shell/session';

const api = vi.hoisted(() => ({ preview: vi.fn(), repreview: vi.fn(), importFields: vi.fn(), startImport: vi.fn(), importJob: vi.fn() }));
vi.mock('./api', () => ({ customersApi: api }));
const { ImportWizard } = await import('./ImportWizard');

const fields = { fields: ['fullName', 'phone', 'email', 'ownerId'].map((name) => ({ name, required: name === 'fullName' })), regions: ['TW', 'ES', 'CN', 'US'] };
const err = (line: number, column: string, message: string) => ({ line, column, field: null, message });
const preview = {
  uploadId: 'u1',
  fileName: 'c.csv',
  defaultRegion: 'TW',
  encoding: 'utf-8',
  headers: ['Name', 'Phone', 'Owner'],
  suggestions: [],
  mapping: { Name: 'fullName', Phone: 'phone', Owner: 'ownerId' },
  rows: [{ line: 2, values: ['王小明', '0912', 'ana@example.com'] }],
  // five problems in four rows: line 3 has two
  errors: [err(3, 'Phone', 'not a phone number'), err(3, 'Owner', 'not an active user'), err(4, 'Phone', 'too short'), err(5, 'Name', 'empty'), err(6, 'Phone', 'too long')],
};

async function openMapping(fileLabel = 'CSV file') {
  render(<ImportWizard />);
  fireEvent.change(screen.getByLabelText(fileLabel), { target: { files: [new File(['x'], 'c.csv', { type: 'text/csv' })] } });
  return screen.findByTestId('mapping-table');
}
const shown = (select: HTMLElement) => (select as HTMLSelectElement).selectedOptions[0]?.textContent;

beforeEach(async () => {
  await i18n.changeLanguage('en');
  useSession.setState({ user: { id: 'a', name: 'Ada Admin', email: 'ada@x', role: 'admin', teamId: null, rights: [] } }); // the wizard is offered to admins and managers
  api.preview.mockResolvedValue(preview);
});
afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe('import wizard: mapping step', () => {
  it('shows the Owner column mapped to Owner, also before the field list has loaded', async () => {
    api.importFields.mockReturnValue(new Promise(() => {}));
    await openMapping();
    expect(shown(screen.getByLabelText('Field for column Owner'))).toBe('Owner');
    expect(shown(screen.getByLabelText('Field for column Name'))).toBe('Full name');
  });

  it('shows the Owner column mapped to Owner once the fields are there', async () => {
    api.importFields.mockResolvedValue(fields);
    await openMapping();
    await within(screen.getByLabelText('Field for column Owner')).findByText('Phone');
    expect(shown(screen.getByLabelText('Field for column Owner'))).toBe('Owner');
  });

  it('counts the rows with errors as it lists them', async () => {
    api.importFields.mockResolvedValue(fields);
    await openMapping();
    const list = screen.getByTestId('preview-errors');
    expect(list.querySelectorAll('li')).toHaveLength(4);
    expect(screen.getByText('4 rows have errors')).toBeTruthy();
    expect(within(list).getByText('Line 3').parentElement!.textContent).toBe('Line 3 Phone: not a phone number; Owner: not an active user');
  });

  it('lists the first 50 rows with errors and counts the rest', async () => {
    api.importFields.mockResolvedValue(fields);
    api.preview.mockResolvedValue({ ...preview, errors: Array.from({ length: 1203 }, (_, i) => err(i + 2, 'Phone', 'too short')) });
    await openMapping();
    expect(screen.getByText('1,203 rows have errors')).toBeTruthy();
    expect(screen.getByTestId('preview-errors').querySelectorAll('li')).toHaveLength(50);
    expect(screen.getByText('…and 1,153 more rows with errors')).toBeTruthy();
  });
});

describe('import wizard: country', () => {
  it("shows the organisation's country and imports with the one chosen", async () => {
    api.importFields.mockResolvedValue(fields);
    api.repreview.mockImplementation(async (_id: string, body: { defaultRegion?: string }) => ({ ...preview, defaultRegion: body.defaultRegion, errors: [] }));
    api.startImport.mockResolvedValue({ id: 'j1', status: 'queued', rowsProcessed: 0, rowsTotal: 1 });
    await openMapping();
    const country = screen.getByLabelText('Country of phone numbers without +country code') as HTMLSelectElement;
    await within(country).findByText('Spain (ES)');
    expect(shown(country)).toBe('Taiwan (TW)');
    fireEvent.change(country, { target: { value: 'ES' } });
    await waitFor(() => expect(api.repreview).toHaveBeenCalledWith('u1', { mapping: preview.mapping, defaultRegion: 'ES' }));
    await waitFor(() => expect(screen.queryByTestId('preview-errors')).toBeNull());
    expect(country.value).toBe('ES');
    fireEvent.click(screen.getByRole('button', { name: 'Start import' }));
    await waitFor(() => expect(api.startImport).toHaveBeenCalledWith(expect.objectContaining({ uploadId: 'u1', defaultRegion: 'ES' })));
  });

  it('names the countries in the user\'s language', async () => {
    await i18n.changeLanguage('zh-TW');
    api.importFields.mockResolvedValue(fields);
    await openMapping('CSV 檔案');
    const country = screen.getByLabelText('未寫 +國碼的電話所屬國家/地區') as HTMLSelectElement;
    await within(country).findByText('西班牙 (ES)');
    expect(shown(country)).toBe('台灣 (TW)');
  });
});
