import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { Client, cleanup, ev, start } from './wsTestKit.js';

afterEach(cleanup);

describe('WebsocketApi subscriptions', () => {
  it('replies to a subscribe and delivers matching events in the Kazoo shape', async () => {
    const { hub, url, api } = await start();
    const c = await Client.open(url);
    expect(api.connections).toBe(1);
    expect(await c.subscribe('tok-a', 'acct-a', 'conference.event.conf1.*')).toEqual({ action: 'reply', request_id: 'r1', status: 'success' });
    expect(hub.publish(ev())).toBe(1);
    expect(await c.nextEvent()).toEqual({
      action: 'event',
      subscribed_key: 'conference.event.conf1.*',
      routing_key: 'conference.event.conf1.call1',
      name: 'start-talking',
      data: { participant_id: 1, talking: true },
    });
  });

  it('filters by conference, call, wildcard and account', async () => {
    const { hub, url } = await start();
    const specific = await Client.open(url);
    const wildcard = await Client.open(url);
    const oneCall = await Client.open(url);
    await specific.subscribe('tok-a', 'acct-a', 'conference.event.conf1.*');
    await wildcard.subscribe('tok-a', 'acct-a', 'conference.event.*.*');
    await oneCall.subscribe('tok-a', 'acct-a', 'conference.event.conf1.call2');

    expect(hub.publish(ev({ accountId: 'acct-b' }))).toBe(0); // same conference id, other account
    hub.publish(ev({ conferenceId: 'conf2', name: 'add-member' }));
    hub.publish(ev({ callId: 'call2', name: 'mute-member' }));

    // Events arrive in order, so the first event each client sees shows what it was not sent.
    expect(await specific.nextEvent()).toMatchObject({ name: 'mute-member', routing_key: 'conference.event.conf1.call2' });
    expect(await wildcard.nextEvent()).toMatchObject({ name: 'add-member', subscribed_key: 'conference.event.*.*', routing_key: 'conference.event.conf2.call1' });
    expect(await wildcard.nextEvent()).toMatchObject({ name: 'mute-member' });
    expect(await oneCall.nextEvent()).toMatchObject({ name: 'mute-member', subscribed_key: 'conference.event.conf1.call2' });
  });

  it('stops events after unsubscribe', async () => {
    const { hub, url } = await start();
    const c = await Client.open(url);
    await c.subscribe('tok-a', 'acct-a', 'conference.event.conf1.*');
    await c.subscribe('tok-a', 'acct-a', 'conference.event.conf2.*');
    expect(await c.subscribe('tok-a', 'acct-a', 'conference.event.conf1.*', 'unsubscribe')).toMatchObject({ status: 'success' });
    expect(hub.publish(ev())).toBe(0);
    hub.publish(ev({ conferenceId: 'conf2' }));
    expect(await c.nextEvent()).toMatchObject({ routing_key: 'conference.event.conf2.call1' });
    // unsubscribing what is not subscribed succeeds too
    expect(await c.subscribe('tok-a', 'acct-a', 'conference.event.conf9.*', 'unsubscribe')).toMatchObject({ status: 'success' });
    expect(hub.subscriptions).toBe(1);
  });

  it('answers 401 for a bad token and 404 for an account the token may not act on', async () => {
    const { hub, url } = await start();
    const c = await Client.open(url);
    expect(await c.subscribe('nope', 'acct-a', 'conference.event.*.*')).toMatchObject({ status: 'error', error: '401' });
    expect(await c.request({ action: 'subscribe', data: { account_id: 'acct-a', binding: 'conference.event.*.*' } })).toMatchObject({ error: '401' });
    expect(await c.subscribe('tok-b', 'acct-a', 'conference.event.*.*')).toMatchObject({ status: 'error', error: '404', message: 'account not found' });
    expect(await c.subscribe('tok-a', 'acct-parent', 'conference.event.*.*')).toMatchObject({ error: '404' }); // a child cannot act on its parent
    expect(hub.subscriptions).toBe(0);
    expect(await c.subscribe('tok-parent', 'acct-a', 'conference.event.*.*')).toMatchObject({ status: 'success' });
    hub.publish(ev());
    expect(await c.nextEvent()).toMatchObject({ name: 'start-talking' });
  });

  it('answers 400 to malformed messages and keeps the connection open', async () => {
    const { url } = await start();
    const c = await Client.open(url);
    c.ws.send('this is not json');
    expect(await c.next()).toEqual({ action: 'reply', status: 'error', error: '400', message: expect.any(String) });
    c.ws.send('[1,2]');
    expect(await c.next()).toMatchObject({ error: '400' });
    c.ws.send(Buffer.from('{}'), { binary: true });
    expect(await c.next()).toMatchObject({ error: '400' });
    expect(await c.request({ action: 'dance', auth_token: 'tok-a' })).toMatchObject({ request_id: 'r1', status: 'error', error: '400', message: 'unknown action' });
    expect(await c.request({ action: 'subscribe', auth_token: 'tok-a' })).toMatchObject({ error: '400' });
    for (const binding of ['conference.event.conf1', 'conference.event.#', 'call.*.*', 'conference.event.a.b.c', 42])
      expect(await c.subscribe('tok-a', 'acct-a', binding as string)).toMatchObject({ error: '400' });
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    expect(await c.subscribe('tok-a', 'acct-a', 'conference.event.*.*')).toMatchObject({ status: 'success' });
  });
});

describe('WebsocketApi commands', () => {
  it('runs a command through the injected callback and replies with its result', async () => {
    const { url, runCommand } = await start();
    runCommand.mockResolvedValueOnce({ muted: true });
    const c = await Client.open(url);
    const reply = await c.command('tok-a', { account_id: 'acct-a', conference_id: 'conf1', participant_id: 3, command: 'mute', data: { x: 1 } });
    expect(reply).toEqual({ action: 'reply', request_id: 'r1', status: 'success', data: { muted: true } });
    expect(runCommand).toHaveBeenCalledWith('acct-a', { accountId: 'acct-a', conferenceId: 'conf1', participantId: 3, command: 'mute', data: { x: 1 } });
    runCommand.mockResolvedValueOnce(undefined);
    expect(await c.command('tok-parent', { account_id: 'acct-a', conference_id: 'conf1', command: 'lock' })).toMatchObject({ status: 'success', data: {} });
    expect(runCommand).toHaveBeenLastCalledWith('acct-parent', { accountId: 'acct-a', conferenceId: 'conf1', command: 'lock', data: {} });
  });

  it('maps errors: status from the callback, 500 without one, 400/401/404 before it runs', async () => {
    const { url, runCommand, log } = await start();
    const c = await Client.open(url);
    runCommand.mockRejectedValueOnce(Object.assign(new Error('conference is locked'), { status: 409, data: { reason: 'locked' } }));
    expect(await c.command('tok-a', { account_id: 'acct-a', conference_id: 'conf1', command: 'join' })).toEqual({
      action: 'reply',
      request_id: 'r1',
      status: 'error',
      error: '409',
      message: 'conference is locked',
      data: { reason: 'locked' },
    });
    runCommand.mockRejectedValueOnce(new Error('secret internals'));
    expect(await c.command('tok-a', { account_id: 'acct-a', conference_id: 'conf1', command: 'join' })).toMatchObject({ error: '500', message: 'internal error' });
    expect(log.warn).toHaveBeenCalledTimes(1);
    runCommand.mockClear();
    expect(await c.command('bad', { account_id: 'acct-a', conference_id: 'conf1', command: 'mute' })).toMatchObject({ error: '401' });
    expect(await c.command('tok-b', { account_id: 'acct-a', conference_id: 'conf1', command: 'mute' })).toMatchObject({ error: '404' });
    expect(await c.command('tok-a', { account_id: 'acct-a', command: 'mute' })).toMatchObject({ error: '400' });
    expect(await c.command('tok-a', { account_id: 'acct-a', conference_id: 'conf1', command: 'mute', participant_id: '3' })).toMatchObject({ error: '400' });
    expect(runCommand).not.toHaveBeenCalled();
  });

  it('bounds the commands in flight per connection', async () => {
    const { url, runCommand } = await start({ maxPendingCommands: 2 });
    const release: Array<() => void> = [];
    runCommand.mockImplementation(() => new Promise((r) => release.push(() => r({ ok: true }))));
    const c = await Client.open(url);
    const cmd = { account_id: 'acct-a', conference_id: 'conf1', command: 'mute' };
    const first = c.command('tok-a', cmd);
    const second = c.command('tok-a', cmd);
    expect(await c.command('tok-a', cmd)).toMatchObject({ error: '429' });
    release.forEach((r) => r());
    expect(await first).toMatchObject({ status: 'success' });
    expect(await second).toMatchObject({ status: 'success' });
    release.length = 0;
    const third = c.command('tok-a', cmd); // the finished commands freed their slots
    await vi.waitFor(() => expect(release).toHaveLength(1));
    release[0]!();
    expect(await third).toMatchObject({ status: 'success' });
  });
});
