import { NotFoundError } from '../../errors.js';
import { scopeOf } from '../App.js';
import type { CommandTarget } from '../commands/Command.js';
import { COMMANDS, runCommand } from '../commands/commands.js';
import { s } from '../schema/Schema.js';
import { actionOf } from './checkBody.js';
import type { Route } from './Route.js';

/** PUT of an action on a conference, its participants, or one participant, through the command table. */
export function actionRoute(target: CommandTarget, path: string): Route {
  const names = [...new Set(COMMANDS.filter((c) => c.target === target).map((c) => c.name))];
  const what = { conference: 'the conference', participants: 'all participants', participant: 'one participant' }[target];
  return {
    method: 'PUT',
    path,
    summary: `Perform an action on ${what}: ${names.join(', ')}`,
    auth: true,
    body: s.object({ action: s.string({ enum: names }), data: s.any() }),
    handle: async (ctx, app) => {
      const { accountId, doc } = scopeOf(app, ctx.actorId, ctx.params);
      const { action, data } = actionOf(ctx.body);
      const participantId = target === 'participant' ? Number(ctx.params.P) : undefined;
      if (participantId !== undefined && !(Number.isInteger(participantId) && participantId > 0)) {
        throw new NotFoundError('participant', ctx.params.P);
      }
      return { data: await runCommand(target, action, { service: app.service, accountId, doc, participantId }, data) };
    },
  };
}
