/** Normalisation of the values a customer is identified by: text, phone numbers, e-mail addresses. */
import { Converter } from 'opencc-js/t2cn';
import { getExampleNumber, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import mobileExamples from 'libphonenumber-js/mobile/examples';

const traditionalToSimplified = Converter({ from: 'tw', to: 'cn' });
const HAN = /\p{Script=Han}/u;

/** Traditional Chinese → Simplified (no-op for text without Han characters). */
export function toSimplified(text: string): string {
  return HAN.test(text) ? traditionalToSimplified(text) : text;
}

/**
 * Folds text for comparison: Unicode compatibility forms, Traditional → Simplified, case, accents,
 * punctuation and spacing. "María  GARCÍA-López" → "maria garcia lopez"; "張大明" → "张大明".
 */
export function foldText(text: string): string {
  return toSimplified(text.normalize('NFKC'))
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Trims and collapses inner whitespace (full-width spaces included). */
export function cleanText(text: string): string {
  return text.normalize('NFC').replace(/[\s\u3000]+/g, ' ').trim();
}

export type PhoneResult = { ok: true; e164: string } | { ok: false; message: string; example: string };

/**
 * Parses a phone number as typed (0912-345-678, +886 912 345 678, (02) 2345-6789) to E.164,
 * reading numbers without a country code in `defaultRegion`.
 */
export function normalisePhone(raw: string, defaultRegion: CountryCode): PhoneResult {
  const text = raw.normalize('NFKC').trim();
  const parsed = parsePhoneNumberFromString(text.startsWith('00') ? `+${text.slice(2)}` : text, defaultRegion);
  // Not valid where it says it is (or, without a country code, in the import's country): a row
  // error. Never re-read in another country — that guess turned a Spanish 612 345 679 into +886.
  if (!parsed || !parsed.isValid()) {
    const example = getExampleNumber(defaultRegion, mobileExamples)?.formatInternational() ?? '+886 912 345 678';
    return {
      ok: false,
      message: `"${raw}" is not a valid phone number for country ${defaultRegion}; write it as a number of ${defaultRegion} or with its country code, e.g. ${example}`,
      example,
    };
  }
  return { ok: true, e164: parsed.number };
}

/** Number types that ring a desk, a switchboard or a service line rather than one person's handset. */
const SHARED_LINE_TYPES = new Set(['FIXED_LINE', 'TOLL_FREE', 'SHARED_COST', 'UAN', 'PREMIUM_RATE', 'VOICEMAIL']);
const sharedLineCache = new Map<string, boolean>();

/**
 * Whether an E.164 number is a fixed line (or toll-free, shared-cost, UAN…) by libphonenumber's
 * type: such a number is often a company's switchboard, shared by many colleagues, so it is weak
 * evidence that two records are one person. Mobiles and numbers whose type is ambiguous
 * (FIXED_LINE_OR_MOBILE, e.g. in the US) are not.
 */
export function isSharedLineNumber(e164: string): boolean {
  let shared = sharedLineCache.get(e164);
  if (shared === undefined) {
    const type = parsePhoneNumberFromString(e164)?.getType();
    shared = type !== undefined && SHARED_LINE_TYPES.has(type);
    if (sharedLineCache.size >= 50_000) sharedLineCache.clear();
    sharedLineCache.set(e164, shared);
  }
  return shared;
}

export function normaliseEmail(raw: string): string {
  return raw.normalize('NFKC').trim().toLowerCase();
}
