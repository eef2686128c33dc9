import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const script = join(__dirname, 'schema-types.mjs');

/** Runs `schema-types.mjs --print` on a schema written to <tmp>/<executor>/schema.json. */
function print(executor: string, schema: object): { code: number | null; stdout: string; stderr: string } {
  const dir = join(mkdtempSync(join(tmpdir(), 'schema-types-')), executor);
  mkdirSync(dir);
  writeFileSync(join(dir, 'schema.json'), JSON.stringify(schema));
  const r = spawnSync(process.execPath, [script, '--print', join(dir, 'schema.json')], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('tools/schema-types.mjs', () => {
  it('writes the options interface, named after the executor, with the descriptions and defaults as JSDoc', () => {
    const r = print('sign-app', {
      type: 'object',
      description: 'Sign the app.',
      properties: {
        identity: { type: 'string', description: 'Signing identity.' },
        retries: { type: 'integer', description: 'Attempts.', default: 3 },
        'x-mode': { enum: ['fast', 'safe'] },
      },
      required: ['identity'],
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('/** Sign the app. */\nexport interface SignAppExecutorOptions {\n');
    expect(r.stdout).toContain('  /** Signing identity. */\n  identity: string;\n');
    expect(r.stdout).toContain('  /**\n   * Attempts.\n   * @default 3\n   */\n  retries?: number;\n');
    expect(r.stdout).toContain('  "x-mode"?: "fast" | "safe";\n');
  });

  it('maps arrays, maps, nested objects, oneOf/anyOf and type lists to TypeScript', () => {
    const r = print('k8s-apply', {
      type: 'object',
      properties: {
        files: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        extra: { type: 'object', additionalProperties: true },
        limits: { type: 'array', items: { oneOf: [{ type: 'number' }, { type: 'boolean' }] } },
        size: { type: ['string', 'number'] },
        range: { type: 'array', items: [{ type: 'number' }, { type: 'number' }] },
        server: { type: 'object', properties: { url: { type: 'string', description: 'Base URL.' } }, required: ['url'] },
        anything: {},
      },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('export interface K8sApplyExecutorOptions {');
    expect(r.stdout).toContain('  files?: string | string[];\n');
    expect(r.stdout).toContain('  labels?: Record<string, string>;\n');
    expect(r.stdout).toContain('  extra?: Record<string, unknown>;\n');
    expect(r.stdout).toContain('  limits?: (number | boolean)[];\n');
    expect(r.stdout).toContain('  size?: string | number;\n');
    expect(r.stdout).toContain('  range?: [number, number];\n');
    expect(r.stdout).toContain('  server?: {\n    /** Base URL. */\n    url: string;\n  };\n');
    expect(r.stdout).toContain('  anything?: unknown;\n');
  });

  it('refuses a keyword it does not translate, naming where it is', () => {
    const r = print('deploy', { type: 'object', properties: { target: { $ref: '#/definitions/target' } } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('deploy.target: "$ref" is not supported');
  });
});
