import { Inject, Injectable } from '@nestjs/common';
import { setResponseHeader } from '../core/http.adapter';
import { requestIdOf } from '../core/request-context';
import { ServerHooks } from '../core/server-hooks';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { PROTECTION_OPTIONS } from '../protection.constants';

/**
 * Echoes the request id (terminal info on) on every answer: routes, 404s, errors and the
 * overload refusals made ahead of the framework. On Fastify it goes into the reply's own
 * headers, which Node writes as they are; a raw setHeader would send every header of the
 * response through Node's slower merge in writeHead.
 */
@Injectable()
export class RequestIdEcho {
  constructor(hooks: ServerHooks, @Inject(PROTECTION_OPTIONS) options: ResolvedProtectionOptions) {
    const name = options.terminal?.requestIdHeader;
    const trust = options.identity.trust;
    if (name)
      hooks.onRequest((req, res) => setResponseHeader(res, name, requestIdOf(req, name, trust)));
  }
}
