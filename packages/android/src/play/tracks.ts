import { isAbsent, showValue, UserError } from '@shipfleet/core';

/** The tracks every app has. */
export const STANDARD_TRACKS = ['internal', 'alpha', 'beta', 'production'] as const;
/** Prefixes of the form-factor tracks (`wear:production`, `tv:internal`…). */
export const FORM_FACTORS = ['wear', 'automotive', 'tv'] as const;

// A custom closed-testing track is named in Play Console; its API name is that name.
const CUSTOM_TRACK = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$/;

export interface TrackName {
  /** As the API names it: `production`, `wear:beta`, `my-closed-test`. */
  name: string;
  /** `wear`, `automotive` or `tv`, for a form-factor track. */
  formFactor?: (typeof FORM_FACTORS)[number];
  /** The name without its form-factor prefix. */
  base: string;
  /** The production track (of its form factor): releasing there needs the production permission. */
  production: boolean;
}

/** Reads a track name; undefined when it is not one. */
export function parseTrack(value: string): TrackName | undefined {
  const colon = value.indexOf(':');
  const prefix = colon >= 0 ? value.slice(0, colon) : undefined;
  const base = colon >= 0 ? value.slice(colon + 1) : value;
  if (prefix !== undefined && !(FORM_FACTORS as readonly string[]).includes(prefix)) return undefined;
  if (!CUSTOM_TRACK.test(base)) return undefined;
  return { name: value, formFactor: prefix as TrackName['formFactor'], base, production: base === 'production' };
}

/** A track name as an option gives it: internal, alpha, beta, production, a custom closed-testing track, or one of these behind wear:, automotive: or tv:. */
export function trackOption(option: string, value: unknown): TrackName | undefined {
  if (isAbsent(value)) return undefined;
  const track = typeof value === 'string' ? parseTrack(value) : undefined;
  if (!track) {
    throw new UserError(
      option,
      `${showValue(value)} is not a Play track`,
      `Use ${STANDARD_TRACKS.join(', ')}, the name of a custom closed-testing track (letters, digits, . _ -, at most 50), or a form-factor track such as "wear:production", "automotive:internal" or "tv:beta"`,
    );
  }
  return track;
}

/** A track's name as it goes into a URL path (the colon of a form-factor track stays). */
export function trackPath(name: string): string {
  return encodeURIComponent(name).replace(/%3A/gi, ':');
}
