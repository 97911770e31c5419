// The messages between the Engine (control side) and a MediaHost (inline or on a media
// worker), declared once. Each command names its arguments and its result; the host's
// handler table and the client's request() are both typed from this map.
import type { SharedEncodingStats } from '../media/SharedEncodings.js';
import type { ConferenceEvent, LeaveReason, ParticipantState } from '../conference/ConferenceEvent.js';
import type { ConferenceOptions } from '../conference/ConferenceOptions.js';
import type { ParticipantPatch } from '../conference/ParticipantOptions.js';
import type { SchedulerStats } from '../clock/Scheduler.js';
import type { LatenessSnapshot } from '../clock/LatenessHistogram.js';
import type { SerializedError } from '../errors.js';
import type { Relation } from '../mixing/Relations.js';
import type { PortSpec, SourceSpec } from './specs.js';
import type { TransportStats } from '../transports/TransportStats.js';
import type { UdpReceiverStats } from '../transports/UdpReceiver.js';
import type { HostMetrics } from './MediaMetrics.js';

interface ConferenceRef {
  conferenceId: string;
}
interface ParticipantRef extends ConferenceRef {
  participantId: number;
}

export interface ConferenceStats {
  conferenceId: string;
  participants: number;
  ticks: number;
  skipped: number;
  repeated: number;
  lastTickMs: number;
  maxTickMs: number;
  meanTickMs: number;
  maxLateMs: number;
  /** The last ticks, oldest first. */
  recent: { frameIndex: number; lateMs: number }[];
  /** Shared-mix packets encoded, and listeners served from them. */
  sharedEncoding: SharedEncodingStats;
}

export interface HostStats {
  conferences: number;
  participants: number;
  /** latenessSince: every tick's lateness since the thread started, in buckets (the load benchmark's window). */
  scheduler: SchedulerStats & { latenessSince: LatenessSnapshot };
  /** The tick-time socket reader: drains, datagrams read, read errors, handler exceptions. */
  receiver: UdpReceiverStats;
}

export interface HostCommands {
  createConference: { args: ConferenceRef & { options: ConferenceOptions }; result: null };
  closeConference: { args: ConferenceRef & { reason: string }; result: null };
  /** `sdp` is our answer (an offer came in), our offer (none did), or null for non-RTP ports. */
  addParticipant: {
    args: ParticipantRef & { port: PortSpec; controls: ParticipantPatch };
    result: { state: ParticipantState; sdp: string | null };
  };
  /** Completes our offer (dial-out) with the remote's answer. */
  answerParticipant: { args: ParticipantRef & { sdp: string }; result: null };
  /** A re-offer (re-INVITE): returns our answer; sendonly/inactive put the participant on hold. */
  reofferParticipant: { args: ParticipantRef & { sdp: string }; result: { sdp: string; state: ParticipantState } };
  participantStats: { args: ParticipantRef; result: { transport: TransportStats | null } };
  removeParticipant: { args: ParticipantRef & { reason: LeaveReason }; result: null };
  updateParticipant: { args: ParticipantRef & { patch: ParticipantPatch }; result: ParticipantState };
  relate: { args: ParticipantRef & { otherId: number; relation: Relation }; result: null };
  coach: { args: ParticipantRef & { coachee: number | null }; result: null };
  setInjection: { args: ConferenceRef & { participantId: number | null; source: SourceSpec | null }; result: null };
  participants: { args: ConferenceRef; result: ParticipantState[] };
  conferenceStats: { args: ConferenceRef; result: ConferenceStats };
  hostStats: { args: Record<string, never>; result: HostStats };
  metrics: { args: Record<string, never>; result: HostMetrics };
  /** Blocks the media thread for `ms`: a diagnostic for the clock's stall policy. */
  stall: { args: { ms: number }; result: null };
  shutdown: { args: Record<string, never>; result: null };
}

export type CommandName = keyof HostCommands;
export type CommandArgs<K extends CommandName> = HostCommands[K]['args'];
export type CommandResult<K extends CommandName> = HostCommands[K]['result'];

export interface RequestMessage<K extends CommandName = CommandName> {
  type: 'request';
  id: number;
  command: K;
  args: CommandArgs<K>;
}

export type ReplyMessage =
  | { type: 'reply'; id: number; ok: true; result: unknown }
  | { type: 'reply'; id: number; ok: false; error: SerializedError };

export interface EventMessage {
  type: 'event';
  conferenceId: string;
  event: ConferenceEvent;
}

export type HostMessage = ReplyMessage | EventMessage;

/** A duplex link to one MediaHost. */
export interface HostChannel {
  send(message: RequestMessage): void;
  onMessage(handler: (message: HostMessage) => void): void;
  /** Called if the host dies (a worker crash); inline hosts never call it. */
  onFailure(handler: (error: Error) => void): void;
  terminate(): Promise<void>;
}
