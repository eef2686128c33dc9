import { join } from 'path';
import { thrownUserError } from '@shipfleet/core';
import { tempDir, writeFiles } from './__fixtures__/artefacts';
import { checkAllFastlaneNotes, complete, copyRelease, halt, PlayTrack, readFastlaneNotes, releaseToPromote, resume, rollout, withRelease } from './index';

const completed = { name: '1.1 (11)', versionCodes: ['11'], status: 'completed' };
const staged = { name: '1.2 (12)', versionCodes: ['12'], status: 'inProgress', userFraction: 0.1 };
const track = (...releases: PlayTrack['releases'] & object): PlayTrack => ({ track: 'production', releases });

describe('release changes on a track', () => {
  it('a completed release replaces the completed one and ends the staged rollout; a staged one keeps the completed one', () => {
    expect(withRelease(track(completed, staged), { versionCodes: ['13'], status: 'completed' }).releases).toEqual([{ versionCodes: ['13'], status: 'completed' }]);
    expect(withRelease(track(completed, staged), { versionCodes: ['13'], status: 'inProgress', userFraction: 0.05 }).releases).toEqual([completed, { versionCodes: ['13'], status: 'inProgress', userFraction: 0.05 }]);
    expect(withRelease(track(completed), { versionCodes: ['11'], status: 'completed', name: 'again' }).releases).toEqual([{ versionCodes: ['11'], status: 'completed', name: 'again' }]);
    expect(withRelease({ track: 'beta' }, { versionCodes: ['1'], status: 'draft' }).releases).toEqual([{ versionCodes: ['1'], status: 'draft' }]);
  });

  it('rollout 25 → 50 → complete, halt and resume', () => {
    const a = rollout(track(completed, staged), 0.25);
    expect(a.after).toMatchObject({ versionCodes: ['12'], status: 'inProgress', userFraction: 0.25 });
    const b = rollout(a.track, 0.5);
    const halted = halt(b.track);
    expect(halted.after).toMatchObject({ status: 'halted', userFraction: 0.5 });
    expect(() => rollout(halted.track, 0.6)).toThrow(/is halted .* resume it first/);
    expect(() => halt(halted.track)).toThrow(/already halted/);
    const resumed = resume(halted.track);
    expect(resumed.after).toMatchObject({ status: 'inProgress', userFraction: 0.5 });
    expect(resume(halted.track, 0.3).after.userFraction).toBe(0.3);
    const done = complete(resumed.track);
    expect(done.track.releases).toEqual([{ name: '1.2 (12)', versionCodes: ['12'], status: 'completed' }]);
    expect(() => complete(done.track)).toThrow(/no release in progress or halted to complete/);
    expect(() => rollout(done.track, 0.5)).toThrow(/has no release in progress/);
    expect(() => resume(done.track)).toThrow(/no halted release/);
  });

  it('promote picks the release asked for, or the newest', () => {
    const internal: PlayTrack = { track: 'internal', releases: [completed, { ...staged, status: 'completed', releaseNotes: [{ language: 'en-US', text: 'New' }] }] };
    expect(releaseToPromote(internal).versionCodes).toEqual(['12']);
    expect(releaseToPromote(internal, [11]).versionCodes).toEqual(['11']);
    expect(() => releaseToPromote(internal, [99])).toThrow(/no release with version codes 99/);
    expect(() => releaseToPromote({ track: 'internal', releases: [] })).toThrow(/no completed or in-progress release/);
    expect(copyRelease(releaseToPromote(internal), 'inProgress', 0.05)).toEqual({ name: '1.2 (12)', versionCodes: ['12'], status: 'inProgress', userFraction: 0.05, releaseNotes: [{ language: 'en-US', text: 'New' }] });
  });
});

describe('fastlane release notes', () => {
  const t = tempDir('shipfleet-play-notes-');
  afterAll(() => t.cleanup());
  const dir = join(t.dir, 'metadata');
  writeFiles(dir, {
    'en-US/changelogs/42.txt': 'Faster sync\r\n',
    'en-US/changelogs/default.txt': 'Bug fixes\n',
    'de-DE/changelogs/default.txt': 'Fehlerbehebungen\n',
    'images/icon.png': 'x',
  });

  it('picks <versionCode>.txt, else default.txt, per language', () => {
    expect(readFastlaneNotes(dir, 42).notes).toEqual([{ language: 'de-DE', text: 'Fehlerbehebungen' }, { language: 'en-US', text: 'Faster sync' }]);
    expect(readFastlaneNotes(dir, 43).notes).toEqual([{ language: 'de-DE', text: 'Fehlerbehebungen' }, { language: 'en-US', text: 'Bug fixes' }]);
    expect(readFastlaneNotes(join(t.dir, 'none'), 1).notes).toEqual([]);
  });

  it('checks Play\'s limit in characters, naming the file', () => {
    writeFiles(dir, { 'fr-FR/changelogs/43.txt': `${'é'.repeat(500)}\n` });
    expect(readFastlaneNotes(dir, 43).notes.find((n) => n.language === 'fr-FR')?.text).toHaveLength(500);
    writeFiles(dir, { 'fr-FR/changelogs/44.txt': '😀'.repeat(501) });
    const err = thrownUserError(() => readFastlaneNotes(dir, 44));
    expect(err.option).toBe('metadataDir');
    expect(err.message).toMatch(/fr-FR release notes in .*fr-FR\/changelogs\/44\.txt have 501 characters; Play takes at most 500/);
    expect(() => checkAllFastlaneNotes(dir)).toThrow(/44\.txt have 501 characters/);
  });
});
