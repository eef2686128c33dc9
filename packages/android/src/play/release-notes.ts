import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { join } from 'path';
import { isPlainObject, plainObjectOption, showValue, UserError } from '@shipfleet/core';

/** Play keeps at most this many characters of release notes per language. */
export const RELEASE_NOTES_LIMIT = 500;

/** One language's release notes, as the API takes them. */
export interface LocalizedText {
  language: string;
  text: string;
}

// BCP-47 as Play and fastlane supply name languages: en-US, de-DE, es-419, fil, zh-Hant-TW.
const LANGUAGE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$/;

/** Characters as Play counts them: code points (an emoji is one), line breaks included. */
export function countCharacters(text: string): number {
  return Array.from(text).length;
}

/** Line breaks as Play stores them, without the trailing newline a text file ends with. */
export function normalizeNotes(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\s+$/, '');
}

function checkLength(option: string, language: string, text: string, where: string): void {
  const count = countCharacters(text);
  if (count > RELEASE_NOTES_LIMIT) {
    throw new UserError(option, `the ${language} release notes ${where} have ${count} characters; Play takes at most ${RELEASE_NOTES_LIMIT} per language`, `Shorten them by ${count - RELEASE_NOTES_LIMIT} characters`);
  }
}

/** The `releaseNotes` option: a map of language to text, each language well formed and each text within Play's limit. */
export function releaseNotesOption(option: string, value: unknown): LocalizedText[] | undefined {
  const map = plainObjectOption(option, value, { what: 'a map of language to text', example: '{"en-US": "Bug fixes"}' });
  if (map === undefined) return undefined;
  const notes: LocalizedText[] = [];
  for (const [language, text] of Object.entries(map)) {
    if (!LANGUAGE.test(language)) throw new UserError(option, `${showValue(language)} is not a language code`, 'Use codes as Play Console shows them, e.g. "en-US", "de-DE", "es-419"');
    if (typeof text !== 'string' || !normalizeNotes(text)) throw new UserError(option, `the ${language} notes must be non-empty text`, `Example: "${option}": {"${language}": "Bug fixes"}`);
    const normalized = normalizeNotes(text);
    checkLength(option, language, normalized, 'given');
    notes.push({ language, text: normalized });
  }
  return notes.length ? notes : undefined;
}

/** A language folder of fastlane supply's layout and what it holds. */
interface LanguageDir {
  language: string;
  changelogs: string;
}

function languageDirs(metadataDir: string): LanguageDir[] {
  if (!existsSync(metadataDir) || !statSync(metadataDir).isDirectory()) return [];
  return readdirSync(metadataDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && LANGUAGE.test(d.name))
    .map((d) => ({ language: d.name, changelogs: join(metadataDir, d.name, 'changelogs') }))
    .filter((d) => existsSync(d.changelogs) && statSync(d.changelogs).isDirectory())
    .sort((a, b) => a.language.localeCompare(b.language));
}

const readText = (path: string) => normalizeNotes(readFileSync(path, 'utf8'));

export interface FastlaneNotes {
  notes: LocalizedText[];
  /** The files read, one per language. */
  files: string[];
}

/**
 * Release notes in fastlane supply's layout:
 * `<metadataDir>/<language>/changelogs/<versionCode>.txt`, else `default.txt`.
 * Each is checked against Play's limit (the error names the file).
 */
export function readFastlaneNotes(metadataDir: string, versionCode: number): FastlaneNotes {
  const notes: LocalizedText[] = [];
  const files: string[] = [];
  for (const dir of languageDirs(metadataDir)) {
    const file = [join(dir.changelogs, `${versionCode}.txt`), join(dir.changelogs, 'default.txt')].find((f) => existsSync(f));
    if (!file) continue;
    const text = readText(file);
    if (!text) continue;
    checkLength('metadataDir', dir.language, text, `in ${file}`);
    notes.push({ language: dir.language, text });
    files.push(file);
  }
  return { notes, files };
}

/**
 * Before the version code is known (it comes with the upload): checks every
 * changelog that could be picked (default.txt and every <versionCode>.txt), so
 * that an over-long one stops the run before anything is uploaded.
 */
export function checkAllFastlaneNotes(metadataDir: string): string[] {
  const files: string[] = [];
  for (const dir of languageDirs(metadataDir)) {
    for (const name of readdirSync(dir.changelogs).filter((n) => /^(default|\d+)\.txt$/.test(n)).sort()) {
      const file = join(dir.changelogs, name);
      checkLength('metadataDir', dir.language, readText(file), `in ${file}`);
      files.push(file);
    }
  }
  return files;
}

/** Notes as the API returned them, when they are a list of {language, text}. */
export function asLocalizedTexts(value: unknown): LocalizedText[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const notes = value.filter((n): n is LocalizedText => isPlainObject(n) && typeof n.language === 'string' && typeof n.text === 'string');
  return notes.length ? notes.map((n) => ({ language: n.language, text: n.text })) : undefined;
}
