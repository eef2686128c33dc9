import { definePlatform } from './platform';

const PACKAGES = ['{workspaceRoot}/dist/shipfleet/{projectName}'];

/** Samsung Tizen TV web apps: a config.xml with a tizen:application (Cordova's config.xml is left alone). */
export const tizen = definePlatform<true>({
  id: 'tizen',
  markers: ['config.xml'],
  detect: (folder) => ((folder.read('config.xml') ?? '').includes('tizen:application') ? true : undefined),
  // Not cached: the signature depends on certificates that are not Nx inputs.
  targets: () => [{ executor: 'package-tizen', description: 'Package a signed Samsung Tizen .wgt', runner: 'linux', outputs: PACKAGES, deploys: true }],
  ciSecrets: ['TIZEN_AUTHOR_P12', 'TIZEN_AUTHOR_PASSWORD', 'TIZEN_AUTHOR_CA', 'TIZEN_DISTRIBUTOR_P12', 'TIZEN_DISTRIBUTOR_PASSWORD', 'TIZEN_DISTRIBUTOR_CA'],
  example: { 'config.xml': '<widget xmlns="http://www.w3.org/ns/widgets" xmlns:tizen="http://tizen.org/ns/widgets"><tizen:application id="Ab12Cd34Ef.Tv" package="Ab12Cd34Ef"/></widget>' },
});

/** LG webOS TV web apps: an appinfo.json. */
export const webos = definePlatform<true>({
  id: 'webos',
  markers: ['appinfo.json'],
  detect: (folder) => (folder.entries.includes('appinfo.json') ? true : undefined),
  // No secrets involved: the .ipk depends only on the inputs, so it is cacheable.
  targets: () => [{ executor: 'package-webos', description: 'Package an LG webOS .ipk', runner: 'linux', outputs: PACKAGES, cache: true, deploys: true }],
  ciSecrets: [],
  example: { 'appinfo.json': '{"id":"com.example.tv","version":"1.0.0","main":"index.html","title":"TV"}' },
});
