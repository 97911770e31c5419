import { NotFoundError } from '../../errors.js';
import { kazooParticipant } from '../../service/MemberInfo.js';
import { accountFor, conferenceFor, type App } from '../App.js';
import { runCommand } from '../commands/commands.js';
import { actionOf, checkData } from '../http/checkBody.js';
import type { Route } from '../http/Route.js';
import { conferenceSchema } from '../schema/conference.js';
import { s } from '../schema/Schema.js';

const joinData = s.object({
  sdp: s.string({ min: 1, max: 65536, description: "The endpoint's SDP offer; without it the answer carries roomtone's offer" }),
  moderator: s.boolean({ default: false }),
  pin: s.string({ min: 1, max: 32 }),
  caller_id_name: s.string({ max: 128 }),
  caller_id_number: s.string({ max: 64 }),
  call_id: s.string({ min: 1, max: 128 }),
  config: conferenceSchema,
});
const joinBody = s.object({ data: joinData }, { required: ['data'] });
const actionBody = s.object({ action: s.string(), data: s.any() });

function participantId(raw: string): number {
  const id = Number(raw);
  if (!Number.isInteger(id) || id < 1) throw new NotFoundError('participant', raw);
  return id;
}

/** The conference of the request: stored, live ad-hoc, or created ad hoc from a join's `config`. */
function joinTarget(app: App, accountId: string, id: string, config: Record<string, unknown> | undefined) {
  try {
    return conferenceFor(app, accountId, id);
  } catch (err) {
    if (!config || !/^[\w.-]{1,64}$/.test(id)) throw err;
    const doc = { ...config, id };
    app.adhoc.set(`${accountId}/${id}`, doc);
    return doc;
  }
}

export const participantRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v2/accounts/{A}/conferences/{C}/participants',
    summary: 'Realtime state of every participant',
    auth: true,
    handle: async (ctx, app) => {
      const a = accountFor(app, ctx.actorId, ctx.params.A);
      const doc = conferenceFor(app, a, ctx.params.C);
      const live = app.service.live(a, doc.id);
      const ro = live ? await live.readOnly(app.service.isLocked(a, doc.id)) : { participants: [] };
      return { data: ro.participants };
    },
  },
  {
    method: 'GET',
    path: '/v2/accounts/{A}/conferences/{C}/participants/{P}',
    summary: 'Realtime state of one participant',
    auth: true,
    handle: async (ctx, app) => {
      const a = accountFor(app, ctx.actorId, ctx.params.A);
      const doc = conferenceFor(app, a, ctx.params.C);
      const { live, member } = app.service.participant(a, doc.id, participantId(ctx.params.P));
      await live.readOnly(app.service.isLocked(a, doc.id));
      return { data: kazooParticipant(doc.id, member) };
    },
  },
  {
    method: 'POST',
    path: '/v2/accounts/{A}/conferences/{C}/participants',
    summary: 'Add a participant by its SDP offer (or get our offer); creates an ad-hoc conference from data.config',
    auth: true,
    body: joinBody,
    handle: async (ctx, app) => {
      const a = accountFor(app, ctx.actorId, ctx.params.A);
      type Join = { sdp?: string; moderator: boolean; pin?: string; caller_id_name?: string; caller_id_number?: string; call_id?: string; config?: Record<string, unknown> };
      const data = checkData<Join>(joinData, ctx.body);
      const doc = joinTarget(app, a, ctx.params.C, data.config);
      const joined = await app.service.join(a, doc, {
        sdp: data.sdp,
        moderator: data.moderator,
        pin: data.pin,
        callerIdName: data.caller_id_name,
        callerIdNumber: data.caller_id_number,
        callId: data.call_id,
      });
      return { status: 201, data: joined };
    },
  },
  {
    method: 'PUT',
    path: '/v2/accounts/{A}/conferences/{C}/participants',
    summary: 'Perform an action on all participants: mute, unmute, deaf, undeaf (moderators spared), kick, relate',
    auth: true,
    body: actionBody,
    handle: async (ctx, app) => {
      const a = accountFor(app, ctx.actorId, ctx.params.A);
      const doc = conferenceFor(app, a, ctx.params.C);
      const { action, data } = actionOf(ctx.body);
      return { data: await runCommand('participants', action, { service: app.service, accountId: a, doc }, data) };
    },
  },
  {
    method: 'PUT',
    path: '/v2/accounts/{A}/conferences/{C}/participants/{P}',
    summary: 'Perform an action on one participant: mute, unmute, deaf, undeaf, kick, answer',
    auth: true,
    body: actionBody,
    handle: async (ctx, app) => {
      const a = accountFor(app, ctx.actorId, ctx.params.A);
      const doc = conferenceFor(app, a, ctx.params.C);
      const { action, data } = actionOf(ctx.body);
      const ctxCommand = { service: app.service, accountId: a, doc, participantId: participantId(ctx.params.P) };
      return { data: await runCommand('participant', action, ctxCommand, data) };
    },
  },
];
