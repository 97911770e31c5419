import { createHash } from 'node:crypto';
import Type from 'typebox';
import { ForbiddenError, UnauthorizedError } from '../../errors.js';
import { accountFor, type App } from '../App.js';
import type { Api } from '../http/Api.js';
import { ok, successBody, Wrapped } from '../http/envelope.js';
import { AccountParams } from './params.js';
import { PARTICIPANT_EVENTS } from '../../service/eventFilter.js';

const ApiAuth = Wrapped(Type.Object({ api_key: Type.String({ minLength: 1, maxLength: 256 }) }));
const NewAccount = Wrapped(Type.Object({ name: Type.String({ minLength: 1, maxLength: 128 }) }));
const AccountSettings = Wrapped(
  Type.Object({
    publish_participant_event: Type.Optional(
      Type.Union([Type.Array(Type.Enum(PARTICIPANT_EVENTS), { maxItems: PARTICIPANT_EVENTS.length }), Type.Null()], {
        description: "Kazoo's publish_participant_event: the participant events this account's websocket subscribers get; null or absent: all",
      }),
    ),
  }),
);
/** The one named document that holds an account's settings. */
const SETTINGS = 'settings';

export function authRoutes(api: Api, app: App): void {
  api.put('/v2/api_auth', { schema: { summary: 'Exchange an account API key for an auth token', body: ApiAuth } }, async (req, reply) => {
    const { api_key: apiKey } = req.body.data;
    // Keyed by the key's hash prefix, not the key: the limiter's memory holds no secret.
    const keyId = createHash('sha256').update(apiKey).digest('hex').slice(0, 32);
    const source = req.socket.remoteAddress ?? '';
    const { bySource, byKey } = app.authFailures;
    bySource.check(source);
    byKey.check(keyId);
    const account = app.store.accountByApiKey(apiKey);
    if (!account) {
      bySource.fail(source);
      byKey.fail(keyId);
      throw new UnauthorizedError('invalid credentials');
    }
    const token = app.tokens.issue(account.id);
    reply.code(201);
    return successBody({ account_id: account.id, account_name: account.name, is_master: account.parentId === null }, req.id, token);
  });

  api.delete('/v2/api_auth', { config: { auth: true }, schema: { summary: "Revoke the caller's auth token (log out)" } }, async (req) => {
    app.tokens.revoke(req.authToken!);
    return ok(req, {});
  });

  api.put(
    '/v2/accounts/:A/api_key',
    {
      config: { auth: true },
      schema: {
        summary: "Rotate an account's API key: the response carries the new key, the old one stops working at once, and the account's other tokens are revoked",
        params: AccountParams,
      },
    },
    async (req) => {
      const accountId = accountFor(app, req.actorId, req.params.A);
      const apiKey = app.store.rotateApiKey(accountId);
      app.tokens.revokeAccount(accountId, req.authToken);
      return ok(req, { id: accountId, api_key: apiKey });
    },
  );

  api.put(
    '/v2/accounts',
    { config: { auth: true }, schema: { summary: 'Create an account (master account only); the response carries its API key', body: NewAccount } },
    async (req, reply) => {
      const master = app.store.master();
      if (!master || master.id !== req.actorId) throw new ForbiddenError('only the master account creates accounts');
      const { account, apiKey } = app.store.createAccount(req.body.data.name, master.id);
      reply.code(201);
      return ok(req, { id: account.id, name: account.name, api_key: apiKey, created: account.createdAt });
    },
  );

  const accountJson = (id: string) => {
    const account = app.store.account(id)!;
    return { id: account.id, name: account.name, created: account.createdAt, ...app.store.named('account_settings', id, SETTINGS) };
  };

  api.get('/v2/accounts/:A', { config: { auth: true }, schema: { summary: 'An account', params: AccountParams } }, async (req) =>
    ok(req, accountJson(accountFor(app, req.actorId, req.params.A))),
  );

  api.patch(
    '/v2/accounts/:A',
    { config: { auth: true }, schema: { summary: "Change an account's settings: publish_participant_event (null: every event)", params: AccountParams, body: AccountSettings } },
    async (req) => {
      const accountId = accountFor(app, req.actorId, req.params.A);
      const current = app.store.named('account_settings', accountId, SETTINGS) ?? {};
      const next = { ...current, ...req.body.data } as Record<string, unknown>;
      if (next.publish_participant_event === null) delete next.publish_participant_event;
      app.store.putNamed('account_settings', accountId, SETTINGS, next);
      app.events.forget(accountId);
      return ok(req, accountJson(accountId));
    },
  );
}
