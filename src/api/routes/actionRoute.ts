import Type from 'typebox';
import { NotFoundError } from '../../errors.js';
import { ConferenceDocument } from '../../service/schema/conferenceDocument.js';
import { validated } from '../../service/schema/validator.js';
import type { CommandTarget } from '../../service/commands/Command.js';
import { commandNames, runCommand } from '../../service/commands/commands.js';
import { accountFor, scopeOf, type App } from '../App.js';
import type { Api } from '../http/Api.js';
import { ok } from '../http/envelope.js';
import { ConferenceParams, ParticipantParams } from './params.js';

// Kazoo takes an action as {"action": X, "data": {...}} and as {"data": {"action": X, "data": {...}}},
// and seed 001 writes play as {"action": "play", "data": {"data": {"media_id": ...}}}. The body is
// only an object here; each command's own schema checks its data in the command table.
const ActionBody = Type.Object({ action: Type.Optional(Type.Unknown()), data: Type.Optional(Type.Unknown()) });

const objectOf = (v: unknown) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

function actionOf(body: { action?: unknown; data?: unknown }): { action: unknown; data: unknown } {
  const inner = objectOf(body.data);
  const found = body.action === undefined && inner && inner.action !== undefined ? { action: inner.action, data: inner.data } : { action: body.action, data: body.data };
  // A data object that is only another {"data": {...}} wrapper is that inner object.
  const wrapped = objectOf(found.data);
  if (wrapped && Object.keys(wrapped).length === 1 && objectOf(wrapped.data)) return { action: found.action, data: wrapped.data };
  return found;
}

/** PUT of an action on a conference, its participants, or one participant, through the command table. */
export function actionRoute(api: Api, app: App, target: CommandTarget, url: string): void {
  const what = { conference: 'the conference', participants: 'all participants', participant: 'one participant' }[target];
  api.put(
    url,
    {
      config: { auth: true, commands: target },
      schema: {
        summary: `Perform an action on ${what}: ${commandNames(target).join(', ')}`,
        params: target === 'participant' ? ParticipantParams : ConferenceParams,
        body: ActionBody,
      },
    },
    async (req) => {
      const params = req.params as { A: string; C: string; P?: string };
      const { action, data } = actionOf(req.body);
      const dynamic = target === 'conference' && action === 'dial' && !app.store.conference(params.A, params.C) && !app.adhoc.has(`${params.A}/${params.C}`);
      const { accountId, doc } = dynamic ? dialTarget(app, req.actorId, params, data) : scopeOf(app, req.actorId, params);
      const participantId = target === 'participant' ? Number(params.P) : undefined;
      if (participantId !== undefined && !(Number.isInteger(participantId) && participantId > 0)) throw new NotFoundError('participant', params.P!);
      try {
        return ok(req, await runCommand(target, action, { service: app.service, accountId, doc, participantId }, data));
      } catch (err) {
        // A dynamic conference whose dial failed at once never existed.
        if (dynamic && !app.service.live(accountId, doc.id)) app.adhoc.delete(`${accountId}/${doc.id}`);
        throw err;
      }
    },
  );
}

/**
 * Seed 001's "dialing out to a dynamic conference": a dial to a conference that does not exist
 * creates it ad hoc, named by the URL, from the conference fields among the dial's data.
 */
function dialTarget(app: App, actorId: string, params: { A: string; C: string }, data: unknown) {
  const accountId = accountFor(app, actorId, params.A);
  if (!/^[\w.-]{1,64}$/.test(params.C)) throw new NotFoundError('conference', params.C);
  const fields = Object.fromEntries(Object.entries(objectOf(data) ?? {}).filter(([k]) => k in ConferenceDocument.properties));
  const doc = { ...validated(ConferenceDocument, fields), id: params.C };
  app.adhoc.set(`${accountId}/${params.C}`, doc);
  return { accountId, doc };
}
