import { preset, PresetException } from '../core/rejection';
import type { RejectionBody } from '../core/protection.exception';

/** A client read more rows from a budgeted route than its `@PageDefault` budget allows. */
export const SCRAPING_BUDGET = preset(
  429,
  'SCRAPING_BUDGET',
  'Too many rows read from this route; retry later',
);

/** A page beyond the route's `maxOffset` (the message names the page, size and limit). */
export const PAGE_TOO_DEEP = preset(
  400,
  'PAGE_TOO_DEEP',
  'page 101 of size 10 reaches row 1010, beyond maxOffset 1000',
);

/** 429 `SCRAPING_BUDGET`, with `Retry-After` in whole seconds (never before the rows fit). */
export class ScrapingBudgetException extends PresetException {
  constructor(
    retryAfterSeconds: number,
    body?: RejectionBody | Record<string, unknown>,
    status?: number,
  ) {
    super(SCRAPING_BUDGET, body, status, { 'Retry-After': String(retryAfterSeconds) });
  }
}
