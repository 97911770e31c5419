import { runCommand } from './commands/commands.js';
import type { ConferenceService } from './ConferenceService.js';
import type { LiveConference } from './LiveConference.js';
import type { MemberInfo } from './MemberInfo.js';
import { controlsFor, ENERGY_STEP, GAIN_LIMIT_DB, GAIN_STEP_DB, type ControlAction } from './callerControls.js';
import { mixerOptions } from './conferenceOptions.js';

const clampGain = (db: number) => Math.max(-GAIN_LIMIT_DB, Math.min(GAIN_LIMIT_DB, db));
const step = (action: string) => (action.endsWith('-up') ? 1 : action.endsWith('-down') ? -1 : 0);

/**
 * A caller-control digit of a member, as the command it stands for: it runs through the same
 * command rows as a REST or websocket action, so its own event (mute-member, ...) and sound
 * follow, and a `caller-control` event says which control it was.
 */
export async function applyControl(service: ConferenceService, accountId: string, conferenceId: string, m: MemberInfo, digit: string): Promise<void> {
  const live = service.live(accountId, conferenceId);
  const action = live && controlsFor(live.doc, m.moderator)[digit];
  if (!live || !action) return;
  for (const [name, data] of commandsOf(action, m, live)) {
    await runCommand('participant', name, { service, accountId, doc: live.doc, participantId: m.participantId }, data);
  }
  live.publishMember('caller-control', m, { digit, control: action });
}

type Call = [name: string, data: Record<string, unknown>];

/** The commands a caller control stands for, from the member's current state. */
function commandsOf(action: ControlAction, m: MemberInfo, live: LiveConference): Call[] {
  const s = m.state;
  switch (action) {
    case 'mute-toggle':
      return [[s.muted ? 'unmute' : 'mute', {}]];
    case 'deaf-mute-toggle':
      // Both on unless both already are.
      return s.muted && s.deaf ? [['unmute', {}], ['undeaf', {}]] : [['mute', {}], ['deaf', {}]];
    case 'talk-down':
    case 'talk-up':
    case 'talk-reset':
      return [['volume_in', { gain_db: action === 'talk-reset' ? 0 : clampGain(s.inputGainDb + step(action) * GAIN_STEP_DB) }]];
    case 'listen-down':
    case 'listen-up':
    case 'listen-reset':
      return [['volume_out', { gain_db: action === 'listen-reset' ? 0 : clampGain(s.outputGainDb + step(action) * GAIN_STEP_DB) }]];
    case 'energy-down':
    case 'energy-up':
    case 'energy-reset': {
      const base = mixerOptions(live.doc).energyLevel ?? live.conf.options.energyLevel;
      return [['energy', { level: action === 'energy-reset' ? base : Math.max(0, Math.min(32767, s.energyLevel + step(action) * ENERGY_STEP)) }]];
    }
    case 'hangup':
      return [['kick', {}]];
  }
}
