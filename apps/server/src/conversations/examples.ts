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
