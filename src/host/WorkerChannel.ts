import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { projectRoot } from '../util/projectRoot.js';
import type { HostChannel, HostMessage, RequestMessage } from './protocol.js';
import type { WorkerHostData } from './mediaWorker.js';

/** The compiled worker entry; from TypeScript sources (tests) it is the build in dist/. */
function workerScript(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return join(here, '..', 'mediaWorker.js');
  const built = join(projectRoot(), 'dist', 'src', 'host', 'mediaWorker.js');
  if (!existsSync(built)) throw new Error(`roomtone: ${built} is missing; run npm run build:ts`);
  return built;
}

/** A MediaHost on a worker thread. */
export class WorkerChannel implements HostChannel {
  readonly #worker: Worker;
  #failure: (error: Error) => void = () => {};
  #terminating = false;

  constructor(index: number, data: WorkerHostData) {
    // A small young generation: a media thread allocates little per tick, and the default lets
    // each worker's new space grow by tens of MiB under load for no measurable CPU gain.
    this.#worker = new Worker(workerScript(), { name: `roomtone-media-${index}`, workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 3 } });
    this.#worker.on('error', (err) => this.#failure(err));
    this.#worker.on('exit', (code) => {
      if (!this.#terminating) this.#failure(new Error(`media worker ${index} exited with code ${code}`));
    });
  }

  send(message: RequestMessage): void {
    this.#worker.postMessage(message);
  }

  onMessage(handler: (message: HostMessage) => void): void {
    this.#worker.on('message', handler);
  }

  onFailure(handler: (error: Error) => void): void {
    this.#failure = handler;
  }

  async terminate(): Promise<void> {
    this.#terminating = true;
    await this.#worker.terminate();
  }
}
