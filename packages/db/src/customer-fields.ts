/**
 * The traits of each customer field (what the table cannot say): import header aliases (English,
 * Traditional and Simplified Chinese, Spanish; compared after folding case, accents, spacing and
 * Traditional → Simplified), how a value is checked, which features use it, masking.
 * A column without an entry here is still in the registry (readable, exported, not imported).
 * Labels live in the editor's locale files under `fields.<name>` (a test checks all four).
 */
import { buildFieldRegistry, FieldRegistry, type FieldTraits } from './fields.js';
import { customers } from './schema/customers.js';

type Traits = Partial<Record<keyof typeof customers.$inferSelect, FieldTraits>>;

export const CUSTOMER_FIELD_TRAITS = {
  id: { system: true, segment: false },
  fullName: {
    segment: true,
    template: 'name',
    import: {
      required: true,
      aliases: [
        'name', 'full name', 'customer name', 'client name', 'contact name', 'contact', 'customer', 'client',
        '姓名', '名字', '客户姓名', '客戶姓名', '客户名称', '客戶名稱', '联系人', '聯絡人', '聯繫人', '客户', '客戶',
        'nombre', 'nombre completo', 'nombre del cliente', 'cliente', 'contacto', 'nombre y apellidos',
      ],
    },
  },
  company: {
    segment: true,
    template: 'company',
    import: {
      aliases: [
        'company', 'company name', 'organization', 'organisation', 'account', 'business', 'employer',
        '公司', '公司名称', '公司名稱', '单位', '單位', '企业', '企業', '机构', '機構', '所属公司', '所屬公司',
        'empresa', 'compania', 'nombre de la empresa', 'organizacion', 'razon social',
      ],
    },
  },
  industry: {
    maxLength: 100,
    segment: true,
    condition: true,
    import: { aliases: ['industry', 'sector', 'vertical', '行业', '行業', '产业', '產業', 'industria', 'rubro'] },
  },
  productsOfInterest: {
    maxItems: 2,
    maxLength: 100,
    segment: true,
    condition: true,
    import: {
      aliases: [
        'products', 'product', 'products of interest', 'interested products', '意向产品', '意向產品', '感兴趣产品', '感興趣產品',
        '产品', '產品', 'productos', 'producto', 'productos de interes',
      ],
    },
  },
  phone: {
    format: 'phone',
    mask: 'phone',
    raw: 'phoneRaw',
    segment: true,
    import: {
      aliases: [
        'phone', 'phone number', 'telephone', 'tel', 'mobile', 'mobile phone', 'cell', 'cellphone', 'contact number',
        '电话', '電話', '手机', '手機', '手机号', '手機號碼', '手机号码', '联系电话', '聯絡電話', '聯繫電話', '电话号码', '電話號碼',
        'telefono', 'movil', 'celular', 'numero de telefono', 'telefono movil',
      ],
    },
  },
  phoneRaw: { mask: 'phone', writable: false },
  email: {
    format: 'email',
    mask: 'email',
    segment: true,
    import: {
      aliases: [
        'email', 'e-mail', 'email address', 'mail',
        '邮箱', '郵箱', '电子邮件', '電子郵件', '电邮', '電郵', '邮件', '郵件', '电子邮箱', '電子信箱', '信箱',
        'correo', 'correo electronico', 'email del cliente',
      ],
    },
  },
  whatsappId: {
    format: 'whatsapp',
    maxLength: 64,
    mask: 'phone',
    segment: true,
    import: { aliases: ['whatsapp', 'whatsapp id', 'whatsapp number', 'whatsapp phone', 'wa', 'whatsapp号码', 'whatsapp號碼', 'numero de whatsapp'] },
  },
  budgetMin: {
    min: 0,
    notAbove: 'budgetMax',
    segment: true,
    condition: true,
    import: { aliases: ['budget min', 'min budget', 'minimum budget', '预算下限', '預算下限', '最低预算', '最低預算', 'presupuesto minimo'] },
  },
  budgetMax: {
    min: 0,
    segment: true,
    condition: true,
    import: {
      aliases: ['budget max', 'max budget', 'maximum budget', 'budget', '预算上限', '預算上限', '最高预算', '最高預算', '预算', '預算', 'presupuesto maximo', 'presupuesto'],
    },
  },
  budgetCurrency: {
    format: 'currency',
    segment: true,
    condition: true,
    import: { aliases: ['currency', 'budget currency', '币种', '幣別', '货币', '貨幣', 'moneda', 'divisa'] },
  },
  preferredContactSlots: { maxItems: 21 },
  timezone: {
    format: 'timezone',
    segment: true,
    import: { aliases: ['timezone', 'time zone', 'tz', '时区', '時區', 'zona horaria'] },
  },
  birthday: {
    segment: true,
    import: { aliases: ['birthday', 'birth date', 'date of birth', 'dob', '生日', '出生日期', 'cumpleanos', 'fecha de nacimiento'] },
  },
  tier: {
    segment: true,
    condition: true,
    import: {
      aliases: [
        'tier', 'value tier', 'customer tier', 'level', 'grade', '客户等级', '客戶等級', '等级', '等級', '客户级别', '客戶級別',
        'nivel', 'categoria', 'nivel de cliente',
      ],
      valueWords: {
        estrategico: 'strategic', 战略: 'strategic', 戰略: 'strategic', 战略客户: 'strategic', 戰略客戶: 'strategic',
        a级: 'A', b级: 'B', c级: 'C', a級: 'A', b級: 'B', c級: 'C',
      },
    },
  },
  ownerId: {
    format: 'user',
    segment: true,
    import: {
      aliases: [
        'owner', 'account owner', 'sales rep', 'salesperson', 'assigned to', 'agent',
        // CRM exports name the owner after the record ("Contact owner" in HubSpot) or by its
        // name or e-mail; the owner column takes a user's name or e-mail either way.
        'contact owner', 'customer owner', 'client owner', 'lead owner', 'record owner', 'owner name', 'owner email', 'owner e-mail',
        '负责人', '負責人', '业务员', '業務員', '业务', '業務', '跟进人', '跟進人', '销售', '銷售',
        '客户负责人', '客戶負責人', '负责人姓名', '負責人姓名', '负责人邮箱', '負責人郵箱',
        'responsable', 'vendedor', 'comercial', 'agente', 'asignado a',
        'propietario', 'propietario del contacto', 'responsable del cliente', 'nombre del responsable', 'correo del responsable',
      ],
    },
  },
  teamId: { segment: true, condition: true },
  optOutEmail: { segment: true },
  optOutWhatsapp: { segment: true },
  optOutSms: { segment: true },
  optOutPhone: { segment: true },
  consentUpdatedAt: { hidden: true },
  points: { segment: true, condition: true },
  membershipTier: { segment: true, condition: true },
  totalSpend: { system: true, segment: true, condition: true },
  firstContactAt: {
    segment: true,
    condition: true,
    import: {
      aliases: [
        'first contact', 'first contact date', 'first contacted', 'created', '首次联系', '首次聯繫', '首次聯絡', '首次接触时间', '首次接觸時間',
        '初次联系时间', '初次聯絡時間', 'primer contacto', 'fecha de primer contacto',
      ],
    },
  },
  lastFollowUpAt: {
    segment: true,
    condition: true,
    import: {
      aliases: [
        'last follow up', 'last follow-up', 'last followup', 'last contact', '最后跟进', '最後跟進', '最近跟进', '最近跟進', '上次跟进', '上次跟進',
        'ultimo seguimiento', 'ultimo contacto',
      ],
    },
  },
  lastInteractionAt: { segment: true, condition: true },
  priority: { segment: true, condition: true },
  winProbability: { min: 0, max: 100, segment: true, condition: true },
  source: {
    maxLength: 64,
    mergeable: false,
    segment: true,
    condition: true,
    import: { defaultValue: 'import', aliases: ['source', 'lead source', 'channel', '来源', '來源', '客户来源', '客戶來源', 'origen', 'fuente'] },
  },
  customFields: { export: false },
  archivedAt: { system: true },
  createdAt: { system: true, segment: true, condition: true },
  updatedAt: { system: true, segment: true },
  searchFolded: { system: true, hidden: true, export: false, mergeable: false },
} satisfies Traits;

/** The registry of the real `customers` table. */
export const customerFields = new FieldRegistry(buildFieldRegistry(customers, CUSTOMER_FIELD_TRAITS));

/**
 * The columns that say what a customer is worth, and that worth as one number: the top of their
 * budget, else its floor (null when neither is known). Priority rules (the inbox's P1 = budget >
 * 100k) read it, so no other code names the budget fields.
 */
export const customerValueColumns = { budgetMax: customers.budgetMax, budgetMin: customers.budgetMin } as const;
export function customerValue(row: { budgetMax: number | null; budgetMin: number | null } | undefined): number | null {
  return row ? (row.budgetMax ?? row.budgetMin ?? null) : null;
}
export { buildFieldRegistry, FieldRegistry, type CustomerField, type FieldFormat, type FieldTraits, type FieldType } from './fields.js';
