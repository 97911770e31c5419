import Type from 'typebox';
import { PARTICIPANT_CONTROLS, type ParticipantControl } from '../../conference/participantControls.js';
import { checkOrganizer } from '../organizer.js';
import { command, type Command } from './Command.js';
import { AsParticipant, MediaId, None, ParticipantRef, Sdp } from './commandData.js';

/** The controls that also act on every participant at once (Kazoo's participants actions). */
const FOR_ALL: readonly ParticipantControl[] = ['mute', 'unmute', 'deaf', 'undeaf'];

/** A control verb on one participant (with as_participant: yourself, or anyone as an organizer), and on all. */
function controlCommands(name: ParticipantControl): Command[] {
  const { patch, description } = PARTICIPANT_CONTROLS[name];
  const one = command({
    name,
    target: 'participant',
    description: `${name}: ${description} (with as_participant: yourself, or anyone as an organizer)`,
    data: AsParticipant,
    run: async ({ service, accountId, doc, participantId }, data) => {
      if (data.as_participant !== undefined) checkOrganizer(service.live(accountId, doc.id), data.as_participant, 'other', participantId);
      await service.update(accountId, doc.id, participantId!, patch);
      return { participant_id: participantId, action: name };
    },
  });
  if (!FOR_ALL.includes(name)) return [one];
  const all = command({
    name,
    target: 'participants',
    description: `${name} every participant except the moderators (with as_participant: everyone but the organizer asking)`,
    data: AsParticipant,
    run: async ({ service, accountId, doc }, data) => {
      const by = data.as_participant;
      if (by !== undefined) checkOrganizer(service.live(accountId, doc.id), by, 'all');
      const targets = service.members(accountId, doc.id).filter((m) => (by === undefined ? !m.moderator : m.participantId !== by));
      await Promise.all(targets.map((m) => service.update(accountId, doc.id, m.participantId, patch)));
      return { affected: targets.map((m) => m.participantId) };
    },
  });
  return [one, all];
}

/** FreeSWITCH's volume_in and volume_out: one participant's gain in each direction. */
const GAINS = [
  { name: 'volume_in', control: 'inputGainDb', description: 'How loud the conference hears the participant (FreeSWITCH volume_in), in dB' },
  { name: 'volume_out', control: 'outputGainDb', description: 'How loud the participant hears the conference (FreeSWITCH volume_out), in dB' },
] as const;
const GainDb = Type.Object({ gain_db: Type.Integer({ minimum: -12, maximum: 12, description: 'dB, -12 to 12' }) });

function gainCommand({ name, control, description }: (typeof GAINS)[number]): Command {
  return command({
    name,
    target: 'participant',
    description,
    data: GainDb,
    run: async ({ service, accountId, doc, participantId }, data) => {
      await service.update(accountId, doc.id, participantId!, { [control]: data.gain_db });
      return { participant_id: participantId, gain_db: data.gain_db };
    },
  });
}

export const participantCommands: Command[] = [
  ...(Object.keys(PARTICIPANT_CONTROLS) as ParticipantControl[]).flatMap(controlCommands),
  ...GAINS.map(gainCommand),
  command({
    name: 'energy',
    target: 'participant',
    description: "The participant's talk threshold (FreeSWITCH energy): mean |sample| below which it is not heard",
    data: Type.Object({ level: Type.Integer({ minimum: 0, maximum: 32767 }) }),
    run: async ({ service, accountId, doc, participantId }, data) => {
      await service.update(accountId, doc.id, participantId!, { energyLevel: data.level });
      return { participant_id: participantId, energy_level: data.level };
    },
  }),
  command({
    name: 'kick',
    target: 'participant',
    description: 'Kick the participant from the conference (an organizer cannot be kicked by another participant)',
    data: AsParticipant,
    run: async ({ service, accountId, doc, participantId }, data) => {
      if (data.as_participant !== undefined) checkOrganizer(service.live(accountId, doc.id), data.as_participant, 'kick', participantId);
      await service.kick(accountId, doc.id, participantId!);
      return 'participant kicked';
    },
  }),
  command({
    name: 'kick',
    target: 'participants',
    description: 'Kick all the participants from the conference',
    data: None,
    run: async ({ service, accountId, doc }) => {
      const all = service.members(accountId, doc.id);
      await Promise.all(all.map((m) => service.kick(accountId, doc.id, m.participantId)));
      return { affected: all.map((m) => m.participantId) };
    },
  }),
  command({
    name: 'relate',
    target: 'participants',
    description: 'Relate two participants: deaf (the participant does not hear the other), mute (the other does not hear the participant) or clear',
    data: Type.Object({
      participant_id: ParticipantRef,
      other_participant: ParticipantRef,
      relationship: Type.Optional(Type.Enum(['deaf', 'mute', 'clear'], { default: 'clear' })),
    }),
    run: async ({ service, accountId, doc }, data) => {
      const relation = { deaf: 'nohear', mute: 'nospeak', clear: 'clear' } as const;
      await service.relate(accountId, doc.id, Number(data.participant_id), Number(data.other_participant), relation[data.relationship ?? 'clear']);
      return 'relating participants';
    },
  }),
  command({
    name: 'coach',
    target: 'participant',
    description: 'Make the participant a coach heard only by participant_id (a participant id or a call id; none ends the coaching); the coach hears everyone',
    data: Type.Object({ participant_id: Type.Union([Type.Integer({ minimum: 1 }), Type.String({ minLength: 1, maxLength: 128 })]) }),
    run: async ({ service, accountId, doc, participantId }, data) => {
      const target = data.participant_id === 'none' ? null : data.participant_id;
      await service.coach(accountId, doc.id, participantId!, target);
      return { participant_id: participantId, coaching: target };
    },
  }),
  command({
    name: 'stop_play',
    target: 'participant',
    description: 'Stop what play started',
    data: None,
    run: async ({ service, accountId, doc, participantId }) => {
      await service.play(accountId, doc.id, participantId!, null);
      return 'stopped';
    },
  }),
  command({
    name: 'play',
    target: 'participant',
    description: 'Play media to this participant only: a tone_stream:// string, a media id or an allowed URL',
    data: MediaId,
    run: async ({ service, accountId, doc, participantId }, data) => {
      await service.play(accountId, doc.id, participantId!, data.media_id);
      return 'playing';
    },
  }),
  command({
    name: 'reoffer',
    target: 'participant',
    description: 'A re-offer (re-INVITE): returns our answer; a=sendonly or a=inactive puts the participant on hold',
    data: Sdp,
    run: async ({ service, accountId, doc, participantId }, data) => service.reoffer(accountId, doc.id, participantId!, data.sdp),
  }),
  command({
    name: 'answer',
    target: 'participant',
    description: "Complete roomtone's SDP offer (a participant added without sdp) with the remote answer",
    data: Sdp,
    run: async ({ service, accountId, doc, participantId }, data) => {
      await service.answer(accountId, doc.id, participantId!, data.sdp);
      return 'answer applied';
    },
  }),
];
