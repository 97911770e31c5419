// Calling out from a conference: Kazoo's `dial` (seed 001) and XiVO's `invite` (seed 002). Each
// endpoint becomes a leg with a call id given back at once; the leg's progress comes as
// dial-ringing, dial-answered (then add-member) and dial-failed events.
import { randomUUID } from 'node:crypto';
import Type, { type Static } from 'typebox';
import { UnsupportedError } from '../../errors.js';
import type { ConferenceService } from '../ConferenceService.js';
import type { DialRequest, OutboundDialer } from '../dialing.js';
import { checkOrganizer } from '../organizer.js';
import { command, type CommandContext } from './Command.js';

const Vars = Type.Record(Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$' }), Type.String({ maxLength: 256, pattern: '^[^\\r\\n]*$' }), { maxProperties: 20 });
const Timeout = Type.Integer({ minimum: 1, maximum: 600, default: 30, description: 'Seconds to ring before the call is cancelled' });

const Dial = Type.Object({
  endpoints: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 20, description: 'SIP URIs (sip:user@host[:port]) or numbers (through --sip-outbound-proxy)' }),
  caller_id_name: Type.Optional(Type.String({ maxLength: 128 })),
  caller_id_number: Type.Optional(Type.String({ maxLength: 64, pattern: '^[\\w.+*#-]*$' })),
  outbound_call_id: Type.Optional(Type.String({ minLength: 1, maxLength: 120, pattern: '^[\\w.@:+-]+$', description: "The leg's call_id (with several endpoints: suffixed -1, -2, ...)" })),
  custom_application_vars: Type.Optional(Vars),
  target_call_id: Type.Optional(Type.String({ maxLength: 128, description: 'Accepted; roomtone runs each conference on one node' })),
  timeout: Type.Optional(Timeout),
});

const Invite = Type.Object({
  exten: Type.String({ minLength: 1, maxLength: 256, description: 'A number (through --sip-outbound-proxy) or a SIP URI' }),
  role: Type.Optional(Type.Enum(['User', 'Organizer'], { default: 'User' })),
  earlyJoin: Type.Optional(Type.Boolean({ default: false, description: "The conference hears the callee's early media while it rings" })),
  marked: Type.Optional(Type.Boolean()),
  leaveWhenLastMarkedLeave: Type.Optional(Type.Boolean()),
  callerId: Type.Optional(Type.String({ maxLength: 128, description: "The callee's name in the conference, and the call's caller id" })),
  variables: Type.Optional(Vars),
  timeout: Type.Optional(Timeout),
  as_participant: Type.Optional(Type.Integer({ minimum: 1 })),
});

function dialerOf(service: ConferenceService): OutboundDialer {
  if (!service.dialer) throw new UnsupportedError('calling out needs the SIP door, which is off (--sip-port 0)');
  return service.dialer;
}

/** Headers from variables: X-{prefix}{name}. */
const headersOf = (vars: Static<typeof Vars> | undefined, prefix: string) =>
  Object.fromEntries(Object.entries(vars ?? {}).map(([k, v]) => [`x-${prefix}${k.toLowerCase()}`, v]));

/** Checks every endpoint, then places the calls; the reply names each leg's call id. */
async function place(ctx: CommandContext, legs: Omit<DialRequest, 'accountId' | 'doc'>[]): Promise<{ endpoint_responses: { endpoint: string; call_id: string; status: string }[] }> {
  const dialer = dialerOf(ctx.service);
  for (const leg of legs) dialer.check(leg.endpoint);
  for (const leg of legs) await dialer.dial({ ...leg, accountId: ctx.accountId, doc: ctx.doc });
  return { endpoint_responses: legs.map((l) => ({ endpoint: l.endpoint, call_id: l.join.call_id, status: 'dialing' })) };
}

export const dialCommands = [
  command({
    name: 'dial',
    target: 'conference',
    description: 'Call endpoints into the conference (a missing conference is created ad hoc from the conference fields given)',
    data: Dial,
    run: async (ctx, data) =>
      place(
        ctx,
        data.endpoints.map((endpoint, i) => {
          const callId = data.outbound_call_id === undefined ? randomUUID() : data.endpoints.length === 1 ? data.outbound_call_id : `${data.outbound_call_id}-${i + 1}`;
          return {
            endpoint,
            join: { call_id: callId, caller_id_name: endpoint.slice(0, 128), caller_id_number: endpoint.replace(/^sip:([^@;]*).*$/i, '$1').slice(0, 64) },
            callerIdName: data.caller_id_name,
            callerIdNumber: data.caller_id_number,
            timeoutSeconds: data.timeout ?? 30,
            headers: headersOf(data.custom_application_vars, ''),
            earlyJoin: false,
          };
        }),
      ),
  }),
  command({
    name: 'invite',
    target: 'conference',
    description: "XiVO's invite: call an extension into the conference as User or Organizer (with as_participant: organizers only)",
    data: Invite,
    run: async (ctx, data) => {
      if (data.as_participant !== undefined) checkOrganizer(ctx.service.live(ctx.accountId, ctx.doc.id), data.as_participant, 'all');
      const name = data.callerId ?? data.exten;
      return place(ctx, [
        {
          endpoint: data.exten,
          join: {
            call_id: randomUUID(),
            caller_id_name: name.slice(0, 128),
            caller_id_number: data.exten.replace(/^sip:([^@;]*).*$/i, '$1').slice(0, 64),
            moderator: data.role === 'Organizer',
            marked: data.marked,
            leave_when_last_marked_leave: data.leaveWhenLastMarkedLeave,
          },
          callerIdName: data.callerId,
          callerIdNumber: undefined,
          timeoutSeconds: data.timeout ?? 30,
          headers: headersOf(data.variables, 'usr-'),
          earlyJoin: data.earlyJoin === true,
        },
      ]);
    },
  }),
];
