/**
 * Synthetic customers for tests, benchmarks and demo data: Chinese (Traditional), Spanish and
 * English names, Taiwanese, Chinese and Spanish phones, and ways the same person gets written
 * twice (phone formats, Simplified script, "Last, First", typos, case and spacing) as well as
 * different people who only look alike. Deterministic for a given seed.
 */
import { toSimplified } from '../normalise.js';

export type Rng = () => number;

/** mulberry32: small, fast, seedable. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;

const ZH_SURNAMES = ['張', '陳', '林', '黃', '劉', '楊', '吳', '趙', '周', '徐', '孫', '馬', '朱', '胡', '郭', '何', '高', '羅', '鄭', '梁', '謝', '宋', '許', '韓', '馮', '鄧', '曹', '彭', '曾', '蕭', '蔡', '蔣', '王', '李'];
const ZH_GIVEN = ['大', '明', '華', '美', '玲', '偉', '強', '麗', '傑', '國', '志', '建', '文', '輝', '軍', '嘉', '慧', '婷', '雅', '龍', '鳳', '寶', '東', '雲', '欣', '怡', '俊', '豪', '宏', '佳', '穎', '瑋', '龍', '義', '學', '書', '萬', '興', '長', '春'];
const ZH_COMPANIES = ['台灣積體電路', '鴻海精密工業', '聯發科技', '華碩電腦', '宏碁', '統一企業', '長榮海運', '國泰金融', '中華電信', '台達電子', '廣達電腦', '緯創資通', '富邦金控', '遠東新世紀', '大立光電', '研華科技', '億光電子', '華南銀行', '東元電機', '聲寶'];
const ZH_SUFFIXES = ['股份有限公司', '有限公司', '', '集團'];
const ES_FIRST = ['María', 'José', 'Juan', 'Ana', 'Luis', 'Carmen', 'Javier', 'Lucía', 'Pedro', 'Sofía', 'Miguel', 'Elena', 'Carlos', 'Isabel', 'Antonio', 'Pilar', 'Francisco', 'Raquel', 'Manuel', 'Marta', 'Álvaro', 'Inés', 'Sergio', 'Beatriz'];
const ES_LAST = ['García', 'Fernández', 'González', 'Rodríguez', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez', 'Martín', 'Jiménez', 'Ruiz', 'Hernández', 'Díaz', 'Moreno', 'Muñoz', 'Álvarez', 'Romero', 'Navarro', 'Torres', 'Domínguez', 'Vázquez', 'Ramos', 'Gil', 'Serrano', 'Blanco', 'Molina', 'Castro', 'Ortiz', 'Rubio'];
const ES_COMPANIES = ['Telefónica', 'Iberdrola', 'Repsol', 'Mapfre', 'Inditex', 'Ferrovial', 'Acciona', 'Indra', 'Mercadona', 'Naturgy', 'Grifols', 'Sacyr', 'Prosegur', 'Ebro Foods', 'Viscofan', 'Talgo', 'Abengoa', 'Cellnex'];
const ES_SUFFIXES = [' S.A.', ' S.L.', '', ' SA'];
const EN_FIRST = ['John', 'Mary', 'James', 'Patricia', 'Robert', 'Jennifer', 'Michael', 'Linda', 'William', 'Elizabeth', 'David', 'Susan', 'Richard', 'Jessica', 'Joseph', 'Sarah', 'Thomas', 'Karen', 'Daniel', 'Nancy', 'Matthew', 'Lisa', 'Anthony', 'Betty'];
const EN_LAST = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Anderson', 'Taylor', 'Thomas', 'Moore', 'Jackson', 'Martin', 'Thompson', 'White', 'Harris', 'Clark', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King'];
const EN_COMPANIES = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark Industries', 'Wayne Enterprises', 'Wonka', 'Cyberdyne', 'Soylent', 'Massive Dynamic', 'Vandelay Industries', 'Pied Piper', 'Aperture Science'];
const EN_SUFFIXES = [' Inc.', ' Ltd', ' LLC', '', ' Corp.'];
const PINYIN = ['wei', 'ming', 'hua', 'mei', 'ling', 'qiang', 'li', 'jie', 'guo', 'zhi', 'jian', 'wen', 'hui', 'jun', 'jia', 'ting', 'ya', 'long', 'feng', 'bao', 'dong', 'yun', 'xin', 'yi', 'hao', 'hong'];

export type Locale = 'zh' | 'es' | 'en';

export interface Person {
  id: number;
  locale: Locale;
  /** zh: [surname, given]; es/en: [first, last…] */
  given: string;
  family: string;
  companyBase: string;
  companySuffix: string;
  /** The digits after the country code. */
  national: string;
  country: '886' | '86' | '34';
  email: string;
}

export interface CsvPersonRow {
  name: string;
  phone: string;
  company: string;
  email: string;
}

export function displayName(p: Person): string {
  return p.locale === 'zh' ? `${p.family}${p.given}` : `${p.given} ${p.family}`;
}

/** A phone unique to `serial` (serial < 10^7), valid in its country. */
function phoneFor(country: Person['country'], serial: number): string {
  const tail = String(serial).padStart(7, '0');
  if (country === '886') return `9${String(serial % 10)}${tail}`.slice(0, 9); // 9 digits: 9XXXXXXXX
  if (country === '86') return `13${tail}${serial % 10}0`.slice(0, 11); // 11 digits: 13XXXXXXXXX
  return `6${tail}${serial % 10}`.slice(0, 9); // 9 digits: 6XXXXXXXX
}

export function generatePerson(rng: Rng, id: number, serial = id): Person {
  const r = rng();
  const locale: Locale = r < 0.45 ? 'zh' : r < 0.75 ? 'es' : 'en';
  if (locale === 'zh') {
    const given = pick(rng, ZH_GIVEN) + (rng() < 0.8 ? pick(rng, ZH_GIVEN) : '');
    const country = rng() < 0.8 ? '886' : '86';
    return {
      id,
      locale,
      family: pick(rng, ZH_SURNAMES),
      given,
      companyBase: pick(rng, ZH_COMPANIES),
      companySuffix: pick(rng, ZH_SUFFIXES),
      national: phoneFor(country, serial),
      country,
      email: `${pick(rng, PINYIN)}.${pick(rng, PINYIN)}${serial}@example.com.tw`,
    };
  }
  const es = locale === 'es';
  const given = pick(rng, es ? ES_FIRST : EN_FIRST);
  const family = es && rng() < 0.4 ? `${pick(rng, ES_LAST)} ${pick(rng, ES_LAST)}` : pick(rng, es ? ES_LAST : EN_LAST);
  const ascii = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, '');
  return {
    id,
    locale,
    given,
    family,
    companyBase: pick(rng, es ? ES_COMPANIES : EN_COMPANIES),
    companySuffix: pick(rng, es ? ES_SUFFIXES : EN_SUFFIXES),
    national: phoneFor('34', serial),
    country: '34',
    email: `${ascii(given)}.${ascii(family)}${serial}@example.${es ? 'es' : 'com'}`,
  };
}

/** The phone written one of the ways people write it. */
export function formatPhone(p: Person, rng: Rng): string {
  const n = p.national;
  const style = Math.floor(rng() * 4);
  if (p.country === '886') {
    return [`0${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`, `0${n}`, `+886 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`, `+886-${n}`][style]!;
  }
  if (p.country === '86') {
    return [`${n.slice(0, 3)} ${n.slice(3, 7)} ${n.slice(7)}`, `+86 ${n}`, `+86-${n.slice(0, 3)}-${n.slice(3, 7)}-${n.slice(7)}`, `0086${n}`][style]!;
  }
  return [`+34 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`, `+34${n}`, `0034 ${n}`, `+34 ${n.slice(0, 3)} ${n.slice(3, 5)} ${n.slice(5, 7)} ${n.slice(7)}`][style]!;
}

/** The region an import of these rows should use for phones without a country code. */
export const GENERATED_DEFAULT_REGION = 'TW';

export function rowOf(p: Person, rng: Rng): CsvPersonRow {
  // Mainland numbers without +86 would be read as Taiwanese: keep their country code.
  let phone = formatPhone(p, rng);
  if (p.country === '86' && !phone.startsWith('+') && !phone.startsWith('00')) phone = `+86 ${p.national}`;
  return { name: displayName(p), phone, company: p.companyBase + p.companySuffix, email: p.email };
}

export const DUPLICATE_KINDS = ['format', 'script', 'swap', 'typo', 'case'] as const;
export type DuplicateKind = (typeof DUPLICATE_KINDS)[number];

function typo(rng: Rng, word: string): string {
  const chars = [...word];
  if (chars.length < 4) return word;
  const i = 1 + Math.floor(rng() * (chars.length - 2));
  const kind = Math.floor(rng() * 3);
  const letters = 'aeioulnrst';
  if (kind === 0) chars[i] = pick(rng, [...letters].filter((c) => c !== chars[i]));
  else if (kind === 1) chars.splice(i, 1);
  else [chars[i], chars[i + 1]] = [chars[i + 1]!, chars[i]!];
  return chars.join('');
}

/** The same person written again, the way a second spreadsheet or a colleague would write them. */
export function duplicateRow(p: Person, kind: DuplicateKind, rng: Rng): CsvPersonRow {
  const row = rowOf(p, rng);
  const maybeDrop = (v: string) => (rng() < 0.3 ? '' : v);
  const otherSuffix = () => {
    const list = p.locale === 'zh' ? ZH_SUFFIXES : p.locale === 'es' ? ES_SUFFIXES : EN_SUFFIXES;
    return p.companyBase + pick(rng, list);
  };
  switch (kind) {
    case 'format':
      return { ...row, email: rng() < 0.5 ? row.email.toUpperCase() : row.email, company: maybeDrop(row.company) };
    case 'script':
      if (p.locale === 'zh') return { name: toSimplified(row.name), phone: row.phone, company: toSimplified(otherSuffix()), email: maybeDrop(row.email) };
      return { ...row, name: row.name.normalize('NFD').replace(/\p{M}/gu, ''), email: maybeDrop(row.email) };
    case 'swap':
      if (p.locale === 'zh') return { ...row, name: `${p.family} ${p.given}`, email: '' };
      return { ...row, name: `${p.family}, ${p.given}`, phone: maybeDrop(row.phone), company: otherSuffix() };
    case 'typo':
      if (p.locale === 'zh') {
        // A wrong character: only a contact detail can tell it is the same person.
        const given = [...p.given];
        given[given.length - 1] = pick(rng, ZH_GIVEN);
        return { ...row, name: `${p.family}${given.join('')}`, email: maybeDrop(row.email) };
      }
      return { ...row, name: `${typo(rng, p.given)} ${p.family}`, phone: maybeDrop(row.phone), email: '', company: otherSuffix() };
    case 'case':
      return { name: `  ${row.name.toUpperCase().replace(' ', '   ')} `, phone: '', company: otherSuffix().toLowerCase(), email: row.email };
  }
}

export const LOOKALIKE_KINDS = [
  'same-name-other-company',
  'similar-name-same-company',
  'same-family-same-company',
  'shared-office-phone',
  'switchboard-colleague',
] as const;
export type LookAlikeKind = (typeof LOOKALIKE_KINDS)[number];

/**
 * A DIFFERENT person who resembles `p`. For shared-office-phone the returned rows carry the same
 * office number for both people (`original` is p written with it). A switchboard-colleague has
 * p's given name, another family name, their own e-mail and the same company landline as p
 * (莊品妤 / 鄧品妤 behind one switchboard number).
 */
export function lookAlike(p: Person, kind: LookAlikeKind, rng: Rng, id: number, serial: number): { person: Person; row: CsvPersonRow; original?: CsvPersonRow } {
  const other = generatePerson(rng, id, serial);
  const person: Person = { ...other, locale: p.locale, country: p.locale === 'zh' ? p.country : '34' };
  person.national = phoneFor(person.country, serial);
  switch (kind) {
    case 'same-name-other-company': {
      person.given = p.given;
      person.family = p.family;
      const list = p.locale === 'zh' ? ZH_COMPANIES : p.locale === 'es' ? ES_COMPANIES : EN_COMPANIES;
      person.companyBase = pick(rng, list.filter((c) => c !== p.companyBase));
      break;
    }
    case 'similar-name-same-company':
      person.family = p.family;
      person.given = p.locale === 'zh' ? [...p.given].slice(0, -1).join('') + pick(rng, ZH_GIVEN.filter((c) => !p.given.endsWith(c))) : typo(rng, p.given);
      if (person.given === p.given) person.given = `${p.given}a`;
      person.companyBase = p.companyBase;
      break;
    case 'same-family-same-company':
      person.family = p.family;
      person.companyBase = p.companyBase;
      if (person.given === p.given) person.given = p.locale === 'zh' ? `${p.given}${pick(rng, ZH_GIVEN)}` : `${p.given}o`;
      break;
    case 'switchboard-colleague': {
      person.companyBase = p.companyBase;
      person.given = p.given;
      const surnames = p.locale === 'zh' ? ZH_SURNAMES : p.locale === 'es' ? ES_LAST : EN_LAST;
      const first = (f: string) => f.split(' ')[0]!;
      person.family = pick(rng, surnames.filter((f) => f !== first(p.family)));
      if (p.locale === 'es' && p.family.includes(' ')) person.family += ` ${pick(rng, ES_LAST.filter((f) => !p.family.includes(f)))}`;
      const tail = p.national.slice(-7);
      // The company's landline: Taipei (02), Beijing (010) or Madrid (91).
      const office = p.locale === 'zh' ? (p.country === '886' ? `(02) 2${tail.slice(0, 3)}-${tail.slice(3)}` : `+86 10 6${tail}`) : `+34 91${tail}`;
      const row = rowOf(person, rng);
      return { person, row: { ...row, phone: office }, original: { ...rowOf(p, rng), phone: office } };
    }
    case 'shared-office-phone': {
      person.companyBase = p.companyBase;
      const office = p.locale === 'zh' && p.country === '886' ? `(02) 2${p.national.slice(2, 5)}-${p.national.slice(5)}` : null;
      const row = rowOf(person, rng);
      if (!office) return { person, row: { ...row, phone: rowOf(p, rng).phone } };
      return { person, row: { ...row, phone: office }, original: { ...rowOf(p, rng), phone: office } };
    }
  }
  const email = person.email.replace(/^[^@]*/, (m) => `${m}x`);
  return { person: { ...person, email }, row: { ...rowOf(person, rng), email } };
}
