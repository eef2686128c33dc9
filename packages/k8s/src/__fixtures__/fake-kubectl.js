#!/usr/bin/env node
// Stands in for `kubectl kustomize <dir>`: prints <dir>/rendered.yaml.
const { readFileSync } = require('fs');
const { join } = require('path');
const [command, dir] = process.argv.slice(2);
if (command !== 'kustomize') {
  process.stderr.write(`unexpected command ${command}\n`);
  process.exit(2);
}
try {
  process.stdout.write(readFileSync(join(dir, 'rendered.yaml'), 'utf8'));
} catch (e) {
  process.stderr.write(`error: unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '${dir}'\n`);
  process.exit(1);
}
