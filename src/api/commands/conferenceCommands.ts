import { UnsupportedError } from '../../errors.js';
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
    data: s.object({ action: s.string({ enum: ['start', 'stop'], default: 'start' }) }),
    run: async ({ service, accountId, doc }, data) => service.record(accountId, doc.id, data.action as 'start' | 'stop'),
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
