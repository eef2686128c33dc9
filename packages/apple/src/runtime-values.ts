import { Plan, RunStep } from '@shipfleet/core';

/**
 * Values a plan only learns while it runs (the scheme from `xcodebuild -list`,
 * the exported .ipa). The plan holds a visible placeholder in the argv of the
 * steps that need the value; the task that learns it calls set(), which writes
 * the value into those argv arrays before the steps run. A dry run shows the
 * placeholders, e.g. `-scheme '<scheme from xcodebuild -list -json>'`. A placeholder
 * may also be part of an argument (`ipa:<…>`) or of an environment value.
 */
export class RunTimeValues {
  private readonly placeholders = new Map<string, string>();
  private readonly values = new Map<string, string[]>();
  private readonly plans: Plan[] = [];

  /** The argv element that stands for `name` until it is known. */
  placeholder(name: string, shown: string): string {
    const text = `<${shown}>`;
    this.placeholders.set(name, text);
    return text;
  }

  /** Steps of this plan (also ones added later) get the values when they are set. */
  attach(plan: Plan): void {
    if (!this.plans.includes(plan)) this.plans.push(plan);
  }

  set(name: string, value: string | string[]): void {
    const list = Array.isArray(value) ? value : [value];
    this.values.set(name, list);
    const placeholder = this.placeholders.get(name);
    if (placeholder === undefined) return;
    for (const plan of this.plans) {
      for (const step of plan.steps) {
        const run = step.kind === 'run' ? step : step.kind === 'cleanup' && step.action.kind === 'run' ? (step.action as Omit<RunStep, 'title'>) : undefined;
        if (!run) continue;
        // A whole argv element becomes the value(s); inside a longer element (key:value) or an env value, the value joined by spaces.
        const inline = list.join(' ');
        const args = run.args.flatMap((a) => (a === placeholder ? list : [a.split(placeholder).join(inline)]));
        run.args.splice(0, run.args.length, ...args);
        for (const [k, v] of Object.entries(run.env ?? {})) if (v.includes(placeholder)) run.env![k] = v.split(placeholder).join(inline);
      }
    }
  }

  get(name: string): string | undefined {
    return this.values.get(name)?.[0];
  }

  getAll(name: string): string[] | undefined {
    return this.values.get(name);
  }
}
