// The summary and the destroy guard on the stand-in's plan JSON fixtures (Terraform's JSON output format).
import { readFileSync } from 'fs';
import { join } from 'path';
import { guardError, judgePlan, verdictText } from './destroy-guard';
import { classifyActions, countsLine, formatPlanSummary, planSummaryMarkdown, summarizePlanJson } from './plan-summary';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../tools/stand-ins/terraform/fixtures', `${name}.json`), 'utf8');
const strict = { allowDestroy: false, allowReplace: [] as string[] };

describe('classifyActions', () => {
  it.each([
    [['create'], 'create'],
    [['update'], 'update'],
    [['delete', 'create'], 'replace'],
    [['create', 'delete'], 'replace'],
    [['delete'], 'destroy'],
    [['read'], 'read'],
    [['no-op'], 'no-op'],
    [['forget'], 'forget'],
    [['delete', 'forget'], 'destroy'],
  ])('%j is %s', (actions, kind) => {
    expect(classifyActions(actions)).toBe(kind);
  });
});

describe('plan fixtures', () => {
  it('creates only: three creates and a read, nothing guarded', () => {
    const s = summarizePlanJson(fixture('creates'));
    expect(s.formatVersion).toBe('1.2');
    expect(s.changes.map((c) => [c.action, c.address])).toEqual([
      ['create', 'aws_s3_bucket.site'],
      ['create', 'aws_s3_bucket_website_configuration.site'],
      ['create', 'aws_db_instance.main'],
      ['read', 'data.aws_iam_policy_document.read'],
    ]);
    expect(s.changes[3]).toMatchObject({ mode: 'data', reason: 'read_because_dependency_pending' });
    expect(countsLine(s)).toBe('3 to create, 1 to read');
    const v = judgePlan(s, strict);
    expect(guardError(v, 'x.md')).toBeUndefined();
    expect(verdictText(v)).toBeUndefined();
  });

  it('an update: the no-op is counted but not listed', () => {
    const s = summarizePlanJson(fixture('update'));
    expect(s.changes.map((c) => [c.action, c.address])).toEqual([['update', 'aws_cloudfront_distribution.cdn']]);
    expect(s.counts['no-op']).toBe(1);
    expect(countsLine(s)).toBe('1 to update');
    expect(guardError(judgePlan(s, strict), 'x.md')).toBeUndefined();
  });

  it('a replace: both orders, with the reason and the attribute forcing it; blocked unless allowed', () => {
    const s = summarizePlanJson(fixture('replace'));
    expect(s.replaces).toEqual(['aws_instance.web[0]', 'aws_lb_target_group.web']);
    expect(s.destroys).toEqual([]);
    expect(formatPlanSummary(s)).toEqual([
      'Plan: 1 to update, 2 to replace',
      '  -/+ replace aws_instance.web[0] (destroy then create; replace_because_cannot_update; forced by ami)',
      '  -/+ replace aws_lb_target_group.web (create before destroy; replace_because_cannot_update; forced by port)',
      '    ~ update  aws_security_group.web',
    ]);
    const blocked = guardError(judgePlan(s, strict), '/out/plan-summary.md')!;
    expect(blocked.option).toBe('allowReplace');
    expect(blocked.message).toContain('replaces aws_instance.web[0], aws_lb_target_group.web');
    expect(blocked.message).toContain('add ["aws_instance.web[0]","aws_lb_target_group.web"] to "allowReplace"');
    expect(blocked.message).toContain('/out/plan-summary.md');
    // One listed: the other still blocks, and only it is named.
    const one = guardError(judgePlan(s, { allowDestroy: false, allowReplace: ['aws_instance.web[0]'] }), 'x.md')!;
    expect(one.message).toContain('replaces aws_lb_target_group.web (deleted and created again), and it is not in allowReplace');
    expect(one.message).not.toContain('aws_instance.web[0]');
    // An address without its index does not cover the instance: addresses are matched exactly.
    expect(guardError(judgePlan(s, { allowDestroy: false, allowReplace: ['aws_instance.web', 'aws_lb_target_group.web'] }), 'x.md')).toBeDefined();
    const both = judgePlan(s, { allowDestroy: false, allowReplace: ['aws_instance.web[0]', 'aws_lb_target_group.web'] });
    expect(guardError(both, 'x.md')).toBeUndefined();
    expect(verdictText(both)).toBe('Destroys and replaces allowed by the options: aws_instance.web[0], aws_lb_target_group.web.');
    expect(guardError(judgePlan(s, { allowDestroy: true, allowReplace: [] }), 'x.md')).toBeUndefined();
  });

  it('a destroy: blocked unless allowDestroy; allowReplace does not cover it', () => {
    const s = summarizePlanJson(fixture('destroy'));
    expect(s.destroys).toEqual(['aws_s3_bucket.legacy_assets']);
    expect(s.changes[0].reason).toBe('delete_because_no_resource_config');
    const err = guardError(judgePlan(s, { allowDestroy: false, allowReplace: ['aws_s3_bucket.legacy_assets'] }), 'x.md')!;
    expect(err.option).toBe('allowDestroy');
    expect(err.message).toBe('Option "allowDestroy": the plan destroys aws_s3_bucket.legacy_assets, and destroys are not allowed. Read the plan in x.md; if it is what you mean, set "allowDestroy": true and run again. Nothing was applied');
    expect(verdictText(judgePlan(s, strict))).toBe('**Not applied:** the plan destroys aws_s3_bucket.legacy_assets. To apply it, set `allowDestroy: true`.');
    expect(guardError(judgePlan(s, { allowDestroy: true, allowReplace: [] }), 'x.md')).toBeUndefined();
  });

  it('the markdown table names every change and the verdict', () => {
    const s = summarizePlanJson(fixture('replace'));
    const md = planSummaryMarkdown(s, 'terraform plan: web (staging)', verdictText(judgePlan(s, strict)));
    expect(md).toBe([
      '### terraform plan: web (staging)',
      '',
      '**1 to update, 2 to replace**',
      '',
      '| Action | Resource | Details |',
      '| --- | --- | --- |',
      '| replace | `aws_instance.web[0]` | destroy then create; replace_because_cannot_update; forced by ami |',
      '| replace | `aws_lb_target_group.web` | create before destroy; replace_because_cannot_update; forced by port |',
      '| update | `aws_security_group.web` |  |',
      '',
      '**Not applied:** the plan replaces aws_instance.web[0], aws_lb_target_group.web. To apply it, set `allowDestroy: true` or `allowReplace: ["aws_instance.web[0]","aws_lb_target_group.web"]`.',
      '',
      '',
    ].join('\n'));
  });

  it('keeps no value from the plan: before/after and variables stay out of the summary', () => {
    const doc = JSON.parse(fixture('creates'));
    doc.variables = { db_password: { value: 'hunter2-very-secret' } };
    const s = summarizePlanJson(JSON.stringify(doc));
    const text = JSON.stringify(s) + formatPlanSummary(s).join('\n') + planSummaryMarkdown(s, 'h');
    expect(text).not.toContain('hunter2-very-secret');
    expect(text).not.toContain('db.t4g.micro');
  });

  it('a deposed object and a moved resource are named as such', () => {
    const s = summarizePlanJson(JSON.stringify({ format_version: '1.2', resource_changes: [
      { address: 'aws_instance.a', mode: 'managed', deposed: '00000001', change: { actions: ['delete'] } },
      { address: 'aws_instance.b', previous_address: 'aws_instance.old', mode: 'managed', change: { actions: ['update'] } },
    ] }));
    expect(s.destroys).toEqual(['aws_instance.a (deposed 00000001)']);
    expect(formatPlanSummary(s)[2]).toBe('  ~ update  aws_instance.b (moved from aws_instance.old)');
  });

  it('refuses what is not a 1.x plan document', () => {
    expect(() => summarizePlanJson('not json')).toThrow('did not print JSON');
    expect(() => summarizePlanJson('{}')).toThrow('no format_version');
    expect(() => summarizePlanJson('{"format_version":"2.0"}')).toThrow('format_version 2.0');
    expect(() => summarizePlanJson('{"format_version":"1.2","resource_changes":[{"change":{"actions":["create"]}}]}')).toThrow('without address');
    expect(summarizePlanJson('{"format_version":"1.0"}').changes).toEqual([]);
  });
});
