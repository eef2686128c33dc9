import { parse } from 'yaml';
import { Artefact } from './artefacts';
import { looksLikeElectronBuilderOutput, selectFeedFiles, writeFeed } from './feeds';

const a = (name: string): Artefact => ({ path: `/nonexistent/${name}`, name, size: 1 });
const names = (list: Artefact[]) => list.map((x) => x.name);

describe('selectFeedFiles', () => {
  it('keeps only the NSIS "Setup" installer in latest.yml when a portable .exe is there too', () => {
    const { feeds, notes } = selectFeedFiles([a('App-1.0.0.exe'), a('App-Setup-1.0.0.exe'), a('App-Setup-1.0.0.exe.blockmap')]);
    expect(feeds.map((f) => [f.name, names(f.artefacts)])).toEqual([['latest.yml', ['App-Setup-1.0.0.exe']]]);
    expect(notes).toEqual(['latest.yml leaves out App-1.0.0.exe (not an NSIS "Setup" installer)']);
  });

  it('writes no latest-mac.yml from a .dmg alone, and says why', () => {
    const { feeds, notes } = selectFeedFiles([a('App-1.0.0.dmg'), a('App-1.0.0-win.zip')]);
    expect(feeds).toEqual([]);
    expect(notes[0]).toMatch(/no latest-mac\.yml: electron-updater updates a Mac app from its \.zip/);
  });

  it('splits Linux packages by architecture, x64 in latest-linux.yml', () => {
    const { feeds } = selectFeedFiles([a('App-1.0.0-armv7l.AppImage'), a('app_1.0.0_arm64.deb'), a('App-1.0.0.AppImage'), a('app-1.0.0.x86_64.rpm')]);
    expect(feeds.map((f) => [f.name, names(f.artefacts)])).toEqual([
      ['latest-linux.yml', ['App-1.0.0.AppImage', 'app-1.0.0.x86_64.rpm']],
      ['latest-linux-arm64.yml', ['app_1.0.0_arm64.deb']],
      ['latest-linux-arm.yml', ['App-1.0.0-armv7l.AppImage']],
    ]);
  });

  it('has nothing for other platforms\' packages', () => {
    expect(selectFeedFiles([a('app.apk'), a('tv.wgt'), a('tv.ipk')]).feeds).toEqual([]);
    expect(looksLikeElectronBuilderOutput([a('app.apk'), a('tool.exe')])).toBe(false);
    expect(looksLikeElectronBuilderOutput([a('App Setup.exe'), a('App Setup.exe.blockmap')])).toBe(true);
  });
});

describe('writeFeed', () => {
  it('writes electron-builder\'s UpdateInfo shape with every string quoted', () => {
    const feed = writeFeed('latest.yml', '1.0.0', [{ url: 'App-Setup-1.0.0.exe', sha512: 'abc+/=', size: 42 }], new Date('2024-05-01T10:00:00.000Z'));
    expect(feed.content).toBe("version: '1.0.0'\nfiles:\n  - url: 'App-Setup-1.0.0.exe'\n    sha512: 'abc+/='\n    size: 42\npath: 'App-Setup-1.0.0.exe'\nsha512: 'abc+/='\nreleaseDate: '2024-05-01T10:00:00.000Z'\n");
    expect(parse(feed.content)).toEqual(feed.info);
  });
});
