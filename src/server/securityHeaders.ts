// Headers on every API response, as helmet sets them, tightened for an API that serves JSON and
// no pages: nothing may frame, embed or sniff it, and browsers send it no referrer.
import type { ServerResponse } from 'node:http';

const ALWAYS: readonly [string, string][] = [
  ['content-security-policy', "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"],
  ['cross-origin-opener-policy', 'same-origin'],
  ['cross-origin-resource-policy', 'same-origin'],
  ['origin-agent-cluster', '?1'],
  ['referrer-policy', 'no-referrer'],
  ['x-content-type-options', 'nosniff'],
  ['x-dns-prefetch-control', 'off'],
  ['x-download-options', 'noopen'],
  ['x-frame-options', 'DENY'],
  ['x-permitted-cross-domain-policies', 'none'],
  ['x-xss-protection', '0'],
];

/** Sets the security headers; HSTS only over TLS (over plain HTTP a browser ignores it anyway). */
export function setSecurityHeaders(res: ServerResponse, tls: boolean): void {
  for (const [name, value] of ALWAYS) res.setHeader(name, value);
  if (tls) res.setHeader('strict-transport-security', 'max-age=15552000; includeSubDomains');
}
