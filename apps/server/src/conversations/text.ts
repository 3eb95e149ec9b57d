/**
 * Text as rules compare it: Unicode compatibility forms (full-width Ｐｒｉｃｅ → price), case,
 * accents (envío = envio), Traditional = Simplified (價格 = 价格), spacing. And a guess of the
 * customer's language so that replies and hand-off notices go out in it.
 */
import { toSimplified } from '@nudge/customer-import';

export type InboxLanguage = 'en' | 'zh-Hant' | 'zh-Hans' | 'es';
export const INBOX_LANGUAGES: readonly InboxLanguage[] = ['en', 'zh-Hant', 'zh-Hans', 'es'];

export function foldForMatch(text: string): string {
  return toSimplified(text.normalize('NFKC'))
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[\s\u3000]+/g, ' ')
    .trim();
}

/** The folded text without punctuation: what "the same question" compares. */
export function questionKey(text: string): string {
  return foldForMatch(text).replace(/[\p{P}\p{S}]+/gu, '').replace(/\s+/g, ' ').trim();
}

const HAN = /\p{Script=Han}/u;
const SPANISH = /[ñ¿¡áéíóú]|\b(hola|precio|gracias|cuanto|cuánto|envio|envío|quiero|por favor|cita|buenos|buenas|agente)\b/i;

/** zh-Hant when the Han text changes under Traditional → Simplified, zh-Hans for other Han text. */
export function detectLanguage(text: string, fallback: InboxLanguage = 'en'): InboxLanguage {
  const t = text.normalize('NFKC');
  if (HAN.test(t)) return toSimplified(t) !== t ? 'zh-Hant' : 'zh-Hans';
  if (SPANISH.test(t)) return 'es';
  if (/[a-z]{2,}/i.test(t)) return 'en';
  return fallback;
}

/** {name}, {owner}, {first_name}…: unknown variables are left as written so a mistake shows. */
export function fillVariables(template: string, values: Record<string, string | null | undefined>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const v = values[key];
    return v === undefined || v === null ? whole : v;
  });
}
