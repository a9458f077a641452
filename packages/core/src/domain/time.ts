// Time spellings, in one place. A bar's `ts` has one canonical spelling, so that one instant always yields the same
// bar id (and MongoDB _id): ISO-8601 UTC ending in Z, without milliseconds when they are zero.
import { z } from "zod";

/** The canonical spelling of an instant: `2024-01-02T14:30:00Z`, or `…:00.250Z` when it has milliseconds. */
export function isoUtc(epochMs: number): string {
  const s = new Date(epochMs).toISOString();
  return s.endsWith(".000Z") ? `${s.slice(0, -5)}Z` : s;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

/** An ISO-8601 UTC time ending in Z (with or without milliseconds), kept as given. */
export const IsoUtcString = z
  .string()
  .regex(ISO_UTC, "expected an ISO-8601 UTC time ending in Z")
  .refine((s) => !Number.isNaN(Date.parse(s)), "expected a valid date");

/** The same, rewritten to the canonical spelling (isoUtc): `…:00.000Z` and `…:00Z` parse to the same string. */
export const CanonicalIsoUtc = IsoUtcString.overwrite((s) => {
  const t = Date.parse(s);
  return Number.isNaN(t) ? s : isoUtc(t);
});
