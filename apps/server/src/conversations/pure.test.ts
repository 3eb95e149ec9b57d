/** The pure pieces: text folding, rule matching, business hours, agent choice. */
import { describe, expect, it } from 'vitest';
import { addBusinessHours, isWithinHours, localDay } from './hours.js';
import { firstMatch, planReplies, type AutoReplyRule } from './rules.js';
import { chooseAgent, type AgentCandidate } from './routing.js';
import { detectLanguage, fillVariables, foldForMatch } from './text.js';
import { TAIPEI_WEEKDAYS } from './examples.js';

const taipei = { timezone: 'Asia/Taipei', periods: TAIPEI_WEEKDAYS, holidays: ['2026-12-25'] };
const rule = (over: Partial<AutoReplyRule>): AutoReplyRule => ({ id: over.name ?? 'r', name: 'r', kind: 'keyword', position: 0, match: 'contains', patterns: [], replies: {}, template: null, hours: 'always', active: true, ...over });

describe('text', () => {
  it('folds width, case, accents and Traditional → Simplified', () => {
    expect(foldForMatch('ＰＲＩＣＥ')).toBe('price');
    expect(foldForMatch('Envío')).toBe('envio');
    expect(foldForMatch('價格')).toBe('价格');
  });
  it('guesses the language', () => {
    expect(detectLanguage('請問價格')).toBe('zh-Hant');
    expect(detectLanguage('请问价格')).toBe('zh-Hans');
    expect(detectLanguage('¿precio?')).toBe('es');
    expect(detectLanguage('price please')).toBe('en');
  });
  it('fills variables and leaves unknown ones visible', () => {
    expect(fillVariables('Hi {name}, {owner} here {oops}', { name: 'Ana', owner: '林雅婷' })).toBe('Hi Ana, 林雅婷 here {oops}');
  });
});

describe('rules', () => {
  const rules = [
    rule({ name: 'exact', match: 'exact', patterns: ['hi'], position: 1 }),
    rule({ name: 'regex', match: 'regex', patterns: ['^order\\s*#?\\d+'], position: 2 }),
    rule({ name: 'night', patterns: ['price'], hours: 'out_of_hours', position: 3 }),
    rule({ name: 'day', patterns: ['价格', 'price'], hours: 'in_hours', position: 4 }),
    rule({ name: 'off', patterns: ['price'], active: false, position: 0 }),
  ];
  it('exact, regex, contains; in / out of hours; inactive rules never answer', () => {
    expect(firstMatch(rules, ['keyword'], 'HI', true)?.rule.name).toBe('exact');
    expect(firstMatch(rules, ['keyword'], 'hi there', true)).toBeNull();
    expect(firstMatch(rules, ['keyword'], 'Order #123 status?', true)?.rule.name).toBe('regex');
    expect(firstMatch(rules, ['keyword'], '價格?', true)?.rule.name).toBe('day');
    expect(firstMatch(rules, ['keyword'], 'price?', false)?.rule.name).toBe('night');
  });
});

describe('business hours', () => {
  it('lunch break, evenings, weekends and holidays are closed', () => {
    expect(isWithinHours(taipei, new Date('2026-12-01T02:00:00Z'))).toBe(true); // Tue 10:00
    expect(isWithinHours(taipei, new Date('2026-12-01T04:30:00Z'))).toBe(false); // Tue 12:30
    expect(isWithinHours(taipei, new Date('2026-12-01T05:30:00Z'))).toBe(true); // Tue 13:30
    expect(isWithinHours(taipei, new Date('2026-12-05T02:00:00Z'))).toBe(false); // Sat
    expect(isWithinHours(taipei, new Date('2026-12-25T02:00:00Z'))).toBe(false); // holiday (Fri)
    expect(localDay('Asia/Taipei', new Date('2026-12-01T17:00:00Z'))).toBe('2026-12-02');
  });
  it('deadlines count business hours only', () => {
    // Thu 17:00 + 24 business hours: Thu 1 h, Fri is a holiday, Mon/Tue/Wed 7.5 h each (23.5 h) → Thu 09:30 (Dec 31)
    expect(addBusinessHours(taipei, new Date('2026-12-24T09:00:00Z'), 24).toISOString()).toBe('2026-12-31T01:30:00.000Z');
    // starting in the lunch break: from 13:30
    expect(addBusinessHours(taipei, new Date('2026-12-01T04:15:00Z'), 2).toISOString()).toBe('2026-12-01T07:30:00.000Z');
    expect(addBusinessHours({ timezone: 'UTC', periods: [] }, new Date('2026-12-01T00:00:00Z'), 2).toISOString()).toBe('2026-12-01T02:00:00.000Z');
  });
});

describe('agent choice', () => {
  const a = (id: string, over: Partial<AgentCandidate> = {}): AgentCandidate => ({ userId: id, teamId: 't', skills: [], languages: ['en'], maxOpen: 5, open: 0, available: true, onShift: true, lastAssignedAt: null, ...over });
  it('round-robin: longest since last assignment; skips off-shift, away and full agents', () => {
    const pool = [a('1', { lastAssignedAt: new Date(2000) }), a('2', { lastAssignedAt: new Date(1000) }), a('3', { onShift: false }), a('4', { available: false }), a('5', { open: 5 })];
    expect(chooseAgent(pool, { teamId: 't', skill: null, language: 'en' })?.userId).toBe('2');
  });
  it('load: fewest open first; skill and language narrow the pool', () => {
    const pool = [a('1', { open: 3 }), a('2', { open: 1, skills: ['technical'] }), a('3', { open: 0, languages: ['es'] })];
    expect(chooseAgent(pool, { teamId: 't', skill: null, language: 'en' }, 'load')?.userId).toBe('2');
    expect(chooseAgent(pool, { teamId: 't', skill: null, language: 'es' }, 'load')?.userId).toBe('3');
    expect(chooseAgent(pool, { teamId: 't', skill: 'technical', language: 'es' })?.userId).toBe('2');
    expect(chooseAgent(pool, { teamId: 'other', skill: null, language: 'en' })).toBeNull();
  });
});

describe('planReplies: at most one greeting and one answer per message', () => {
  const rules = [
    rule({ name: 'welcome', kind: 'welcome' }),
    rule({ name: 'away', kind: 'away', hours: 'out_of_hours' }),
    rule({ name: 'handoff', kind: 'handoff', patterns: ['human agent'] }),
    rule({ name: 'high', kind: 'high_value', patterns: ['confirm order'] }),
    rule({ name: 'price', kind: 'keyword', position: 10, patterns: ['price'] }),
    rule({ name: 'ship', kind: 'keyword', position: 20, patterns: ['shipping'] }),
  ];
  const base = { inHours: true, firstContact: true, awayAllowed: true, handoffAllowed: true, handoffForced: false, personTookOver: false };
  const plan = (text: string, over: Partial<typeof base> = {}) => {
    const p = planReplies(rules, { ...base, ...over, text });
    return [p.greeting?.rule.name ?? null, p.answer ? (p.answer.rule?.name ?? p.answer.purpose) : null];
  };
  it('greets with the welcome in hours, with the away message out of hours (not both)', () => {
    expect(plan('price and shipping?')).toEqual(['welcome', 'price']);
    expect(plan('price and shipping?', { inHours: false })).toEqual(['away', 'price']);
    expect(plan('price?', { inHours: false, firstContact: false })).toEqual(['away', 'price']);
    expect(plan('price?', { inHours: false, firstContact: false, awayAllowed: false })).toEqual([null, 'price']);
  });
  it('a first contact whose away message is held back (an agent just answered) gets the welcome', () => {
    expect(plan('hello', { inHours: false, awayAllowed: false })).toEqual(['welcome', null]);
  });
  it('one answer: the hand-off notice over a high-value reply over a keyword; none once a person took over', () => {
    expect(plan('human agent, confirm order, price')).toEqual(['welcome', 'handoff']);
    expect(plan('confirm order, price', { firstContact: false })).toEqual([null, 'high']);
    expect(plan('price', { firstContact: false, personTookOver: true })).toEqual([null, null]);
    expect(plan('price', { firstContact: false, handoffForced: true })).toEqual([null, 'handoff']);
    expect(plan('human agent', { firstContact: false, handoffAllowed: false })).toEqual([null, null]);
  });
});
