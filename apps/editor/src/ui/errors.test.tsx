// How API errors read in the editor: in the UI language, saying where and what to do, never a
// request path meant for developers ("body.definition.conditions.0.tag: …").
import i18n from 'i18next';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import '../i18n';
import { ApiError } from '../api/client';
import { ErrorBanner, errorText, humanPath } from './common';

const t = (...a: Parameters<typeof i18n.t>) => i18n.t(...a);
const unknownTag = new ApiError(400, 'invalid_segment', 'Invalid segment — body.definition.conditions.0.tag: there is no tag "vipp"; choose an existing tag', [
  { path: 'body.definition.conditions.0.tag', code: 'unknown_tag', value: 'vipp', message: 'there is no tag "vipp"; choose an existing tag' },
]);

describe('errorText', () => {
  beforeAll(async () => {
    await i18n.changeLanguage('en');
  });
  afterEach(async () => {
    cleanup();
    await i18n.changeLanguage('en');
  });

  it('says where an issue is and what to do, without the request path', async () => {
    expect(errorText(unknownTag, t as never)).toBe('Condition 1 · Tag: there is no tag "vipp". Choose one of the existing tags.');
    await i18n.changeLanguage('zh-TW');
    expect(errorText(unknownTag, t as never)).toBe('條件 1 · 標籤: 沒有名為「vipp」的標籤。請選擇現有的標籤。');
    expect(humanPath('body.definition.conditions.1.children.0.tag', t as never)).toBe('條件 2 · 條件 1 · 標籤');
  });

  it('words the file and publish refusals it knows from their codes, in the UI language', async () => {
    const empty = new ApiError(400, 'csv_empty', 'The file is empty: choose a CSV file…', { hint: 'API clients: send the file itself as the request body (Content-Type: text/csv).' });
    const png = new ApiError(422, 'not_csv', 'This file is a PNG image, not a CSV file.', { kind: 'a PNG image' });
    const publish = new ApiError(422, 'flow_invalid', 'The flow "x" cannot be published: it has 2 problems — a; b. Fix them on the canvas and publish again.', { problems: [{}, {}] });
    expect(errorText(empty, t as never)).toBe('The file is empty. Choose a CSV file with a header line and at least one row.');
    expect(errorText(png, t as never)).toMatch(/^This file is not a CSV file/);
    expect(errorText(publish, t as never)).toBe('This flow has 2 problems, shown in the checklist. Fix them, then publish again.');
    await i18n.changeLanguage('es');
    expect(errorText(empty, t as never)).toMatch(/^El archivo está vacío/);
    expect(errorText(publish, t as never)).not.toMatch(/\.\./);
  });

  it('strips request paths from messages it does not know', () => {
    const other = new ApiError(400, 'something_new', 'body.budgetMin: number out of range', undefined);
    expect(errorText(other, t as never)).toBe('number out of range');
  });

  it('shows a refusal without "Something went wrong", and a fault with it', () => {
    render(<ErrorBanner error={unknownTag} />);
    expect(screen.getByRole('alert').textContent).toBe('Condition 1 · Tag: there is no tag "vipp". Choose one of the existing tags.');
    cleanup();
    render(<ErrorBanner error={new ApiError(500, 'internal', 'Internal error')} />);
    expect(screen.getByRole('alert').textContent).toMatch(/^Something went wrong:/);
  });
});
