import type { RouteDocs } from '../core/swagger';
import { DOUBLE_KILLED } from './double-kill.exception';

/** The 202 `DOUBLE_KILLED` answer of a `@DoubleKill` method, on the route that runs it. */
export function doubleKillDocs(async: boolean): RouteDocs {
  return {
    responses: [
      {
        status: DOUBLE_KILLED.status,
        description: async
          ? 'Started in the background (or already running): poll the progress key'
          : 'The same call is already running',
        schema: DOUBLE_KILLED.schema(),
      },
    ],
  };
}
