import { isTizenAppName, isTizenPackageId, isValidWebosAppId, tizenAppNameProblem, tizenPackageIdProblem, validateAppInfo, webosAppIdProblem, WEBOS_RESERVED_ID_PREFIXES } from './index';

describe('webOS app ids', () => {
  it.each(['com.example.tvapp', 'com.acme.tv-app+beta', '1up.game'])('accepts %s', (id) => {
    expect(webosAppIdProblem(id)).toBeUndefined();
    expect(isValidWebosAppId(id)).toBe(true);
  });

  it.each(['Com.Example.App', 'com.example_app', '.com.example', ''])('refuses %j for its characters', (id) => {
    expect(webosAppIdProblem(id)?.problem).toBe(`"${id}" has characters webOS does not allow`);
    expect(isValidWebosAppId(id)).toBe(false);
  });

  it.each(WEBOS_RESERVED_ID_PREFIXES.map((p) => [`${p}app`]))('refuses %s, under a reserved prefix', (id) => {
    expect(webosAppIdProblem(id)).toEqual({ problem: `"${id}" uses a reserved prefix`, fix: expect.stringContaining('com.palm.') });
  });

  it('is the rule appinfo.json is checked with', () => {
    const appinfo = (id: string) => JSON.stringify({ id, version: '1.0.0', main: 'https://example.com/', icon: 'https://example.com/i.png', title: 'T', type: 'web' });
    expect(validateAppInfo(appinfo('com.lge.app'), '/').problems).toEqual([{ field: 'id', ...webosAppIdProblem('com.lge.app')! }]);
    expect(validateAppInfo(appinfo('com.example.app'), '/').problems).toEqual([]);
  });
});

describe('Tizen package ids and app names', () => {
  it('a package id is exactly 10 letters or digits', () => {
    expect(isTizenPackageId('Ab12Cd34Ef')).toBe(true);
    for (const id of ['Ab12Cd34E', 'Ab12Cd34Ef1', 'Ab12Cd34E-', '']) expect(isTizenPackageId(id)).toBe(false);
    expect(tizenPackageIdProblem('Ab12Cd34Ef')).toBeUndefined();
    expect(tizenPackageIdProblem('short')).toEqual({ problem: '"short" is not 10 alphanumeric characters', fix: expect.stringContaining('e.g. Ab12Cd34Ef') });
  });

  it('an app name is 1 to 52 letters or digits', () => {
    expect(isTizenAppName('TvApp')).toBe(true);
    expect(isTizenAppName('a'.repeat(52))).toBe(true);
    for (const name of ['', 'a'.repeat(53), 'Tv App', 'tv-app']) expect(isTizenAppName(name)).toBe(false);
    expect(tizenAppNameProblem('tv-app')?.problem).toBe('"tv-app" is not 1 to 52 letters or digits');
  });
});
