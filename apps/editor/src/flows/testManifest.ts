// A small manifest in the published contract's shape, used by unit tests.
import type { ManifestNode } from '../api/schemas';

const l = (en: string, tw = en, cn = en, es = en) => ({ en, 'zh-TW': tw, 'zh-CN': cn, es });

export const testManifestNodes: ManifestNode[] = [
  {
    key: 'trigger.segment_entry@1', type: 'trigger.segment_entry', version: 1, kind: 'trigger', category: 'triggers', icon: 'users',
    label: l('Segment entry', '進入分群', '进入分群', 'Entrada en segmento'), inputs: [], outputs: [{ id: 'next', label: l('Next') }],
    configSchema: { type: 'object', properties: { segmentId: { type: 'string', title: 'Segment' } }, required: ['segmentId'] }, defaults: {},
  },
  {
    key: 'action.send_message@1', type: 'action.send_message', version: 1, kind: 'action', category: 'messaging', icon: 'mail',
    label: l('Send message', '傳送訊息', '发送消息', 'Enviar mensaje'), inputs: ['in'], outputs: [{ id: 'next', label: l('Next') }],
    configSchema: {
      type: 'object',
      properties: {
        channel: { type: 'string', enum: ['email', 'whatsapp', 'sms'] },
        subject: { type: 'string' },
        body: { type: 'string', minLength: 1 },
      },
      required: ['channel', 'body'],
    },
    defaults: { channel: 'email', body: '' }, ui: { body: { widget: 'template' } },
  },
  {
    key: 'control.wait_for_event@1', type: 'control.wait_for_event', version: 1, kind: 'control', category: 'flow', icon: 'clock',
    label: l('Wait for reply', '等待回覆', '等待回复', 'Esperar respuesta'), inputs: ['in'],
    outputs: [{ id: 'replied', label: l('Replied', '已回覆') }, { id: 'timeout', label: l('No reply', '未回覆') }],
    configSchema: { type: 'object', properties: { timeout: { type: 'string' } } }, defaults: { timeout: '3d' }, ui: { timeout: { widget: 'duration' } },
  },
];
export const testManifestByKey = new Map(testManifestNodes.map((n) => [n.key, n]));
