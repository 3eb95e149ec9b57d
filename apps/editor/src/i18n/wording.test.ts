// Every code the server can send has a wording in all four UI languages: the codes are read from
// the server's and the packages' source, so a new code without a translation fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import i18n from 'i18next';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import './index';
import { languages } from './index';
import { ApiError } from '../api/client';
import { errorText } from '../ui/common';
import { describeProblem, localizedDetail } from '../flows/problems';
import { cellErrorText, matchReasonText, reasonText, tagAdviceText, timelineText, TIMELINE_EVENTS, ZOD_ISSUE_CODES, zodIssueText } from './wording';

const root = join(__dirname, '../../../..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');
function files(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) return files(p);
    return /\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? [p] : [];
  });
}
const all = (text: string, re: RegExp) => [...text.matchAll(re)].map((m) => m[1]!);
const constList = (text: string, name: string) => {
  const m = new RegExp(`${name} = \\[([^\\]]*)\\]`).exec(text);
  if (!m) throw new Error(`${name} not found`);
  return all(m[1]!, /'([a-z_]+)'/g);
};

// what the server can send, from its source
const rowSources = read('packages/customer-import/src/row.ts') + read('apps/server/src/import/reading.ts');
const rowCodes = constList(read('packages/customer-import/src/row.ts'), 'ROW_ERROR_CODES');
const rowCodesUsed = [...all(rowSources, /\b(?:bad|fail)\(\s*'([a-z_]+)'/g), ...all(rowSources, /code: (?:[^,\n]*\? )?'([a-z_]+)'/g), ...all(rowSources, /: '([a-z_]+)',\n\s*params/g)];
const nodeSources = files('packages/workflow-nodes/src').map(read).join('\n');
const nodeReasons = [...all(nodeSources, /said\('([a-z_0-9]+)'/g), ...all(nodeSources, /params: \{ reason: '([a-z_0-9]+)'/g)];
const problemSource = read('packages/workflow-nodes/src/graph/validate.ts');
const problemCodes = [
  ...all(problemSource, /code: '([a-z_]+\.[a-z_]+)'/g),
  ...all(problemSource, /\['(\w+)Id', /g).map((k) => `reference.unknown_${k}`),
].filter((c) => c !== 'node.invalid_config'); // worded by its reason (zod code or the node's own)
const tagAdvice = constList(read('apps/server/src/tags/service.ts'), 'TAG_ADVICE_CODES');
const matchReasons = constList(read('packages/customer-import/src/match.ts'), 'MATCH_REASON_CODES');
const serverSources = files('apps/server/src').map(read).join('\n');
const timelineEvents = [...new Set([...all(serverSources, /event: '([a-z_]+)'/g), ...all(serverSources, /'event', '([a-z_]+)'/g)])];

type Lng = (typeof languages)[number]['code'];
const fixed = (lng: Lng) => i18n.getFixedT(lng);

describe('every code the server sends has a wording in every language', () => {
  afterAll(() => i18n.changeLanguage('en'));

  it('found the codes in the source', () => {
    expect(rowCodes.length).toBeGreaterThan(20);
    expect(nodeReasons.length).toBeGreaterThan(40);
    expect(problemCodes).toContain('reference.unknown_segment');
    expect(timelineEvents).toEqual(expect.arrayContaining(['tag_added', 'merge', 'import', 'flow_run_failed']));
    expect(tagAdvice).toHaveLength(3);
    expect(matchReasons.length).toBeGreaterThan(10);
  });

  it('row error codes in use are all declared', () => {
    expect(rowCodesUsed.length).toBeGreaterThan(15);
    expect([...new Set(rowCodesUsed)].filter((c) => !rowCodes.includes(c))).toEqual([]);
  });

  it.each(languages.map((l) => l.code))('%s words row errors, node reasons, problems, advice, duplicate reasons, zod issues', (lng) => {
    const t = fixed(lng);
    const en = fixed('en');
    const missing: string[] = [];
    const check = (key: string, text: string, english: string) => {
      if (!text || text === key || (lng !== 'en' && text === english)) missing.push(key);
    };
    const p = { value: 'x', country: 'TW', example: '+886', field: 'tier', values: 'A, B', count: 3, max: 2, min: 0, other: 'budgetMax', otherValue: 1, columns: 2, type: 'text', options: '' };
    for (const c of rowCodes) check(`rowErrors.${c}`, cellErrorText({ code: c, params: p, message: '' }, t), cellErrorText({ code: c, params: p, message: '' }, en));
    for (const r of new Set(nodeReasons)) check(`nodeReasons.${r}`, t(`nodeReasons.${r}`, { defaultValue: '' }), en(`nodeReasons.${r}`));
    for (const c of problemCodes) check(`problemCodes.${c}`, t(`problemCodes.${c.replace(/\./g, '_')}`, { defaultValue: '' }), en(`problemCodes.${c.replace(/\./g, '_')}`));
    for (const c of tagAdvice) check(`tagAdvice.${c}`, tagAdviceText({ code: c, params: { share: 0.5, peer: 'VIP' } }, '', t, lng), tagAdviceText({ code: c, params: { share: 0.5, peer: 'VIP' } }, '', en, 'en'));
    for (const c of matchReasons) check(`matchReasons.${c}`, matchReasonText({ code: c, params: { percent: 90 } }, t, lng), matchReasonText({ code: c, params: { percent: 90 } }, en, 'en'));
    for (const c of [...ZOD_ISSUE_CODES, ...Object.keys(z.ZodIssueCode).filter((k) => k !== 'custom')]) {
      const params = { minimum: 2, maximum: 3, origin: 'number', expected: 'number', values: 'a, b', format: 'url', keys: 'k' };
      check(`zod.${c}`, zodIssueText(c, params, t), zodIssueText(c, params, en));
    }
    expect(missing).toEqual([]);
  });

  it.each(languages.map((l) => l.code))('%s words every system entry of the timeline', (lng) => {
    const t = fixed(lng);
    const payload = { tag: 'VIP', delta: 5, balance: 10, mergedName: 'Ana', file: 'a.csv', lines: [2], conflicts: [], flowName: 'F', since: '2026-01-01T00:00:00Z' };
    const missing = timelineEvents.filter((event) => {
      if (event === 'notify_user') return false; // its title and text are written by the flow's author
      expect(TIMELINE_EVENTS as readonly string[]).toContain(event);
      const text = timelineText({ kind: 'system', body: 'English body', payload: { ...payload, event } }, t, lng);
      return !text || (lng !== 'en' && text === timelineText({ kind: 'system', body: '', payload: { ...payload, event } }, fixed('en'), 'en'));
    });
    expect(missing).toEqual([]);
  });
});

describe('wording in 繁體中文', () => {
  const t = fixed('zh-TW');
  it('says a zod limit of a request field and of a node setting in the language, never zod\'s English', async () => {
    await i18n.changeLanguage('zh-TW');
    const tooSmall = new ApiError(400, 'invalid_request', 'Invalid input — body.budgetMin: Too small: expected number to be >=0', [
      { path: 'body.budgetMin', code: 'too_small', message: 'Too small: expected number to be >=0', params: { origin: 'number', minimum: 0, inclusive: true } },
    ]);
    expect(errorText(tooSmall, i18n.t)).toBe('預算下限: 至少為 0');
    expect(localizedDetail({ field: 'title', message: 'title: Use at most 300 characters', reason: 'too_big', params: { origin: 'string', maximum: 300, inclusive: true } }, t)).toBe('最多 300 個字元');
    expect(localizedDetail({ field: 'segmentId', message: 'segmentId: Pick the segment customers must enter', reason: 'pick_entry_segment' }, t)).toBe('請選擇客戶要進入的分群');
    expect(reasonText('percent_sum', { total: 90 }, t)).toBe('百分比合計為 90，必須剛好是 100');
    const ctx = { nodes: [], manifest: new Map(), lng: 'zh-TW' };
    expect(describeProblem({ nodeId: 'x', field: 'segmentId', code: 'reference.unknown_segment', message: 'The segment "s1" does not exist (deleted?). Pick another segment.', params: { id: 's1' } }, t, ctx)).toMatch(/^此步驟使用的分群已不存在/);
    await i18n.changeLanguage('en');
  });

  it('words a CSV row error, tag advice, a duplicate reason and a timeline entry', () => {
    expect(cellErrorText({ column: '電話', code: 'phone_invalid', params: { value: '12345', country: 'TW', example: '+886 912 345 678' }, message: '"12345" is not a valid phone number…' }, t)).toBe(
      '電話: 「12345」不是 TW 的有效電話號碼。請填寫 TW 的號碼，或加上國碼，例如 +886 912 345 678。',
    );
    expect(cellErrorText({ code: 'enum_invalid', params: { value: 'Z', field: 'tier', values: 'A, B, C' }, message: '' }, t)).toBe('「Z」不是有效的價值等級；請使用以下之一：A, B, C');
    expect(tagAdviceText({ code: 'merge_into', params: { share: 0.031, peer: 'VIP' } }, 'On 3.1% of customers: consider merging into "VIP".', t, 'zh-TW')).toBe('只有 3.1% 的客戶有此標籤：可考慮併入「VIP」。');
    expect(matchReasonText({ code: 'same_phone', params: { phone: '+886 9•• ••• 678' } }, t, 'zh-TW')).toBe('電話相同 +886 9•• ••• 678');
    expect(timelineText({ kind: 'system', body: 'Tag "VIP" removed.', payload: { event: 'tag_removed', tag: 'VIP' } }, t, 'zh-TW')).toBe('已移除標籤「VIP」。');
    expect(timelineText({ kind: 'note', body: 'my note', payload: { event: 'import' } }, t, 'zh-TW')).toBeNull();
    // an old entry or an unknown code keeps the server's text
    expect(cellErrorText({ message: 'is odd' }, t)).toBe('is odd');
  });
});
