// An account's named documents beside its conferences: conference profiles (seed 003's profile
// object, under a name a conference gives as `profile` or `profile_name`) and caller-control
// groups (digit → FreeSWITCH action, named by `caller_controls` / `moderator_controls`).
import Type, { type TObject } from 'typebox';
import { NotFoundError, QuotaError } from '../../errors.js';
import { FREESWITCH_ACTIONS } from '../../service/callerControls.js';
import { ConferenceProfile } from '../../service/schema/conferenceDocument.js';
import type { NamedKind } from '../../store/Store.js';
import { accountFor, type App } from '../App.js';
import type { Api } from '../http/Api.js';
import { ok, Wrapped } from '../http/envelope.js';
import { checkDocumentSize } from '../quotas.js';
import { AccountParams } from './params.js';

const Name = Type.String({ minLength: 1, maxLength: 128, pattern: '^[\\w.-]+$', description: 'The name conferences refer to it by' });

const ProfileDoc = Type.Object({ name: Name, ...ConferenceProfile.properties }, { description: 'A named conference profile (seed 003)' });
const ControlsDoc = Type.Object(
  {
    name: Name,
    controls: Type.Record(Type.String({ pattern: '^[0-9*#]$' }), Type.Enum(Object.keys(FREESWITCH_ACTIONS)), {
      maxProperties: 12,
      description: "Digit → FreeSWITCH caller-control action ('mute', 'deaf mute', 'vol talk up', 'energy dn', 'hangup', ...)",
    }),
  },
  { description: 'A named caller-control group' },
);

/** At most this many named documents of each kind per account. */
const MAX_PER_KIND = 100;

function namedRoutes(api: Api, app: App, kind: NamedKind, collection: string, schema: TObject): void {
  const list = `/v2/accounts/:A/${collection}`;
  const one = `${list}/:N`;
  const Params = Type.Object({ A: AccountParams.properties.A, N: Name });
  const auth = { auth: true };
  const found = (accountId: string, name: string) => {
    const doc = app.store.named(kind, accountId, name);
    if (!doc) throw new NotFoundError(kind, name);
    return { ...doc, name };
  };
  const save = (accountId: string, doc: Record<string, unknown>, isNew: boolean) => {
    checkDocumentSize(doc, app.quotas);
    if (isNew && app.store.countNamed(kind, accountId) >= MAX_PER_KIND) {
      throw new QuotaError(collection, MAX_PER_KIND, `the account holds ${MAX_PER_KIND} ${collection}, its quota`, 'rate_limited');
    }
    app.store.putNamed(kind, accountId, String(doc.name), doc);
    return doc;
  };

  api.get(list, { config: auth, schema: { summary: `List ${collection}`, params: AccountParams } }, async (req) => {
    const a = accountFor(app, req.actorId, req.params.A);
    return ok(req, app.store.listNamed(kind, a).map(({ name, doc }) => ({ ...doc, name })));
  });
  api.put(list, { config: auth, schema: { summary: `Create or replace one of ${collection} by its name`, params: AccountParams, body: Wrapped(schema) } }, async (req, reply) => {
    const a = accountFor(app, req.actorId, req.params.A);
    const doc = req.body.data as Record<string, unknown>;
    const isNew = app.store.named(kind, a, String(doc.name)) === undefined;
    reply.code(isNew ? 201 : 200);
    return ok(req, save(a, doc, isNew));
  });
  api.get(one, { config: auth, schema: { summary: `One of ${collection}`, params: Params } }, async (req) => {
    const a = accountFor(app, req.actorId, req.params.A);
    return ok(req, found(a, req.params.N));
  });
  api.post(one, { config: auth, schema: { summary: `Replace one of ${collection}`, params: Params, body: Wrapped(schema) } }, async (req) => {
    const a = accountFor(app, req.actorId, req.params.A);
    found(a, req.params.N);
    return ok(req, save(a, { ...(req.body.data as Record<string, unknown>), name: req.params.N }, false));
  });
  api.delete(one, { config: auth, schema: { summary: `Delete one of ${collection}`, params: Params } }, async (req) => {
    const a = accountFor(app, req.actorId, req.params.A);
    if (!app.store.deleteNamed(kind, a, req.params.N)) throw new NotFoundError(kind, req.params.N);
    return ok(req, { name: req.params.N, _deleted: true });
  });
}

export function namedDocumentRoutes(api: Api, app: App): void {
  namedRoutes(api, app, 'conference_profile', 'conference_profiles', ProfileDoc);
  namedRoutes(api, app, 'caller_controls', 'caller_controls', ControlsDoc);
}
