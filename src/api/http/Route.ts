import type { Schema } from '../schema/Schema.js';
import type { App } from '../App.js';

export type Method = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

export interface RequestContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  requestId: string;
  /** The account of the X-Auth-Token, for routes that need one. */
  actorId: string;
  authToken: string | undefined;
  /** The request's Content-Type (raw-body routes). */
  contentType: string | undefined;
  /** The peer's address (per-source limits). */
  remoteAddress: string;
}

export interface ApiResponse {
  status?: number;
  data: unknown;
  /** Extra top-level envelope fields (api_auth returns auth_token there). */
  envelope?: Record<string, unknown>;
  /** A non-JSON body (Prometheus text). */
  raw?: { contentType: string; body: string | Buffer };
}

/** One row of the HTTP API; the OpenAPI document is generated from the same rows. */
export interface Route {
  method: Method;
  path: string;
  summary: string;
  auth: boolean;
  body?: Schema;
  /** The body is bytes (an upload), read up to `limit`, instead of JSON. */
  rawBody?: { limit: number; contentTypes: readonly string[] };
  response?: Schema;
  handle(ctx: RequestContext, app: App): Promise<ApiResponse>;
}
