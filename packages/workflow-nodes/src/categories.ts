/** Palette sections, in the order the editor shows them. */
import type { Localized } from './i18n.js';
import { t } from './i18n.js';

export const nodeCategories: readonly { id: string; label: Localized }[] = [
  { id: 'triggers', label: t('Triggers', '觸發條件', '触发条件', 'Disparadores') },
  { id: 'dates', label: t('Dates', '日期', '日期', 'Fechas') },
  { id: 'conditions', label: t('Conditions', '條件', '条件', 'Condiciones') },
  { id: 'messaging', label: t('Messaging', '訊息', '消息', 'Mensajes') },
  { id: 'customer', label: t('Customer', '客戶', '客户', 'Cliente') },
  { id: 'team', label: t('Team', '團隊', '团队', 'Equipo') },
  { id: 'loyalty', label: t('Loyalty', '會員忠誠度', '会员忠诚度', 'Fidelización') },
  { id: 'integrations', label: t('Integrations', '整合', '集成', 'Integraciones') },
  { id: 'flows', label: t('Flows', '流程', '流程', 'Flujos') },
  { id: 'timing', label: t('Timing', '時間控制', '时间控制', 'Tiempos') },
  { id: 'branching', label: t('Branching', '分支', '分支', 'Ramificación') },
  { id: 'flow', label: t('Flow control', '流程控制', '流程控制', 'Control del flujo') },
];
