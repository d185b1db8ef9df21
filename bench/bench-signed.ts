import { Body, Controller, Get, HttpCode, Module, Post, type DynamicModule } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ProtectionModule, Signed, signRequest } from 'nest-protection';

/* The signed-request scenarios: a signed GET and a signed 1 KB POST, and the bare POST they compare with. */

export const SIGNING_KEYID = 'bench';
const SIGNING_SECRET = 'nest-protection-bench-signing-secret-0123';

/** A 1 KB JSON body. */
export const KB_BODY = JSON.stringify({ data: 'x'.repeat(1024 - 11) });

@Controller()
class BarePostController {
  @Post('post')
  @HttpCode(200)
  post(@Body() body: { data: string }): string {
    return body.data.length > 0 ? 'speed' : 'empty';
  }
}

@Controller()
class SignedController {
  @Get('signed')
  @Signed()
  get(): string {
    return 'speed';
  }

  @Post('signed-post')
  @HttpCode(200)
  @Signed()
  post(@Body() body: { data: string }): string {
    return body.data.length > 0 ? 'speed' : 'empty';
  }
}

@Module({ controllers: [BarePostController] })
class BarePostModule {}

@Module({})
class SignedModule {
  static with(): DynamicModule {
    return {
      module: SignedModule,
      imports: [
        ProtectionModule.forRoot({ signed: { keys: { [SIGNING_KEYID]: SIGNING_SECRET } } }),
      ],
      controllers: [SignedController],
    };
  }
}

/** The app of a signed scenario, or undefined for another one. */
export function signedBenchModule(
  scenario: string,
): DynamicModule | typeof BarePostModule | undefined {
  if (scenario === 'bare-post') return BarePostModule;
  if (scenario === 'signed' || scenario === 'signed-post') return SignedModule.with();
  return undefined;
}

interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * autocannon's `setupRequest` for a scenario: a unique URL per request and, for the signed ones,
 * fresh signature headers (made in the client process, so they are not counted).
 */
export function requestMaker(
  scenario: string,
  origin: string,
): ((req: RawRequest) => RawRequest) | undefined {
  if (scenario !== 'bare-post' && scenario !== 'signed' && scenario !== 'signed-post')
    return undefined;
  const post = scenario !== 'signed';
  const route =
    scenario === 'bare-post' ? '/post' : scenario === 'signed' ? '/signed' : '/signed-post';
  return (req) => {
    const path = `${route}?id=${randomUUID()}`;
    const headers: Record<string, string> = post ? { 'content-type': 'application/json' } : {};
    if (scenario !== 'bare-post') {
      Object.assign(
        headers,
        signRequest({
          method: post ? 'POST' : 'GET',
          url: origin + path,
          ...(post ? { body: KB_BODY } : {}),
          keyid: SIGNING_KEYID,
          secret: SIGNING_SECRET,
        }),
      );
    }
    return {
      ...req,
      method: post ? 'POST' : 'GET',
      path,
      headers,
      ...(post ? { body: KB_BODY } : {}),
    };
  };
}
