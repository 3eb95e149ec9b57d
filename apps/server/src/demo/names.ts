/** Word lists for realistic demo customers in the four markets Nudge is built for. */
export type Locale = 'zh-TW' | 'zh-CN' | 'es' | 'en';

export const NAMES: Record<Locale, { surnames: string[]; given: string[]; order: 'family-first' | 'given-first' }> = {
  'zh-TW': {
    surnames: ['陳', '林', '黃', '張', '李', '王', '吳', '劉', '蔡', '楊', '許', '鄭', '謝', '郭', '洪'],
    given: ['大明', '美玲', '志豪', '淑芬', '家豪', '怡君', '俊傑', '雅婷', '建宏', '詩涵', '宗翰', '佩珊', '冠宇', '欣怡', '承恩'],
    order: 'family-first',
  },
  'zh-CN': {
    surnames: ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '马', '朱', '胡'],
    given: ['伟', '芳', '娜', '秀英', '敏', '静', '丽', '强', '磊', '军', '洋', '艳', '勇', '杰', '晓东'],
    order: 'family-first',
  },
  es: {
    surnames: ['García', 'Fernández', 'González', 'Rodríguez', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez', 'Martín', 'Jiménez', 'Ruiz', 'Hernández', 'Díaz', 'Moreno'],
    given: ['María', 'José', 'Antonio', 'Carmen', 'Javier', 'Lucía', 'Manuel', 'Ana', 'Francisco', 'Laura', 'David', 'Marta', 'Alejandro', 'Elena', 'Pablo'],
    order: 'given-first',
  },
  en: {
    surnames: ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Anderson', 'Taylor', 'Thomas', 'Moore', 'Clark', 'Lewis', 'Walker'],
    given: ['James', 'Mary', 'John', 'Patricia', 'Robert', 'Jennifer', 'Michael', 'Linda', 'William', 'Elizabeth', 'David', 'Susan', 'Emily', 'Daniel', 'Olivia'],
    order: 'given-first',
  },
};

export const COMPANIES: Record<Locale, { stems: string[]; suffixes: string[] }> = {
  'zh-TW': { stems: ['大明', '永豐', '台灣精密', '長榮', '宏達', '鴻興', '新光', '統一', '華新', '順益'], suffixes: ['貿易有限公司', '科技股份有限公司', '實業有限公司', '企業社'] },
  'zh-CN': { stems: ['华兴', '东方', '鑫达', '恒信', '中天', '海润', '金桥', '宏图', '瑞丰', '安泰'], suffixes: ['贸易有限公司', '科技有限公司', '实业集团', '电子有限公司'] },
  es: { stems: ['Iberia', 'Levante', 'Castilla', 'Mediterráneo', 'Atlántico', 'Sierra', 'Solana', 'Puerto', 'Valle', 'Norte'], suffixes: ['Distribuciones S.L.', 'Comercial S.A.', 'Logística S.L.', 'Importaciones S.A.'] },
  en: { stems: ['Bay Area', 'Golden Gate', 'Pacific', 'Summit', 'Redwood', 'Harbor', 'Evergreen', 'Pioneer', 'Liberty', 'Keystone'], suffixes: ['Supply Co.', 'Trading Inc.', 'Industries LLC', 'Partners Ltd.'] },
};

export const TIMEZONES: Record<Locale, string> = { 'zh-TW': 'Asia/Taipei', 'zh-CN': 'Asia/Shanghai', es: 'Europe/Madrid', en: 'America/Los_Angeles' };
export const CURRENCIES: Record<Locale, string> = { 'zh-TW': 'TWD', 'zh-CN': 'CNY', es: 'EUR', en: 'USD' };
export const REGIONS: Record<Locale, 'TW' | 'CN' | 'ES' | 'US'> = { 'zh-TW': 'TW', 'zh-CN': 'CN', es: 'ES', en: 'US' };

export const INDUSTRIES = ['Manufacturing', 'Retail', 'Wholesale', 'Electronics', 'Food & Beverage', 'Logistics', 'Healthcare', 'Education', 'Construction', 'Software'];
export const PRODUCTS = ['ERP Suite', 'POS Terminal', 'Cloud Storage', 'Barcode Scanner', 'Support Plan', 'Training', 'Label Printer', 'Inventory App'];

export const MESSAGES_IN: Record<Locale, string[]> = {
  'zh-TW': ['請問價格多少?', '可以寄樣品嗎?', '我想了解安裝方式', '報價單收到了,謝謝', '什麼時候可以出貨?'],
  'zh-CN': ['请问价格多少?', '可以寄样品吗?', '设备出现故障了', '报价收到了,谢谢', '什么时候发货?'],
  es: ['¿Cuál es el precio?', '¿Pueden enviar una muestra?', 'Necesito ayuda con la instalación', 'Recibí el presupuesto, gracias', '¿Cuándo lo envían?'],
  en: ['What is the price?', 'Can you send a sample?', 'I need help with the installation', 'Got the quote, thanks', 'When will it ship?'],
};
export const MESSAGES_OUT: Record<Locale, string[]> = {
  'zh-TW': ['您好,附上最新報價單。', '樣品已寄出,請查收。', '感謝您的來信,我們會盡快回覆。'],
  'zh-CN': ['您好,附上最新报价。', '样品已寄出,请查收。', '感谢来信,我们会尽快回复。'],
  es: ['Hola, adjunto el presupuesto actualizado.', 'La muestra ya está en camino.', 'Gracias por escribirnos, respondemos enseguida.'],
  en: ['Hi, please find the updated quote attached.', 'The sample is on its way.', 'Thanks for reaching out, we will reply shortly.'],
};
