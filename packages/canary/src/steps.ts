import { isPlainObject, showValue, UserError } from '@shipfleet/core';
import { durationOr } from './option-values';
import { STEP_PRESETS } from './presets';

export interface CanaryStep {
  weight: number;
  pauseMs: number;
}

const LIST_EXAMPLE = 'Example: [{"weight": 5, "pause": "5m"}, {"weight": 50, "pause": "10m"}, {"weight": 100}]';

/** `steps`: a preset name or a list of {weight, pause} with increasing weights. */
export function stepsOption(steps: unknown, defaultPauseMs: number): CanaryStep[] {
  if (typeof steps === 'string') {
    const weights = Object.hasOwn(STEP_PRESETS, steps) ? STEP_PRESETS[steps] : undefined;
    if (!weights) throw new UserError('steps', `"${steps}" is not a steps preset`, `Use one of ${Object.keys(STEP_PRESETS).join(', ')}, or a list such as [{"weight": 10, "pause": "5m"}, {"weight": 100}]`);
    return weights.map((weight) => ({ weight, pauseMs: defaultPauseMs }));
  }
  if (!Array.isArray(steps) || !steps.length) throw new UserError('steps', 'must be a non-empty list of {weight, pause} or a preset name', LIST_EXAMPLE);
  let previous = 0;
  return steps.map((step, i) => {
    const option = `steps[${i}]`;
    if (!isPlainObject(step)) throw new UserError(option, 'must be an object {weight, pause}', 'Example: {"weight": 25, "pause": "5m"}');
    const { weight } = step;
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0 || weight > 100) {
      throw new UserError(`${option}.weight`, `${showValue(weight)} is not a percentage above 0 and at most 100`, 'Give the share of traffic for the canary at this step, e.g. 25');
    }
    if (weight <= previous) throw new UserError(`${option}.weight`, `${weight} does not increase on the previous step's ${previous}`, 'List the steps with increasing weights, e.g. 5, 25, 50, 100');
    previous = weight;
    return { weight, pauseMs: step.pause === undefined ? defaultPauseMs : durationOr(`${option}.pause`, step.pause, 0, '5m') };
  });
}
