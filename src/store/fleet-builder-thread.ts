// The worker thread's entry: builds the fleet file its parent asks for (fleet-builder.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { serveBuild, type BuildPlan } from './fleet-builder.js';

serveBuild(workerData as BuildPlan, parentPort!);
