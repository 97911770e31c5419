import { createHash } from 'node:crypto';
import { ForbiddenError, UnauthorizedError } from '../../errors.js';
import { accountFor } from '../App.js';
import type { Route } from '../http/Route.js';
import { checkData } from '../http/checkBody.js';
import { s } from '../schema/Schema.js';

const apiAuthData = s.object({ api_key: s.string({ min: 1, max: 256 }) }, { required: ['api_key'] });
const accountData = s.object({ name: s.string({ min: 1, max: 128 }) }, { required: ['name'] });
const apiAuthBody = s.object({ data: apiAuthData }, { required: ['data'] });
const accountBody = s.object({ data: accountData }, { required: ['data'] });

export const authRoutes: Route[] = [
  {
    method: 'PUT',
    path: '/v2/api_auth',
    summary: 'Exchange an account API key for an auth token',
    auth: false,
    body: apiAuthBody,
    handle: async (ctx, app) => {
      const data = checkData<{ api_key: string }>(apiAuthData, ctx.body);
      // Keyed by the key's hash prefix, not the key: the limiter's memory holds no secret.
      const keyId = createHash('sha256').update(data.api_key).digest('hex').slice(0, 32);
      const { bySource, byKey } = app.authFailures;
      bySource.check(ctx.remoteAddress);
      byKey.check(keyId);
      const account = app.store.accountByApiKey(data.api_key);
      if (!account) {
        bySource.fail(ctx.remoteAddress);
        byKey.fail(keyId);
        throw new UnauthorizedError('invalid credentials');
      }
      const token = app.tokens.issue(account.id);
      return {
        status: 201,
        data: { account_id: account.id, account_name: account.name, is_master: account.parentId === null },
        envelope: { auth_token: token },
      };
    },
  },
  {
    method: 'DELETE',
    path: '/v2/api_auth',
    summary: "Revoke the caller's auth token (log out)",
    auth: true,
    handle: async (ctx, app) => {
      app.tokens.revoke(ctx.authToken!);
      return { data: {} };
    },
  },
  {
    method: 'PUT',
    path: '/v2/accounts/{A}/api_key',
    summary: "Rotate an account's API key: the response carries the new key, the old one stops working at once, and the account's other tokens are revoked",
    auth: true,
    handle: async (ctx, app) => {
      const accountId = accountFor(app, ctx.actorId, ctx.params.A);
      const apiKey = app.store.rotateApiKey(accountId);
      app.tokens.revokeAccount(accountId, ctx.authToken);
      return { data: { id: accountId, api_key: apiKey } };
    },
  },
  {
    method: 'PUT',
    path: '/v2/accounts',
    summary: 'Create an account (master account only); the response carries its API key',
    auth: true,
    body: accountBody,
    handle: async (ctx, app) => {
      const master = app.store.master();
      if (!master || master.id !== ctx.actorId) throw new ForbiddenError('only the master account creates accounts');
      const data = checkData<{ name: string }>(accountData, ctx.body);
      const { account, apiKey } = app.store.createAccount(data.name, master.id);
      return { status: 201, data: { id: account.id, name: account.name, api_key: apiKey, created: account.createdAt } };
    },
  },
  {
    method: 'GET',
    path: '/v2/accounts/{A}',
    summary: 'An account',
    auth: true,
    handle: async (ctx, app) => {
      const account = app.store.account(accountFor(app, ctx.actorId, ctx.params.A))!;
      return { data: { id: account.id, name: account.name, created: account.createdAt } };
    },
  },
];
