// A classic libpcap capture of an RTP stream, written at test time, for SIPp's
// <exec play_pcap_audio="…"/>: G.711 µ-law (payload type 0), 20 ms (160 samples) per packet,
// each packet an Ethernet + IPv4 + UDP frame (linktype 1, DLT_EN10MB) stamped 20 ms after the
// previous one. SIPp takes the UDP header and payload of each frame, puts its own ports and
// addresses on it (the call's [media_port] and the address in the peer's SDP answer) and sends
// it after the capture's own gaps; the rest of the frame only has to be well formed.
// The µ-law encoder is the textbook one (ITU-T G.711), independent of the server's codecs.
import { writeFileSync } from 'node:fs';

export interface PcapOptions {
  /** Seconds of audio (default 8). */
  seconds?: number;
  /** Tone frequency in Hz (default 440). */
  frequency?: number;
  /** Peak amplitude, 0..1 of full scale (default 0.3, about -10 dBFS). */
  amplitude?: number;
  ssrc?: number;
  /** Addresses and ports written in the frames; SIPp replaces the ports and addresses when it plays them. */
  srcPort?: number;
  dstPort?: number;
}

export const PCMU_PAYLOAD_TYPE = 0;
export const PACKET_MS = 20;
const SAMPLE_RATE = 8000;
const SAMPLES_PER_PACKET = (SAMPLE_RATE * PACKET_MS) / 1000; // 160
const RTP_HEADER = 12;
const UDP_HEADER = 8;
const IPV4_HEADER = 20;
const ETHERNET_HEADER = 14;

/** One linear 16-bit sample as G.711 µ-law (bias 0x84, clip 32635, bits inverted). */
export function linearToUlaw(sample: number): number {
  const BIAS = 0x84;
  const CLIP = 32635;
  let s = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > CLIP) s = CLIP;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** The RTP packets of the tone: PCMU, marker on the first, sequence +1 and timestamp +160 per packet. */
export function toneRtpPackets(o: PcapOptions = {}): Buffer[] {
  const seconds = o.seconds ?? 8;
  const frequency = o.frequency ?? 440;
  const amplitude = (o.amplitude ?? 0.3) * 32767;
  const ssrc = o.ssrc ?? 0x5eed0001;
  const count = Math.round((seconds * 1000) / PACKET_MS);
  const packets: Buffer[] = [];
  for (let p = 0; p < count; p++) {
    const packet = Buffer.alloc(RTP_HEADER + SAMPLES_PER_PACKET);
    packet[0] = 0x80; // V=2, no padding, no extension, no CSRC
    packet[1] = (p === 0 ? 0x80 : 0) | PCMU_PAYLOAD_TYPE;
    packet.writeUInt16BE((1000 + p) & 0xffff, 2);
    packet.writeUInt32BE((p * SAMPLES_PER_PACKET) >>> 0, 4);
    packet.writeUInt32BE(ssrc >>> 0, 8);
    for (let i = 0; i < SAMPLES_PER_PACKET; i++) {
      const n = p * SAMPLES_PER_PACKET + i;
      packet[RTP_HEADER + i] = linearToUlaw(amplitude * Math.sin((2 * Math.PI * frequency * n) / SAMPLE_RATE));
    }
    packets.push(packet);
  }
  return packets;
}

/** The Internet checksum (RFC 1071) of `data`, starting from `sum`. */
function checksum(data: Buffer, sum = 0): number {
  for (let i = 0; i + 1 < data.length; i += 2) sum += data.readUInt16BE(i);
  if (data.length % 2 === 1) sum += data[data.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** One Ethernet + IPv4 + UDP frame around `payload`, from 127.0.0.1:src to 127.0.0.1:dst. */
function udpFrame(payload: Buffer, srcPort: number, dstPort: number, id: number): Buffer {
  const frame = Buffer.alloc(ETHERNET_HEADER + IPV4_HEADER + UDP_HEADER + payload.length);
  // Ethernet: locally administered MACs, ethertype IPv4.
  Buffer.from([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01]).copy(frame, 0);
  frame.writeUInt16BE(0x0800, 12);
  const ip = frame.subarray(ETHERNET_HEADER, ETHERNET_HEADER + IPV4_HEADER);
  ip[0] = 0x45; // IPv4, 5 words of header
  ip.writeUInt16BE(IPV4_HEADER + UDP_HEADER + payload.length, 2);
  ip.writeUInt16BE(id & 0xffff, 4);
  ip.writeUInt16BE(0x4000, 6); // don't fragment
  ip[8] = 64; // TTL
  ip[9] = 17; // UDP
  Buffer.from([127, 0, 0, 1]).copy(ip, 12);
  Buffer.from([127, 0, 0, 1]).copy(ip, 16);
  ip.writeUInt16BE(checksum(ip), 10);
  const udp = frame.subarray(ETHERNET_HEADER + IPV4_HEADER);
  udp.writeUInt16BE(srcPort, 0);
  udp.writeUInt16BE(dstPort, 2);
  udp.writeUInt16BE(UDP_HEADER + payload.length, 4);
  payload.copy(udp, UDP_HEADER);
  // UDP checksum over the pseudo-header (addresses, protocol, length) and the datagram.
  const pseudo = Buffer.alloc(12);
  ip.copy(pseudo, 0, 12, 20);
  pseudo[9] = 17;
  pseudo.writeUInt16BE(udp.length, 10);
  const partial = ~checksum(pseudo) & 0xffff;
  udp.writeUInt16BE(checksum(udp, partial) || 0xffff, 6);
  return frame;
}

/** A whole pcap file (microsecond timestamps, little-endian) of `packets`, one every 20 ms. */
export function pcapFile(packets: Buffer[], srcPort = 6000, dstPort = 6002): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0); // magic: microsecond timestamps
  header.writeUInt16LE(2, 4); // version 2.4
  header.writeUInt16LE(4, 6);
  header.writeInt32LE(0, 8); // thiszone
  header.writeUInt32LE(0, 12); // sigfigs
  header.writeUInt32LE(65535, 16); // snaplen
  header.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  const parts: Buffer[] = [header];
  const start = 1_700_000_000 * 1_000_000; // any fixed time: only the gaps matter
  packets.forEach((payload, i) => {
    const frame = udpFrame(payload, srcPort, dstPort, i);
    const at = start + i * PACKET_MS * 1000;
    const record = Buffer.alloc(16);
    record.writeUInt32LE(Math.floor(at / 1_000_000), 0);
    record.writeUInt32LE(at % 1_000_000, 4);
    record.writeUInt32LE(frame.length, 8); // captured length
    record.writeUInt32LE(frame.length, 12); // original length: whole frames (SIPp refuses truncated ones)
    parts.push(record, frame);
  });
  return Buffer.concat(parts);
}

/** Writes a tone's RTP capture to `path`; returns the number of packets. */
export function writeTonePcap(path: string, o: PcapOptions = {}): number {
  const packets = toneRtpPackets(o);
  writeFileSync(path, pcapFile(packets, o.srcPort, o.dstPort));
  return packets.length;
}
