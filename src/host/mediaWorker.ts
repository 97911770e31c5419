// Entry point of a media worker thread: one MediaHost serving the Engine's messages.
import { parentPort } from 'node:worker_threads';
import { MediaHost } from './MediaHost.js';
import type { RequestMessage } from './protocol.js';

if (!parentPort) throw new Error('mediaWorker must run as a worker thread');
const port = parentPort;
const host = new MediaHost((message) => port.postMessage(message));
port.on('message', (message: RequestMessage) => host.handle(message));
