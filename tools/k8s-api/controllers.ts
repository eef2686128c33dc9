import { ControllerContext } from './controller-context';
import { runDaemonSetController } from './daemonset-controller';
import { DeploymentController } from './deployment-controller';
import { runReplicaSetController } from './replicaset-controller';
import { runStatefulSetController } from './statefulset-controller';

/** Runs every controller and the kubelet once, unless the scenario turns them off. */
export class Controllers {
  private readonly deployments: DeploymentController;

  constructor(private readonly ctx: ControllerContext) {
    this.deployments = new DeploymentController(ctx);
  }

  tick(): void {
    const { store, scenario, kubelet } = this.ctx;
    if (scenario.controllers === false) return;
    for (const d of store.list('Deployment')) this.deployments.run(d);
    runReplicaSetController(this.ctx);
    for (const s of store.list('StatefulSet')) runStatefulSetController(this.ctx, s);
    for (const ds of store.list('DaemonSet')) runDaemonSetController(this.ctx, ds);
    kubelet.run();
  }
}
