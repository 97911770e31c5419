// A bare SIP endpoint on a UDP socket for tests that need to see or shape single messages:
// it sends request text and waits for what comes back, parsed by the `sip` package.
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { createRequire } from 'node:module';
import type { SipMessage } from '../../src/sip/sipLibrary.js';

const sip = createRequire(import.meta.url)('sip') as { parse(data: Buffer): SipMessage | undefined; stringify(m: SipMessage): string };
export const stringify = (m: SipMessage): string => sip.stringify(m);

export const token = (): string => randomBytes(6).toString('hex');

export class RawUa {
  readonly received: SipMessage[] = [];
  #waiters = new Set<() => void>();

  private constructor(
    readonly socket: Socket,
    readonly port: number,
    readonly server: number,
  ) {
    socket.on('message', (m) => {
      const parsed = sip.parse(m);
      if (parsed) this.received.push(parsed);
      for (const w of [...this.#waiters]) w();
    });
  }

  static async open(serverPort: number, address = '127.0.0.1'): Promise<RawUa> {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, address, r));
    return new RawUa(socket, socket.address().port, serverPort);
  }

  send(text: string): void {
    this.socket.send(text.replace(/\r?\n/g, '\r\n'), this.server, '127.0.0.1');
  }

  /** The first message received (from now on, or already) that matches; throws after `ms`. */
  next(what: string, match: (m: SipMessage) => boolean, ms = 5000): Promise<SipMessage> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const i = this.received.findIndex(match);
        if (i < 0) return;
        const [m] = this.received.splice(i, 1);
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(m);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`no ${what} within ${ms} ms; got ${this.received.map((m) => m.status ?? m.method).join(', ')}`));
      }, ms);
      this.#waiters.add(check);
      check();
    });
  }

  /** The final response to the request with this CSeq method and number. */
  final(method: string, seq: number, ms = 5000): Promise<SipMessage> {
    return this.next(`final response to ${method} ${seq}`, (m) => (m.status ?? 0) >= 200 && m.headers.cseq.method === method && m.headers.cseq.seq === seq, ms);
  }

  close(): void {
    this.socket.close();
  }
}

/**
 * An INVITE's text from `ua` to `number`, with a PCMU offer on `mediaPort` (SDES-SRTP when `srtp`)
 * and extra header lines.
 * The default media port is below the ephemeral range: it can never be the server's own HTTP port,
 * which the server refuses as a media destination (488).
 */
export function inviteText(ua: RawUa, o: { number: string; callId: string; tag: string; seq?: number; branch?: string; headers?: string[]; mediaPort?: number; srtp?: boolean }): string {
  const port = o.mediaPort ?? 29_000 + 2 * Math.floor(Math.random() * 500);
  const media = o.srtp
    ? [`m=audio ${port} RTP/SAVP 0`, `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${randomBytes(30).toString('base64')}`]
    : [`m=audio ${port} RTP/AVP 0`];
  const sdp = ['v=0', 'o=raw 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', ...media, 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n');
  return [
    `INVITE sip:${o.number}@127.0.0.1:${ua.server} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${ua.port};branch=${o.branch ?? `z9hG4bK${token()}`};rport`,
    'Max-Forwards: 70',
    `From: "Raw" <sip:raw@127.0.0.1>;tag=${o.tag}`,
    `To: <sip:${o.number}@127.0.0.1>`,
    `Call-ID: ${o.callId}`,
    `CSeq: ${o.seq ?? 1} INVITE`,
    `Contact: <sip:raw@127.0.0.1:${ua.port}>`,
    ...(o.headers ?? []),
    'Content-Type: application/sdp',
    `Content-Length: ${sdp.length}`,
    '',
    sdp,
  ].join('\r\n');
}

/** A request outside any dialog (OPTIONS, or an INVITE without a body) from `ua` to `user`. */
export function requestText(ua: RawUa, method: string, user: string): string {
  return [
    `${method} sip:${user}@127.0.0.1:${ua.server} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${ua.port};branch=z9hG4bK${token()};rport`,
    'Max-Forwards: 70',
    `From: "Test" <sip:tester@127.0.0.1>;tag=${token()}`,
    `To: <sip:${user}@127.0.0.1>`,
    `Call-ID: ${token()}@raw`,
    `CSeq: 1 ${method}`,
    `Contact: <sip:tester@127.0.0.1:${ua.port}>`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** A request within a dialog the INVITE opened (ACK, BYE, INFO), `toTag` being the server's. */
export function inDialogText(ua: RawUa, o: { method: string; number: string; callId: string; tag: string; toTag: string; seq: number; headers?: string[]; body?: string }): string {
  const body = o.body ?? '';
  return [
    `${o.method} sip:roomtone@127.0.0.1:${ua.server} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${ua.port};branch=z9hG4bK${token()};rport`,
    'Max-Forwards: 70',
    `From: "Raw" <sip:raw@127.0.0.1>;tag=${o.tag}`,
    `To: <sip:${o.number}@127.0.0.1>;tag=${o.toTag}`,
    `Call-ID: ${o.callId}`,
    `CSeq: ${o.seq} ${o.method}`,
    ...(o.headers ?? []),
    `Content-Length: ${body.length}`,
    '',
    body,
  ].join('\r\n');
}
