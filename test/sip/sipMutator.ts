// Mutated SIP messages for fuzzing the SIP door (issue 18). Real message texts (an INVITE with
// its SDP offer, ACK, BYE, INFO with dtmf-relay, OPTIONS, CANCEL, UPDATE, responses) are
// generated and then broken in the ways a peer, a middlebox or an attacker breaks them. Every
// choice comes from one seeded PRNG: message n's kind and mutations depend on the seed and n
// alone. What the server answered (dialogs it opened, requests it sent us) is fed back with
// `observe`, so in-dialog messages can name real dialogs: their tags and Call-IDs, and so the
// exact bytes, may differ between runs of one seed.
import { CRLF, Prng, sdpOffer, type FuzzTarget } from './fuzzCorpus.js';

import { BYTE_MUTATORS, DOOR_MAX_BYTES, draftMutators, MAX_DATAGRAM, nameOf, serialize, valueOf, type ByteMutator, type Draft, type DraftMutator } from './fuzzMutations.js';

export { Prng, type FuzzTarget } from './fuzzCorpus.js';
export { DOOR_MAX_BYTES, MAX_DATAGRAM } from './fuzzMutations.js';

/** A call the server answered 200: in-dialog requests can name it. */
interface LearnedDialog {
  callId: string;
  from: string;
  to: string;
  target: string;
  seq: number;
}

/** A request the server sent us (a BYE, an UPDATE): a response can answer it. */
interface LearnedRequest {
  via: string[];
  from: string;
  to: string;
  callId: string;
  cseq: string;
}

/** An INVITE we sent: a CANCEL or an ACK (for its non-2xx answer) can name its transaction. */
interface SentInvite {
  index: number;
  uri: string;
  branch: string;
  from: string;
  to: string;
  callId: string;
  seq: number;
}


export type BaseKind =
  | 'invite' | 'reinvite' | 'ack' | 'bye' | 'info' | 'options' | 'cancel' | 'update' | 'other-method' | 'response' | 'special';

export interface FuzzMessage {
  index: number;
  base: BaseKind;
  /** What was done to it (empty: sent as generated, a well-formed message). */
  mutations: string[];
  data: Buffer;
  /** A request sent as generated, which the server should answer (not an ACK, not a response). */
  expectsAnswer: boolean;
  /** What names its answer: the index in its Via branch (a CANCEL has its INVITE's) and its method, as `answerKey` gives it for a response. */
  key: string;
}

const BASE_WEIGHTS: Record<BaseKind, number> = {
  invite: 26, reinvite: 4, ack: 8, bye: 9, info: 9, options: 9, cancel: 8, update: 3, 'other-method': 3, response: 9, special: 3,
};


export class SipFuzzer {
  readonly rng: Prng;
  readonly #t: FuzzTarget;
  readonly #tag: string;
  #index = 0;
  /** The current message's PRNG for details. */
  #detail: Prng;
  /** The index the current message's Via branch names (its own, or the INVITE's for a CANCEL or a non-2xx ACK). */
  #branchIndex = 0;
  #previous: Buffer | undefined;
  readonly #dialogs: LearnedDialog[] = [];
  readonly #serverRequests: LearnedRequest[] = [];
  readonly #invites: SentInvite[] = [];
  readonly #callIds: string[] = [];
  readonly #skip: ReadonlySet<string>;
  readonly #draftMutators: Record<string, DraftMutator>;
  readonly #byteMutators: Record<string, ByteMutator>;

  /** `skip`: mutator names left out (to look past a known failure while it is fixed). */
  constructor(seed: number, target: FuzzTarget, skip: Iterable<string> = []) {
    this.rng = new Prng(seed);
    this.#detail = this.rng;
    this.#t = target;
    this.#tag = (seed >>> 0).toString(36);
    this.#skip = new Set(skip);
    this.#draftMutators = draftMutators(target, this.#callIds);
    this.#byteMutators = BYTE_MUTATORS;
  }

  get mutatorNames(): string[] {
    return [...Object.keys(this.#draftMutators), ...Object.keys(this.#byteMutators)];
  }

  /** The `key` of the request a response answers (the index in our Via branch, and the CSeq method), if it names one of ours. */
  answerKey(text: string): string | undefined {
    const branch = new RegExp(`branch=z9hG4bKfz([0-9a-z]+)\\.${this.#tag}\\b`).exec(text);
    const method = /\r\nCSeq: *\d+ +(\S+)/i.exec(text);
    return branch && method ? `${parseInt(branch[1], 36)}/${method[1]}` : undefined;
  }

  /** What the server sent us: a 200 to an INVITE opens a dialog to talk in; a request of its own can be answered. */
  observe(data: Buffer): void {
    const text = data.toString('latin1');
    const [head] = text.split(CRLF + CRLF);
    const [start, ...lines] = head.split(CRLF);
    const h = (name: string) => lines.filter((l) => nameOf(l) === name).map(valueOf);
    const callId = h('call-id')[0], from = h('from')[0], to = h('to')[0], cseq = h('cseq')[0];
    if (!callId || !from || !to || !cseq) return;
    if (start.startsWith('SIP/2.0 200 ') && / INVITE$/.test(cseq) && /;tag=/.test(to)) {
      if (this.#dialogs.some((d) => d.callId === callId)) return;
      const target = /<([^>]+)>/.exec(h('contact')[0] ?? '')?.[1] ?? `sip:roomtone@127.0.0.1:${this.#t.serverPort}`;
      this.#dialogs.push({ callId, from, to, target, seq: parseInt(cseq, 10) || 1 });
      if (this.#dialogs.length > 64) this.#dialogs.shift();
    } else if (!start.startsWith('SIP/')) {
      this.#serverRequests.push({ via: h('via'), from, to, callId, cseq });
      if (this.#serverRequests.length > 64) this.#serverRequests.shift();
    }
  }

  /** The next message: a real one, most often broken in one to three ways. */
  next(): FuzzMessage {
    const index = this.#index++;
    // Two draws of the seeded stream per message: one seeds the plan (what kind, which mutations),
    // the other the details. The plan of message n depends on the seed and n alone, whatever the
    // server answered (which the details may use: a learned dialog's tags).
    const plan = new Prng(this.rng.int(0, 0xffffffff));
    const rng = (this.#detail = new Prng(this.rng.int(0, 0xffffffff)));
    const base = plan.weighted(BASE_WEIGHTS);
    if (base === 'special') return this.#special(index, plan);
    const count = Number(plan.weighted({ 0: 8, 1: 50, 2: 27, 3: 15 } as Record<string, number>));
    const draftNames = Object.keys(this.#draftMutators).filter((n) => !this.#skip.has(n));
    const byteNames = Object.keys(this.#byteMutators).filter((n) => !this.#skip.has(n));
    // an INVITE's body, its session timer and its credentials are broken more often than the rest
    const favoured = ['sdp', 'session-expires', 'authorization'].filter((n) => !this.#skip.has(n));
    const mutations: string[] = [];
    for (let k = 0; k < count; k++) {
      const byte = plan.chance(0.2), favour = plan.chance(0.25), at = plan.float();
      const names = byte && byteNames.length > 0 ? byteNames : base === 'invite' && favour && favoured.length > 0 ? favoured : draftNames;
      mutations.push(names[Math.floor(at * names.length)]);
    }
    this.#branchIndex = index;
    const d = this.#base(base, index);
    const key = `${this.#branchIndex}/${d.start.split(' ')[0]}`;
    for (const name of mutations) this.#draftMutators[name]?.(d, rng);
    let data: Buffer = Buffer.from(serialize(d), 'latin1');
    for (const name of mutations) if (this.#byteMutators[name]) data = this.#byteMutators[name](data, rng);
    if (data.length > MAX_DATAGRAM) data = data.subarray(0, MAX_DATAGRAM);
    this.#previous = data;
    const expectsAnswer = mutations.length === 0 && base !== 'ack' && base !== 'response';
    return { index, base, mutations, data, expectsAnswer, key };
  }

  #branch(index: number): string {
    return `z9hG4bKfz${index.toString(36)}.${this.#tag}`;
  }

  #callId(index: number): string {
    const id = `fz${index.toString(36)}-${this.#tag}@127.0.0.1`;
    this.#callIds.push(id);
    if (this.#callIds.length > 200) this.#callIds.shift();
    return id;
  }

  #via(index: number): string {
    return `Via: SIP/2.0/UDP ${this.#t.localAddress}:${this.#t.localPort};branch=${this.#branch(index)};rport`;
  }

  #base(kind: Exclude<BaseKind, 'special'>, index: number): Draft {
    const t = this.#t, rng = this.#detail;
    const me = `${t.localAddress}:${t.localPort}`;
    const server = `127.0.0.1:${t.serverPort}`;
    const draft = (start: string, headers: string[], body = ''): Draft => ({ start, headers, body, eol: CRLF, separator: CRLF });
    const common = (method: string, uri: string, to: string, seq: number, callId = this.#callId(index), from = `"Fuzz" <sip:fuzz@${t.localAddress}>;tag=${rng.hex(8)}`) => [
      this.#via(index),
      'Max-Forwards: 70',
      `From: ${from}`,
      `To: ${to}`,
      `Call-ID: ${callId}`,
      `CSeq: ${seq} ${method}`,
    ];
    // The draws do not depend on what was learned from the server, so a seed replays the same mutations.
    const wantDialog = rng.chance(0.75), dialogAt = rng.float();
    const dialog = wantDialog && this.#dialogs.length > 0 ? this.#dialogs[Math.floor(dialogAt * this.#dialogs.length)] : undefined;
    const fakeDialog: LearnedDialog = {
      callId: rng.chance(0.5) && this.#callIds.length > 0 ? rng.pick(this.#callIds) : `nodialog-${rng.hex(8)}`,
      from: `<sip:fuzz@${t.localAddress}>;tag=${rng.hex(6)}`,
      to: `<sip:${t.openNumber}@127.0.0.1>;tag=${rng.hex(12)}`,
      target: `sip:roomtone@${server}`,
      seq: rng.int(1, 50),
    };
    const inDialog = (method: string, extra: string[], body = '') => {
      const dd = dialog ?? fakeDialog;
      const seq = method === 'ACK' ? dd.seq : ++dd.seq;
      return draft(`${method} ${dd.target} SIP/2.0`, [...common(method, dd.target, dd.to, seq, dd.callId, dd.from), `Contact: <sip:fuzz@${me}>`, ...extra], body);
    };
    switch (kind) {
      case 'invite': {
        const number = rng.weighted({ open: 60, auth: 20, unknown: 12, conf: 8 });
        const user = number === 'open' ? t.openNumber : number === 'auth' ? t.authNumber : number === 'unknown' ? t.unknownNumber : `conference-${rng.hex(8)}`;
        const uri = `sip:${user}@${server}`;
        const from = `"Fuzz ${index}" <sip:fuzz${index}@${t.localAddress}>;tag=${rng.hex(8)}`;
        const to = `<sip:${user}@127.0.0.1>`;
        const seq = rng.int(1, 1000);
        const callId = this.#callId(index);
        this.#invites.push({ index, uri, branch: this.#branch(index), from, to, callId, seq });
        if (this.#invites.length > 100) this.#invites.shift();
        const extra = [`Contact: <sip:fuzz@${me}>`, 'Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE', 'Supported: timer', 'User-Agent: roomtone-fuzz'];
        if (rng.chance(0.3)) extra.push(`Session-Expires: ${rng.int(90, 3600)};refresher=${rng.pick(['uac', 'uas'])}`);
        return draft(`INVITE ${uri} SIP/2.0`, [...common('INVITE', uri, to, seq, callId, from), ...extra, 'Content-Type: application/sdp'], sdpOffer(t, index));
      }
      case 'reinvite':
        return inDialog('INVITE', ['Content-Type: application/sdp'], rng.chance(0.3) ? '' : sdpOffer(t, index).replace('a=sendrecv', rng.pick(['a=sendonly', 'a=sendrecv', 'a=inactive'])));
      case 'ack': {
        const invite = this.#invites.length > 0 ? rng.pick(this.#invites) : undefined;
        if (rng.chance(0.3) && invite) {
          this.#branchIndex = invite.index;
          // the ACK of a non-2xx answer: the INVITE's own transaction (its branch)
          return draft(`ACK ${invite.uri} SIP/2.0`, [
            `Via: SIP/2.0/UDP ${me};branch=${invite.branch};rport`, 'Max-Forwards: 70', `From: ${invite.from}`, `To: ${invite.to};tag=${rng.hex(12)}`, `Call-ID: ${invite.callId}`, `CSeq: ${invite.seq} ACK`,
          ]);
        }
        return inDialog('ACK', []);
      }
      case 'bye':
        return inDialog('BYE', []);
      case 'info':
        return inDialog('INFO', ['Content-Type: application/dtmf-relay'], `Signal=${rng.pick(['1', '5', '9', '0', '*', '#', 'A'])}\r\nDuration=${rng.pick([160, 250, 100])}\r\n`);
      case 'options':
        return rng.chance(0.7)
          ? draft(`OPTIONS sip:roomtone@${server} SIP/2.0`, [...common('OPTIONS', `sip:roomtone@${server}`, `<sip:roomtone@${server}>`, rng.int(1, 100)), `Contact: <sip:fuzz@${me}>`, 'Accept: application/sdp'])
          : inDialog('OPTIONS', []);
      case 'cancel': {
        const invite = this.#invites.length > 0 && rng.chance(0.8) ? this.#invites[this.#invites.length - 1 - rng.int(0, Math.min(4, this.#invites.length - 1))] : undefined;
        if (invite) {
          this.#branchIndex = invite.index;
          return draft(`CANCEL ${invite.uri} SIP/2.0`, [
            `Via: SIP/2.0/UDP ${me};branch=${invite.branch};rport`, 'Max-Forwards: 70', `From: ${invite.from}`, `To: ${invite.to}`, `Call-ID: ${invite.callId}`, `CSeq: ${invite.seq} CANCEL`,
          ]);
        }
        const uri = `sip:${t.openNumber}@${server}`;
        return draft(`CANCEL ${uri} SIP/2.0`, common('CANCEL', uri, `<${uri}>`, rng.int(1, 100)));
      }
      case 'update':
        return inDialog('UPDATE', ['Session-Expires: 1800;refresher=uac', 'Supported: timer']);
      case 'other-method': {
        const method = rng.pick(['REGISTER', 'MESSAGE', 'SUBSCRIBE', 'NOTIFY', 'REFER', 'PRACK', 'PUBLISH', 'FUZZ']);
        const uri = `sip:${rng.pick([t.openNumber, 'roomtone'])}@${server}`;
        return draft(`${method} ${uri} SIP/2.0`, [...common(method, uri, `<${uri}>`, rng.int(1, 100)), `Contact: <sip:fuzz@${me}>`, 'Expires: 60'], method === 'MESSAGE' ? 'hello' : '');
      }
      case 'response': {
        const wantRequest = rng.chance(0.7), requestAt = rng.float();
        const rq = wantRequest && this.#serverRequests.length > 0 ? this.#serverRequests[Math.floor(requestAt * this.#serverRequests.length)] : undefined;
        const status = rng.pick(['100 Trying', '180 Ringing', '183 Session Progress', '200 OK', '401 Unauthorized', '481 Call/Transaction Does Not Exist', '486 Busy Here', '500 Server Internal Error', '603 Decline']);
        const method = rng.pick(['INVITE', 'BYE', 'OPTIONS', 'UPDATE']);
        const [branch, fromTag, toTag, seq] = [rng.int(0, 1_000_000), rng.hex(12), rng.hex(8), rng.int(1, 10)];
        const callId = this.#callId(index);
        if (rq) {
          // an answer to a request of the server's (its BYE after a kick, an UPDATE)
          return draft(`SIP/2.0 ${status}`, [...rq.via.map((v) => `Via: ${v}`), `From: ${rq.from}`, `To: ${rq.to}`, `Call-ID: ${rq.callId}`, `CSeq: ${rq.cseq}`]);
        }
        // an answer to nothing: the server's own branch format is guessable (z9hG4bK + digits)
        return draft(`SIP/2.0 ${status}`, [
          `Via: SIP/2.0/UDP ${server};branch=z9hG4bK${branch};rport`,
          `From: <sip:roomtone@127.0.0.1>;tag=${fromTag}`,
          `To: <sip:fuzz@${t.localAddress}>;tag=${toTag}`,
          `Call-ID: ${callId}`,
          `CSeq: ${seq} ${method}`,
          `Contact: <sip:fuzz@${me}>`,
        ], status.startsWith('200') && method === 'INVITE' ? sdpOffer(t, index) : '');
      }
    }
  }

  /** Datagrams that are no message at all: empty, a keepalive, noise, or the previous one again (a retransmission). */
  #special(index: number, rng: Prng): FuzzMessage {
    const which = this.#previous && rng.chance(0.4) ? 'resend' : rng.pick(['empty', 'keepalive', 'noise', 'noise-large']);
    const data =
      which === 'resend' ? this.#previous!
      : which === 'empty' ? Buffer.alloc(0)
      : which === 'keepalive' ? Buffer.from(rng.pick(['\r\n\r\n', '\r\n', '\n', ' ']), 'latin1')
      : Buffer.from(rng.bytes(which === 'noise' ? rng.int(1, 1400) : rng.int(DOOR_MAX_BYTES - 100, DOOR_MAX_BYTES + 2000)), 'latin1');
    this.#previous = data;
    return { index, base: 'special', mutations: [which], data, expectsAnswer: false, key: '' };
  }

}
