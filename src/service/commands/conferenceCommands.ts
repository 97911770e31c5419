import Type from 'typebox';
import { checkOrganizer } from '../organizer.js';
import { command, type Command } from './Command.js';
import { AsParticipant, MediaId, None } from './commandData.js';

export const conferenceCommands: Command[] = [
  command({
    name: 'lock',
    target: 'conference',
    description: 'Lock the conference; no new participants may join',
    data: None,
    run: async ({ service, accountId, doc }) => {
      service.setLocked(accountId, doc.id, true);
      return 'conference locked';
    },
  }),
  command({
    name: 'unlock',
    target: 'conference',
    description: 'Unlock the conference; new participants may join',
    data: None,
    run: async ({ service, accountId, doc }) => {
      service.setLocked(accountId, doc.id, false);
      return 'conference unlocked';
    },
  }),
  command({
    name: 'stop_play',
    target: 'conference',
    description: 'Stop what play started',
    data: None,
    run: async ({ service, accountId, doc }) => {
      await service.play(accountId, doc.id, null, null);
      return 'stopped';
    },
  }),
  command({
    name: 'play',
    target: 'conference',
    description: 'Play media to every participant: a media id, an allowed http(s) URL or a tone_stream:// string',
    data: MediaId,
    run: async ({ service, accountId, doc }, data) => {
      await service.play(accountId, doc.id, null, data.media_id);
      return 'playing';
    },
  }),
  command({
    name: 'record',
    target: 'conference',
    description: 'Start or stop recording the conference to a WAV file under the data dir',
    data: Type.Object({
      action: Type.Optional(Type.Enum(['start', 'stop'], { default: 'start' })),
      trim_silence: Type.Optional(Type.Boolean({ default: false, description: 'Cut leading and trailing silence when the recording ends' })),
    }),
    run: async ({ service, accountId, doc }, data) => service.record(accountId, doc.id, data.action ?? 'start', data.trim_silence === true),
  }),
  command({
    name: 'close',
    target: 'conference',
    description: 'Everyone out and the conference ended (with as_participant: organizers only)',
    data: AsParticipant,
    run: async ({ service, accountId, doc }, data) => {
      if (data.as_participant !== undefined) checkOrganizer(service.live(accountId, doc.id), data.as_participant, 'all');
      await service.end(accountId, doc.id, 'closed');
      return 'conference closed';
    },
  }),
  command({
    name: 'reset',
    target: 'conference',
    description: "XiVO's reset: nobody muted or deaf any more, relations and coaching cleared",
    data: AsParticipant,
    run: async ({ service, accountId, doc }, data) => {
      if (data.as_participant !== undefined) checkOrganizer(service.live(accountId, doc.id), data.as_participant, 'all');
      return { affected: await service.reset(accountId, doc.id) };
    },
  }),
];
