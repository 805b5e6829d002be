import { ValidationError } from '../errors.ts';

/** How far ahead of this server's clock a client timestamp may be. */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** A client timestamp (already format-checked) as a Date, refused when it lies in the future. */
export function clientTime(field: string, value: string | undefined, now = new Date()): Date | null {
  if (value === undefined) return null;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new ValidationError(field, 'must be an ISO-8601 date-time');
  if (at.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    throw new ValidationError(field, `must not be more than ${CLOCK_SKEW_MS / 60_000} minutes in the future`, { value });
  }
  return at;
}
