import { XMLParser } from 'fast-xml-parser';

export interface TizenConfig {
  widgetId: string;
  version: string;
  /** <package>.<name> */
  appId: string;
  packageId: string;
  appName: string;
  name?: string;
  privileges: string[];
}

export interface ConfigProblem {
  where: string;
  problem: string;
  fix: string;
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (n) => n === 'tizen:privilege' || n === 'tizen:application' });
const PRIVILEGE = /^http:\/\/(tizen\.org|developer\.samsung\.com)\/privilege\/[a-z0-9][a-z0-9._-]*$/;

const PACKAGE_ID = '[0-9a-zA-Z]{10}';
const APP_NAME = '[0-9a-zA-Z]{1,52}';
const PACKAGE_ID_ONLY = new RegExp(`^${PACKAGE_ID}$`);
const APP_NAME_ONLY = new RegExp(`^${APP_NAME}$`);
const APP_ID = new RegExp(`^(${PACKAGE_ID})\\.(${APP_NAME})$`);

/** A Tizen package id: exactly 10 letters or digits. */
export function isTizenPackageId(id: string): boolean {
  return PACKAGE_ID_ONLY.test(id);
}

/** The name part of a Tizen application id (<package>.<name>): 1–52 letters or digits. */
export function isTizenAppName(name: string): boolean {
  return APP_NAME_ONLY.test(name);
}

/** What is wrong with a Tizen package id; undefined when it is valid. */
export function tizenPackageIdProblem(id: string): { problem: string; fix: string } | undefined {
  return isTizenPackageId(id) ? undefined : { problem: `"${id}" is not 10 alphanumeric characters`, fix: 'Tizen package ids are exactly 10 letters or digits, e.g. Ab12Cd34Ef' };
}

/** What is wrong with the name part of a Tizen application id; undefined when it is valid. */
export function tizenAppNameProblem(name: string): { problem: string; fix: string } | undefined {
  return isTizenAppName(name) ? undefined : { problem: `"${name}" is not 1 to 52 letters or digits`, fix: 'Use letters and digits only, e.g. TvApp' };
}

/** Tizen's version form: x.y.z with x, y in 0–255 and z in 0–65535 (z optional). */
export function isTizenVersion(v: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})(?:\.(\d{1,5}))?$/.exec(v);
  return !!m && Number(m[1]) <= 255 && Number(m[2]) <= 255 && (m[3] === undefined || Number(m[3]) <= 65535);
}

/** Checks config.xml the way the Tizen packager and installer do; returns every problem found, not just the first. */
export function validateTizenConfig(xml: string): { config?: TizenConfig; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml, true);
  } catch (e) {
    return { problems: [{ where: 'config.xml', problem: `is not well-formed XML (${(e as Error).message.split('\n')[0]})`, fix: 'Fix the XML syntax' }] };
  }
  const widget = doc.widget as Record<string, unknown> | undefined;
  if (!widget) return { problems: [{ where: '<widget>', problem: 'root element is missing', fix: 'The root element must be <widget xmlns="http://www.w3.org/ns/widgets" …>' }] };
  if (widget['@xmlns'] !== 'http://www.w3.org/ns/widgets') problems.push({ where: '<widget xmlns>', problem: `is ${JSON.stringify(widget['@xmlns'] ?? null)}`, fix: 'Set xmlns="http://www.w3.org/ns/widgets"' });
  if (widget['@xmlns:tizen'] !== 'http://tizen.org/ns/widgets') problems.push({ where: '<widget xmlns:tizen>', problem: 'is missing or wrong', fix: 'Set xmlns:tizen="http://tizen.org/ns/widgets"' });
  const widgetId = String(widget['@id'] ?? '');
  if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(widgetId)) problems.push({ where: '<widget id>', problem: widgetId ? `"${widgetId}" is not an IRI` : 'is missing', fix: 'Use an IRI such as http://example.com/MyApp' });
  const version = String(widget['@version'] ?? '');
  if (!isTizenVersion(version)) problems.push({ where: '<widget version>', problem: version ? `"${version}" is not in Tizen's x.y.z form` : 'is missing', fix: 'Use x.y.z with x and y from 0 to 255 and z from 0 to 65535, e.g. 1.0.0' });

  const apps = (widget['tizen:application'] as Record<string, unknown>[] | undefined) ?? [];
  let appId = '';
  let packageId = '';
  if (apps.length !== 1) {
    problems.push({ where: '<tizen:application>', problem: apps.length ? 'appears more than once' : 'is missing', fix: 'Add one <tizen:application id="XXXXXXXXXX.AppName" package="XXXXXXXXXX" required_version="…"/>' });
  } else {
    appId = String(apps[0]['@id'] ?? '');
    packageId = String(apps[0]['@package'] ?? '');
    const m = APP_ID.exec(appId);
    if (!m) problems.push({ where: '<tizen:application id>', problem: `"${appId}" is not <package>.<name>`, fix: 'Use a 10-character alphanumeric package id, a dot, and an alphanumeric name, e.g. Ab12Cd34Ef.MyApp' });
    if (!isTizenPackageId(packageId)) problems.push({ where: '<tizen:application package>', problem: `"${packageId}" is not a 10-character alphanumeric package id`, fix: 'Use the same 10 characters that start the application id' });
    else if (m && m[1] !== packageId) problems.push({ where: '<tizen:application package>', problem: `"${packageId}" differs from the package part of id "${appId}"`, fix: `Set package="${m[1]}" or change the id` });
    if (!apps[0]['@required_version']) problems.push({ where: '<tizen:application required_version>', problem: 'is missing', fix: 'Set the minimum platform version, e.g. required_version="6.0"' });
  }
  const privileges: string[] = [];
  for (const p of (widget['tizen:privilege'] as Record<string, unknown>[] | undefined) ?? []) {
    const name = String(p['@name'] ?? '');
    if (!PRIVILEGE.test(name)) problems.push({ where: '<tizen:privilege name>', problem: `"${name}" is not a privilege URI`, fix: 'Use http://tizen.org/privilege/<name> (or http://developer.samsung.com/privilege/<name>)' });
    else privileges.push(name);
  }
  const nameNode = widget.name;
  const name = typeof nameNode === 'string' ? nameNode : typeof nameNode === 'object' && nameNode ? String((nameNode as Record<string, unknown>)['#text'] ?? '') : undefined;
  if (problems.length) return { problems };
  return { config: { widgetId, version, appId, packageId, appName: appId.split('.')[1], name, privileges }, problems };
}
