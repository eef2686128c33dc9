import { showValue, UserError } from '@shipfleet/core';
import type { ActionSpec } from '../types';
import { TrafficAction } from './action';
import { ActionRun, TrafficActionType } from './action-type';
import { cloudRunActionType } from './cloud-run-options';
import { commandActionType } from './command-options';
import { googlePlayActionType } from './google-play-options';
import { kubernetesActionType } from './kubernetes-options';
import { webhookActionType } from './webhook-options';

type ActionTypes = { [K in ActionSpec['type']]: TrafficActionType<Extract<ActionSpec, { type: K }>> };

/** Every traffic action, by the `type` an action names. A new action is one more entry. */
export const TRAFFIC_ACTIONS: ActionTypes = {
  command: commandActionType,
  webhook: webhookActionType,
  kubernetes: kubernetesActionType,
  'google-play': googlePlayActionType,
  'cloud-run': cloudRunActionType,
};

/** The action type `action.type` names, or a UserError listing them. */
export function trafficActionType(type: unknown): TrafficActionType<ActionSpec> {
  const found = typeof type === 'string' && Object.hasOwn(TRAFFIC_ACTIONS, type) ? TRAFFIC_ACTIONS[type as ActionSpec['type']] : undefined;
  if (!found) throw new UserError('action.type', `${showValue(type)} is not an action type`, `Use one of ${Object.keys(TRAFFIC_ACTIONS).join(', ')}, e.g. ${commandActionType.example}`);
  return found as unknown as TrafficActionType<ActionSpec>;
}

/** The action of a run for normalised options. */
export function createTrafficAction(spec: ActionSpec, run: ActionRun): { action: TrafficAction; secrets: string[] } {
  return trafficActionType(spec.type).create(spec, run);
}
