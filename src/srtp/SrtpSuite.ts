/** SRTP protection suites roomtone negotiates by SDES (RFC 4568, RFC 7714). */
export type SrtpSuite = 'AES_CM_128_HMAC_SHA1_80' | 'AES_CM_128_HMAC_SHA1_32' | 'AEAD_AES_128_GCM';

export interface SrtpSuiteInfo {
  keyLength: number;
  saltLength: number;
  /** RTP authentication tag length in bytes (GCM: the AEAD tag). */
  rtpTagLength: number;
  /** SRTCP tag length (always 10 for the AES-CM suites, RFC 3711 §5.2). */
  rtcpTagLength: number;
  aead: boolean;
}

export const SRTP_SUITES: Record<SrtpSuite, SrtpSuiteInfo> = {
  AES_CM_128_HMAC_SHA1_80: { keyLength: 16, saltLength: 14, rtpTagLength: 10, rtcpTagLength: 10, aead: false },
  AES_CM_128_HMAC_SHA1_32: { keyLength: 16, saltLength: 14, rtpTagLength: 4, rtcpTagLength: 10, aead: false },
  AEAD_AES_128_GCM: { keyLength: 16, saltLength: 12, rtpTagLength: 16, rtcpTagLength: 16, aead: true },
};

/** Our preference when offering, strongest first. */
export const SUPPORTED_SRTP_SUITES: readonly SrtpSuite[] = ['AEAD_AES_128_GCM', 'AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'];

/** A master key and salt for one direction, as carried in an a=crypto line. */
export interface SdesKey {
  tag: number;
  suite: SrtpSuite;
  key: Buffer;
  salt: Buffer;
}
