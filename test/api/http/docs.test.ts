// The API document and its viewer, through the real HTTP API (fastify's inject): the OpenAPI
// document comes from the TypeBox schemas the server validates with, and /v2/docs is the
// Swagger UI served from the package's own files, with nothing fetched from elsewhere.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/api/App.js';
import type { Api } from '../../../src/api/http/Api.js';
import { createHttpApi } from '../../../src/api/http/httpApi.js';
import { JoinRequest } from '../../../src/service/schema/joinRequest.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let api: Api;
beforeAll(async () => {
  api = await createHttpApi({ log: pino({ level: 'silent' }), metrics: { httpRequest: () => undefined } } as unknown as App);
});
afterAll(async () => {
  await api.close();
});

async function get(url: string): Promise<{ status: number; type: string; body: string; location?: string }> {
  const r = await api.inject({ method: 'GET', url });
  return { status: r.statusCode, type: String(r.headers['content-type'] ?? ''), body: r.body, location: r.headers.location as string | undefined };
}

describe('GET /v2/openapi.json', () => {
  it('is generated from the TypeBox schemas: the join body is the JoinRequest declaration itself', async () => {
    const doc = JSON.parse((await get('/v2/openapi.json')).body) as Json;
    expect(doc.openapi).toBe('3.1.0');
    const join = doc.paths['/v2/accounts/{A}/conferences/{C}/participants'].post;
    const data = join.requestBody.content['application/json'].schema.properties.data;
    expect(Object.keys(data.properties).sort()).toEqual(Object.keys(JoinRequest.properties).sort());
    expect(data.properties.sdp).toMatchObject({ type: 'string', maxLength: 65536 });
    expect(join.security).toEqual([{ authToken: [] }]);
    expect(join.parameters.map((p: Json) => p.name).sort()).toEqual(['A', 'C']);
  });

  it("shows an action route's body as the command table's rows, each with its data schema", async () => {
    const doc = JSON.parse((await get('/v2/openapi.json')).body) as Json;
    const body = doc.paths['/v2/accounts/{A}/conferences/{C}/participants/{P}'].put.requestBody.content['application/json'].schema;
    const rows = (body.anyOf ?? body.oneOf) as Json[];
    const byName = Object.fromEntries(rows.map((r) => [r.properties.action.const ?? r.properties.action.enum[0], r]));
    expect(Object.keys(byName)).toEqual(expect.arrayContaining(['mute', 'unmute', 'deaf', 'undeaf', 'hold', 'unhold', 'kick', 'coach', 'volume_in', 'answer']));
    expect(byName.volume_in.properties.data.properties.gain_db).toMatchObject({ type: 'integer', minimum: -12, maximum: 12 });
    expect(byName.answer.properties.data.required).toEqual(['sdp']);
  });
});

describe('GET /v2/docs', () => {
  it('serves the Swagger UI from local files only, pointed at this API', async () => {
    let page = await get('/v2/docs');
    for (let hops = 0; page.location && hops < 3; hops++) page = await get(new URL(page.location, 'http://x/v2/docs/').pathname);
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/text\/html/);
    const refs = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(2);
    // No CDN: every script and stylesheet is a path on this server, and it is there.
    for (const ref of refs) {
      expect(ref, ref).not.toMatch(/^(https?:)?\/\//);
      const asset = await get(new URL(ref, 'http://x/v2/docs/static/').pathname);
      expect(asset.status, ref).toBe(200);
      expect(asset.body.length, ref).toBeGreaterThan(0);
    }
    const init = await get('/v2/docs/static/swagger-initializer.js');
    expect(init.status).toBe(200);
    // The document it shows is this server's, by a relative path; no code comes from a CDN.
    expect(init.body).toMatch(/resolveUrl\('\.\/json'\)/);
    expect(init.body).not.toMatch(/unpkg|jsdelivr|cdnjs|googleapis/);
  });
});
