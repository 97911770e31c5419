import { NotFoundError } from '../../errors.js';
import { accountFor, conferenceFor, readOnlyOf, scopeOf, type App } from '../App.js';
import { actionRoute } from '../http/actionRoute.js';
import { checkData } from '../http/checkBody.js';
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
  muted: s.boolean({ description: "Join muted or unmuted, whatever the role's default" }),
  collect_pin: s.boolean({ description: 'Ask for a pin by DTMF (ending with #) before joining; three tries' }),
  coach: s.integer({ min: 1, description: 'Participant id this one coaches: only it hears this participant' }),
  end_conference_on_exit: s.boolean({ description: 'Twilio endConferenceOnExit: the conference ends when this participant leaves' }),
  start_conference_on_enter: s.boolean({ description: 'Twilio startConferenceOnEnter: false waits (hold music) until someone starts it' }),
  marked: s.boolean({ description: "XiVO's marked participant" }),
  leave_when_last_marked_leave: s.boolean({ description: 'Leave when the last marked participant leaves' }),
  beep: s.union([s.boolean(), s.string({ enum: ['true', 'false', 'onEnter', 'onExit'] })], { description: "Twilio's beep: true, false, onEnter, onExit" }),
});
const joinBody = s.object({ data: joinData }, { required: ['data'] });

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
      const { accountId, doc } = scopeOf(app, ctx.actorId, ctx.params);
      return { data: (await readOnlyOf(app, accountId, doc)).participants };
    },
  },
  {
    method: 'GET',
    path: '/v2/accounts/{A}/conferences/{C}/participants/{P}',
    summary: 'Realtime state of one participant',
    auth: true,
    handle: async (ctx, app) => {
      const { accountId, doc } = scopeOf(app, ctx.actorId, ctx.params);
      const id = participantId(ctx.params.P);
      app.service.participant(accountId, doc.id, id);
      const all = (await readOnlyOf(app, accountId, doc)).participants as { participant_id: number }[];
      return { data: all.find((p) => p.participant_id === id) };
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
      type Join = {
        sdp?: string;
        moderator: boolean;
        pin?: string;
        caller_id_name?: string;
        caller_id_number?: string;
        call_id?: string;
        config?: Record<string, unknown>;
        muted?: boolean;
        collect_pin?: boolean;
        coach?: number;
        end_conference_on_exit?: boolean;
        start_conference_on_enter?: boolean;
        marked?: boolean;
        leave_when_last_marked_leave?: boolean;
        beep?: boolean | string;
      };
      const data = checkData<Join>(joinData, ctx.body);
      const adhocBefore = app.adhoc.has(`${a}/${ctx.params.C}`);
      const doc = joinTarget(app, a, ctx.params.C, data.config);
      const joined = await app.service.join(a, doc, {
        sdp: data.sdp,
        moderator: data.moderator,
        pin: data.pin,
        callerIdName: data.caller_id_name,
        callerIdNumber: data.caller_id_number,
        callId: data.call_id,
        muted: data.muted,
        collectPin: data.collect_pin,
        coach: data.coach,
        flags: {
          endConferenceOnExit: data.end_conference_on_exit,
          startConferenceOnEnter: data.start_conference_on_enter,
          marked: data.marked,
          leaveWhenLastMarkedLeave: data.leave_when_last_marked_leave,
          beep: data.beep === undefined ? undefined : String(data.beep),
        },
      }).catch((err: unknown) => {
        // An ad-hoc conference whose first join failed never existed.
        if (!adhocBefore && !app.service.live(a, doc.id)) app.adhoc.delete(`${a}/${ctx.params.C}`);
        throw err;
      });
      return { status: 201, data: joined };
    },
  },
  actionRoute('participants', '/v2/accounts/{A}/conferences/{C}/participants'),
  actionRoute('participant', '/v2/accounts/{A}/conferences/{C}/participants/{P}'),
];
