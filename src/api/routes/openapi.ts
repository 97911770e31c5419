import { COMMANDS } from '../commands/commands.js';
import { API_VERSION } from '../http/envelope.js';
import type { Route } from '../http/Route.js';
import { toJsonSchema } from '../schema/Schema.js';

const TARGET_PATH = {
  conference: '/v2/accounts/{A}/conferences/{C}',
  participants: '/v2/accounts/{A}/conferences/{C}/participants',
  participant: '/v2/accounts/{A}/conferences/{C}/participants/{P}',
} as const;

/** OpenAPI 3.1 from the route table and the command table: the same schemas the server validates with. */
export function openApiDocument(routes: readonly Route[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
    const actions = Object.entries(TARGET_PATH).find(([, p]) => p === r.path && r.method === 'PUT')?.[0];
    const commands = COMMANDS.filter((c) => c.target === actions);
    const body = r.body
      ? {
          requestBody: {
            content: {
              'application/json': {
                schema: commands.length
                  ? {
                      oneOf: commands.map((c) => ({
                        type: 'object',
                        description: c.description,
                        properties: { action: { const: c.name }, data: toJsonSchema(c.data) },
                        required: ['action'],
                      })),
                    }
                  : toJsonSchema(r.body),
              },
            },
          },
        }
      : {};
    paths[r.path] ??= {};
    paths[r.path][r.method.toLowerCase()] = {
      summary: r.summary,
      parameters: params,
      ...(r.auth && { security: [{ authToken: [] }] }),
      ...body,
      responses: {
        '200': { description: 'Kazoo envelope: {"data": ..., "status": "success", "request_id": ...}' },
        '400': { description: 'Invalid data: {"status":"error","error":"400","data":{FIELD:{RULE:{"message":...}}}}' },
        ...(r.auth && { '401': { description: 'Missing or invalid X-Auth-Token' }, '404': { description: 'Not found, or another account\'s' } }),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'roomtone conference API (Kazoo-compatible)', version: API_VERSION },
    components: { securitySchemes: { authToken: { type: 'apiKey', in: 'header', name: 'X-Auth-Token' } } },
    paths,
  };
}
