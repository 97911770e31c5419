// `--sip`: the load run's participants join by SIP calls, made by SIPp, instead of REST. SIPp
// does the signalling only: each call's INVITE carries the generator's own SDP offer (Opus,
// rtcp-mux, RFC 6464 levels: what sdpOffer() gives a REST join), with the port of that
// participant's generator socket, taken from an injection file (-inf, one line per call). When
// our 200 comes, the scenario logs the answer's RTP port, payload type and level extension id,
// and the run starts the participant's media on the generator exactly as after a REST join.
// The calls stay up until the server ends them (the run kicks everyone at its end: our BYE,
// which SIPp answers), so SIPp exits 0 only if every call was answered and ended cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { closeSync, existsSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One call: participant i, from the generator socket on `port`, to the conference that `number` reaches. */
export interface SipCall {
  i: number;
  port: number;
  ssrc: number;
  number: string;
}

/** What our 200 said for participant i. */
export interface SipAnswer {
  i: number;
  remotePort: number;
  payloadType: number;
  /** The RFC 6464 extension id the answer kept, or null. */
  levelId: number | null;
}

export interface SipJoinOptions {
  /** The server's SIP port on 127.0.0.1 (UDP). */
  serverPort: number;
  /** New calls per second. */
  rate: number;
  /** The offers carry RFC 6464 levels (--levels). */
  levels: boolean;
  /** A directory of ours for the scenario, the injection file and SIPp's logs. */
  dir: string;
  /** SIPp's global timeout (-timeout), seconds: the whole run's length at most. */
  timeoutSeconds: number;
}

const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

/**
 * The scenario: INVITE with the offer (fields: 0 port, 1 ssrc, 2 number, 3 participant index),
 * 100 optional, 200 (its answer logged), ACK, then wait for the server's BYE and answer it.
 * Lines are SDP as sdpOffer() writes them (SIPp ends every line with CRLF and sets [len]).
 */
function scenario(levels: boolean): string {
  const sdp = ['v=0', 'o=- [field1] 0 IN IP4 127.0.0.1', 's=load', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio [field0] RTP/AVP 111',
    'a=rtpmap:111 opus/48000/2', 'a=fmtp:111 minptime=10;useinbandfec=0', 'a=ptime:20', 'a=rtcp-mux', 'a=sendrecv',
    ...(levels ? [`a=extmap:1 ${AUDIO_LEVEL_URI}`] : []), 'a=ssrc:[field1] cname:load-[field1]'];
  const from = '"load [field3]" <sip:load[field3]@[local_ip]:[local_port]>;tag=[pid]L[call_number]';
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="bench:load SIP join">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[field2]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: ${from}
      To: <sip:[field2]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:load[field3]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

${sdp.map((l) => `      ${l}`).join('\n')}
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="200" rrs="true">
    <action>
      <ereg regexp="m=audio ([0-9]+) [A-Z/]+ ([0-9]+)" search_in="body" check_it="true" assign_to="mline,rport,pt"/>
      <ereg regexp="a=extmap:([0-9]+)[^ ]* ${AUDIO_LEVEL_URI.replace(/\./g, '\\.')}" search_in="body" check_it="false" assign_to="extline,ext"/>
      <log message="ANSWER [field3] [$rport] [$pt] x[$ext]"/>
    </action>
  </recv>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: ${from}
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: <sip:load[field3]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv request="BYE"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>
  <Reference variables="mline,extline"/>
</scenario>
`;
}

/** A UDP port of 127.0.0.1 free now (and, with `pairWith`, that port + pairWith free too). */
export async function freeUdpPort(pairWith = 0): Promise<number> {
  const bind = (port: number) =>
    new Promise<ReturnType<typeof createSocket> | null>((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => (s.close(), resolve(null)));
      s.bind(port, '127.0.0.1', () => resolve(s));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const a = await bind(0);
    if (a === null) continue;
    const port = a.address().port;
    const b = pairWith === 0 || port + pairWith > 65535 ? null : await bind(port + pairWith);
    a.close();
    b?.close();
    if (pairWith === 0 || b !== null) return port;
  }
  throw new Error('no free UDP port on 127.0.0.1');
}

/** SIPp placing the run's calls, and the answers as they come. */
export class SipJoins {
  readonly #o: SipJoinOptions;
  readonly #logFile: string;
  readonly #errorFile: string;
  #child: ChildProcess | null = null;
  #output = '';
  #exit: Promise<number | null> | null = null;
  #exitCode: number | null | undefined = undefined;
  #fd: number | null = null;
  #partial = '';
  readonly #seen = new Set<number>();

  constructor(o: SipJoinOptions) {
    this.#o = o;
    this.#logFile = join(o.dir, 'sipp-answers.log');
    this.#errorFile = join(o.dir, 'sipp-errors.log');
  }

  /** Starts SIPp with one call per entry of `calls`, `rate` per second, all held at once. */
  async start(calls: SipCall[]): Promise<void> {
    const { dir } = this.#o;
    writeFileSync(join(dir, 'join.xml'), scenario(this.#o.levels));
    writeFileSync(join(dir, 'calls.csv'), ['SEQUENTIAL', ...calls.map((c) => `${c.port};${c.ssrc >>> 0};${c.number};${c.i}`)].join('\n') + '\n');
    writeFileSync(this.#logFile, '');
    const sipPort = await freeUdpPort();
    const mediaPort = await freeUdpPort(2); // SIPp binds its media port and that + 2, and sends nothing from them here
    const args = [
      '-sf', join(dir, 'join.xml'), '-inf', join(dir, 'calls.csv'), `127.0.0.1:${this.#o.serverPort}`,
      '-r', String(this.#o.rate), '-m', String(calls.length), '-l', String(calls.length),
      '-i', '127.0.0.1', '-p', String(sipPort), '-mp', String(mediaPort),
      '-aa', '-nostdin', '-timeout', `${this.#o.timeoutSeconds}s`, '-timeout_error',
      '-trace_logs', '-log_file', this.#logFile, '-trace_err', '-error_file', this.#errorFile,
    ];
    const child = (this.#child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }));
    const keep = (d: Buffer) => (this.#output = (this.#output + d.toString('latin1')).slice(-20_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.#exit = new Promise((resolve) => {
      child.once('error', (err) => {
        this.#output += `\n${err.message}`;
        this.#exitCode = null;
        resolve(null);
      });
      child.once('close', (code) => {
        this.#exitCode = code;
        resolve(code);
      });
    });
  }

  /** Whether SIPp has exited (and with what), undefined while it runs. */
  get exitCode(): number | null | undefined {
    return this.#exitCode;
  }

  /** The answers logged since the last call (each participant once). */
  poll(): SipAnswer[] {
    if (this.#fd === null) {
      if (!existsSync(this.#logFile)) return [];
      this.#fd = openSync(this.#logFile, 'r');
    }
    const chunk = Buffer.alloc(64 * 1024);
    let text = this.#partial;
    for (;;) {
      const n = readSync(this.#fd, chunk, 0, chunk.length, null);
      if (n <= 0) break;
      text += chunk.toString('latin1', 0, n);
    }
    const lines = text.split('\n');
    this.#partial = lines.pop() ?? '';
    const answers: SipAnswer[] = [];
    for (const line of lines) {
      const m = /ANSWER (\d+) (\d+) (\d+) x(\d*)/.exec(line);
      if (!m) continue;
      const i = Number(m[1]);
      if (this.#seen.has(i)) continue;
      this.#seen.add(i);
      answers.push({ i, remotePort: Number(m[2]), payloadType: Number(m[3]), levelId: m[4] === '' ? null : Number(m[4]) });
    }
    return answers;
  }

  /** SIPp's screen and error log (the tail of each), for a failure message. */
  diagnostics(): string {
    const errors = existsSync(this.#errorFile) ? readFileSync(this.#errorFile, 'latin1').slice(-4000) : '';
    return `--- SIPp output ---\n${this.#output.slice(-4000)}${errors ? `\n--- SIPp errors ---\n${errors}` : ''}`;
  }

  /** Waits for SIPp to exit, at most `ms`; kills it after that. Resolves with its exit code (null: killed or never ran). */
  async finish(ms: number): Promise<number | null> {
    if (this.#fd !== null) {
      closeSync(this.#fd);
      this.#fd = null;
    }
    if (this.#exit === null) return null;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
    const result = await Promise.race([this.#exit, timedOut]);
    clearTimeout(timer);
    if (result !== 'timeout') return result;
    this.kill();
    await this.#exit;
    return null;
  }

  /** Stops SIPp at once (a failed run). */
  kill(): void {
    const c = this.#child;
    if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
}
