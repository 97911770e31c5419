import type { Static, TSchema } from 'typebox';
import type { ConferenceService } from '../ConferenceService.js';
import type { ConferenceDocument } from '../ServiceTypes.js';

/** What a command acts on: the conference, all its participants, or one participant. */
export type CommandTarget = 'conference' | 'participants' | 'participant';

export interface CommandContext {
  service: ConferenceService;
  accountId: string;
  doc: ConferenceDocument;
  /** Set for target 'participant'. */
  participantId?: number;
}

/** One row of the command table: every door (REST, websocket, DTMF, in-process) dispatches through it. */
export interface Command<S extends TSchema = TSchema> {
  name: string;
  target: CommandTarget;
  description: string;
  /** The command's `data`, declared once: validation, its type in run(), the OpenAPI document. */
  data: S;
  run(ctx: CommandContext, data: Static<S>): Promise<unknown>;
}

/** A row, with `run`'s data typed by its schema. */
export const command = <S extends TSchema>(row: Command<S>): Command => row as unknown as Command;
