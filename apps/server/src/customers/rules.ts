/**
 * The rules customer values follow beyond their column types, in one place for the API's writes
 * (customers/service.ts) and the CSV import (import/reading.ts): the managed list of industries
 * and the typed custom fields.
 */
import type { schema } from '@nudge/db';

export type CustomFieldType = (typeof schema.customFieldType.enumValues)[number];
export interface CustomFieldRule {
  type: CustomFieldType;
  options: string[] | null;
}

export const MAX_CUSTOM_TEXT = 10_000;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const YES = ['true', 'yes', 'y', '1', 'sí', 'si', '是', '對', '对'];
const NO = ['false', 'no', 'n', '0', '否', '不是'];

/** An empty list admits any industry; once there is one, only its names. */
export const industryAllowed = (industries: readonly string[], industry: string | null | undefined): boolean =>
  !industry || industries.length === 0 || industries.includes(industry);

/** What a value of this custom field must be, in words ("a number", "one of A, B"). */
export const expectedCustomValue = (def: CustomFieldRule): string =>
  def.type === 'select' ? `one of ${(def.options ?? []).join(', ')}` : `a ${def.type}${def.type === 'date' ? ' (YYYY-MM-DD)' : ''}`;

/** YYYY-MM-DD naming a real day (Date.parse alone takes 2023-02-30 for March 2). */
const isCalendarDate = (v: string) => {
  const d = new Date(`${v}T00:00:00Z`);
  return ISO_DATE.test(v) && !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
};

/** Whether a value (as stored, JSON) fits the field's definition. */
export function isValidCustomValue(def: CustomFieldRule, value: unknown): boolean {
  switch (def.type) {
    case 'text':
      return typeof value === 'string' && value.length <= MAX_CUSTOM_TEXT;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'date':
      return typeof value === 'string' && isCalendarDate(value);
    case 'select':
      return typeof value === 'string' && (def.options ?? []).includes(value);
  }
}

/** A CSV cell as the field's type: numbers may have thousands separators, yes/no in four languages; unchanged otherwise. */
export function customValueFromText(def: CustomFieldRule, text: string): unknown {
  if (def.type === 'number') return Number(text.replace(/,/g, ''));
  if (def.type === 'boolean') {
    const v = text.toLowerCase();
    return YES.includes(v) ? true : NO.includes(v) ? false : text;
  }
  return text;
}
