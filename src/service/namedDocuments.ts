// A conference document as it runs: the account's named profile (Kazoo's `profile` as a name,
// or `profile_name`) merged under the document's own profile fields, and the account's
// caller-control groups the document names, translated from FreeSWITCH's action names.
import { ACCOUNT_GROUPS_KEY, FREESWITCH_ACTIONS, type ControlAction } from './callerControls.js';
import type { ConferenceDocument, NamedLookup } from './ServiceTypes.js';

const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export function withNamedDocuments(doc: ConferenceDocument, accountId: string, lookup: NamedLookup | undefined): ConferenceDocument {
  if (!lookup) return doc;
  const profileName = typeof doc.profile === 'string' ? doc.profile : typeof doc.profile_name === 'string' ? doc.profile_name : undefined;
  const named = profileName === undefined ? undefined : lookup('conference_profile', accountId, profileName);
  const { name: _name, ...namedProfile } = named ?? {};
  const profile = { ...namedProfile, ...obj(doc.profile) };
  const groups: Record<string, Record<string, ControlAction>> = {};
  for (const field of [doc.caller_controls, doc.moderator_controls, profile['caller-controls'], profile['moderator-controls']]) {
    if (typeof field !== 'string' || field in groups) continue;
    const group = lookup('caller_controls', accountId, field);
    if (group) groups[field] = controlsOf(group);
  }
  return { ...doc, profile, [ACCOUNT_GROUPS_KEY]: groups };
}

/** A stored group's digit → FreeSWITCH action map, as our actions (unknown actions dropped). */
function controlsOf(group: Record<string, unknown>): Record<string, ControlAction> {
  const out: Record<string, ControlAction> = {};
  for (const [digit, action] of Object.entries(obj(group.controls))) {
    if (typeof action === 'string' && Object.hasOwn(FREESWITCH_ACTIONS, action)) out[digit] = FREESWITCH_ACTIONS[action];
  }
  return out;
}
