// The worker thread's entry: builds the fleet file its parent asks for (fleet-builder.ts), drawing
// hosts with the generator module the plan names.
import { parentPort, workerData } from 'node:worker_threads';
import { serveBuild, type BuildPlan, type GeneratorModule } from './fleet-builder.js';

const plan = workerData as BuildPlan;
let draw: ((pos: number) => ReturnType<InstanceType<GeneratorModule['HostFactory']>['host']>) | undefined;
if (plan.generator) {
  const { HostFactory } = (await import(plan.generator.module)) as GeneratorModule;
  const factory = new HostFactory(plan.generator.seed, plan.generator.name);
  draw = (pos) => factory.host(pos);
}
serveBuild(plan, parentPort!, draw);
