// What a node card says about its settings, in the four UI languages.
import { nodeKey, nodeRegistry } from '@nudge/workflow-nodes';
import i18n from 'i18next';
import { afterAll, describe, expect, it } from 'vitest';
import '../i18n';
import { nodeSummary, type SummaryContext } from './summary';

const segments = new Map([['seg-1', 'Cold potentials']]);
const users = new Map([['u-7', 'Mei Lin']]);
const flows = new Map([['f-2', 'Welcome series']]);

async function ctx(lng: string): Promise<SummaryContext> {
  await i18n.changeLanguage(lng);
  return { t: i18n.t, lng, segments, users, flows };
}

describe('node summaries', () => {
  afterAll(async () => {
    await i18n.changeLanguage('en');
  });

  it('says how long a wait is, in each language', async () => {
    const wait = { duration: { amount: 3, unit: 'days' } };
    expect(nodeSummary('control.wait@1', wait, await ctx('en'))).toBe('Wait 3 days');
    expect(nodeSummary('control.wait@1', wait, await ctx('zh-TW'))).toBe('等待 3 天');
    expect(nodeSummary('control.wait@1', wait, await ctx('zh-CN'))).toBe('等待 3天'); // as Intl writes it
    expect(nodeSummary('control.wait@1', wait, await ctx('es'))).toBe('Esperar 3 días');
    expect(nodeSummary('control.wait@1', { duration: { amount: 1, unit: 'hours' } }, await ctx('en'))).toBe('Wait 1 hour');
  });

  it('gives no line for a wait too broken to read (its problem says why)', async () => {
    const en = await ctx('en');
    expect(nodeSummary('control.wait@1', { duration: { amount: -1, unit: 'days' } }, en)).toBeNull();
    expect(nodeSummary('control.wait@1', { duration: { unit: 'days' } }, en)).toBeNull();
    expect(nodeSummary('control.wait@1', {}, en)).toBeNull();
  });

  it("names the trigger's segment from the loaded segments, and keeps an unknown id readable", async () => {
    expect(nodeSummary('trigger.segment_entry@1', { segmentId: 'seg-1' }, await ctx('en'))).toBe('Enters “Cold potentials”');
    expect(nodeSummary('trigger.segment_entry@1', { segmentId: 'seg-1' }, await ctx('zh-TW'))).toBe('進入「Cold potentials」');
    expect(nodeSummary('trigger.segment_entry@1', { segmentId: 'seg-1' }, await ctx('es'))).toBe('Entra en «Cold potentials»');
    expect(nodeSummary('trigger.segment_entry@1', { segmentId: 'gone' }, await ctx('en'))).toBe('Enters “gone”');
    expect(nodeSummary('trigger.segment_entry@1', { segmentId: '' }, await ctx('en'))).toBeNull();
  });

  it('shows the subject or the template of a message, and the title and due of a task', async () => {
    const en = await ctx('en');
    expect(nodeSummary('action.send_message@1', { channel: 'email', subject: 'Hello {name}', body: 'Hi' }, en)).toBe('Email: Hello {name}');
    expect(nodeSummary('action.send_message@1', { channel: 'email', templateId: 't1' }, en)).toBe('Email: saved template');
    expect(nodeSummary('action.send_message@1', { channel: 'sms', body: 'Your code\nis here' }, en)).toBe('SMS: Your code');
    const task = { title: 'Call {name}', taskType: 'call', dueIn: { amount: 24, unit: 'hours' } };
    expect(nodeSummary('action.create_task@1', task, en)).toBe('Phone call “Call {name}”, due in 24 hours');
    expect(nodeSummary('action.create_task@1', { ...task, assignTo: 'user', userId: 'u-7' }, en)).toBe('Phone call “Call {name}”, due in 24 hours · Mei Lin');
    const tw = await ctx('zh-TW');
    expect(nodeSummary('action.create_task@1', task, tw)).toBe('電話聯繫「Call {name}」，24 小時內到期');
  });

  it('reads tags, conditions with segment names, points and the flow to start', async () => {
    const en = await ctx('en');
    expect(nodeSummary('action.add_tag@1', { tag: 'vip', expiresAfter: null }, en)).toBe('Add tag “vip”');
    expect(nodeSummary('action.add_tag@1', { tag: 'vip', expiresAfter: { amount: 2, unit: 'weeks' } }, en)).toBe('Add tag “vip” for 2 weeks');
    expect(nodeSummary('trigger.tag_changed@1', { change: 'removed', tag: 'lead' }, en)).toBe('Tag “lead” removed');
    const condition = { type: 'and', conditions: [{ type: 'tag', operator: 'has', tag: 'potential' }, { type: 'segment', operator: 'not_in', segmentId: 'seg-1' }] };
    expect(nodeSummary('condition.if_else@1', { condition }, en)).toBe('Has tag “potential” and Not in “Cold potentials”');
    expect(nodeSummary('condition.if_else@1', { condition: { type: 'days_since', field: 'lastFollowUpAt', operator: 'more_than', days: 30 } }, en)).toBe('Last follow-up more than 30 days ago');
    expect(nodeSummary('action.change_points@1', { delta: 100, reason: 'Flow bonus' }, en)).toBe('+100 points · Flow bonus');
    expect(nodeSummary('action.start_flow@1', { flowId: 'f-2' }, en)).toBe('Start “Welcome series”');
    expect(nodeSummary('control.wait_for_event@1', { event: 'message.received', timeout: { amount: 3, unit: 'days' } }, en)).toBe('Customer replied, up to 3 days');
    expect(nodeSummary('trigger.schedule@1', { cron: '0 9 * * *', segmentId: 'seg-1' }, en)).toBe('Every day at 09:00 · “Cold potentials”');
    const cn = await ctx('zh-CN');
    expect(nodeSummary('condition.if_else@1', { condition }, cn)).toBe('有标签“potential”且不在“Cold potentials”中');
  });

  it('has a line for every node with settings, from its defaults, in every language, and never throws on junk', async () => {
    for (const lng of ['en', 'zh-TW', 'zh-CN', 'es']) {
      const c = await ctx(lng);
      for (const def of nodeRegistry) {
        const key = nodeKey(def);
        expect(() => nodeSummary(key, { junk: { deep: [1, null] }, duration: 'x', condition: 7, cases: 'no' }, c)).not.toThrow();
        expect(() => nodeSummary(key, null, c)).not.toThrow();
        const line = nodeSummary(key, def.defaults, c);
        // nodes whose defaults leave a required pick empty (segment, tag, flow…) have nothing to say yet
        if (['trigger.manual', 'control.end', 'trigger.segment_entry', 'trigger.tag_changed', 'trigger.field_changed', 'trigger.date_field', 'trigger.webhook', 'action.add_tag', 'action.remove_tag', 'action.add_note', 'action.start_flow', 'action.update_field', 'action.http_webhook'].includes(def.type)) continue;
        expect(line, `${lng} ${key}`).toBeTruthy();
        expect(line!, `${lng} ${key}`).not.toMatch(/summary\.|enum\.|\{\{/);
      }
    }
  });
});
