// Entry point of a media worker thread: one MediaHost serving the Engine's messages.
import { parentPort, workerData } from 'node:worker_threads';
import type { PortRange } from '../transports/PortPool.js';
import { silentLogger, stderrLogger } from '../util/logger.js';
import type { MediaConfig } from './MediaConfig.js';
import { MediaHost } from './MediaHost.js';
import type { RequestMessage } from './protocol.js';

/** What the Engine hands a worker at start (plain data: it is cloned across threads). */
export interface WorkerHostData {
  config: MediaConfig;
  ports: PortRange;
  logging: 'stderr' | 'silent';
}

if (parentPort) {
  const port = parentPort;
  const data = workerData as WorkerHostData;
  const log = data.logging === 'silent' ? silentLogger : stderrLogger;
  const host = new MediaHost((message) => port.postMessage(message), { config: data.config, ports: data.ports, log, preciseWakes: true });
  port.on('message', (message: RequestMessage) => host.handle(message));
}
