import type { RouteDocs } from '../core/swagger';
import { FORGERY } from './righter.exception';

const HEADER = 'Right-Editor';

/** Swagger for the edit route: the token header on its success response, whatever its status. */
export function righterEditDocs(): RouteDocs {
  return {
    successHeaders: {
      [HEADER]: {
        description: `Anti-forgery token (opaque, sealed): send it back in the \`${HEADER}\` header of the commit`,
        type: 'string',
      },
    },
  };
}

/** Swagger for the commit route: the required header and the 409. */
export function righterCommitDocs(): RouteDocs {
  return {
    requestHeaders: [
      { name: HEADER, description: 'The token the edit route returned', required: true },
    ],
    responses: [
      {
        status: FORGERY.status,
        description: 'Missing, malformed, tampered, expired, replayed or foreign token',
        schema: FORGERY.schema(),
      },
    ],
  };
}
