import { EventRecorder } from './events';
import { Kubelet } from './kubelet';
import { ObjectStore } from './store';
import { Scenario } from './types';

/** What the controllers read and write through. */
export interface ControllerContext {
  store: ObjectStore;
  scenario: Scenario;
  events: EventRecorder;
  kubelet: Kubelet;
}
