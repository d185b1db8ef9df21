import type { RouteDocs } from '../core/swagger';
import { CAPTCHA_IMAGE_LIMIT, CAPTCHA_REQUIRED } from './first-blood.exception';

/** What `@FirstBlood` adds to the route's OpenAPI operation (default names). */
export function firstBloodDocs(): RouteDocs {
  return {
    responses: [
      {
        status: CAPTCHA_REQUIRED.status,
        description:
          'CAPTCHA required: fetch an image with `quest-captcha-image`, then send the code with `check-captcha-image`',
        schema: CAPTCHA_REQUIRED.schema(),
        headers: {
          'Client-Ticket': {
            description: 'Server-issued ticket; send it back as a header or cookie',
            type: 'string',
          },
        },
      },
      {
        status: CAPTCHA_IMAGE_LIMIT.status,
        description:
          'Too many CAPTCHA images for this ticket in a minute, or too many guesses or images from this client address on this route in an hour',
        schema: CAPTCHA_IMAGE_LIMIT.schema(),
        headers: {
          'Retry-After': {
            description: 'Seconds until images can be fetched again',
            type: 'integer',
          },
        },
      },
    ],
    requestHeaders: [
      {
        name: 'Client-Ticket',
        description: 'The ticket from a 406 (or its cookie)',
        required: false,
      },
    ],
    queries: [
      {
        name: 'quest-captcha-image',
        description:
          'Asks for a CAPTCHA image (the handler does not run); equal to the live code: 200 empty (pre-check)',
        required: false,
        type: 'string',
      },
      {
        name: 'check-captcha-image',
        description:
          'The code read from the image; right: the request runs and the code is used up',
        required: false,
        type: 'string',
      },
    ],
  };
}
