import i18n from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import '../i18n';
import type { Problem } from '../api/schemas';
import { graphToReactFlow } from './graph';
import { describeProblem, detail, problemLocation } from './problems';
import { testManifestByKey } from './testManifest';

const { nodes } = graphToReactFlow({
  nodes: [
    { id: 'w', type: 'nudge', position: { x: 0, y: 0 }, data: { nodeType: 'control.wait_for_event@1', config: {} } },
    { id: 'm', type: 'nudge', position: { x: 0, y: 0 }, data: { nodeType: 'action.send_message@1', config: {}, label: 'Welcome mail' } },
  ],
  edges: [],
});
const ctx = (lng: string) => ({ nodes, manifest: testManifestByKey, lng });

describe('validation display', () => {
  beforeAll(async () => {
    await i18n.changeLanguage('en');
  });

  it('rephrases known codes with the node and port names of the current language', async () => {
    const p: Problem = { nodeId: 'w', port: 'timeout', code: 'port.unconnected', message: 'The "timeout" output of step w leads nowhere.' };
    expect(describeProblem(p, i18n.t, ctx('en'))).toBe('The "No reply" output of "Wait for reply" leads nowhere. Connect it to the next step, or to an End step if nothing should happen.');
    await i18n.changeLanguage('zh-TW');
    expect(describeProblem(p, i18n.t, ctx('zh-TW'))).toBe('「等待回覆」的「未回覆」出口沒有連到任何步驟。請連到下一步，若不需要動作請連到「結束」。');
    await i18n.changeLanguage('en');
  });

  it('keeps the validator message for config problems, without the field prefix, and locates the field', () => {
    const p: Problem = { nodeId: 'm', field: 'body', code: 'node.invalid_config', message: 'body: Write the message, or pick a saved template' };
    expect(describeProblem(p, i18n.t, ctx('en'))).toBe('Write the message, or pick a saved template');
    expect(problemLocation(p, i18n.t, ctx('en'))).toBe('Welcome mail · Message');
    expect(detail({ field: 'subject', message: 'Too long' })).toBe('Too long');
  });

  it('names the whole flow for flow-level problems', () => {
    const p: Problem = { code: 'flow.no_trigger', message: 'The flow has no trigger.' };
    expect(problemLocation(p, i18n.t, ctx('en'))).toBe('Whole flow');
    expect(describeProblem(p, i18n.t, ctx('en'))).toMatch(/^The flow has no trigger\. Add one trigger/);
  });

  it("says the validator's generic config messages again in the UI language, and keeps node-specific ones", async () => {
    const required: Problem = { nodeId: 't', field: 'segmentId', code: 'node.invalid_config', message: 'segmentId: Fill in this field' };
    const tooLong: Problem = { nodeId: 'm', field: 'subject', code: 'node.invalid_config', message: 'subject: Use at most 300 characters' };
    const own: Problem = { nodeId: 'm', field: 'body', code: 'node.invalid_config', message: 'body: Write the message, or pick a saved template' };
    await i18n.changeLanguage('zh-TW');
    expect(describeProblem(required, i18n.t, ctx('zh-TW'))).toBe('請填寫此欄位');
    expect(describeProblem(tooLong, i18n.t, ctx('zh-TW'))).toBe('最多 300 個字元');
    expect(describeProblem(own, i18n.t, ctx('zh-TW'))).toBe('Write the message, or pick a saved template');
    await i18n.changeLanguage('es');
    expect(describeProblem(required, i18n.t, ctx('es'))).toBe('Rellene este campo');
    await i18n.changeLanguage('en');
    expect(describeProblem(tooLong, i18n.t, ctx('en'))).toBe('Use at most 300 characters');
  });
});
