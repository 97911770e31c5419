// Twilio/SignalWire <Conference statusCallback> (seed 004): which of our Kazoo event names map to
// which StatusCallbackEvent, how a document's `status_callback` is read, and the request
// parameters in Twilio's names.
import type { ConferenceEventOut } from '../EventSink.js';
import { STATUS_CALLBACK_EVENTS } from '../schema/conferenceDocument.js';
import type { CallbackRequest } from './httpAttempt.js';

export { STATUS_CALLBACK_EVENTS };

export type StatusCallbackEvent = (typeof STATUS_CALLBACK_EVENTS)[number];

const FROM_KAZOO: Readonly<Record<string, StatusCallbackEvent>> = {
  // Published when two parties are in (ConferenceRules), not when the first joins.
  'conference-start': 'conference-start',
  'conference-destroy': 'conference-end',
  'add-member': 'participant-join',
  'del-member': 'participant-leave',
  'mute-member': 'participant-mute',
  'unmute-member': 'participant-unmute',
  'hold-member': 'participant-hold',
  'unhold-member': 'participant-unhold',
  'start-talking': 'participant-speech-start',
  'stop-talking': 'participant-speech-stop',
};

/** Twilio's name for one of our events, or undefined when Twilio has no such callback. */
export function twilioEventName(kazooName: string): StatusCallbackEvent | undefined {
  return Object.hasOwn(FROM_KAZOO, kazooName) ? FROM_KAZOO[kazooName] : undefined;
}

export const MAX_URL_LENGTH = 2048;

export interface CallbackConfig<E extends string = StatusCallbackEvent> {
  url: string;
  method: 'GET' | 'POST';
  /** null: every event. */
  events: ReadonlySet<E> | null;
}
export type StatusCallbackConfig = CallbackConfig;

export type ParsedCallback<E extends string = StatusCallbackEvent> = CallbackConfig<E> | { error: string };
export type ParsedStatusCallback = ParsedCallback;

const parsed = new WeakMap<object, ParsedCallback<string>>();

/**
 * A document's `status_callback` ({url, method, events[]}), or undefined when it has none.
 * `events` may also be Twilio's space-separated string. Parsed once per object.
 */
export function parseStatusCallback(value: unknown): ParsedStatusCallback | undefined {
  return parseCallback(value, 'status_callback', STATUS_CALLBACK_EVENTS);
}

/** A callback object of the document (`field` names it in errors) whose events are among `known`. */
export function parseCallback<E extends string>(value: unknown, field: string, known: readonly E[]): ParsedCallback<E> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object') return { error: `${field} must be an object` };
  let result = parsed.get(value);
  if (!result) {
    result = parse(value as Record<string, unknown>, field, known);
    parsed.set(value, result);
  }
  return result as ParsedCallback<E>;
}

/** A callback URL as the document gives it: absolute http(s), no credentials. */
export function parseCallbackUrl(value: unknown, field: string): URL | { error: string } {
  if (typeof value !== 'string') return { error: `${field} must be a string` };
  if (value.length > MAX_URL_LENGTH) return { error: `${field} is longer than ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { error: `${field} is not a URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: `${field} must be http(s)` };
  if (url.username || url.password) return { error: `${field} must not carry credentials` };
  return url;
}

function parse<E extends string>(v: Record<string, unknown>, field: string, known: readonly E[]): ParsedCallback<E> {
  const url = parseCallbackUrl(v.url, `${field}.url`);
  if ('error' in url) return url;
  const method = typeof v.method === 'string' ? v.method.toUpperCase() : 'POST';
  if (method !== 'GET' && method !== 'POST') return { error: `${field}.method must be GET or POST` };
  let events: Set<E> | null = null;
  if (v.events !== undefined && v.events !== null) {
    const list = typeof v.events === 'string' ? v.events.split(/\s+/).filter(Boolean) : v.events;
    if (!Array.isArray(list)) return { error: `${field}.events must be a list` };
    const names = new Set<string>(known);
    const unknown = list.filter((e) => typeof e !== 'string' || !names.has(e));
    if (unknown.length > 0) return { error: `${field}.events has unknown events: ${unknown.map(String).join(', ')}` };
    events = new Set(list as E[]);
  }
  return { url: url.href, method, events };
}

/** RFC 2822 as Twilio writes it: "Tue, 11 Jun 2019 21:49:56 +0000". */
export function rfc2822(ms: number): string {
  return new Date(ms).toUTCString().replace(/GMT$/, '+0000');
}

/** What one conference's earlier events tell about its end: who left last, who ended it. */
export interface ConferenceMemo {
  lastLeft?: Leaver | undefined;
  /** A participant with end_conference_on_exit who left (or was kicked) while others stayed. */
  endedBy?: Leaver | undefined;
}

interface Leaver {
  callSid: string;
  kicked: boolean;
}

/** Notes who leaves (del-member), and forgets it when the conference starts again. */
export function remember(memo: ConferenceMemo, event: ConferenceEventOut): void {
  if (event.name === 'conference-create') {
    memo.lastLeft = undefined;
    memo.endedBy = undefined;
  }
  if (event.name !== 'del-member') return;
  const d = event.data;
  const leaver = { callSid: typeof d.call_id === 'string' ? d.call_id : event.callId, kicked: d.reason === 'kicked' };
  memo.lastLeft = leaver;
  const closing = d.reason === 'conference-closed' || d.reason === 'engine-closed';
  if (d.end_conference_on_exit === true && !closing && !memo.endedBy) memo.endedBy = leaver;
}

const bool = (v: boolean): string => (v ? 'true' : 'false');
const flag = (v: unknown, fallback: boolean): string => bool(typeof v === 'boolean' ? v : fallback);

/** The request parameters of one callback, in Twilio's names and order. */
export function twilioParams(
  doc: Record<string, unknown>,
  event: ConferenceEventOut,
  name: StatusCallbackEvent,
  sequence: number,
  now: number,
  memo: ConferenceMemo,
): URLSearchParams {
  const d = event.data;
  const p = new URLSearchParams();
  p.set('AccountSid', event.accountId);
  p.set('ConferenceSid', event.conferenceId);
  p.set('FriendlyName', typeof doc.name === 'string' && doc.name !== '' ? doc.name : event.conferenceId);
  p.set('StatusCallbackEvent', name);
  p.set('Timestamp', rfc2822(now));
  p.set('SequenceNumber', String(sequence));
  if (name === 'conference-end') {
    if (typeof d.duration === 'number') p.set('Duration', String(d.duration));
    const reason = typeof d.reason === 'string' ? d.reason : '';
    const { lastLeft, endedBy } = memo;
    if (reason !== 'empty') {
      p.set('ReasonConferenceEnded', 'conference-ended-via-api');
      p.set('Reason', reason ? `Conference ended via API (${reason})` : 'Conference ended via API');
    } else if (endedBy) {
      const how = endedBy.kicked ? 'kicked' : 'left';
      p.set('ReasonConferenceEnded', `participant-with-end-conference-on-exit-${how}`);
      p.set('CallSidEndingConference', endedBy.callSid);
      p.set('Reason', `Participant ${endedBy.callSid} with endConferenceOnExit ${endedBy.kicked ? 'was kicked' : 'left'}`);
    } else {
      p.set('ReasonConferenceEnded', lastLeft?.kicked ? 'last-participant-kicked' : 'last-participant-left');
      if (lastLeft) p.set('CallSidEndingConference', lastLeft.callSid);
      p.set('Reason', lastLeft ? `Last participant ${lastLeft.callSid} ${lastLeft.kicked ? 'was kicked' : 'left'}` : 'Last participant left');
    }
  } else if (name !== 'conference-start') {
    p.set('CallSid', typeof d.call_id === 'string' ? d.call_id : event.callId);
    const muted = typeof d.speak === 'boolean' ? !d.speak : typeof d.muted === 'boolean' ? d.muted : name === 'participant-mute';
    p.set('Muted', bool(muted));
    p.set('Hold', flag(d.held ?? d.hold, name === 'participant-hold'));
    p.set('Coaching', bool(typeof d.coaching === 'boolean' ? d.coaching : d.coaching !== undefined && d.coaching !== null));
    p.set('EndConferenceOnExit', flag(d.end_conference_on_exit, false));
    p.set('StartConferenceOnEnter', flag(d.start_conference_on_enter, true));
    const label = typeof d.participant_label === 'string' ? d.participant_label : d.label;
    if (typeof label === 'string' && label !== '') p.set('ParticipantLabel', label);
  }
  return p;
}

/** A callback ready to send: POST carries the parameters form-encoded, GET in the query. */
export function callbackRequest(url: string, method: 'GET' | 'POST', params: URLSearchParams): CallbackRequest {
  if (method === 'POST') return { url, method, body: params.toString() };
  const u = new URL(url);
  for (const [k, v] of params) u.searchParams.append(k, v);
  return { url: u.href, method, body: undefined };
}
