// Entry point of a traffic worker process (node:cluster forks it from the primary; never run it by hand).
import { runTrafficWorker } from './traffic-worker.js';

runTrafficWorker();
