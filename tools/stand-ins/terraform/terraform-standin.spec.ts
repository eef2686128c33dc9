// The terraform stand-in itself: flags checked as Terraform's CLI checks them, the saved-plan rules.
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { runCaptured } from '@shipfleet/core';

const bin = resolve(__dirname, '../bin/terraform');
let dir: string;
const tf = (args: string[], env: Record<string, string> = {}) => runCaptured(bin, args, { cwd: dir, env: { SHIPFLEET_STANDIN_LOG: join(dir, 'calls.jsonl'), ...env } });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shipfleet-tf-standin-'));
  writeFileSync(join(dir, 'main.tf'), 'variable "name" {\n  default = "x"\n}\n');
});

it('rejects a flag the command does not define, in Terraform\'s words', async () => {
  const plan = await tf(['plan', '-no-color', '-auto-approve']);
  expect(plan.exitCode).toBe(1);
  expect(plan.stderr).toContain('Error: Failed to parse command-line flags\n\nflag provided but not defined: -auto-approve');
  const select = await tf(['workspace', 'select', '-input=false', 'staging']);
  // (the captured output loses its final newline)
  expect(select.stderr).toBe('Error parsing command-line flags: flag provided but not defined: -input\n');
  expect((await tf(['plan', '-out'])).stderr).toContain('flag needs an argument: -out');
  expect((await tf(['plan', '-input=maybe'])).stderr).toContain('invalid boolean value "maybe" for -input: parse error');
  expect((await tf(['apply', '-lock-timeout=5 minutes', 'f'])).stderr).toContain('invalid value "5 minutes" for flag -lock-timeout: parse error');
  expect((await tf(['version', '-json'], { SHIPFLEET_TERRAFORM_VERSION: '1.3.0' })).exitCode).toBe(0);
  expect((await tf(['workspace', 'select', '-or-create', 'x'], { SHIPFLEET_TERRAFORM_VERSION: '1.3.0' })).stderr).toContain('flag provided but not defined: -or-create');
});

it('prints the plan in the JSON output format and applies a saved plan once', async () => {
  expect((await tf(['init', '-input=false'])).exitCode).toBe(0);
  expect((await tf(['workspace', 'select', 'staging'])).stderr).toContain('Workspace "staging" doesn\'t exist.');
  expect((await tf(['workspace', 'select', '-or-create', 'staging'])).stdout).toContain('Created and switched to workspace "staging"!');
  const plan = await tf(['plan', '-input=false', '-out=tfplan'], { SHIPFLEET_TERRAFORM_PLAN: 'replace' });
  expect(plan.stdout).toContain('-/+ resource "aws_instance" "web" {');
  expect(plan.stdout).toContain('Plan: 2 to add, 1 to change, 2 to destroy.');
  const doc = JSON.parse((await tf(['show', '-json', 'tfplan'])).stdout);
  expect(doc).toMatchObject({ format_version: '1.2', terraform_version: '1.9.8', variables: { name: { value: 'x' } }, complete: true, errored: false });
  expect(doc.resource_changes.map((r: { address: string; change: { actions: string[] } }) => [r.address, r.change.actions])).toEqual([
    ['aws_instance.web[0]', ['delete', 'create']],
    ['aws_lb_target_group.web', ['create', 'delete']],
    ['aws_security_group.web', ['update']],
  ]);
  expect((await tf(['apply', '-var-file=x.tfvars', 'tfplan'])).stderr).toContain("Error: Can't set variables when applying a saved plan");
  const applied = await tf(['apply', '-input=false', 'tfplan']);
  expect(applied.stdout).toContain('Apply complete! Resources: 2 added, 1 changed, 2 destroyed.');
  const again = await tf(['apply', '-input=false', 'tfplan']);
  expect(again.exitCode).toBe(1);
  expect(again.stderr).toContain('Error: Saved plan is stale\n\nThe given plan file can no longer be applied because the state was changed by another operation after the plan was created.');
});

it('a plan file rewritten after plan is stale; an unreadable one is not a plan', async () => {
  await tf(['init']);
  await tf(['plan', '-out=tfplan']);
  await tf(['plan', '-out=other']);
  writeFileSync(join(dir, 'tfplan'), readFileSync(join(dir, 'other')));
  expect((await tf(['apply', 'tfplan'])).stderr).toContain('Saved plan is stale');
  writeFileSync(join(dir, 'tfplan'), 'garbage');
  expect((await tf(['apply', 'tfplan'])).stderr).toContain('Failed to load "tfplan" as a plan file');
});

it('plan before init fails as Terraform does when the configuration needs providers', async () => {
  writeFileSync(join(dir, 'versions.tf'), 'terraform {\n  required_providers {\n    aws = {\n      source = "hashicorp/aws"\n    }\n  }\n}\n');
  const r = await tf(['plan', '-input=false']);
  expect(r.stderr).toContain('Error: Inconsistent dependency lock file');
  expect(r.stderr).toContain('provider registry.terraform.io/hashicorp/aws: required by this configuration but no version is selected');
});
