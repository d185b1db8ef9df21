/*
 * A small protection written the way every protection of the library is: its folder (options,
 * rejection, docs, guard, decorator, index) plus one registry entry, one option line and one
 * export. The change-surface test adds exactly these to a copy of the library and builds it.
 */

/** The feature folder `greeting/`: file name -> content. */
export const GREETING_FOLDER: Readonly<Record<string, string>> = {
  'greeting.options.ts': `
import type { OptionReader } from '../core/option-reader';
import { sectionResolver } from '../core/option-resolvers';

/** Module-level \`greeting\` options. */
export interface GreetingModuleOptions {
  /** The word a request must bring in its \`X-Greeting\` header. @default 'hello' */
  word?: string;
}

export interface ResolvedGreetingOptions {
  readonly word: string;
}

export const resolveGreetingOptions = sectionResolver(
  'greeting',
  ['word'] as const,
  (r: OptionReader, v): ResolvedGreetingOptions => Object.freeze({ word: r.name('greeting.word', v.word, 'hello') }),
);
`,
  'greeting.exception.ts': `
import { preset, presetException } from '../core/rejection';

export const GREETING_REQUIRED = preset(428, 'GREETING_REQUIRED', 'Say the word first');

export class GreetingRequiredException extends presetException(GREETING_REQUIRED) {}
`,
  'greeting.docs.ts': `
import type { RouteDocs } from '../core/swagger';
import { GREETING_REQUIRED } from './greeting.exception';

export const greetingDocs = (): RouteDocs => ({
  responses: [{ status: GREETING_REQUIRED.status, description: 'No greeting', schema: GREETING_REQUIRED.schema() }],
  requestHeaders: [{ name: 'X-Greeting', description: 'The configured word', required: true }],
});
`,
  'greeting.metadata.ts': `
import { Reflector, type ReflectableDecorator } from '@nestjs/core';

export const GreetingMetadata: ReflectableDecorator<true> = Reflector.createDecorator<true>();
`,
  'greeting.guard.ts': `
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { guardedCall, HandlerMetadataCache } from '../core/handler-metadata';
import { requestHeader } from '../core/http.adapter';
import { rejectWith } from '../core/rejection';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { PROTECTION_OPTIONS } from '../protection.constants';
import { GREETING_REQUIRED, GreetingRequiredException } from './greeting.exception';
import { GreetingMetadata } from './greeting.metadata';

@Injectable()
export class GreetingGuard implements CanActivate {
  private readonly routes: HandlerMetadataCache<true>;

  constructor(reflector: Reflector, @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions) {
    this.routes = new HandlerMetadataCache(reflector, GreetingMetadata.KEY);
  }

  canActivate(context: ExecutionContext): boolean {
    const settings = this.options.greeting;
    const call = guardedCall(context, settings !== null, this.routes);
    if (!settings || !call) return true;
    if (requestHeader(call.req, 'x-greeting') === settings.word) return true;
    rejectWith(call.res, call.req, GREETING_REQUIRED, undefined, (body, status) => new GreetingRequiredException(body, status));
  }
}
`,
  'greeting.decorator.ts': `
import { applyDecorators, UseGuards } from '@nestjs/common';
import { documentRoute } from '../core/swagger';
import { greetingDocs } from './greeting.docs';
import { GreetingGuard } from './greeting.guard';
import { GreetingMetadata } from './greeting.metadata';

/** The request must bring the configured word in \`X-Greeting\`, else 428 \`GREETING_REQUIRED\`. */
export function Greeting(): MethodDecorator {
  return applyDecorators(GreetingMetadata(true), UseGuards(GreetingGuard), documentRoute('greeting', greetingDocs()));
}
`,
  'index.ts': `
export { Greeting } from './greeting.decorator';
export { GreetingRequiredException } from './greeting.exception';
export type { GreetingModuleOptions } from './greeting.options';
`,
};

/** The edits outside the folder: [file, anchor line, line inserted after it]. */
export const GREETING_EDITS: ReadonlyArray<readonly [string, RegExp, string]> = [
  [
    'protection.features.ts',
    /^import type \{ AppMethod \} from '\.\/core\/app-scan';$/m,
    "import { GreetingMetadata } from './greeting/greeting.metadata';\nimport { resolveGreetingOptions, type GreetingModuleOptions } from './greeting/greeting.options';",
  ],
  [
    'protection.features.ts',
    /^export interface ProtectionModuleOptions extends BaseModuleOptions \{$/m,
    '  greeting?: false | GreetingModuleOptions;',
  ],
  [
    'protection.features.ts',
    /^export const FEATURES = \[$/m,
    "  feature('greeting', resolveGreetingOptions, marked(GreetingMetadata.KEY)),",
  ],
  ['index.ts', /^export \* from '\.\/logging';$/m, "export * from './greeting';"],
];

/** A tiny app on the copied library: one greeted route, one plain route. */
export const GREETING_APP = `
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Greeting, ProtectionModule, type ProtectionModuleOptions } from './src/index';

@Controller()
class HelloController {
  @Get('greeted')
  @Greeting()
  greeted(): { ok: true } {
    return { ok: true };
  }
}

export async function start(options: ProtectionModuleOptions): Promise<{ url: string; close(): Promise<void> }> {
  @Module({ imports: [ProtectionModule.forRoot(options)], controllers: [HelloController] })
  class AppModule {}
  const app = await NestFactory.create(AppModule, new FastifyAdapter(), { logger: false, abortOnError: false });
  await app.listen(0, '127.0.0.1');
  return { url: (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1'), close: () => app.close() };
}
`;
