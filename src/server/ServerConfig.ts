import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { parsePortRange, type PortRange } from '../transports/PortPool.js';

export interface ServerConfig {
  httpHost: string;
  httpPort: number;
  dataDir: string;
  /** Address written in SDP answers. */
  rtpIp: string;
  rtpPorts: PortRange;
  workers: number;
  /** The master account's API key; generated on first start when unset. */
  masterApiKey: string | undefined;
  logLevel: string;
}

/** Flags and environment variables, flags winning; each setting has one name in each. */
export const SETTINGS = [
  { key: 'httpHost', flag: 'host', env: 'ROOMTONE_HTTP_HOST', help: 'HTTP listen address', default: '127.0.0.1' },
  { key: 'httpPort', flag: 'port', env: 'ROOMTONE_HTTP_PORT', help: 'HTTP port (0 picks a free one)', default: '8000' },
  { key: 'dataDir', flag: 'data-dir', env: 'ROOMTONE_DATA_DIR', help: 'SQLite database and recordings', default: './data' },
  { key: 'rtpIp', flag: 'rtp-ip', env: 'ROOMTONE_RTP_IP', help: 'address advertised in SDP (also bound)', default: '127.0.0.1' },
  { key: 'rtpPorts', flag: 'rtp-ports', env: 'ROOMTONE_RTP_PORTS', help: 'RTP port range min-max', default: '20000-29999' },
  { key: 'workers', flag: 'workers', env: 'ROOMTONE_WORKERS', help: 'media worker threads (0 = main thread)', default: String(availableParallelism()) },
  { key: 'masterApiKey', flag: 'master-api-key', env: 'ROOMTONE_MASTER_API_KEY', help: 'the master account API key', default: undefined },
  { key: 'logLevel', flag: 'log-level', env: 'ROOMTONE_LOG_LEVEL', help: 'trace, debug, info, warn, error', default: 'info' },
] as const;

export function resolveServerConfig(flags: Record<string, string | undefined>, env: NodeJS.ProcessEnv): ServerConfig {
  const raw: Record<string, string | undefined> = {};
  for (const s of SETTINGS) raw[s.key] = flags[s.flag] ?? env[s.env] ?? s.default;
  const port = Number(raw.httpPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('ROOMTONE_HTTP_PORT', 'must be a port number');
  const workers = Number(raw.workers);
  if (!Number.isInteger(workers) || workers < 0 || workers > 64) throw new InvalidArgumentError('ROOMTONE_WORKERS', 'must be 0 to 64');
  if (raw.masterApiKey !== undefined && raw.masterApiKey.length < 32) {
    throw new InvalidArgumentError('ROOMTONE_MASTER_API_KEY', 'must be at least 32 characters');
  }
  return {
    httpHost: raw.httpHost!,
    httpPort: port,
    dataDir: resolve(raw.dataDir!),
    rtpIp: raw.rtpIp!,
    rtpPorts: parsePortRange(raw.rtpPorts!),
    workers,
    masterApiKey: raw.masterApiKey,
    logLevel: raw.logLevel!,
  };
}
