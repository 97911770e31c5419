// SignalWire/Twilio's recordingStatusCallback (seed 004): the recording of a conference is
// announced when it starts (in-progress) and when its file is complete and downloadable
// (completed, or absent when nothing was recorded), with the RecordingUrl to fetch it from.
import { RECORDING_STATUS_EVENTS } from '../schema/conferenceDocument.js';
import type { ConferenceEventOut } from '../EventSink.js';
import { rfc2822 } from './twilioParams.js';

export type RecordingStatus = (typeof RECORDING_STATUS_EVENTS)[number];
export { RECORDING_STATUS_EVENTS };

/** The recording status one of our events stands for, if any. */
export function recordingStatus(event: ConferenceEventOut): RecordingStatus | undefined {
  if (event.name === 'record-start') return 'in-progress';
  if (event.name === 'record-complete') return Number(event.data.duration_ms) > 0 ? 'completed' : 'absent';
  return undefined;
}

/** The request parameters, in Twilio's names; `publicUrl` is where clients reach this server. */
export function recordingParams(event: ConferenceEventOut, status: RecordingStatus, publicUrl: string, now: number): URLSearchParams {
  const d = event.data;
  const file = String(d.recording ?? '');
  const p = new URLSearchParams();
  p.set('AccountSid', event.accountId);
  p.set('ConferenceSid', event.conferenceId);
  p.set('RecordingSid', file.replace(/\.wav$/, ''));
  p.set('RecordingUrl', `${publicUrl}/v2/accounts/${event.accountId}/conferences/${encodeURIComponent(event.conferenceId)}/recordings/${encodeURIComponent(file)}`);
  p.set('RecordingStatus', status);
  p.set('RecordingChannels', '1');
  p.set('RecordingSource', 'RecordVerb');
  if (status !== 'in-progress') {
    p.set('RecordingDuration', String(Math.round(Number(d.duration_ms ?? 0) / 1000)));
    p.set('RecordingFileSize', String(Number(d.bytes ?? 0)));
  }
  p.set('Timestamp', rfc2822(now));
  return p;
}
