// How a conference document runs with the account's named documents: the named profile under
// the document's own profile fields, and a named caller-control group's digits as our actions.
import { describe, expect, it } from 'vitest';
import { controlsFor } from '../../src/service/callerControls.js';
import { withNamedDocuments } from '../../src/service/namedDocuments.js';
import type { NamedLookup } from '../../src/service/ServiceTypes.js';

const store: Record<string, Record<string, unknown>> = {
  'conference_profile/room': { name: 'room', 'energy-level': 500, rate: 16000, 'caller-controls': 'mine' },
  'caller_controls/mine': { name: 'mine', controls: { '5': 'mute', '6': 'vol talk up', '#': 'hangup' } },
};
const lookup: NamedLookup = (kind, accountId, name) => (accountId === 'acct' ? store[`${kind}/${name}`] : undefined);

describe('withNamedDocuments', () => {
  it("merges the named profile under the document's own fields (profile as a name, or profile_name)", () => {
    expect(withNamedDocuments({ id: 'c', profile: 'room' }, 'acct', lookup).profile).toMatchObject({ 'energy-level': 500, rate: 16000 });
    const own = withNamedDocuments({ id: 'c', profile_name: 'room', profile: { rate: 8000 } }, 'acct', lookup);
    expect(own.profile).toMatchObject({ 'energy-level': 500, rate: 8000 });
    expect(withNamedDocuments({ id: 'c', profile: 'room' }, 'other-account', lookup).profile).toEqual({});
  });

  it("turns a named group's FreeSWITCH actions into the digits' controls", () => {
    const doc = withNamedDocuments({ id: 'c', profile: 'room' }, 'acct', lookup);
    expect(controlsFor(doc, false)).toEqual({ '5': 'mute-toggle', '6': 'talk-up', '#': 'hangup' });
    // Unnamed: FreeSWITCH's default group.
    expect(controlsFor(withNamedDocuments({ id: 'c' }, 'acct', lookup), false)['0']).toBe('mute-toggle');
  });
});
