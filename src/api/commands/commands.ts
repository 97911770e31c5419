import { InvalidArgumentError, ValidationError } from '../../errors.js';
import { validate } from '../schema/Schema.js';
import type { Command, CommandContext, CommandTarget } from './Command.js';
import { conferenceCommands } from './conferenceCommands.js';
import { participantCommands } from './participantCommands.js';

/** Every command of the control API, declared once. */
export const COMMANDS: readonly Command[] = [...conferenceCommands, ...participantCommands];

export function commandNames(target: CommandTarget): string[] {
  return COMMANDS.filter((c) => c.target === target).map((c) => c.name);
}

/** Validates and runs one command; an unknown name is a 400 that lists the allowed ones. */
export async function runCommand(target: CommandTarget, name: unknown, ctx: CommandContext, data: unknown): Promise<unknown> {
  const command = COMMANDS.find((c) => c.target === target && c.name === name);
  if (!command) {
    throw new InvalidArgumentError('action', `must be one of: ${commandNames(target).join(', ')}`);
  }
  const checked = validate<Record<string, unknown>>(command.data, data ?? {}, 'data');
  if (Object.keys(checked.errors).length > 0) throw new ValidationError(checked.errors);
  return command.run(ctx, checked.value);
}
