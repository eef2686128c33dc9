import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { thrownUserError } from '../errors';
import { pathOption } from './index';

const userError = thrownUserError;

describe('pathOption', () => {
  const ws = mkdtempSync(join(tmpdir(), 'shipfleet-ws-'));
  mkdirSync(join(ws, 'apps/api/k8s'), { recursive: true });
  mkdirSync(join(ws, 'dist/api'), { recursive: true });
  writeFileSync(join(ws, 'apps/api/k8s/deploy.yaml'), 'kind: x');
  const rules = { workspaceRoot: ws, projectRoot: 'apps/api' };

  it('resolves against the workspace root; absolute paths stay; tokens are replaced', () => {
    expect(pathOption('outputPath', 'dist/api', rules)).toBe(join(ws, 'dist/api'));
    expect(pathOption('outputPath', join(ws, 'dist'), rules)).toBe(join(ws, 'dist'));
    expect(pathOption('manifests', '{projectRoot}/k8s', rules)).toBe(join(ws, 'apps/api/k8s'));
    expect(pathOption('manifests', '{workspaceRoot}/dist', rules)).toBe(join(ws, 'dist'));
    expect(pathOption('manifests', undefined, rules)).toBeUndefined();
  });

  it('reads a path that exists only under the project root from there, with a deprecation warning', () => {
    const warnings: string[] = [];
    expect(pathOption('manifests', 'k8s', { ...rules, warn: (m) => warnings.push(m) })).toBe(join(ws, 'apps/api/k8s'));
    expect(warnings).toEqual(['Option "manifests": "k8s" is resolved against the project root; write "apps/api/k8s" (paths are relative to the workspace root) — the old reading will be removed']);
    // Under the workspace root first: no fallback, no warning.
    expect(pathOption('manifests', 'dist', { ...rules, warn: (m) => warnings.push(m) })).toBe(join(ws, 'dist'));
    expect(warnings).toHaveLength(1);
  });

  it('checks existence and kind when asked', () => {
    expect(pathOption('manifests', 'apps/api/k8s/deploy.yaml', { ...rules, mustExist: 'file' })).toBe(join(ws, 'apps/api/k8s/deploy.yaml'));
    expect(pathOption('manifests', 'apps/api/k8s', { ...rules, mustExist: 'any' })).toBe(join(ws, 'apps/api/k8s'));
    const cases: Array<[unknown, PathRulesExist, RegExp]> = [
      ['nope', 'any', /nope does not exist/],
      ['apps/api/k8s', 'file', /k8s is not a file/],
      ['apps/api/k8s/deploy.yaml', 'dir', /deploy\.yaml is not a directory/],
      [5, 'any', /must be a path, got 5/],
      ['', 'any', /must be a path/],
    ];
    for (const [value, mustExist, message] of cases) {
      const err = userError(() => pathOption('deploy.manifests', value, { ...rules, mustExist }));
      expect(err.option).toBe('deploy.manifests');
      expect(err.message).toMatch(message);
    }
  });

  it('{projectRoot} without a project root is an error', () => {
    expect(userError(() => pathOption('out', '{projectRoot}/x', { workspaceRoot: ws })).message).toMatch(/\{projectRoot\} is not available here/);
  });
});

type PathRulesExist = 'file' | 'dir' | 'any';
