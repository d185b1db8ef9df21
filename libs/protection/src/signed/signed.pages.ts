import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import { AppScan } from '../core/app-scan';
import { LIBRARY } from '../core/async-context';
import { sendRaw } from '../core/http.adapter';
import type { ProtectionRequest, ProtectionResponse } from '../core/http.types';
import { ServerHooks } from '../core/server-hooks';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { PROTECTION_OPTIONS } from '../protection.constants';
import { SIGN_SCRIPT_VERSION, signScriptSource } from './http-signature';
import { tapRawBody } from './raw-body.tap';
import { SignedMetadata, SignPageMetadata } from './signed.metadata';

const SCRIPT = Buffer.from(signScriptSource, 'utf8');

/**
 * The server side of signing: keeps a copy of signed request bodies for their digest (only in
 * apps with `@Signed` routes, only for requests that carry a signature) and serves the page
 * script (only in apps with `@SignPage` routes).
 */
@Injectable()
export class SignedPages implements OnModuleInit {
  static readonly [LIBRARY] = true;

  constructor(
    hooks: ServerHooks,
    private readonly scan: AppScan,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions,
  ) {
    const settings = options.signed;
    if (!settings) return;
    const max = settings.maxBodyBytes;
    hooks.onNodeRequest(
      (req: IncomingMessage) => {
        if (req.headers['signature-input'] !== undefined) tapRawBody(req, max);
      },
      { when: () => this.uses(SignedMetadata.KEY) },
    );
  }

  /** The `<script>` element a `@SignPage()` page includes to sign its API calls. */
  scriptTag(): string {
    const settings = this.options.signed;
    if (!settings) throw new Error('Signed requests are switched off (signed: false).');
    return `<script src="${this.scriptUrl()}" data-cookie="${settings.cookie}"></script>`;
  }

  /** The versioned URL of the signing script (cached for a year by browsers). */
  scriptUrl(): string {
    return `${this.options.signed?.scriptPath ?? '/protection/sign.js'}?v=${SIGN_SCRIPT_VERSION}`;
  }

  onModuleInit(): void {
    const settings = this.options.signed;
    const adapter = this.adapterHost.httpAdapter;
    if (!settings || !adapter || !this.uses(SignPageMetadata.KEY)) return;
    adapter.get(settings.scriptPath, (req: ProtectionRequest, res: ProtectionResponse) => {
      const versioned = (req.url ?? '').endsWith(`?v=${SIGN_SCRIPT_VERSION}`);
      const etag = `"${SIGN_SCRIPT_VERSION}"`;
      const fresh = req.headers['if-none-match'] === etag;
      sendRaw(
        res,
        fresh ? 304 : 200,
        {
          'content-type': 'text/javascript; charset=utf-8',
          'cache-control': versioned ? 'public, max-age=31536000, immutable' : 'no-cache',
          etag,
          'x-content-type-options': 'nosniff',
        },
        fresh ? Buffer.alloc(0) : SCRIPT,
      );
    });
  }

  private uses(key: string): boolean {
    return this.scan
      .methods()
      .some(
        (m) =>
          m.controller &&
          typeof m.fn === 'function' &&
          Reflect.getMetadata(key, m.fn) !== undefined,
      );
  }
}
