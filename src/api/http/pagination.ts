// Kazoo's paginated listings: `paginate=false` for everything, else `page_size` items from the
// one whose id is `start_key`; the envelope says `page_size` and, when there is more,
// `next_start_key`. One reading of the query for every listing.
import Type, { type Static } from 'typebox';
import { InvalidArgumentError } from '../../errors.js';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;

/** The listing's query string, declared once for validation and the API document. */
export const PageQuery = Type.Object({
  paginate: Type.Optional(Type.Enum(['true', 'false'], { description: 'false lists everything in one answer' })),
  page_size: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: `Items per page, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})` })),
  start_key: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'The next_start_key of the previous page' })),
});

export interface Page {
  pageSize: number;
  startKey: string | undefined;
}

/** The page a listing asks for, or null for everything. */
export function pageOf(query: Static<typeof PageQuery>): Page | null {
  if (query.paginate === 'false') return null;
  const pageSize = query.page_size === undefined ? DEFAULT_PAGE_SIZE : Number(query.page_size);
  if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) throw new InvalidArgumentError('page_size', `must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  return { pageSize, startKey: query.start_key };
}

/** The envelope fields of one page. */
export function pageEnvelope(page: Page, returned: number, nextStartKey: string | undefined): Record<string, unknown> {
  return { page_size: returned, ...(page.startKey && { start_key: page.startKey }), ...(nextStartKey && { next_start_key: nextStartKey }) };
}
