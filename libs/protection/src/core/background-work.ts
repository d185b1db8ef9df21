import { Injectable } from '@nestjs/common';

/**
 * Work the library runs after the request that started it has been answered (`@DoubleKill`
 * async jobs): counted here so it has a bound and shows in the overload stats, where the
 * in-flight count cannot see it.
 */
@Injectable()
export class BackgroundWork {
  running = 0;
}
