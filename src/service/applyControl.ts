import type { LiveConference } from './LiveConference.js';
import type { MemberInfo } from './MemberInfo.js';
import { controlsFor, ENERGY_STEP, GAIN_LIMIT_DB, GAIN_STEP_DB } from './callerControls.js';
import { mixerOptions } from './conferenceOptions.js';

const clampGain = (db: number) => Math.max(-GAIN_LIMIT_DB, Math.min(GAIN_LIMIT_DB, db));

/**
 * Acts on a caller-control digit of a member: the change goes through the participant's
 * ordinary controls, so its own event (mute-member, ...) and sound follow, and a
 * `caller-control` event says which control it was.
 */
export async function applyControl(live: LiveConference, m: MemberInfo, digit: string): Promise<void> {
  const action = controlsFor(live.doc, m.moderator)[digit];
  const p = live.conf.participant(m.participantId);
  if (!action || !p) return;
  const s = m.state;
  switch (action) {
    case 'mute-toggle':
      await p.update({ muted: !s.muted });
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
