// Flags of `npm run bench:load`, validated up front with messages that name the flag: a load
// run is minutes of machine time, so a typo should cost nothing.
import { existsSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { QuietKind } from './signals.js';

export const MAX_PARTICIPANTS = 2000;
export const MAX_SECONDS = 120;

export interface LoadOptions {
  participants: number;
  talkers: number;
  seconds: number;
  conferences: number;
  quiet: QuietKind;
  /** Participants send RFC 6464 audio levels (as WebRTC and most softphones do). */
  levels: boolean;
  /** An already running server; null = start one. */
  url: string | null;
  apiKey: string | null;
  pid: number | null;
  workers: number;
  rtpPorts: string;
  tag: string;
  /** Where the started server writes its V8 CPU profiles (absolute); null = not profiled. */
  profile: string | null;
  /** The nice value the generator asks for once the server runs (-20..0; needs privilege below 0). */
  generatorNice: number;
  /** Participants join by SIP calls (SIPp) rather than REST; null = REST. */
  sip: SipJoinSettings | null;
  /** One websocket subscriber to each conference's level stream (conference.levels.{C}) for the whole run. */
  levelStream: boolean;
}

export interface SipJoinSettings {
  /** New calls per second. */
  rate: number;
  /** The server's SIP port on 127.0.0.1: chosen here for a started server, --sip-port with --url. */
  port: number | null;
}

export const MAX_SIP_RATE = 200;
/** The default call rate: the server's own default limit per source is 20 new calls per second. */
export const DEFAULT_SIP_RATE = 20;

export const USAGE = `usage: npm run bench:load -- --participants N --talkers S --seconds D
    [--conferences C] [--quiet noise|silence|dtx] [--levels on|off] [--workers W] [--rtp-ports A-B] [--tag TAG] [--profile DIR]
    [--generator-nice -20..0] [--sip [--sip-rate R] [--sip-port P]] [--level-stream] [--url http://127.0.0.1:PORT --api-key KEY [--pid PID]]
  N plain-RTP Opus participants (1..${MAX_PARTICIPANTS}) spread over C conferences (default 1), S talkers in
  each conference, D measured seconds (1..${MAX_SECONDS}) after joins and a 5 s warm-up. The rest send
  low noise (default), digital silence or DTX. Packets carry RFC 6464 audio levels unless
  --levels off. Without --url the server is started here with W
  media workers (default: cores) on RTP ports A-B (default 20000-29999); --url attaches to a
  running server on this machine (its master API key; --pid when it cannot be found by its port).
  --profile runs the started server under --cpu-prof (one .cpuprofile per thread in DIR, which
  must hold none yet); summarise them with npm run bench:profile -- DIR.
  --generator-nice (default 0) is the generator's scheduling priority once the server runs:
  below 0 it stands in for phones on other machines, which never wait for the server's CPU.
  --level-stream: one websocket client subscribes to each conference's level stream
  (conference.levels.{C}) before the warm-up and counts its frames (--levels is taken: RFC 6464).
  --sip: participants join by SIP calls instead of REST. SIPp (sip-tester) places them, R new
  calls per second (default ${DEFAULT_SIP_RATE}), to each conference's conference-{id} number, over UDP;
  its INVITEs carry the same Opus offers as REST joins (the generator's ports, from an
  injection file), and the generator sends and receives the media as it does after a REST join.
  The calls stay up until the run kicks everyone at its end (the server's BYE, answered by
  SIPp). A started server gets a free SIP port and a call limit above R; with --url, give its
  SIP port (--sip-port P) and keep R within its --sip-invites-per-second. Either way, the report
  gives the server CPU spent during the joins, per participant, beside the measured window's.
  Writes bench/results/load-TAG.json.`;

export class UsageError extends Error {}

function int(name: string, raw: string | undefined, min: number, max: number, fallback?: number): number {
  if (raw === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, not "${raw}"`);
  return v;
}

export function parseOptions(argv: string[]): LoadOptions {
  let values: Record<string, string | undefined>;
  let sipFlag = false;
  let levelStream = false;
  try {
    const names = ['participants', 'talkers', 'seconds', 'conferences', 'quiet', 'levels', 'url', 'api-key', 'pid', 'workers', 'rtp-ports', 'tag', 'profile', 'generator-nice'];
    const options = {
      ...Object.fromEntries([...names, 'sip-rate', 'sip-port'].map((n) => [n, { type: 'string' as const }])),
      sip: { type: 'boolean' as const },
      'level-stream': { type: 'boolean' as const },
    };
    const parsed = parseArgs({ args: argv, strict: true, options }).values as Record<string, string | boolean | undefined>;
    sipFlag = parsed.sip === true;
    levelStream = parsed['level-stream'] === true;
    delete parsed.sip;
    delete parsed['level-stream'];
    values = parsed as Record<string, string | undefined>;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const participants = int('participants', values.participants, 1, MAX_PARTICIPANTS);
  const conferences = int('conferences', values.conferences, 1, participants, 1);
  const smallest = Math.floor(participants / conferences);
  const talkers = int('talkers', values.talkers, 0, MAX_PARTICIPANTS);
  if (talkers > smallest) {
    throw new UsageError(`--talkers ${talkers} is more than the ${smallest} participants of the smallest conference (${participants} over ${conferences})`);
  }
  const seconds = int('seconds', values.seconds, 1, MAX_SECONDS);
  const quiet = (values.quiet ?? 'noise') as QuietKind;
  if (!['noise', 'silence', 'dtx'].includes(quiet)) throw new UsageError(`--quiet must be noise, silence or dtx, not "${values.quiet}"`);
  const levels = values.levels ?? 'on';
  if (levels !== 'on' && levels !== 'off') throw new UsageError(`--levels must be on or off, not "${values.levels}"`);

  let url: string | null = null;
  if (values.url !== undefined) {
    let u: URL;
    try {
      u = new URL(values.url);
    } catch {
      throw new UsageError(`--url "${values.url}" is not a URL`);
    }
    // Loopback only: this tool sends thousands of packets per second and must never aim them
    // at another machine.
    if (u.protocol !== 'http:' || !['127.0.0.1', 'localhost'].includes(u.hostname)) {
      throw new UsageError(`--url must be http://127.0.0.1:PORT (loopback only), not "${values.url}"`);
    }
    url = `http://127.0.0.1:${u.port || '80'}`;
    if (values['api-key'] === undefined) throw new UsageError('--url needs --api-key (the server\'s master API key, as in ROOMTONE_MASTER_API_KEY)');
    if (values.workers !== undefined || values['rtp-ports'] !== undefined || values.profile !== undefined) {
      throw new UsageError('--workers, --rtp-ports and --profile apply only to a server started here (without --url)');
    }
  } else if (values['api-key'] !== undefined || values.pid !== undefined) {
    throw new UsageError('--api-key and --pid apply only with --url');
  }

  const rtpPorts = values['rtp-ports'] ?? '20000-29999';
  const range = /^(\d+)-(\d+)$/.exec(rtpPorts);
  if (range === null || Number(range[1]) < 1024 || Number(range[2]) > 65535 || Number(range[2]) <= Number(range[1])) {
    throw new UsageError(`--rtp-ports must be MIN-MAX within 1024-65535, not "${rtpPorts}"`);
  }
  // Two ports per participant (the server allocates even/odd pairs) plus slack for ports in use.
  const needed = 2 * participants + 100;
  if (Number(range[2]) - Number(range[1]) + 1 < needed) throw new UsageError(`--rtp-ports ${rtpPorts} is too narrow: ${participants} participants need ${needed} ports`);

  let sip: SipJoinSettings | null = null;
  if (sipFlag) {
    sip = { rate: int('sip-rate', values['sip-rate'], 1, MAX_SIP_RATE, DEFAULT_SIP_RATE), port: null };
    if (url !== null) sip.port = int('sip-port', values['sip-port'], 1, 65535);
    else if (values['sip-port'] !== undefined) throw new UsageError('--sip-port applies only with --url (a started server gets a free SIP port)');
  } else if (values['sip-rate'] !== undefined || values['sip-port'] !== undefined) {
    throw new UsageError('--sip-rate and --sip-port apply only with --sip');
  }

  const tag = values.tag ?? `n${participants}-s${talkers}-c${conferences}-${quiet}`;
  if (!/^[A-Za-z0-9._-]{1,40}$/.test(tag)) throw new UsageError(`--tag must be 1-40 of A-Z a-z 0-9 . _ -, not "${tag}"`);
  return {
    profile: values.profile === undefined ? null : profileDir(values.profile),
    participants, talkers, seconds, conferences, quiet, levels: levels === 'on', url,
    apiKey: values['api-key'] ?? null,
    pid: values.pid === undefined ? null : int('pid', values.pid, 1, 2 ** 22),
    workers: int('workers', values.workers, 0, 64, availableParallelism()),
    rtpPorts, tag,
    generatorNice: int('generator-nice', values['generator-nice'], -20, 0, 0),
    sip,
    levelStream,
  };
}

function profileDir(raw: string): string {
  if (raw === '') throw new UsageError('--profile needs a directory');
  const dir = resolve(raw);
  // Old profiles in the directory would be summed with this run's by the report.
  if (existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.cpuprofile'))) throw new UsageError(`--profile ${dir} already holds .cpuprofile files; give an empty or new directory`);
  return dir;
}
