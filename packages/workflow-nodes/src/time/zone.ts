import { IANAZone } from 'luxon';
import { z } from 'zod';

export const isValidTimezone = (zone: string): boolean => IANAZone.isValidZone(zone);

export const timezoneSchema = z
  .string()
  .refine(isValidTimezone, { message: 'Pick a timezone from the list (for example Asia/Taipei)' });

/** The customer's zone when it is a valid IANA name, otherwise the fallback. */
export function customerZone(customerZoneName: string | null | undefined, fallback: string): string {
  if (customerZoneName && isValidTimezone(customerZoneName)) return customerZoneName;
  return isValidTimezone(fallback) ? fallback : 'UTC';
}
