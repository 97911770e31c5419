// The digit a SIP INFO carries: `application/dtmf-relay` (Signal=5, Duration=160, as Cisco and
// most PBXs send it) or `application/dtmf` (the digit alone).
const DIGIT = /^[0-9*#A-Da-d]$/;
const MAX_MS = 10_000;

export interface InfoDigit {
  digit: string;
  durationMs: number;
}

/** The digit in an INFO body, undefined when the body is no DTMF of these two kinds. */
export function dtmfOfInfo(contentType: string | undefined, body: string | undefined): InfoDigit | undefined {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const text = (body ?? '').slice(0, 512);
  if (type === 'application/dtmf') {
    const digit = text.trim();
    return DIGIT.test(digit) ? { digit: digit.toUpperCase(), durationMs: 160 } : undefined;
  }
  if (type !== 'application/dtmf-relay') return undefined;
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf('=');
    if (at > 0) fields.set(line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim());
  }
  const signal = fields.get('signal') ?? '';
  if (!DIGIT.test(signal)) return undefined;
  const duration = Number(fields.get('duration'));
  return { digit: signal.toUpperCase(), durationMs: Number.isFinite(duration) && duration > 0 ? Math.min(duration, MAX_MS) : 160 };
}
