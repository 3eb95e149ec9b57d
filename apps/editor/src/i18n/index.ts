// i18next set-up: four UI languages, resources bundled (no network fetch), language kept in
// localStorage. Dates and numbers go through Intl with the current language (see format.ts).
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './locales/en.json';
import zhTW from './locales/zh-TW.json';
import zhCN from './locales/zh-CN.json';
import es from './locales/es.json';

export const languages = [
  { code: 'en', name: 'English' },
  { code: 'zh-TW', name: '繁體中文' },
  { code: 'zh-CN', name: '简体中文' },
  { code: 'es', name: 'Español' },
] as const;
export type LanguageCode = (typeof languages)[number]['code'];
export const resources = { en, 'zh-TW': zhTW, 'zh-CN': zhCN, es } as const;

const LANG_KEY = 'nudge.lang';

function initialLanguage(): LanguageCode {
  const stored = typeof localStorage !== 'undefined' ? localStorage.getItem(LANG_KEY) : null;
  if (stored && stored in resources) return stored as LanguageCode;
  const nav = typeof navigator !== 'undefined' ? navigator.language : 'en';
  if (/^zh-(TW|HK|Hant)/i.test(nav)) return 'zh-TW';
  if (/^zh/i.test(nav)) return 'zh-CN';
  if (/^es/i.test(nav)) return 'es';
  return 'en';
}

void i18n.use(initReactI18next).init({
  resources: Object.fromEntries(Object.entries(resources).map(([k, v]) => [k, { translation: v }])),
  lng: initialLanguage(),
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
  returnNull: false,
});

i18n.on('languageChanged', (lng) => {
  if (typeof localStorage !== 'undefined') localStorage.setItem(LANG_KEY, lng);
  if (typeof document !== 'undefined') document.documentElement.lang = lng;
});

/** Picks the text for the current language from a manifest label map, falling back to English. */
export function pickLabel(label: Record<string, string> | undefined, lng: string, fallback = ''): string {
  if (!label) return fallback;
  return label[lng] ?? label[lng.split('-')[0] ?? 'en'] ?? label.en ?? Object.values(label)[0] ?? fallback;
}

export default i18n;
