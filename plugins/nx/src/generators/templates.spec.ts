import { readdirSync, statSync } from 'fs';
import { join, relative } from 'path';

/** Every file under the generators' files/ folders. */
function templateFiles(dir: string, inFiles = false): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return templateFiles(full, inFiles || name === 'files');
    return inFiles ? [relative(__dirname, full)] : [];
  });
}

describe('generator templates', () => {
  const files = templateFiles(__dirname);

  it('exist for every generator that writes files', () => {
    const folders = new Set(files.map((f) => f.split('/')[0]));
    expect([...folders].sort()).toEqual(['android-app', 'ci', 'electron-app', 'fastlane', 'ios-app', 'k8s-service', 'macos-app', 'tizen-app', 'web-app', 'webos-app', 'xcode']);
  });

  // Without the suffix a template such as package.json or k8s/deployment.yaml would be taken for
  // a real project file by Nx, editors and the plugin's own inference.
  it('are text files named with the __tmpl__ suffix, images copied as they are', () => {
    const misnamed = files.filter((f) => !f.endsWith('__tmpl__') && !f.endsWith('.png'));
    expect(misnamed).toEqual([]);
  });
});
