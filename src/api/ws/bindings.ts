// Kazoo's websocket bindings for conference events: `conference.event.{conference_id}.{call_id}`,
// where either id may be `*`. Only this one family is served, so a binding is parsed into its two
// ids once, at subscribe time, and matching an event is two string comparisons, not an AMQP
// topic match per subscriber.

export const WILDCARD = '*';

/** A parsed subscription binding; `conferenceId`/`callId` are routing-key segments or `*`. */
export interface ConferenceBinding {
  /** The binding exactly as subscribed; echoed back as `subscribed_key`. */
  readonly key: string;
  readonly conferenceId: string;
  readonly callId: string;
}

const PREFIX = 'conference.event.';
// A segment is an id as it appears in a routing key (see encodeId). Bounded so that a remote
// party cannot park large strings in the subscription index.
const MAX_SEGMENT_LENGTH = 256;
const SEGMENT = /^[A-Za-z0-9_\-@:+=~%]+$/;
// The characters that pass through encodeId unchanged: everything else is percent-encoded, so a
// routing key always splits into exactly four segments.
const UNSAFE = /[^A-Za-z0-9_\-@:+=~]/g;
const ALL_SAFE = /^[A-Za-z0-9_\-@:+=~]*$/;

/**
 * Parses `conference.event.{C|*}.{call_id|*}`; undefined when the text is not such a binding.
 * Segments must be non-empty routing-key ids or exactly `*` (no partial wildcards, no `#`).
 */
export function parseBinding(text: unknown): ConferenceBinding | undefined {
  if (typeof text !== 'string' || !text.startsWith(PREFIX)) return undefined;
  if (text.length > PREFIX.length + 2 * MAX_SEGMENT_LENGTH + 1) return undefined;
  const rest = text.slice(PREFIX.length).split('.');
  if (rest.length !== 2) return undefined;
  const [conferenceId, callId] = rest as [string, string];
  if (!isSegment(conferenceId) || !isSegment(callId)) return undefined;
  return { key: text, conferenceId, callId };
}

function isSegment(s: string): boolean {
  return s === WILDCARD || (s.length <= MAX_SEGMENT_LENGTH && SEGMENT.test(s));
}

/** Does the binding select events of this conference and call (both already encoded)? */
export function bindingMatches(b: ConferenceBinding, conferenceKey: string, callKey: string): boolean {
  return (b.conferenceId === WILDCARD || b.conferenceId === conferenceKey) && (b.callId === WILDCARD || b.callId === callKey);
}

/**
 * An id made safe for a routing-key segment. Kazoo's amqp_util:encode escapes '.' as %2E; SIP
 * call ids also carry '.', '*', '/' and worse, so every character outside a small safe set is
 * percent-encoded (UTF-8 bytes), '%' included, which keeps the encoding one-to-one. Conference
 * ids (hex) and numeric call ids come through unchanged.
 */
export function encodeId(id: string): string {
  if (ALL_SAFE.test(id)) return id; // the common case allocates nothing
  return id.replace(UNSAFE, (c) => {
    let out = '';
    for (const byte of Buffer.from(c, 'utf8')) out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
    return out;
  });
}

/** `conference.event.{C}.{call_id}` for an event, with both ids encoded. */
export function routingKey(conferenceKey: string, callKey: string): string {
  return PREFIX + conferenceKey + '.' + callKey;
}
