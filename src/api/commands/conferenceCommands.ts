import { UnsupportedError } from '../../errors.js';
import { checkOrganizer } from '../../service/organizer.js';
import { s } from '../schema/Schema.js';
import type { Command } from './Command.js';

const none = s.object({});

export const conferenceCommands: Command[] = [
  {
    name: 'lock',
    target: 'conference',
    description: 'Lock the conference; no new participants may join',
    data: none,
    run: async ({ service, accountId, doc }) => {
      service.setLocked(accountId, doc.id, true);
      return 'conference locked';
    },
  },
  {
    name: 'unlock',
    target: 'conference',
    description: 'Unlock the conference; new participants may join',
    data: none,
    run: async ({ service, accountId, doc }) => {
      service.setLocked(accountId, doc.id, false);
      return 'conference unlocked';
    },
  },
  {
    name: 'stop_play',
    target: 'conference',
    description: 'Stop what play started',
    data: s.object({}),
    run: async ({ service, accountId, doc }) => {
      await service.play(accountId, doc.id, null, null);
      return 'stopped';
    },
  },
  {
    name: 'play',
    target: 'conference',
    description: 'Play media to every participant: a tone_stream:// string (media ids and URLs: 501 until the media store exists)',
    data: s.object({ media_id: s.string({ min: 1, max: 2048 }) }, { required: ['media_id'] }),
    run: async ({ service, accountId, doc }, data) => {
      await service.play(accountId, doc.id, null, data.media_id as string);
      return 'playing';
    },
  },
  {
    name: 'record',
    target: 'conference',
    description: 'Start or stop recording the conference to a WAV file under the data dir',
    data: s.object({
      action: s.string({ enum: ['start', 'stop'], default: 'start' }),
      trim_silence: s.boolean({ default: false, description: 'Cut leading and trailing silence when the recording ends' }),
    }),
    run: async ({ service, accountId, doc }, data) =>
      service.record(accountId, doc.id, data.action as 'start' | 'stop', data.trim_silence === true),
  },
  {
    name: 'close',
    target: 'conference',
    description: 'Everyone out and the conference ended (with as_participant: organizers only)',
    data: s.object({ as_participant: s.integer({ min: 1 }) }),
    run: async ({ service, accountId, doc }, data) => {
      if (data.as_participant !== undefined) checkOrganizer(service.live(accountId, doc.id), data.as_participant as number, 'all');
      await service.end(accountId, doc.id, 'closed');
      return 'conference closed';
    },
  },
  {
    name: 'reset',
    target: 'conference',
    description: "Everyone back to their role's defaults (join_muted, join_deaf), relations and coaching cleared",
    data: s.object({ as_participant: s.integer({ min: 1 }) }),
    run: async ({ service, accountId, doc }, data) => {
      if (data.as_participant !== undefined) checkOrganizer(service.live(accountId, doc.id), data.as_participant as number, 'all');
      return { affected: await service.reset(accountId, doc.id) };
    },
  },
  {
    name: 'dial',
    target: 'conference',
    description: 'Dial an endpoint (user/device/DID): needs a SIP signalling layer roomtone does not have yet (501)',
    data: s.object({
      endpoints: s.array(s.string({ max: 256 }), { max: 100 }),
      caller_id_name: s.string({ max: 128 }),
      caller_id_number: s.string({ max: 64 }),
      target_call_id: s.string({ max: 128 }),
      timeout: s.integer({ min: 1, max: 600 }),
    }),
    run: async () => {
      throw new UnsupportedError(
        'dial needs SIP signalling, which roomtone does not include yet: add the endpoint with POST .../participants (without sdp for an offer to send)',
      );
    },
  },
];
