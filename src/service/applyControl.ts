import type { SourceSpec } from '../ports/specs.js';
import type { LiveConference } from './LiveConference.js';
import type { MemberInfo } from './MemberInfo.js';
import { controlsFor, ENERGY_STEP, GAIN_LIMIT_DB, GAIN_STEP_DB } from './callerControls.js';
import { mixerOptions } from './conferenceOptions.js';
import { sound } from './sounds.js';

const clampGain = (db: number) => Math.max(-GAIN_LIMIT_DB, Math.min(GAIN_LIMIT_DB, db));

/**
 * Acts on a caller-control digit of a member: the change goes through the participant's
 * ordinary controls, so its own event follows (mute-member, ...), and a `caller-control` event
 * says which control it was. Mute changes play the profile's muted/unmuted sound to the caller.
 */
export async function applyControl(live: LiveConference, m: MemberInfo, digit: string, source: (media: string) => Promise<SourceSpec>): Promise<void> {
  const action = controlsFor(live.doc, m.moderator)[digit];
  const p = live.conf.participant(m.participantId);
  if (!action || !p) return;
  const s = m.state;
  switch (action) {
    case 'mute-toggle':
      await p.update({ muted: !s.muted });
      await p.inject(await source(sound(live.doc, s.muted ? 'unmuted' : 'muted')));
      break;
    case 'deaf-mute-toggle': {
      const on = !(s.muted && s.deaf);
      await p.update({ muted: on, deaf: on });
      break;
    }
    case 'talk-down':
    case 'talk-up':
    case 'talk-reset':
      await p.update({ inputGainDb: action === 'talk-reset' ? 0 : clampGain(s.inputGainDb + (action === 'talk-up' ? GAIN_STEP_DB : -GAIN_STEP_DB)) });
      break;
    case 'listen-down':
    case 'listen-up':
    case 'listen-reset':
      await p.update({ outputGainDb: action === 'listen-reset' ? 0 : clampGain(s.outputGainDb + (action === 'listen-up' ? GAIN_STEP_DB : -GAIN_STEP_DB)) });
      break;
    case 'energy-down':
    case 'energy-up':
    case 'energy-reset': {
      const base = mixerOptions(live.doc).energyLevel ?? live.conf.options.energyLevel;
      const next = action === 'energy-reset' ? base : Math.max(0, Math.min(32767, s.energyLevel + (action === 'energy-up' ? ENERGY_STEP : -ENERGY_STEP)));
      await p.update({ energyLevel: next });
      break;
    }
    case 'hangup':
      await p.kick('removed');
      break;
  }
  live.publishMember('caller-control', m, { digit, control: action });
}
