// Status callbacks as Twilio sends them (seed 004): event names, parameters, order, the events
// filter and GET, received by a real HTTP server on 127.0.0.1.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConferenceEventOut } from '../../src/service/EventSink.js';
import { StatusCallbacks } from '../../src/service/statusCallbacks/StatusCallbacks.js';
import { parseStatusCallback, rfc2822, twilioEventName } from '../../src/service/statusCallbacks/twilioParams.js';
import { silentLogger } from '../../src/util/logger.js';

interface Hit {
  method: string;
  path: string;
  contentType: string | undefined;
  params: URLSearchParams;
}

/** A callback endpoint that records every request and answers 200. */
async function receiver() {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const params = req.method === 'POST' ? new URLSearchParams(Buffer.concat(chunks).toString()) : url.searchParams;
      hits.push({ method: req.method ?? '', path: url.pathname, contentType: req.headers['content-type'], params });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())));
  return { url, hits, close, until: (n: number) => vi.waitFor(() => expect(hits.length).toBeGreaterThanOrEqual(n), { timeout: 3000, interval: 5 }) };
}

const ACC = 'a'.repeat(32);
const CONF = 'c'.repeat(32);
const NOW = Date.UTC(2019, 5, 11, 21, 49, 56);

/** A participant event shaped as LiveConference publishes it (kazooParticipant's fields). */
function member(name: string, callId: string, extra: Record<string, unknown> = {}, conferenceId = CONF): ConferenceEventOut {
  const data = { event: name, account_id: ACC, participant_id: 1, call_id: callId, conference_id: conferenceId, speak: true, hear: true, held: false };
  return { accountId: ACC, conferenceId, callId, name, data: { ...data, talking: false, coaching: null, ...extra } };
}

function conference(name: string, data: Record<string, unknown> = {}): ConferenceEventOut {
  return { accountId: ACC, conferenceId: CONF, callId: 'conference', name, data: { event: name, conference_id: CONF, ...data } };
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function setup(statusCallback: Record<string, unknown> | ((url: string) => Record<string, unknown>)) {
  const r = await receiver();
  // The receiver is on loopback, which the address policy refuses unless allowed.
  const callbacks = new StatusCallbacks({ log: silentLogger, timeoutMs: 1000, backoffMs: 20, now: () => NOW, fetchAllow: ['127.0.0.0/8'] });
  cleanup.push(() => callbacks.close(), r.close);
  const sc = typeof statusCallback === 'function' ? statusCallback(r.url) : { url: `${r.url}/cb`, ...statusCallback };
  const doc = { id: CONF, name: 'Standup', status_callback: sc };
  return { r, callbacks, doc };
}

describe('status callbacks: what is sent', () => {
  it('sends participant-join then participant-speech-start for one call, in order, with Twilio parameter names', async () => {
    const { r, callbacks, doc } = await setup({});
    callbacks.notify(doc, conference('conference-create'));
    callbacks.notify(doc, conference('conference-start')); // two parties are in
    callbacks.notify(doc, member('add-member', 'call-1'));
    callbacks.notify(doc, member('start-talking', 'call-1', { talking: true }));
    await r.until(3);
    expect(r.hits.map((h) => h.params.get('StatusCallbackEvent'))).toEqual(['conference-start', 'participant-join', 'participant-speech-start']);
    expect(r.hits.every((h) => h.method === 'POST' && h.path === '/cb' && h.contentType?.startsWith('application/x-www-form-urlencoded'))).toBe(true);
    expect(Object.fromEntries(r.hits[0]!.params)).toEqual({
      AccountSid: ACC,
      ConferenceSid: CONF,
      FriendlyName: 'Standup',
      StatusCallbackEvent: 'conference-start',
      Timestamp: 'Tue, 11 Jun 2019 21:49:56 +0000',
      SequenceNumber: '1',
    });
    const join = {
      AccountSid: ACC,
      ConferenceSid: CONF,
      FriendlyName: 'Standup',
      StatusCallbackEvent: 'participant-join',
      Timestamp: 'Tue, 11 Jun 2019 21:49:56 +0000',
      SequenceNumber: '2',
      CallSid: 'call-1',
      Muted: 'false',
      Hold: 'false',
      Coaching: 'false',
      EndConferenceOnExit: 'false',
      StartConferenceOnEnter: 'true',
    };
    expect([...r.hits[1]!.params.keys()]).toEqual(Object.keys(join));
    expect(Object.fromEntries(r.hits[1]!.params)).toEqual(join);
    expect(Object.fromEntries(r.hits[2]!.params)).toEqual({ ...join, StatusCallbackEvent: 'participant-speech-start', SequenceNumber: '3' });
    await vi.waitFor(() => expect(callbacks.sent).toBe(3)); // the server saw it before our client read the answer
    expect(callbacks.pending).toBe(0);
  });

  it('maps every Kazoo event, carries mute, hold, coaching, the join flags and the label, and explains the end', async () => {
    const { r, callbacks, doc } = await setup({});
    callbacks.notify(doc, conference('conference-create'));
    callbacks.notify(doc, conference('conference-start')); // two parties are in
    callbacks.notify(doc, member('add-member', 'boss', { end_conference_on_exit: true, start_conference_on_enter: true, participant_label: 'host' }));
    callbacks.notify(doc, member('mute-member', 'call-2', { speak: false, coaching: 1 }));
    callbacks.notify(doc, member('unmute-member', 'call-2'));
    callbacks.notify(doc, member('hold-member', 'call-2', { held: true }));
    callbacks.notify(doc, member('unhold-member', 'call-2'));
    callbacks.notify(doc, member('dtmf', 'call-2', { digit: '5' })); // no Twilio callback for these
    callbacks.notify(doc, member('floor-change', 'call-2'));
    callbacks.notify(doc, member('stop-talking', 'call-2'));
    callbacks.notify(doc, member('del-member', 'boss', { end_conference_on_exit: true, reason: 'removed' }));
    callbacks.notify(doc, member('del-member', 'call-2', { reason: 'conference-closed' }));
    callbacks.notify(doc, conference('conference-destroy', { reason: 'empty' }));
    await r.until(10);
    const p = r.hits.map((h) => Object.fromEntries(h.params));
    expect(p.map((x) => x.StatusCallbackEvent)).toEqual([
      'conference-start', 'participant-join', 'participant-mute', 'participant-unmute', 'participant-hold',
      'participant-unhold', 'participant-speech-stop', 'participant-leave', 'participant-leave', 'conference-end',
    ]);
    expect(p.map((x) => x.SequenceNumber)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    expect(p[1]).toMatchObject({ CallSid: 'boss', EndConferenceOnExit: 'true', StartConferenceOnEnter: 'true', ParticipantLabel: 'host' });
    expect(p[2]).toMatchObject({ CallSid: 'call-2', Muted: 'true', Coaching: 'true', Hold: 'false' });
    expect(p[3]).toMatchObject({ Muted: 'false', Coaching: 'false' });
    expect(p[4]).toMatchObject({ Hold: 'true' });
    expect(p[5]).toMatchObject({ Hold: 'false' });
    expect(p[9]).toMatchObject({ ReasonConferenceEnded: 'participant-with-end-conference-on-exit-left', CallSidEndingConference: 'boss' });
    expect(p[9]!.Reason).toContain('boss');
    expect(p[9]!.CallSid).toBeUndefined();
  });

  it('sends only the events listed, numbered in the order they were sent, and with GET puts them in the query', async () => {
    const { r, callbacks, doc } = await setup((url) => ({ url: `${url}/get?token=abc`, method: 'GET', events: ['participant-leave', 'conference-end'] }));
    callbacks.notify(doc, conference('conference-create'));
    callbacks.notify(doc, conference('conference-start')); // two parties are in
    callbacks.notify(doc, member('add-member', 'call-1'));
    callbacks.notify(doc, member('start-talking', 'call-1'));
    callbacks.notify(doc, member('del-member', 'call-1', { reason: 'kicked' }));
    callbacks.notify(doc, conference('conference-destroy', { reason: 'empty' }));
    await r.until(2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(r.hits).toHaveLength(2);
    expect(r.hits.every((h) => h.method === 'GET' && h.path === '/get' && h.params.get('token') === 'abc')).toBe(true);
    expect(r.hits.map((h) => h.params.get('StatusCallbackEvent'))).toEqual(['participant-leave', 'conference-end']);
    expect(r.hits.map((h) => h.params.get('SequenceNumber'))).toEqual(['1', '2']);
    expect(Object.fromEntries(r.hits[1]!.params)).toMatchObject({ ReasonConferenceEnded: 'last-participant-kicked', CallSidEndingConference: 'call-1' });
  });

  it('tells a conference ended through the API, and numbers a conference that starts again from 1', async () => {
    const { r, callbacks, doc } = await setup({ events: ['conference-start', 'conference-end'] });
    callbacks.notify(doc, conference('conference-create'));
    callbacks.notify(doc, conference('conference-start')); // two parties are in
    callbacks.notify(doc, conference('conference-destroy', { reason: 'deleted' }));
    callbacks.notify(doc, conference('conference-create'));
    callbacks.notify(doc, conference('conference-start')); // two parties are in
    await r.until(3);
    const p = r.hits.map((h) => Object.fromEntries(h.params));
    expect(p[1]).toMatchObject({ StatusCallbackEvent: 'conference-end', ReasonConferenceEnded: 'conference-ended-via-api' });
    expect(p.map((x) => x.SequenceNumber)).toEqual(['1', '2', '1']);
  });

  it('sends nothing for documents without status_callback or with an invalid one, and never throws', async () => {
    const { r, callbacks } = await setup({});
    const warn = vi.fn();
    const logged = new StatusCallbacks({ log: { ...silentLogger, warn }, fetchAllow: ['127.0.0.0/8'] });
    cleanup.push(() => logged.close());
    for (const sc of [undefined, { url: 'ftp://example.com/x' }, { url: `${r.url}/${'x'.repeat(2100)}` }, { url: 'not a url' }, 'x']) {
      const doc = { id: CONF, status_callback: sc };
      expect(() => logged.notify(doc, conference('conference-create'))).not.toThrow();
      logged.notify(doc, conference('conference-start'));
      logged.notify(doc, member('add-member', 'call-1'));
      logged.notify(doc, conference('conference-destroy', { reason: 'empty' }));
    }
    expect(() => callbacks.notify({ status_callback: { url: r.url } }, { accountId: ACC, conferenceId: CONF, name: 'add-member' } as unknown as ConferenceEventOut)).not.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(r.hits).toHaveLength(0);
    expect(logged.invalid).toBe(12);
    expect(warn).toHaveBeenCalledTimes(4); // once per conference life, not once per event
  });
});

describe('status callbacks: names and formats', () => {
  it('maps Kazoo event names to Twilio StatusCallbackEvent', () => {
    expect(twilioEventName('conference-start')).toBe('conference-start');
    expect(twilioEventName('conference-create')).toBeUndefined(); // the first join does not start it (seed 004)
    expect(twilioEventName('conference-destroy')).toBe('conference-end');
    expect(twilioEventName('add-member')).toBe('participant-join');
    expect(twilioEventName('del-member')).toBe('participant-leave');
    expect(twilioEventName('start-talking')).toBe('participant-speech-start');
    expect(twilioEventName('stop-talking')).toBe('participant-speech-stop');
    expect(twilioEventName('deaf-member')).toBeUndefined();
    expect(twilioEventName('toString')).toBeUndefined();
  });

  it('writes RFC 2822 timestamps and reads status_callback like Twilio (space-separated events too)', () => {
    expect(rfc2822(Date.UTC(2024, 0, 2, 3, 4, 5))).toBe('Tue, 02 Jan 2024 03:04:05 +0000');
    expect(parseStatusCallback({ url: 'https://example.com/cb', method: 'get', events: 'participant-join conference-end' })).toEqual({
      url: 'https://example.com/cb',
      method: 'GET',
      events: new Set(['participant-join', 'conference-end']),
    });
    expect(parseStatusCallback({ url: 'https://example.com/cb', events: ['participant-talk'] })).toHaveProperty('error');
    expect(parseStatusCallback({ url: 'https://user:pw@example.com/cb' })).toHaveProperty('error');
    expect(parseStatusCallback({ url: 'https://example.com/cb', method: 'PUT' })).toHaveProperty('error');
    expect(parseStatusCallback(undefined)).toBeUndefined();
  });
});
