import type { ConferenceService } from '../../service/ConferenceService.js';
import type { ConferenceDocument } from '../../service/ServiceTypes.js';
import type { Schema } from '../schema/Schema.js';

/** What a command acts on: the conference, all its participants, or one participant. */
export type CommandTarget = 'conference' | 'participants' | 'participant';

export interface CommandContext {
  service: ConferenceService;
  accountId: string;
  doc: ConferenceDocument;
  /** Set for target 'participant'. */
  participantId?: number;
}

/** One row of the command table: REST, websocket and the in-process API all dispatch through it. */
export interface Command {
  name: string;
  target: CommandTarget;
  description: string;
  /** Schema of the command's `data`. */
  data: Schema;
  run(ctx: CommandContext, data: Record<string, unknown>): Promise<unknown>;
}
