/**
 * The organisation's import settings (the `settings` table, key `import.settings`), set on the
 * Settings screen: the country of phone numbers written without a +country code. Unset, it is
 * NUDGE_DEFAULT_REGION (TW). An import may choose another country on its mapping step.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { getCountries, type CountryCode } from 'libphonenumber-js';
import { schema } from '@nudge/db';
import { regionSchema } from '@nudge/customer-import';
import type { AppContext } from '../context.js';
import { setting } from '../config.js';

export const IMPORT_SETTINGS_KEY = 'import.settings';

export const ImportSettingsBody = z
  .object({ defaultRegion: regionSchema.describe('country of phone numbers written without +country code, e.g. TW, ES') })
  .meta({ id: 'ImportSettings' });
export type ImportSettings = { defaultRegion: CountryCode };

/** Every country a phone number can be read in (ISO 3166 alpha-2), for the country pickers. */
export const PHONE_REGIONS: readonly CountryCode[] = getCountries();

const serverDefault = (): CountryCode => regionSchema.parse(setting('NUDGE_DEFAULT_REGION'));

export async function loadImportSettings(ctx: AppContext): Promise<ImportSettings> {
  const [stored] = await ctx.db.db.select({ value: schema.settings.value }).from(schema.settings).where(eq(schema.settings.key, IMPORT_SETTINGS_KEY));
  if (stored?.value) {
    try {
      const parsed = ImportSettingsBody.safeParse(JSON.parse(stored.value));
      if (parsed.success) return parsed.data as ImportSettings;
    } catch {
      // unreadable: the server default below
    }
  }
  return { defaultRegion: serverDefault() };
}

export async function saveImportSettings(ctx: AppContext, body: ImportSettings): Promise<ImportSettings> {
  const value = JSON.stringify(body);
  await ctx.db.db
    .insert(schema.settings)
    .values({ key: IMPORT_SETTINGS_KEY, value })
    .onConflictDoUpdate({ target: schema.settings.key, set: { value, updatedAt: new Date() } });
  return body;
}
