// Per-account quotas on what an account stores through the API: how many conference documents
// and how large each may be. (Media quotas live with the media store, live participants with the
// conference service, RTP ports with the port pool.) A refusal names the quota, with its limit.
import { QuotaError } from '../errors.js';
import type { Store } from '../store/Store.js';

export interface DocumentQuotas {
  /** Conference documents per account (quota `conferences`, 429). */
  conferences: number;
  /** Bytes of one conference document as stored, unknown fields included (quota `document_size`, 413). */
  documentBytes: number;
}

export function checkDocumentSize(doc: Record<string, unknown>, quotas: DocumentQuotas): void {
  const bytes = Buffer.byteLength(JSON.stringify(doc));
  if (bytes > quotas.documentBytes) {
    throw new QuotaError('document_size', quotas.documentBytes, `the conference document is ${bytes} bytes, over its quota`, 'payload_too_large');
  }
}

export function checkConferenceCount(store: Store, accountId: string, quotas: DocumentQuotas): void {
  const held = store.countConferences(accountId);
  if (held >= quotas.conferences) {
    throw new QuotaError('conferences', quotas.conferences, `the account holds ${held} conferences, its quota`, 'rate_limited');
  }
}
