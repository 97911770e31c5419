/** Where conference events go (the websocket hub, status callbacks, logs). */
export interface ConferenceEventOut {
  accountId: string;
  conferenceId: string;
  /** The participant's call id, or "conference" for conference-wide events. */
  callId: string;
  name: string;
  data: Record<string, unknown>;
  /** The conference's document, for consumers that act on its settings (status callbacks). */
  doc?: Record<string, unknown>;
}

export type EventSink = (event: ConferenceEventOut) => void;
