import { describe, expect, it } from 'vitest';
import { bindingMatches, encodeId, parseBinding, routingKey } from '../../../src/api/ws/bindings.js';

describe('parseBinding', () => {
  it('parses a specific conference and call, and wildcards', () => {
    expect(parseBinding('conference.event.c1.call-9')).toEqual({ key: 'conference.event.c1.call-9', conferenceId: 'c1', callId: 'call-9' });
    expect(parseBinding('conference.event.c1.*')).toMatchObject({ conferenceId: 'c1', callId: '*' });
    expect(parseBinding('conference.event.*.*')).toMatchObject({ conferenceId: '*', callId: '*' });
    expect(parseBinding('conference.event.*.abc%2Ehost')).toMatchObject({ conferenceId: '*', callId: 'abc%2Ehost' });
  });

  it('rejects anything else', () => {
    for (const bad of [
      undefined,
      42,
      '',
      'conference.event',
      'conference.event.c1',
      'conference.event.c1.x.y',
      'conference.event..x',
      'conference.event.c1.',
      'conference.event.#',
      'conference.event.c*.x',
      'conference.event.c1.**',
      'call.CHANNEL_CREATE.*',
      'Conference.event.c1.x',
      'conference.event.c 1.x',
      'conference.event.c1.x\n',
      'conference.event.ü.x',
      'conference.event.' + 'a'.repeat(257) + '.x',
    ]) {
      expect(parseBinding(bad), String(bad)).toBeUndefined();
    }
    expect(parseBinding('conference.event.' + 'a'.repeat(256) + '.' + 'b'.repeat(256))).toBeDefined();
  });
});

describe('bindingMatches', () => {
  const m = (b: string, c: string, call: string) => bindingMatches(parseBinding(b)!, c, call);
  it('matches exact ids and wildcards only', () => {
    expect(m('conference.event.c1.k1', 'c1', 'k1')).toBe(true);
    expect(m('conference.event.c1.k1', 'c1', 'k2')).toBe(false);
    expect(m('conference.event.c1.*', 'c1', 'k2')).toBe(true);
    expect(m('conference.event.c1.*', 'c2', 'k2')).toBe(false);
    expect(m('conference.event.*.k1', 'c2', 'k1')).toBe(true);
    expect(m('conference.event.*.*', 'anything', 'at-all')).toBe(true);
  });
});

describe('encodeId / routingKey', () => {
  it('leaves plain ids alone and percent-encodes the rest, one-to-one', () => {
    expect(encodeId('5edbfdd3b825314a71b0a05957392edb')).toBe('5edbfdd3b825314a71b0a05957392edb');
    expect(encodeId('a84b4c76e66710@pc33.atlanta.com')).toBe('a84b4c76e66710@pc33%2Eatlanta%2Ecom');
    expect(encodeId('x*y#z')).toBe('x%2Ay%23z');
    expect(encodeId('%2E')).toBe('%252E'); // not the same as an encoded '.'
    expect(encodeId('é')).toBe('%C3%A9');
    expect(routingKey(encodeId('c.1'), encodeId('k'))).toBe('conference.event.c%2E1.k');
  });

  it('produces segments that a binding can name', () => {
    const call = encodeId('abc.def/ghi*');
    const b = parseBinding(`conference.event.c1.${call}`);
    expect(b).toBeDefined();
    expect(bindingMatches(b!, 'c1', call)).toBe(true);
  });
});
