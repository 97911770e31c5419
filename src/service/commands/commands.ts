import { InvalidArgumentError } from '../../errors.js';
import { validated } from '../schema/validator.js';
import type { Command, CommandContext, CommandTarget } from './Command.js';
import { conferenceCommands } from './conferenceCommands.js';
import { dialCommands } from './dialCommands.js';
import { participantCommands } from './participantCommands.js';

/** Every command of the control API, declared once. */
export const COMMANDS: readonly Command[] = [...conferenceCommands, ...dialCommands, ...participantCommands];

export function commandNames(target: CommandTarget): string[] {
  return [...new Set(COMMANDS.filter((c) => c.target === target).map((c) => c.name))];
}

/**
 * The target of a command named without one (the websocket's `command`): one participant when
 * a participant id is given, else the conference's command of that name, else the one for all
 * participants.
 */
export function targetOf(name: unknown, participantId: number | undefined): CommandTarget {
  if (participantId !== undefined) return 'participant';
  if (COMMANDS.some((c) => c.target === 'conference' && c.name === name)) return 'conference';
  if (COMMANDS.some((c) => c.target === 'participants' && c.name === name)) return 'participants';
  const names = [...new Set([...commandNames('conference'), ...commandNames('participants')])];
  throw new InvalidArgumentError('command', `must be one of: ${names.join(', ')} (or a participant command with participant_id)`);
}

/** Validates and runs one command; an unknown name is a 400 that lists the allowed ones. */
export async function runCommand(target: CommandTarget, name: unknown, ctx: CommandContext, data: unknown): Promise<unknown> {
  const command = COMMANDS.find((c) => c.target === target && c.name === name);
  if (!command) throw new InvalidArgumentError('action', `must be one of: ${commandNames(target).join(', ')}`);
  return command.run(ctx, validated(command.data, data ?? {}));
}
