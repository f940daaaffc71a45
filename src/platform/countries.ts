// The country a time zone is in (America/Mexico_City → MX), for a profile whose person has
// not chosen one: the tz database's own table, through countries-and-timezones.
import { getCountry, getCountryForTimezone } from 'countries-and-timezones';

export const countryOfTimeZone = (timeZone: string): string | null =>
  getCountryForTimezone(timeZone)?.id ?? null;

/** Whether `code` is an ISO 3166-1 alpha-2 code of a country the tz database knows. */
export const isKnownCountry = (code: string): boolean => getCountry(code) !== null;
