// The `sip` package (RFC 3261 parsing, UDP/TCP transports and transactions), typed: the one
// module that loads it. Messages are its plain objects; the dialog layer above is roomtone's.
import { createRequire } from 'node:module';

export interface SipUri {
  schema?: string;
  user?: string;
  password?: string;
  host: string;
  port?: number;
  params: Record<string, string | null>;
  headers?: Record<string, string>;
}

export interface NameAddr {
  name?: string;
  uri: string;
  params: Record<string, string | null>;
}

export interface SipMessage {
  method?: string;
  uri?: string;
  status?: number;
  reason?: string;
  version?: string;
  headers: {
    to: NameAddr;
    from: NameAddr;
    'call-id': string;
    cseq: { method: string; seq: number };
    via: unknown[];
    contact?: NameAddr[];
    'content-type'?: string;
    [name: string]: unknown;
  };
  content?: string;
}

export interface Remote {
  protocol: string;
  address: string;
  port: number;
  local?: { address: string; port: number };
}

export interface SipStackOptions {
  address: string;
  port: number;
  publicAddress: string;
  udp: boolean;
  tcp: boolean;
  maxBytesHeaders: number;
  maxContentLength: number;
  logger?: { error(e: unknown): void };
}

export interface SipStack {
  send(m: SipMessage, onResponse?: (r: SipMessage) => void): void;
  /** A URI naming the connection a request came by (a route back along it). */
  encodeFlowUri(flow: Remote): SipUri;
  destroy(): void;
}

interface SipModule {
  create(options: SipStackOptions, onRequest: (rq: SipMessage, remote: Remote) => void): SipStack;
  makeResponse(rq: SipMessage, status: number, reason?: string): SipMessage;
  parseUri(uri: string): SipUri;
  stringifyUri(uri: SipUri): string;
}

const sip = createRequire(import.meta.url)('sip') as SipModule;

export const createSipStack = (options: SipStackOptions, onRequest: (rq: SipMessage, remote: Remote) => void): SipStack => sip.create(options, onRequest);
export const makeResponse = (rq: SipMessage, status: number, reason?: string): SipMessage => sip.makeResponse(rq, status, reason);
export const stringifyUri = (uri: SipUri): string => sip.stringifyUri(uri);
export const parseUri = (uri: string): SipUri | undefined => {
  try {
    return sip.parseUri(uri);
  } catch {
    return undefined;
  }
};
