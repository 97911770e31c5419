// The fields of Kazoo's conference event that are about where it comes from, not about the
// participant (seed 001's example): which media server hosts the conference (`focus`), which
// node sent the event, a message id, and the event's name, category and application.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** Seconds from 0000-01-01 (Erlang's Gregorian calendar, Kazoo's timestamps) to 1970-01-01. */
export const GREGORIAN_OFFSET_SECONDS = 62_167_219_200;

/** Kazoo's time for a Unix time in ms: whole Gregorian seconds. */
export const gregorianSeconds = (unixMs: number): number => Math.floor(unixMs / 1000) + GREGORIAN_OFFSET_SECONDS;

export const APP_NAME = 'roomtone';
export const APP_VERSION = '0.1.0';

/** This server as Kazoo names a media server and a node: `app@host`. */
export const SWITCH_HOSTNAME = hostname();
export const FOCUS = `${APP_NAME}@${SWITCH_HOSTNAME}`;

/** The event's own fields: one message id per event, the rest fixed for this server. */
export function eventEnvelope(): Record<string, unknown> {
  return {
    focus: FOCUS,
    node: FOCUS,
    msg_id: randomBytes(8).toString('hex'),
    event_name: 'participant_event',
    event_category: 'conference',
    app_name: APP_NAME,
    app_version: APP_VERSION,
    routing_key: 'participant_event',
  };
}
