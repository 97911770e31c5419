// The `sip` package (RFC 3261 parsing, UDP/TCP transports and transactions), typed: the one
// module that loads it. Messages are its plain objects; the dialog layer above is roomtone's.
import dgram from 'node:dgram';
import { createRequire } from 'node:module';
import net from 'node:net';

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
  logger?: { error?(e: unknown): void; recv?(m: SipMessage, remote: Remote): void; send?(m: SipMessage): void };
}

export interface SipStack {
  send(m: SipMessage, onResponse?: (r: SipMessage) => void): void;
  /** A URI naming the connection a request came by (a route back along it). */
  encodeFlowUri(flow: Remote): SipUri;
  destroy(): void;
}

interface SipModule {
  parse(data: Buffer): SipMessage | undefined;
  create(options: SipStackOptions, onRequest: (rq: SipMessage, remote: Remote) => void): SipStack;
  makeResponse(rq: SipMessage, status: number, reason?: string): SipMessage;
  parseUri(uri: string): SipUri;
  stringifyUri(uri: SipUri): string;
}

const sip = createRequire(import.meta.url)('sip') as SipModule;

/** A stack, and when its sockets listen (or why they could not). */
export interface StartedStack {
  stack: SipStack;
  listening: Promise<void>;
}

/** Whether a datagram goes on to the package (false: it was dropped, and counted). */
export type Screening = (data: Buffer, from: { address: string; port: number }) => boolean;

/**
 * Creates the stack. The package gives its UDP socket and TCP server no 'error' listener, so a
 * port in use, or a send the kernel refuses, would be an uncaught error that ends the process:
 * the sockets it makes here are caught as they are created and given one (`onError`), and
 * their binding is awaited. Each datagram passes `screen` before the package sees it: the
 * package drops what it cannot parse without a word, and roomtone counts it.
 */
export function createSipStack(
  options: SipStackOptions,
  onRequest: (rq: SipMessage, remote: Remote) => void,
  onError: (err: Error) => void,
  screen: Screening,
  onThrow: (err: unknown, from: { address: string; port: number }) => void,
): StartedStack {
  const sockets: { once(event: 'listening', f: () => void): unknown; once(event: 'error', f: (e: Error) => void): unknown }[] = [];
  const createSocket = dgram.createSocket;
  const createServer = net.createServer;
  const watch = <T extends { on(event: 'error', f: (e: Error) => void): unknown }>(made: T): T => {
    made.on('error', onError);
    sockets.push(made as unknown as (typeof sockets)[number]);
    return made;
  };
  // The package's handler must not throw out of the socket's event: a throw would end the process.
  const guarded = (listener: (data: Buffer, rinfo: dgram.RemoteInfo) => void) => (data: Buffer, rinfo: dgram.RemoteInfo) => {
    if (!screen(data, rinfo)) return;
    try {
      listener(data, rinfo);
    } catch (err) {
      onThrow(err, rinfo);
    }
  };
  (dgram as { createSocket: unknown }).createSocket = (type: dgram.SocketType, listener: (data: Buffer, rinfo: dgram.RemoteInfo) => void) =>
    watch(createSocket(type, guarded(listener)));
  (net as { createServer: unknown }).createServer = (...args: Parameters<typeof net.createServer>) => watch(createServer(...args));
  let stack: SipStack;
  try {
    stack = sip.create(options, onRequest);
  } finally {
    (dgram as { createSocket: unknown }).createSocket = createSocket;
    (net as { createServer: unknown }).createServer = createServer;
  }
  const listening = Promise.all(sockets.map((s) => new Promise<void>((resolve, reject) => (s.once('listening', resolve), s.once('error', reject))))).then(() => {});
  return { stack, listening };
}
/** The package's parser, which never throws: undefined for what it cannot read. */
export const parseMessage = (data: Buffer): SipMessage | undefined => {
  try {
    return sip.parse(data);
  } catch {
    return undefined;
  }
};
export const makeResponse = (rq: SipMessage, status: number, reason?: string): SipMessage => sip.makeResponse(rq, status, reason);
export const stringifyUri = (uri: SipUri): string => sip.stringifyUri(uri);
export const parseUri = (uri: string): SipUri | undefined => {
  try {
    return sip.parseUri(uri);
  } catch {
    return undefined;
  }
};
