import { rejectionSchema, type RouteDocs } from '../core/swagger';

/** The 202 `DOUBLE_KILLED` answer of a `@DoubleKill` method, on the route that runs it. */
export function doubleKillDocs(async: boolean): RouteDocs {
  return {
    responses: [
      {
        status: 202,
        description: async
          ? 'Started in the background (or already running): poll the progress key'
          : 'The same call is already running',
        schema: rejectionSchema(202, 'DOUBLE_KILLED', 'Request Too Busy, Take A Coffee', {
          key: { type: 'string', description: 'Progress key of the running call' },
          elapsed: { type: 'integer', description: 'Whole seconds the running call has run' },
        }),
      },
    ],
  };
}
