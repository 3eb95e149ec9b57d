/** The four interface languages. Every label and description carries all four. */
export const locales = ['en', 'zh-TW', 'zh-CN', 'es'] as const;
export type Locale = (typeof locales)[number];
export type Localized = Readonly<Record<Locale, string>>;

/** Writes a localized text; positional order en, zh-TW, zh-CN, es keeps node files short. */
export const t = (en: string, zhTW: string, zhCN: string, es: string): Localized => ({
  en,
  'zh-TW': zhTW,
  'zh-CN': zhCN,
  es,
});
