/**
 * The seeds' example auto-reply rules in all four languages (价格/價格/precio/price,
 * 运费/運費/envío/shipping, 预约/預約/cita/appointment, welcome, away, hand-off words, high-value
 * words) and the seeds' business hours (Asia/Taipei, 09:00–12:00 and 13:30–18:00 weekdays).
 * Used by the demo data and by the tests.
 */
import { schema } from '@nudge/db';
import type { DbOrTx } from './settings.js';

export const TAIPEI_WEEKDAYS: schema.WeeklyPeriods = [1, 2, 3, 4, 5].flatMap((weekday) => [
  { weekday, start: '09:00', end: '12:00' },
  { weekday, start: '13:30', end: '18:00' },
]);

type RuleInsert = typeof schema.autoReplyRules.$inferInsert;

export const EXAMPLE_RULES: RuleInsert[] = [
  {
    name: 'Welcome', kind: 'welcome', position: 0, patterns: [],
    replies: {
      en: 'Hi {name}, welcome! Ask us about price, shipping or an appointment.',
      'zh-Hant': '{name} 您好，歡迎！您可以詢問價格、運費或預約。',
      'zh-Hans': '{name} 您好，欢迎！您可以询问价格、运费或预约。',
      es: 'Hola {name}, ¡bienvenido! Pregúntenos por precio, envío o una cita.',
    },
  },
  {
    name: 'Away (outside business hours)', kind: 'away', position: 0, hours: 'out_of_hours', patterns: [],
    replies: {
      en: 'Thanks for your message! We are closed now and will answer first thing after 09:00.',
      'zh-Hant': '感謝您的訊息！我們目前已經下班，將在明天上午09:00後優先處理您的需求。',
      'zh-Hans': '感谢您的消息！我们目前已经下班，将在明天上午09:00后优先处理您的需求。',
      es: '¡Gracias por su mensaje! Ahora estamos cerrados y le responderemos después de las 09:00.',
    },
  },
  {
    name: 'Hand-off to a person', kind: 'handoff', position: 0, match: 'contains',
    patterns: ['人工客服', '真人', '转人工', 'agente humano', 'hablar con una persona', 'human agent', 'talk to a person'],
    replies: {
      en: 'Of course — a colleague will answer you personally shortly.',
      'zh-Hant': '好的，專人將盡快為您服務。',
      'zh-Hans': '好的，专人将尽快为您服务。',
      es: 'Por supuesto, una persona de nuestro equipo le responderá en breve.',
    },
  },
  {
    name: 'High-value words', kind: 'high_value', position: 0, match: 'contains',
    patterns: ['订单确认', '签约', 'confirm order', 'sign the contract', 'confirmar pedido', 'firmar'],
    replies: {},
  },
  {
    name: 'Price', kind: 'keyword', position: 10, match: 'contains', patterns: ['价格', '多少钱', 'precio', 'price', 'how much'],
    replies: {
      en: 'Our prices range from 3,500 to 15,000 TWD; tell us the model and we will quote it.',
      'zh-Hant': '我們的產品價格範圍為3,500-15,000台幣，請提供具體型號為您報價。',
      'zh-Hans': '我们的产品价格范围为3,500-15,000台币，请提供具体型号为您报价。',
      es: 'Nuestros precios van de 3,500 a 15,000 TWD; indíquenos el modelo y le cotizamos.',
    },
  },
  {
    name: 'Shipping', kind: 'keyword', position: 20, match: 'contains', patterns: ['运费', 'envío', 'shipping', 'delivery cost'],
    replies: {
      en: 'Shipping on the main island is 80 TWD, free over 3,000 TWD; outlying islands 150 TWD, free over 5,000 TWD.',
      'zh-Hant': '本島運費統一80台幣，滿3,000元免運；離島運費150台幣，滿5,000元免運。',
      'zh-Hans': '本岛运费统一80台币，满3,000元免运；离岛运费150台币，满5,000元免运。',
      es: 'El envío dentro de la isla cuesta 80 TWD, gratis desde 3,000 TWD; a islas 150 TWD, gratis desde 5,000 TWD.',
    },
  },
  {
    name: 'Appointment', kind: 'keyword', position: 30, match: 'contains', patterns: ['预约', 'cita', 'appointment', 'book a visit'],
    replies: {
      en: 'Please tell us the date and time you would like (e.g. 4/25 3 pm) and we will confirm the slot.',
      'zh-Hant': '請提供期望日期與時間（例如：4/25下午3點），我們將為您確認時段。',
      'zh-Hans': '请提供期望日期与时间（例如：4/25下午3点），我们将为您确认时段。',
      es: 'Por favor, indíquenos la fecha y hora deseadas (por ejemplo: 4/25 a las 3 p.m.) y confirmaremos la disponibilidad.',
    },
  },
];

export async function insertExampleRules(db: DbOrTx): Promise<number> {
  const rows = await db.insert(schema.autoReplyRules).values(EXAMPLE_RULES).returning({ id: schema.autoReplyRules.id });
  return rows.length;
}

type TemplateInsert = typeof schema.messageTemplates.$inferInsert;
type Lang = 'en' | 'zh-Hant' | 'zh-Hans' | 'es';
const inFour = (base: Omit<TemplateInsert, 'language' | 'body'>, bodies: Record<Lang, string>): TemplateInsert[] =>
  (Object.entries(bodies) as [Lang, string][]).map(([language, body]) => ({ ...base, language, body }));

/** Saved templates: WhatsApp ones (approved by the stand-in; one still in review) and an e-mail one. */
export const EXAMPLE_TEMPLATES: TemplateInsert[] = [
  ...inFour({ name: 'follow_up', channel: 'whatsapp', category: 'utility', status: 'approved' }, {
    en: 'Hi {name}, this is {owner} from Nudge. Following up on your question: are you still interested? Reply here and we will continue.',
    'zh-Hant': '{name} 您好，我是 Nudge 的 {owner}。想跟進您先前的詢問：您還有興趣嗎？直接回覆即可繼續。',
    'zh-Hans': '{name} 您好，我是 Nudge 的 {owner}。想跟进您之前的询问：您还有兴趣吗？直接回复即可继续。',
    es: 'Hola {name}, soy {owner} de Nudge. Le escribo sobre su consulta: ¿sigue interesado? Responda aquí y continuamos.',
  }),
  ...inFour({ name: 'appointment_reminder', channel: 'whatsapp', category: 'utility', status: 'approved' }, {
    en: 'Hi {name}, a reminder of your appointment on {{1}}. Reply 1 to confirm or 2 to change it.',
    'zh-Hant': '{name} 您好，提醒您 {{1}} 的預約。回覆 1 確認，回覆 2 更改時間。',
    'zh-Hans': '{name} 您好，提醒您 {{1}} 的预约。回复 1 确认，回复 2 更改时间。',
    es: 'Hola {name}, le recordamos su cita del {{1}}. Responda 1 para confirmar o 2 para cambiarla.',
  }),
  ...inFour({ name: 'spring_offer', channel: 'whatsapp', category: 'marketing', status: 'pending' }, {
    en: 'Hi {name}, spring offer: 10% off every model until the end of the month.',
    'zh-Hant': '{name} 您好，春季優惠：全系列型號九折，至月底止。',
    'zh-Hans': '{name} 您好，春季优惠：全系列型号九折，至月底止。',
    es: 'Hola {name}, oferta de primavera: 10% de descuento en todos los modelos hasta fin de mes.',
  }),
  { name: 'login_code', channel: 'whatsapp', category: 'authentication', status: 'approved', language: 'en', body: 'Your Nudge verification code is {{1}}. Do not share it.' },
  { name: 'quote', channel: 'email', status: 'approved', language: 'en', subject: 'Your quote, {name}', body: 'Hi {name},\n\nas promised, here is your quote. {owner} is happy to answer any question.\n' },
];

/** Quick replies for `/price`, `/shipping`, `/hours`, `/thanks` in four languages. */
export const EXAMPLE_QUICK_REPLIES: (typeof schema.quickReplies.$inferInsert)[] = (
  [
    ['price', {
      en: 'Hi {name}, our prices range from 3,500 to 15,000 TWD. Which model are you interested in? I will send you a quote.',
      'zh-Hant': '{name} 您好，我們的產品價格為 3,500–15,000 台幣。請問您對哪個型號有興趣？我為您報價。',
      'zh-Hans': '{name} 您好，我们的产品价格为 3,500–15,000 台币。请问您对哪个型号有兴趣？我为您报价。',
      es: 'Hola {name}, nuestros precios van de 3,500 a 15,000 TWD. ¿Qué modelo le interesa? Le envío una cotización.',
    }],
    ['shipping', {
      en: 'Shipping on the main island is 80 TWD, free over 3,000 TWD; outlying islands 150 TWD, free over 5,000 TWD.',
      'zh-Hant': '本島運費 80 台幣，滿 3,000 元免運；離島 150 台幣，滿 5,000 元免運。',
      'zh-Hans': '本岛运费 80 台币，满 3,000 元免运；离岛 150 台币，满 5,000 元免运。',
      es: 'El envío en la isla principal cuesta 80 TWD, gratis desde 3,000 TWD; a islas 150 TWD, gratis desde 5,000 TWD.',
    }],
    ['hours', {
      en: 'We are here Monday to Friday, 09:00–12:00 and 13:30–18:00 (Taipei time).',
      'zh-Hant': '我們的服務時間為週一至週五 09:00–12:00、13:30–18:00（台北時間）。',
      'zh-Hans': '我们的服务时间为周一至周五 09:00–12:00、13:30–18:00（台北时间）。',
      es: 'Atendemos de lunes a viernes, 09:00–12:00 y 13:30–18:00 (hora de Taipéi).',
    }],
    ['thanks', {
      en: 'Thank you, {name}! {agent} here — write any time if you need anything else.',
      'zh-Hant': '謝謝您，{name}！我是 {agent}，有任何需要隨時留言。',
      'zh-Hans': '谢谢您，{name}！我是 {agent}，有任何需要随时留言。',
      es: '¡Gracias, {name}! Soy {agent}; escríbanos cuando necesite algo más.',
    }],
  ] as const
).flatMap(([code, texts]) => Object.entries(texts).map(([language, text]) => ({ code, language, text })));

export async function insertExampleTemplates(db: DbOrTx): Promise<{ templates: number; quickReplies: number }> {
  const t = await db.insert(schema.messageTemplates).values(EXAMPLE_TEMPLATES).onConflictDoNothing().returning({ id: schema.messageTemplates.id });
  const q = await db.insert(schema.quickReplies).values(EXAMPLE_QUICK_REPLIES).onConflictDoNothing().returning({ id: schema.quickReplies.id });
  return { templates: t.length, quickReplies: q.length };
}
