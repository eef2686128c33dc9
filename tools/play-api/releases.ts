// Track and release validation as `edits.tracks.update`/`patch` answer it.
import { badRequest, GoogleApiError } from './google-error';

export interface LocalizedText {
  language: string;
  text: string;
}

export interface TrackRelease {
  name?: string;
  versionCodes?: string[];
  releaseNotes?: LocalizedText[];
  status: 'completed' | 'inProgress' | 'halted' | 'draft';
  userFraction?: number;
  inAppUpdatePriority?: number;
  countryTargeting?: { countries?: string[]; includeRestOfWorld?: boolean };
}

export interface Track {
  track: string;
  releases: TrackRelease[];
}

export const RELEASE_STATUSES = ['completed', 'inProgress', 'halted', 'draft'] as const;
export const MAX_RELEASE_NOTES = 500;
const STATUS_WORD: Record<string, string> = { completed: 'COMPLETED', inProgress: 'IN_PROGRESS', halted: 'HALTED', draft: 'DRAFT' };

const invalidValue = (field: string, type: string, value: unknown) =>
  new GoogleApiError(400, `Invalid value at '${field}' (${type}), ${JSON.stringify(value)}`, 'invalid');

/**
 * Checks a Track body for `track` and returns the releases to store.
 * `versionCodeKnown` says whether a version code is in the app or the edit.
 */
export function validateTrack(track: string, body: unknown, versionCodeKnown: (code: number) => boolean): TrackRelease[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Invalid JSON payload received. Expected an object.', 'parseError');
  const b = body as { track?: unknown; releases?: unknown };
  if (b.track !== track) throw badRequest('Track names in request path and request body must match.');
  if (b.releases !== undefined && !Array.isArray(b.releases)) throw invalidValue('track_config.releases', 'TYPE_MESSAGE', b.releases);
  const releases = (b.releases ?? []) as unknown[];
  return releases.map((raw, i) => validateRelease(raw, `track_config.releases[${i}]`, versionCodeKnown));
}

function validateRelease(raw: unknown, at: string, versionCodeKnown: (code: number) => boolean): TrackRelease {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw invalidValue(at, 'TYPE_MESSAGE', raw);
  const r = raw as Record<string, unknown>;
  if (r.status === undefined) throw badRequest('Release status must be specified.');
  if (!(RELEASE_STATUSES as readonly unknown[]).includes(r.status)) throw invalidValue(`${at}.status`, 'TYPE_ENUM', r.status);
  const status = r.status as TrackRelease['status'];
  const out: TrackRelease = { status };

  if (r.userFraction !== undefined && r.userFraction !== null) {
    if (typeof r.userFraction !== 'number' || !Number.isFinite(r.userFraction)) throw invalidValue(`${at}.user_fraction`, 'TYPE_DOUBLE', r.userFraction);
    if (status === 'completed' || status === 'draft') throw badRequest(`${STATUS_WORD[status]} release must not have fraction`);
    if (!(r.userFraction > 0 && r.userFraction < 1)) throw badRequest(`User fraction must be greater than 0 and less than 1, got ${r.userFraction}.`);
    out.userFraction = r.userFraction;
  } else if (status === 'inProgress' || status === 'halted') {
    throw badRequest(`${STATUS_WORD[status]} release must have fraction`);
  }

  if (r.versionCodes !== undefined && !Array.isArray(r.versionCodes)) throw invalidValue(`${at}.version_codes`, 'TYPE_INT64', r.versionCodes);
  const codes = ((r.versionCodes ?? []) as unknown[]).map((c, j) => {
    // int64 fields travel as strings in Google's JSON; numbers are accepted too.
    const text = typeof c === 'number' ? String(c) : c;
    if (typeof text !== 'string' || !/^\d+$/.test(text)) throw invalidValue(`${at}.version_codes[${j}]`, 'TYPE_INT64', c);
    return text;
  });
  for (const code of codes) {
    if (!versionCodeKnown(Number(code))) throw badRequest(`Version code ${code} could not be found in this app or edit. Upload it in this edit first.`, 'versionCodeNotFound');
  }
  if (codes.length === 0 && status !== 'draft') throw badRequest(`${STATUS_WORD[status]} release must have at least one version code.`);
  if (codes.length) out.versionCodes = codes;

  if (r.name !== undefined) {
    if (typeof r.name !== 'string') throw invalidValue(`${at}.name`, 'TYPE_STRING', r.name);
    if (r.name.length > 50) throw badRequest('Release name must be at most 50 characters.');
    out.name = r.name;
  }

  if (r.releaseNotes !== undefined) {
    if (!Array.isArray(r.releaseNotes)) throw invalidValue(`${at}.release_notes`, 'TYPE_MESSAGE', r.releaseNotes);
    const seen = new Set<string>();
    out.releaseNotes = r.releaseNotes.map((n: unknown, j: number) => {
      const note = n as Record<string, unknown>;
      if (!note || typeof note.language !== 'string' || !/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(note.language)) throw badRequest(`Invalid language code in release notes: ${JSON.stringify(note?.language)}.`);
      if (typeof note.text !== 'string') throw invalidValue(`${at}.release_notes[${j}].text`, 'TYPE_STRING', note.text);
      if (seen.has(note.language)) throw badRequest(`Release notes for language ${note.language} are given more than once.`);
      seen.add(note.language);
      if ([...note.text].length > MAX_RELEASE_NOTES) throw badRequest(`The release notes for language ${note.language} are too long: ${[...note.text].length} characters, the maximum is ${MAX_RELEASE_NOTES}.`);
      return { language: note.language, text: note.text };
    });
  }

  if (r.inAppUpdatePriority !== undefined) {
    if (!Number.isInteger(r.inAppUpdatePriority) || (r.inAppUpdatePriority as number) < 0 || (r.inAppUpdatePriority as number) > 5) throw badRequest('In-app update priority must be between 0 and 5.');
    out.inAppUpdatePriority = r.inAppUpdatePriority as number;
  }
  if (r.countryTargeting !== undefined) out.countryTargeting = r.countryTargeting as TrackRelease['countryTargeting'];
  return out;
}

/** Play keeps at most one release of each kind that reaches users on a track. */
export function checkReleaseSet(releases: TrackRelease[]): void {
  const live = releases.filter((r) => r.status !== 'draft');
  const rollouts = live.filter((r) => r.status === 'inProgress' || r.status === 'halted');
  if (rollouts.length > 1) throw badRequest('A track can have at most one staged rollout (inProgress or halted release).');
  if (live.filter((r) => r.status === 'completed').length > 1) throw badRequest('A track can have at most one completed release.');
}
