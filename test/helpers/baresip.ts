// Drives baresip (Debian 1.0) as a real SIP phone on loopback. Control and call events go over
// its ctrl_tcp module (netstring-framed JSON): stdin needs the stdio module, which cannot poll a
// non-terminal stdin reliably, and parsing the console would tie tests to its wording. What the
// phone hears is recorded by the sndfile filter (1.0's aufile is a source only), which dumps the
// decoded audio of each call to <dir>/dump-<time>-dec.wav: only received packets, no gaps filled.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort } from './serverProcess.js';
import { readWav, wavBytes } from './wav.js';

export interface BaresipOptions {
  /** Local SIP port on 127.0.0.1: UDP and TCP, and TLS on sipPort + 1 (1.0 always opens all three), so leave a gap between phones. */
  sipPort: number;
  /** RTP port range, inclusive: keep it apart from the server's and other tests'. */
  rtpPorts: [number, number];
  /** What the phone says: an 8 kHz mono 16-bit WAV (aufile does not resample), longer than the call (at its end baresip hangs up). Two minutes of silence when omitted. */
  playWav?: string;
  /** Where recording() copies what the phone heard (8 kHz mono WAV). */
  recordWav?: string;
  /** Answer incoming calls at once (account answermode=auto). */
  autoAnswer?: boolean;
  user?: string;
  displayName?: string;
  /** Digest credentials for a 401/407 (no REGISTER is ever sent). 1.0's libre answers MD5 only, and gives up ("Function not implemented") if any challenge names another algorithm. */
  auth?: { user: string; password: string };
  /** SIP trace (-s) in `output`: the evidence when a call goes wrong. Default true. */
  sipTrace?: boolean;
  startTimeoutMs?: number;
}

/**
 * One ctrl_tcp event: CALL_INCOMING (manual answer mode only), CALL_ESTABLISHED, CALL_CLOSED with
 * the reason in `param` ("Connection reset by peer" after the other side's BYE, "... by user"
 * after ours, "end of file" when playWav ran out: baresip then hangs up itself).
 */
export interface BaresipEvent {
  type: string;
  param?: string;
  /** The SIP Call-ID. */
  id?: string;
  class?: string;
  direction?: string;
  peeruri?: string;
  peerdisplayname?: string;
  /** Date.now() when it arrived. */
  at: number;
}

/** One message of the SIP trace (-s); from and to are host:port, text is start line, headers and body. */
export interface SipTraced {
  transport: string;
  from: string;
  to: string;
  text: string;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});
const ANSI = /\x1b\[[0-9;]*[a-zA-Z]/g; // eslint-disable-line no-control-regex

export class Baresip {
  readonly events: BaresipEvent[] = [];
  /** stdout and stderr as they came, colours included: they delimit the SIP trace's messages. */
  #raw = '';
  #ctrl: Socket | undefined;
  #inbox = Buffer.alloc(0);
  #token = 0;
  #replies = new Map<string, { ok: boolean; data: string }>();
  #wake = new Set<() => void>();
  #exited = false;
  readonly #exit: Promise<void>;

  private constructor(
    readonly child: ChildProcess,
    readonly dir: string,
    readonly options: BaresipOptions,
    /** Its own address, for calls to it. */
    readonly uri: string,
  ) {
    const take = (d: Buffer) => ((this.#raw += d.toString('utf8')), this.#notify());
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    this.#exit = new Promise((resolve) => {
      const gone = (how: string) => {
        if (this.#exited) return;
        running.delete(child);
        this.#exited = true;
        this.#raw += `\n[baresip ${how}]\n`;
        this.#notify();
        resolve();
      };
      // A failed spawn (no baresip) emits 'error' and never 'exit'.
      child.once('error', (e) => gone(`could not run: ${e.message}`));
      child.once('exit', (code, signal) => gone(`exited: code ${code} signal ${signal}`));
    });
  }

  static async start(o: BaresipOptions): Promise<Baresip> {
    const dir = mkdtempSync(join(tmpdir(), 'roomtone-baresip-'));
    let play = o.playWav;
    if (play === undefined) writeFileSync((play = join(dir, 'silence.wav')), wavBytes(new Int16Array(8000 * 120), 8000));
    else if (readWav(play).rate !== 8000) throw new Error(`${play}: baresip's aufile needs 8000 Hz (PCMU), it does not resample`);
    const ctrlPort = await freeTcpPort();
    const user = o.user ?? 'baresip';
    writeFileSync(join(dir, 'config'), [
      'poll_method epoll',
      // Without it baresip puts the host's first interface (not loopback) in its SDP, then sends
      // from 127.0.0.1: a server that checks the RTP source against the SDP drops everything.
      'net_interface 127.0.0.1',
      `sip_listen 127.0.0.1:${o.sipPort}`,
      `rtp_ports ${o.rtpPorts[0]}-${o.rtpPorts[1]}`,
      `audio_source aufile,${play}`,
      // aubridge is a clocked player that needs no sound card; sndfile records instead.
      'audio_player aubridge,nil',
      'audio_alert aubridge,nil',
      `snd_path ${dir}`,
      'statmode_default off',
      'module_path /usr/lib/baresip/modules',
      'module g711.so',
      'module aufile.so',
      'module aubridge.so',
      'module sndfile.so',
      'module_app account.so',
      'module_app menu.so', // the dial/hangup/sndcode/accept commands
      'module_app ctrl_tcp.so',
      `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
      '',
    ].join('\n'));
    const name = o.displayName ? `"${o.displayName.replace(/"/g, '')}" ` : '';
    const auth = o.auth ? `;auth_user=${o.auth.user};auth_pass=${o.auth.password}` : '';
    // regint=0: no REGISTER; audio_codecs limits the offer to PCMU (+ telephone-event, always offered).
    const aor = `sip:${user}@127.0.0.1:${o.sipPort}`;
    writeFileSync(join(dir, 'accounts'), `${name}<${aor}>;regint=0;audio_codecs=PCMU;answermode=${o.autoAnswer ? 'auto' : 'manual'}${auth}\n`);

    const child = spawn('baresip', ['-f', dir, ...(o.sipTrace === false ? [] : ['-s'])], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    const b = new Baresip(child, dir, o, aor);
    try {
      const deadline = Date.now() + (o.startTimeoutMs ?? 8000);
      await b.#until('baresip is ready', () => b.#raw.includes('baresip is ready'), deadline - Date.now());
      // The listener opens during init; connect, retrying only until the deadline.
      for (;;) {
        try {
          b.#ctrl = await new Promise<Socket>((resolve, reject) => {
            const s = connect(ctrlPort, '127.0.0.1', () => resolve(s)).once('error', reject);
          });
          break;
        } catch (e) {
          if (Date.now() > deadline || b.#exited) throw e;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      b.#ctrl.on('data', (d: Buffer) => b.#onCtrl(d)).on('error', () => {});
    } catch (e) {
      await b.stop();
      throw new Error(`baresip did not start: ${(e as Error).message}\n${b.output}`);
    }
    return b;
  }

  /** stdout and stderr without colours, and one `event TYPE param` line per ctrl_tcp event. */
  get output(): string {
    return this.#raw.replace(ANSI, '');
  }

  /** The SIP trace (-s): every message sent or received, in order. */
  sipMessages(): SipTraced[] {
    const traced = this.#raw.matchAll(/\x1b\[36;1m#\r?\n(\w+) (\S+) -> (\S+)\r?\n([\s\S]*?)\x1b\[;m/g);
    return [...traced].map((m) => ({ transport: m[1], from: m[2], to: m[3], text: m[4] }));
  }

  /** A console command of baresip 1.0 (menu module), answered over ctrl_tcp. */
  async command(command: string, params = '', timeoutMs = 5000): Promise<string> {
    if (!this.#ctrl || this.#exited) throw new Error(`baresip is not running (command ${command})`);
    const token = `t${++this.#token}`;
    const json = JSON.stringify({ command, params, token });
    this.#ctrl.write(`${Buffer.byteLength(json)}:${json},`);
    const r = await this.#until(`the reply to ${command}`, () => this.#replies.get(token), timeoutMs).finally(() => this.#replies.delete(token));
    if (!r.ok) throw new Error(`baresip refused ${command} ${params}: ${r.data}`);
    return r.data;
  }

  dial(uri: string): Promise<string> {
    return this.command('dial', uri);
  }

  /** RFC 4733 telephone-events in the media; baresip queues the digits and plays them one after another. */
  sendDtmf(digits: string): Promise<string> {
    return this.command('sndcode', digits);
  }

  answer(): Promise<string> {
    return this.command('accept');
  }

  hangup(): Promise<string> {
    return this.command('hangup');
  }

  /** The first event of this type (or whose type matches) at index `from` or later. */
  waitEvent(type: string | RegExp, timeoutMs: number, from = 0): Promise<BaresipEvent> {
    const match = (e: BaresipEvent) => (typeof type === 'string' ? e.type === type : type.test(e.type));
    const find = () => this.events.slice(from).find(match);
    return this.#until(`event ${type}`, find, timeoutMs);
  }

  /** Waits until the output (log and event lines) matches. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    return this.#until(String(pattern), () => pattern.exec(this.output) ?? undefined, timeoutMs);
  }

  /** What the phone heard in its latest call, once that call ended (the WAV is complete then); copied to recordWav when given. */
  async recording(timeoutMs = 3000): Promise<string> {
    const latest = () => {
      const f = readdirSync(this.dir).filter((n) => n.endsWith('-dec.wav')).sort().pop();
      return f && statSync(join(this.dir, f)).size > 44 ? join(this.dir, f) : undefined;
    };
    const path = await this.#until('a recording (dump-*-dec.wav)', latest, timeoutMs);
    if (!this.options.recordWav) return path;
    copyFileSync(path, this.options.recordWav);
    return this.options.recordWav;
  }

  /** Quits (ending any call with a BYE), then SIGKILL if it is not gone within `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.#exited && this.#ctrl) await this.command('quit', '', graceMs).catch(() => {});
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    if (!this.#exited && !this.#ctrl) this.child.kill('SIGKILL');
    await this.#exit;
    clearTimeout(timer);
    this.#ctrl?.destroy();
  }

  #onCtrl(d: Buffer): void {
    this.#inbox = Buffer.concat([this.#inbox, d]);
    for (;;) {
      const colon = this.#inbox.indexOf(':');
      if (colon < 0) return;
      const len = Number(this.#inbox.subarray(0, colon).toString());
      if (this.#inbox.length < colon + 2 + len) return;
      const text = this.#inbox.subarray(colon + 1, colon + 1 + len).toString('utf8');
      this.#inbox = this.#inbox.subarray(colon + 2 + len); // past the trailing ','
      let m: Record<string, unknown>;
      try {
        m = JSON.parse(text) as Record<string, unknown>;
      } catch {
        this.#raw += `\n[ctrl_tcp: unparsable ${text}]\n`;
        continue;
      }
      if (m.response === true) this.#replies.set(String(m.token), { ok: m.ok === true, data: String(m.data ?? '') });
      else if (m.event === true) {
        const e = { ...(m as Omit<BaresipEvent, 'at'>), at: Date.now() };
        this.events.push(e);
        this.#raw += `\nevent ${e.type} ${e.param ?? ''}\n`;
      }
      this.#notify();
    }
  }

  #notify(): void {
    for (const w of [...this.#wake]) w();
  }

  /** Resolves with check()'s first value; rejects at the deadline or when baresip exits first. */
  #until<T>(what: string, check: () => T | undefined | false, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = (f: () => void) => (clearTimeout(timer), this.#wake.delete(poll), f());
      const poll = () => {
        const v = check();
        if (v !== undefined && v !== false) done(() => resolve(v));
        else if (this.#exited) done(() => reject(new Error(`baresip exited while waiting for ${what}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))), Math.max(0, timeoutMs));
      this.#wake.add(poll);
      poll();
    });
  }
}
