/**
 * The customer fields a CSV column can be mapped to, with the header words (English, Traditional
 * and Simplified Chinese, Spanish) that suggest them. Anything else maps to a custom field
 * (`custom:<key>`) or is ignored on purpose (`ignore`): an unmapped column is never dropped silently.
 */
export const IMPORT_FIELDS = [
  'name',
  'company',
  'phone',
  'email',
  'whatsapp',
  'industry',
  'tier',
  'products',
  'budgetMin',
  'budgetMax',
  'budgetCurrency',
  'timezone',
  'birthday',
  'firstContactAt',
  'lastFollowUpAt',
  'source',
  'owner',
  'tags',
  'notes',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** Synonyms per field; compared after normalisation (case, accents, spacing, punctuation, Traditional → Simplified). */
export const FIELD_SYNONYMS: Record<ImportField, readonly string[]> = {
  name: [
    'name', 'full name', 'customer name', 'client name', 'contact name', 'contact', 'customer', 'client',
    '姓名', '名字', '客户姓名', '客戶姓名', '客户名称', '客戶名稱', '联系人', '聯絡人', '聯繫人', '客户', '客戶',
    'nombre', 'nombre completo', 'nombre del cliente', 'cliente', 'contacto', 'nombre y apellidos',
  ],
  company: [
    'company', 'company name', 'organization', 'organisation', 'account', 'business', 'employer',
    '公司', '公司名称', '公司名稱', '单位', '單位', '企业', '企業', '机构', '機構', '所属公司', '所屬公司',
    'empresa', 'compania', 'nombre de la empresa', 'organizacion', 'razon social',
  ],
  phone: [
    'phone', 'phone number', 'telephone', 'tel', 'mobile', 'mobile phone', 'cell', 'cellphone', 'contact number',
    '电话', '電話', '手机', '手機', '手机号', '手機號碼', '手机号码', '联系电话', '聯絡電話', '聯繫電話', '电话号码', '電話號碼',
    'telefono', 'movil', 'celular', 'numero de telefono', 'telefono movil',
  ],
  email: [
    'email', 'e-mail', 'email address', 'mail',
    '邮箱', '郵箱', '电子邮件', '電子郵件', '电邮', '電郵', '邮件', '郵件', '电子邮箱', '電子信箱', '信箱',
    'correo', 'correo electronico', 'email del cliente',
  ],
  whatsapp: ['whatsapp', 'whatsapp id', 'whatsapp number', 'wa', 'whatsapp号码', 'whatsapp號碼', 'numero de whatsapp'],
  industry: ['industry', 'sector', 'vertical', '行业', '行業', '产业', '產業', 'industria', 'rubro'],
  tier: [
    'tier', 'value tier', 'customer tier', 'level', 'grade', '客户等级', '客戶等級', '等级', '等級', '客户级别', '客戶級別',
    'nivel', 'categoria', 'nivel de cliente',
  ],
  products: [
    'products', 'product', 'products of interest', 'interested products', '意向产品', '意向產品', '感兴趣产品', '感興趣產品',
    '产品', '產品', 'productos', 'producto', 'productos de interes',
  ],
  budgetMin: ['budget min', 'min budget', 'minimum budget', '预算下限', '預算下限', '最低预算', '最低預算', 'presupuesto minimo'],
  budgetMax: ['budget max', 'max budget', 'maximum budget', 'budget', '预算上限', '預算上限', '最高预算', '最高預算', '预算', '預算', 'presupuesto maximo', 'presupuesto'],
  budgetCurrency: ['currency', 'budget currency', '币种', '幣別', '货币', '貨幣', 'moneda', 'divisa'],
  timezone: ['timezone', 'time zone', 'tz', '时区', '時區', 'zona horaria'],
  birthday: ['birthday', 'birth date', 'date of birth', 'dob', '生日', '出生日期', 'cumpleanos', 'fecha de nacimiento'],
  firstContactAt: [
    'first contact', 'first contact date', 'first contacted', 'created', '首次联系', '首次聯繫', '首次聯絡', '首次接触时间', '首次接觸時間',
    '初次联系时间', '初次聯絡時間', 'primer contacto', 'fecha de primer contacto',
  ],
  lastFollowUpAt: [
    'last follow up', 'last follow-up', 'last followup', 'last contact', '最后跟进', '最後跟進', '最近跟进', '最近跟進', '上次跟进', '上次跟進',
    'ultimo seguimiento', 'ultimo contacto',
  ],
  source: ['source', 'lead source', 'channel', '来源', '來源', '客户来源', '客戶來源', 'origen', 'fuente'],
  owner: [
    'owner', 'account owner', 'sales rep', 'salesperson', 'assigned to', 'agent',
    '负责人', '負責人', '业务员', '業務員', '业务', '業務', '跟进人', '跟進人', '销售', '銷售',
    'responsable', 'vendedor', 'comercial', 'agente', 'asignado a',
  ],
  tags: ['tags', 'tag', 'labels', 'label', '标签', '標籤', '標簽', 'etiquetas', 'etiqueta'],
  notes: ['notes', 'note', 'comments', 'comment', 'remarks', 'memo', '备注', '備註', '备忘', '說明', '说明', 'notas', 'nota', 'comentarios', 'observaciones'],
};
