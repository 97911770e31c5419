import type { ParticipantPatch } from '../../conference/ParticipantOptions.js';
import { checkOrganizer } from '../../service/organizer.js';
import { s } from '../schema/Schema.js';
import type { Command, CommandContext } from './Command.js';

const none = s.object({});
/** XiVO: the participant asking, whose organizer rights are checked. */
const asParticipant = s.object({ as_participant: s.integer({ min: 1 }) });
const actor = (data: Record<string, unknown>) => data.as_participant as number | undefined;

/** mute/unmute/deaf/undeaf for one participant, or for every participant but the moderators. */
function controlCommands(patch: Record<string, ParticipantPatch>): Command[] {
  return Object.entries(patch).flatMap(([name, p]) => [
    {
      name,
      target: 'participant' as const,
      description: `${name} the participant (with as_participant: yourself, or anyone as an organizer)`,
      data: asParticipant,
      run: async ({ service, accountId, doc, participantId }: CommandContext, data: Record<string, unknown>) => {
        const by = actor(data);
        if (by !== undefined) checkOrganizer(service.live(accountId, doc.id), by, 'other', participantId);
        await service.update(accountId, doc.id, participantId!, p);
        return { participant_id: participantId, action: name };
      },
    },
    {
      name,
      target: 'participants' as const,
      description: `${name} every participant except the moderators (with as_participant: everyone but the organizer asking)`,
      data: asParticipant,
      run: async ({ service, accountId, doc }: CommandContext, data: Record<string, unknown>) => {
        const by = actor(data);
        if (by !== undefined) checkOrganizer(service.live(accountId, doc.id), by, 'all');
        const targets = service.members(accountId, doc.id).filter((m) => (by === undefined ? !m.moderator : m.participantId !== by));
        await Promise.all(targets.map((m) => service.update(accountId, doc.id, m.participantId, p)));
        return { affected: targets.map((m) => m.participantId) };
      },
    },
  ]);
}

export const participantCommands: Command[] = [
  ...controlCommands({ mute: { muted: true }, unmute: { muted: false }, deaf: { deaf: true }, undeaf: { deaf: false } }),
  {
    name: 'kick',
    target: 'participant',
    description: 'Kick the participant from the conference (an organizer cannot be kicked by another participant)',
    data: asParticipant,
    run: async ({ service, accountId, doc, participantId }, data) => {
      const by = actor(data);
      if (by !== undefined) checkOrganizer(service.live(accountId, doc.id), by, 'kick', participantId);
      await service.kick(accountId, doc.id, participantId!);
      return 'participant kicked';
    },
  },
  {
    name: 'kick',
    target: 'participants',
    description: 'Kick all the participants from the conference',
    data: none,
    run: async ({ service, accountId, doc }) => {
      const all = service.members(accountId, doc.id);
      await Promise.all(all.map((m) => service.kick(accountId, doc.id, m.participantId)));
      return { affected: all.map((m) => m.participantId) };
    },
  },
  {
    name: 'relate',
    target: 'participants',
    description: 'Relate two participants: deaf (the participant does not hear the other), mute (the other does not hear the participant) or clear',
    data: s.object(
      {
        participant_id: s.union([s.integer({ min: 1 }), s.string({ min: 1, max: 16 })]),
        other_participant: s.union([s.integer({ min: 1 }), s.string({ min: 1, max: 16 })]),
        relationship: s.string({ enum: ['deaf', 'mute', 'clear'], default: 'clear' }),
      },
      { required: ['participant_id', 'other_participant'] },
    ),
    run: async ({ service, accountId, doc }, data) => {
      const relation = { deaf: 'nohear', mute: 'nospeak', clear: 'clear' } as const;
      const rel = relation[data.relationship as keyof typeof relation];
      await service.relate(accountId, doc.id, Number(data.participant_id), Number(data.other_participant), rel);
      return 'relating participants';
    },
  },
  ...(['hold', 'unhold'] as const).map(
    (name): Command => ({
      name,
      target: 'participant',
      description: name === 'hold' ? 'Put the participant on hold: it hears hold music and nobody hears it' : 'Take the participant off hold',
      data: none,
      run: async ({ service, accountId, doc, participantId }) => {
        await service.hold(accountId, doc.id, participantId!, name === 'hold');
        return { participant_id: participantId, action: name };
      },
    }),
  ),
  {
    name: 'coach',
    target: 'participant',
    description: 'Make the participant a coach heard only by participant_id (null ends the coaching); the coach hears everyone',
    data: s.object({ participant_id: s.union([s.integer({ min: 1 }), s.string({ enum: ['none'] })]) }, { required: ['participant_id'] }),
    run: async ({ service, accountId, doc, participantId }, data) => {
      const target = data.participant_id === 'none' ? null : (data.participant_id as number);
      await service.coach(accountId, doc.id, participantId!, target);
      return { participant_id: participantId, coaching: target };
    },
  },
  {
    name: 'stop_play',
    target: 'participant',
    description: 'Stop what play started',
    data: s.object({}),
    run: async ({ service, accountId, doc, participantId }) => {
      await service.play(accountId, doc.id, participantId!, null);
      return 'stopped';
    },
  },
  {
    name: 'play',
    target: 'participant',
    description: 'Play media to this participant only: a tone_stream:// string',
    data: s.object({ media_id: s.string({ min: 1, max: 2048 }) }, { required: ['media_id'] }),
    run: async ({ service, accountId, doc, participantId }, data) => {
      await service.play(accountId, doc.id, participantId!, data.media_id as string);
      return 'playing';
    },
  },
  {
    name: 'reoffer',
    target: 'participant',
    description: 'A re-offer (re-INVITE): returns our answer; a=sendonly or a=inactive puts the participant on hold',
    data: s.object({ sdp: s.string({ min: 1, max: 65536 }) }, { required: ['sdp'] }),
    run: async ({ service, accountId, doc, participantId }, data) => service.reoffer(accountId, doc.id, participantId!, data.sdp as string),
  },
  {
    name: 'answer',
    target: 'participant',
    description: "Complete roomtone's SDP offer (a participant added without sdp) with the remote answer",
    data: s.object({ sdp: s.string({ min: 1, max: 65536 }) }, { required: ['sdp'] }),
    run: async ({ service, accountId, doc, participantId }, data) => {
      await service.answer(accountId, doc.id, participantId!, data.sdp as string);
      return 'answer applied';
    },
  },
];
