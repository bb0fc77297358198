// Money in the venue's currency (minor units -> Intl formatting with the currency's own
// fraction digits) and times in the venue's time zone, in the chosen language.
import type { Money } from './api/types';
import { lang } from './i18n';

/** The venue's IANA zone: main.tsx sets it from /app/venue.json ([plugin.web] timezone). */
export const venue = { timeZone: 'UTC' };

const moneyFormats = new Map<string, { format: Intl.NumberFormat; digits: number }>();

export function money(m: Money | undefined | null): string {
  if (!m) return '';
  const key = lang.get() + ' ' + m.currency;
  let entry = moneyFormats.get(key);
  if (!entry) {
    const format = new Intl.NumberFormat(lang.get() === 'ko' ? 'ko-KR' : 'en-US', {
      style: 'currency',
      currency: m.currency,
    });
    entry = { format, digits: format.resolvedOptions().maximumFractionDigits ?? 0 };
    moneyFormats.set(key, entry);
  }
  return entry.format.format(m.amount / 10 ** entry.digits);
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

export function dateTime(iso: string | undefined): string {
  if (!iso) return '';
  // dateStyle/timeStyle cannot be combined with timeZoneName (a TypeError): name the fields.
  const key = lang.get() + ' ' + venue.timeZone;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(lang.get() === 'ko' ? 'ko-KR' : 'en-GB', {
      year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
      timeZone: venue.timeZone, timeZoneName: 'short',
    });
    dateFormats.set(key, format);
  }
  return format.format(new Date(iso));
}

export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}:${String(s % 60).padStart(2, '0')}` : `${s}`;
}
