import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import type { MediaConfig } from '../host/MediaConfig.js';
import { parseCidr } from '../net/ipAddress.js';
import { parsePortRange, type PortRange } from '../transports/PortPool.js';
import { parseIpv4Range } from '../transports/ipv4.js';

/** The media-plane safety settings a server operator sets (the rest of MediaConfig follows from the others). */
/** What one account may hold. */
export interface AccountQuotas {
  conferences: number;
  documentBytes: number;
  participants: number;
  mediaItems: number;
  mediaBytes: number;
}

/** Limits on what one client of the API may hold or try. */
export interface ApiLimits {
  authFailuresPerMinute: number;
  headersTimeoutMs: number;
  httpConnectionsPerAddress: number;
  wsConnectionsPerAddress: number;
  wsConnectionsPerAccount: number;
  /** Level-stream frames per second for one conference (conference.levels.{C}). */
  levelsPerSecond: number;
  requestsPerToken: number;
  joinsPerConference: number;
}

export type MediaSafety = Pick<
  MediaConfig,
  'latching' | 'mediaTimeoutMs' | 'holdTimeoutMs' | 'consentMs' | 'consentEarlyMs' | 'deny' | 'allowMulticast' | 'allowLowPorts' | 'portShare'
>;

export interface ServerConfig {
  httpHost: string;
  httpPort: number;
  dataDir: string;
  /** Address written in SDP answers. */
  rtpIp: string;
  rtpPorts: PortRange;
  workers: number;
  media: MediaSafety;
  /** The master account's API key; generated on first start when unset. */
  masterApiKey: string | undefined;
  logLevel: string;
  /** CIDR ranges that media URLs and status callbacks may reach although refused by default (src/net/addressPolicy.ts). */
  fetchAllow: string[];
  limits: ApiLimits;
  quotas: AccountQuotas;
  /** PEM certificate chain and key: the API (and its websocket) is served over HTTPS/WSS. */
  tls: { cert: string; key: string } | undefined;
  /** Where clients reach the API (recording URLs in callbacks); undefined: the server's own address. */
  publicUrl: string | undefined;
  /** The SIP door; undefined when --sip-port is 0. */
  sip: SipSettings | undefined;
}

export interface SipSettings {
  host: string;
  port: number;
  publicAddress: string;
  udp: boolean;
  tcp: boolean;
  allow: string[];
  /** Where calls to numbers (not SIP URIs) go: host:port of a proxy or trunk. */
  outboundProxy: string | undefined;
  outboundUsername: string | undefined;
  outboundPassword: string | undefined;
  /** Networks dial-out may call (the proxy included): an account cannot aim roomtone anywhere else. */
  dialAllow: string[];
  /** New calls (INVITEs outside a dialog) taken per second from one source; more get 503. */
  invitesPerSecond: number;
  /** Digest algorithms offered to callers of a conference with credentials, most preferred first. */
  digestAlgorithms: ('SHA-256' | 'MD5')[];
}

/** Flags and environment variables, flags winning; each setting has one name in each. */
export const SETTINGS = [
  { key: 'httpHost', flag: 'host', env: 'ROOMTONE_HTTP_HOST', help: 'HTTP listen address', default: '127.0.0.1' },
  { key: 'httpPort', flag: 'port', env: 'ROOMTONE_HTTP_PORT', help: 'HTTP port (0 picks a free one)', default: '8000' },
  { key: 'dataDir', flag: 'data-dir', env: 'ROOMTONE_DATA_DIR', help: 'SQLite database and recordings', default: './data' },
  { key: 'rtpIp', flag: 'rtp-ip', env: 'ROOMTONE_RTP_IP', help: 'address advertised in SDP (also bound)', default: '127.0.0.1' },
  { key: 'rtpPorts', flag: 'rtp-ports', env: 'ROOMTONE_RTP_PORTS', help: 'RTP port range min-max', default: '20000-29999' },
  { key: 'mediaTimeoutMs', flag: 'media-timeout', env: 'ROOMTONE_MEDIA_TIMEOUT_MS', help: 'ms without RTP/RTCP from a peer before it leaves', default: '30000' },
  { key: 'holdTimeoutMs', flag: 'hold-timeout', env: 'ROOMTONE_HOLD_TIMEOUT_MS', help: 'the same while the peer holds (sendonly/inactive)', default: '300000' },
  { key: 'consentMs', flag: 'rtp-consent', env: 'ROOMTONE_RTP_CONSENT_MS', help: 'ms media goes on after the peer was last heard', default: '30000' },
  { key: 'consentEarlyMs', flag: 'rtp-early', env: 'ROOMTONE_RTP_EARLY_MS', help: 'ms of media before the peer is first heard', default: '2000' },
  { key: 'latching', flag: 'rtp-latching', env: 'ROOMTONE_RTP_LATCHING', help: 'send to the learned source, any address (NAT): on/off', default: 'off' },
  { key: 'deny', flag: 'rtp-deny', env: 'ROOMTONE_RTP_DENY', help: 'CIDR ranges never sent media, comma-separated', default: '' },
  { key: 'allowMulticast', flag: 'rtp-allow-multicast', env: 'ROOMTONE_RTP_ALLOW_MULTICAST', help: 'multicast media addresses: on/off', default: 'off' },
  { key: 'allowLowPorts', flag: 'rtp-allow-low-ports', env: 'ROOMTONE_RTP_ALLOW_LOW_PORTS', help: 'media ports below 1024: on/off', default: 'off' },
  { key: 'portShare', flag: 'rtp-port-share', env: 'ROOMTONE_RTP_PORT_SHARE', help: "percent of a media thread's RTP ports one account may hold", default: '50' },
  { key: 'fetchAllow', flag: 'fetch-allow', env: 'ROOMTONE_FETCH_ALLOW', help: 'CIDR ranges media URLs and status callbacks may reach though not public, comma-separated', default: '' },
  { key: 'authFailuresPerMinute', flag: 'auth-failures', env: 'ROOMTONE_AUTH_FAILURES_PER_MINUTE', help: 'wrong API keys per minute per address and per key before 429', default: '10' },
  { key: 'headersTimeoutMs', flag: 'http-headers-timeout', env: 'ROOMTONE_HTTP_HEADERS_TIMEOUT_MS', help: 'ms a connection may take to send a complete request head', default: '5000' },
  { key: 'httpConnectionsPerAddress', flag: 'http-connections-per-address', env: 'ROOMTONE_HTTP_CONNECTIONS_PER_ADDRESS', help: 'TCP connections one client address may hold', default: '100' },
  { key: 'wsConnectionsPerAddress', flag: 'ws-connections-per-address', env: 'ROOMTONE_WS_CONNECTIONS_PER_ADDRESS', help: 'websockets one client address may hold', default: '20' },
  { key: 'wsConnectionsPerAccount', flag: 'ws-connections-per-account', env: 'ROOMTONE_WS_CONNECTIONS_PER_ACCOUNT', help: 'websockets one account may use', default: '50' },
  { key: 'levelsPerSecond', flag: 'levels-per-second', env: 'ROOMTONE_LEVELS_PER_SECOND', help: 'level-stream frames per second per conference', default: '10' },
  { key: 'requestsPerToken', flag: 'requests-per-token', env: 'ROOMTONE_REQUESTS_PER_TOKEN', help: 'API requests per second per auth token (bursts of ten times that)', default: '100' },
  { key: 'joinsPerConference', flag: 'joins-per-conference', env: 'ROOMTONE_JOINS_PER_CONFERENCE', help: 'joins per second into one conference (bursts of twice that)', default: '20' },
  { key: 'quotaConferences', flag: 'quota-conferences', env: 'ROOMTONE_QUOTA_CONFERENCES', help: 'conference documents per account', default: '500' },
  { key: 'quotaDocumentBytes', flag: 'quota-document-bytes', env: 'ROOMTONE_QUOTA_DOCUMENT_BYTES', help: 'bytes of one conference document', default: '65536' },
  { key: 'quotaParticipants', flag: 'quota-participants', env: 'ROOMTONE_QUOTA_PARTICIPANTS', help: 'live participants per account', default: '500' },
  { key: 'quotaMediaItems', flag: 'quota-media-items', env: 'ROOMTONE_QUOTA_MEDIA_ITEMS', help: 'media documents per account', default: '200' },
  { key: 'quotaMediaMiB', flag: 'quota-media-mib', env: 'ROOMTONE_QUOTA_MEDIA_MIB', help: 'MiB of stored (decoded) audio per account', default: '1024' },
  { key: 'tlsCert', flag: 'tls-cert', env: 'ROOMTONE_TLS_CERT', help: 'PEM certificate file: serve HTTPS and WSS (with --tls-key)', default: undefined },
  { key: 'tlsKey', flag: 'tls-key', env: 'ROOMTONE_TLS_KEY', help: 'PEM private key file for --tls-cert', default: undefined },
  { key: 'workers', flag: 'workers', env: 'ROOMTONE_WORKERS', help: 'media worker threads (0 = main thread)', default: String(availableParallelism()) },
  { key: 'sipHost', flag: 'sip-host', env: 'ROOMTONE_SIP_HOST', help: 'SIP listen address', default: '127.0.0.1' },
  { key: 'sipPort', flag: 'sip-port', env: 'ROOMTONE_SIP_PORT', help: 'SIP port, UDP and TCP (0 turns SIP off)', default: '5060' },
  { key: 'sipTransports', flag: 'sip-transports', env: 'ROOMTONE_SIP_TRANSPORTS', help: 'SIP transports: udp, tcp or both', default: 'udp,tcp' },
  { key: 'sipPublicAddress', flag: 'sip-public-address', env: 'ROOMTONE_SIP_PUBLIC_ADDRESS', help: 'address in SIP Contact and Via (behind NAT)', default: undefined },
  { key: 'sipAllow', flag: 'sip-allow', env: 'ROOMTONE_SIP_ALLOW', help: 'CIDR ranges whose SIP calls are taken, comma-separated', default: '127.0.0.0/8' },
  { key: 'sipOutboundProxy', flag: 'sip-outbound-proxy', env: 'ROOMTONE_SIP_OUTBOUND_PROXY', help: "host:port that dial-out's numbers are sent to", default: undefined },
  { key: 'sipOutboundUsername', flag: 'sip-outbound-username', env: 'ROOMTONE_SIP_OUTBOUND_USERNAME', help: 'digest username for the outbound proxy', default: undefined },
  { key: 'sipOutboundPassword', flag: 'sip-outbound-password', env: 'ROOMTONE_SIP_OUTBOUND_PASSWORD', help: 'digest password for the outbound proxy', default: undefined },
  { key: 'sipDialAllow', flag: 'sip-dial-allow', env: 'ROOMTONE_SIP_DIAL_ALLOW', help: 'CIDR ranges dial-out may call, comma-separated', default: '127.0.0.0/8' },
  { key: 'sipDigestAlgorithms', flag: 'sip-digest-algorithms', env: 'ROOMTONE_SIP_DIGEST_ALGORITHMS', help: 'digest algorithms offered, preferred first: SHA-256,MD5 or MD5 (phones that refuse SHA-256 challenges)', default: 'SHA-256,MD5' },
  { key: 'sipInvitesPerSecond', flag: 'sip-invites-per-second', env: 'ROOMTONE_SIP_INVITES_PER_SECOND', help: 'new calls per second from one source before 503', default: '20' },
  { key: 'publicUrl', flag: 'public-url', env: 'ROOMTONE_PUBLIC_URL', help: "the API's address as clients reach it (RecordingUrl in callbacks)", default: undefined },
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
  const media: MediaSafety = {
    mediaTimeoutMs: intSetting(raw, 'mediaTimeoutMs', 500, 3_600_000),
    holdTimeoutMs: intSetting(raw, 'holdTimeoutMs', 500, 86_400_000),
    consentMs: intSetting(raw, 'consentMs', 500, 3_600_000),
    consentEarlyMs: intSetting(raw, 'consentEarlyMs', 0, 60_000),
    latching: onOff(raw, 'latching'),
    deny: listSetting(raw, 'deny'),
    allowMulticast: onOff(raw, 'allowMulticast'),
    allowLowPorts: onOff(raw, 'allowLowPorts'),
    portShare: intSetting(raw, 'portShare', 1, 100) / 100,
  };
  for (const range of media.deny) parseIpv4Range(range, 'ROOMTONE_RTP_DENY');
  const fetchAllow = listSetting(raw, 'fetchAllow');
  for (const range of fetchAllow) parseCidr(range, 'ROOMTONE_FETCH_ALLOW');
  return {
    httpHost: raw.httpHost!,
    httpPort: port,
    dataDir: resolve(raw.dataDir!),
    rtpIp: raw.rtpIp!,
    rtpPorts: parsePortRange(raw.rtpPorts!),
    workers,
    media,
    masterApiKey: raw.masterApiKey,
    logLevel: raw.logLevel!,
    fetchAllow,
    tls: tlsFiles(raw.tlsCert, raw.tlsKey),
    publicUrl: publicUrlOf(raw.publicUrl),
    sip: sipSettings(raw),
    quotas: {
      conferences: intSetting(raw, 'quotaConferences', 1, 10_000_000),
      documentBytes: intSetting(raw, 'quotaDocumentBytes', 1024, 16 * 1024 * 1024),
      participants: intSetting(raw, 'quotaParticipants', 1, 1_000_000),
      mediaItems: intSetting(raw, 'quotaMediaItems', 1, 10_000_000),
      mediaBytes: intSetting(raw, 'quotaMediaMiB', 1, 10_000_000) * 1024 * 1024,
    },
    limits: {
      authFailuresPerMinute: intSetting(raw, 'authFailuresPerMinute', 1, 10_000),
      headersTimeoutMs: intSetting(raw, 'headersTimeoutMs', 1000, 60_000),
      httpConnectionsPerAddress: intSetting(raw, 'httpConnectionsPerAddress', 1, 100_000),
      wsConnectionsPerAddress: intSetting(raw, 'wsConnectionsPerAddress', 1, 100_000),
      wsConnectionsPerAccount: intSetting(raw, 'wsConnectionsPerAccount', 1, 100_000),
      levelsPerSecond: intSetting(raw, 'levelsPerSecond', 1, 50),
      requestsPerToken: intSetting(raw, 'requestsPerToken', 1, 100_000),
      joinsPerConference: intSetting(raw, 'joinsPerConference', 1, 10_000),
    },
  };
}

type SettingKey = (typeof SETTINGS)[number]['key'];

function envName(key: SettingKey): string {
  return SETTINGS.find((s) => s.key === key)!.env;
}

function intSetting(raw: Record<string, string | undefined>, key: SettingKey, min: number, max: number): number {
  const n = Number(raw[key]);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(envName(key), `must be an integer from ${min} to ${max}`);
  return n;
}

/** A comma-separated setting as its non-empty items. */
function listSetting(raw: Record<string, string | undefined>, key: SettingKey): string[] {
  return (raw[key] ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');
}

function onOff(raw: Record<string, string | undefined>, key: SettingKey): boolean {
  const v = String(raw[key]).toLowerCase();
  if (['on', 'true', '1', 'yes'].includes(v)) return true;
  if (['off', 'false', '0', 'no'].includes(v)) return false;
  throw new InvalidArgumentError(envName(key), 'must be on or off');
}

/** Reads the certificate and key named by --tls-cert and --tls-key (both or neither). */
function tlsFiles(certPath: string | undefined, keyPath: string | undefined): ServerConfig['tls'] {
  if (certPath === undefined && keyPath === undefined) return undefined;
  if (certPath === undefined || keyPath === undefined) throw new InvalidArgumentError('ROOMTONE_TLS_CERT', 'and ROOMTONE_TLS_KEY go together');
  const read = (path: string, field: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      throw new InvalidArgumentError(field, `names ${path}, which cannot be read`);
    }
  };
  return { cert: read(certPath, 'ROOMTONE_TLS_CERT'), key: read(keyPath, 'ROOMTONE_TLS_KEY') };
}

function publicUrlOf(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('public-url', `must be an http(s) URL, not "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError('public-url', 'must be http(s)');
  return url.href.replace(/\/+$/, '');
}

function sipSettings(raw: Record<string, string | undefined>): SipSettings | undefined {
  const port = intSetting(raw, 'sipPort', 0, 65535);
  if (port === 0) return undefined;
  const transports = listSetting(raw, 'sipTransports').map((t) => t.toLowerCase());
  if (transports.length === 0 || transports.some((t) => t !== 'udp' && t !== 'tcp')) {
    throw new InvalidArgumentError(envName('sipTransports'), 'must be udp, tcp or udp,tcp');
  }
  const allow = listSetting(raw, 'sipAllow');
  for (const range of allow) parseCidr(range, envName('sipAllow'));
  const dialAllow = listSetting(raw, 'sipDialAllow');
  for (const range of dialAllow) parseCidr(range, envName('sipDialAllow'));
  const proxy = raw.sipOutboundProxy || undefined;
  if (proxy !== undefined && !/^[\w.-]+:\d{1,5}$|^\[[0-9a-f:]+\]:\d{1,5}$/i.test(proxy)) throw new InvalidArgumentError(envName('sipOutboundProxy'), 'must be host:port');
  const host = raw.sipHost!;
  return {
    host,
    port,
    publicAddress: raw.sipPublicAddress || host,
    udp: transports.includes('udp'),
    tcp: transports.includes('tcp'),
    allow,
    outboundProxy: proxy,
    outboundUsername: raw.sipOutboundUsername || undefined,
    outboundPassword: raw.sipOutboundPassword || undefined,
    dialAllow,
    invitesPerSecond: intSetting(raw, 'sipInvitesPerSecond', 1, 10_000),
    digestAlgorithms: digestAlgorithms(listSetting(raw, 'sipDigestAlgorithms')),
  };
}

function digestAlgorithms(list: string[]): ('SHA-256' | 'MD5')[] {
  const names = list.map((a) => a.toUpperCase());
  if (names.length === 0 || names.some((a) => a !== 'SHA-256' && a !== 'MD5') || new Set(names).size !== names.length) {
    throw new InvalidArgumentError(envName('sipDigestAlgorithms'), 'must list SHA-256 and/or MD5, comma-separated');
  }
  return names as ('SHA-256' | 'MD5')[];
}
