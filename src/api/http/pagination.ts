// Kazoo's paginated listings: `paginate=false` for everything, else `page_size` items from the
// one whose id is `start_key`; the envelope says `page_size` and, when there is more,
// `next_start_key`. One reading of the query for every listing.
import { InvalidArgumentError } from '../../errors.js';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;

export interface Page {
  pageSize: number;
  startKey: string | undefined;
}

/** Kazoo's listing parameters: `paginate=false` lists everything; else `page_size` (1-100, default 50) from `start_key`. */
export function pageOf(query: URLSearchParams): Page | null {
  if (query.get('paginate') === 'false') return null;
  const raw = query.get('page_size');
  const pageSize = raw === null ? DEFAULT_PAGE_SIZE : Number(raw);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) throw new InvalidArgumentError('page_size', `must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  const startKey = query.get('start_key') ?? undefined;
  if (startKey !== undefined && (startKey.length === 0 || startKey.length > 128)) throw new InvalidArgumentError('start_key', 'must be the id of a listed item');
  return { pageSize, startKey };
}

/** The envelope fields of one page. */
export function pageEnvelope(page: Page, returned: number, nextStartKey: string | undefined): Record<string, unknown> {
  return { page_size: returned, ...(page.startKey && { start_key: page.startKey }), ...(nextStartKey && { next_start_key: nextStartKey }) };
}
