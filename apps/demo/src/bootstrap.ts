import { Logger, type INestApplication, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import multipart from '@fastify/multipart';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import {
  SIGNED_SECURITY,
  SIGNED_SECURITY_SCHEME,
  type ProtectionModuleOptions,
  type RedisStoreOptions,
} from 'nest-protection';
import { AppModule } from './app.module';
import { registerDemoMetrics } from './metrics';
import { DEMO_SIGNING_KEYID, DEMO_SIGNING_SECRET_DEFAULT } from './fixtures/signed.controller';
import { UPLOAD_LIMITS } from './upload/upload.interceptor';

export type DemoPlatform = 'fastify' | 'express';

export interface DemoAppOptions {
  platform?: DemoPlatform;
  /** Options for ProtectionModule.forRoot; `redisUrl` or `redis` below sets `store` for you. */
  protection?: ProtectionModuleOptions;
  redisUrl?: string;
  /** Any `store.redis` form (a Cluster, Sentinel options...); `redisUrl` wins when both are set. */
  redis?: RedisStoreOptions['redis'];
  swagger?: boolean;
  /** Render CAPTCHA codes as text/plain (the code itself) so outside tests can read them. */
  captchaPlaintext?: boolean;
  logger?: false | Array<'log' | 'error' | 'warn' | 'debug' | 'verbose'> | LoggerService;
  /**
   * Register the demo's OpenTelemetry MeterProvider (once per process) before the app is
   * created, so the protections record metrics, served at GET /metrics. @default true
   */
  metrics?: boolean;
}

/** Creates (does not start) the demo app; shared by main.ts, the e2e suites and the benchmark. */
/** The demo's secret when PROTECTION_SECRET is unset: public, so for development only. */
export const DEVELOPMENT_SECRET = 'nest-protection-demo-development-secret-not-for-production';

export async function createDemoApp(options: DemoAppOptions = {}): Promise<INestApplication> {
  const protection: ProtectionModuleOptions = { ...options.protection };
  const redis = options.redisUrl ?? options.redis;
  if (redis) protection.store = { redis };
  // Two demo instances on one Redis must sign alike (sessions, tickets, tokens): a fixed
  // development secret unless PROTECTION_SECRET is set. Never deploy with the fixed one.
  protection.secret ??= process.env.PROTECTION_SECRET ?? DEVELOPMENT_SECRET;
  // The demo logs its /test/reqres-log* requests, bodies and a few headers, passwords masked.
  protection.logging ??= {
    // The route as the router sees it: `/test/%72eqres-log.json` is logged too.
    when: (_req, route) =>
      route.path.startsWith('/test/reqres-log')
        ? {
            requestBody: true,
            requestHeaders: ['content-type', 'user-agent', 'authorization'],
            responseBody: true,
            responseHeaders: ['content-type'],
            redact: ['password', 'authorization'],
          }
        : null,
  };
  if (protection.signed !== false && !protection.signed?.keys) {
    protection.signed = {
      ...protection.signed,
      keys: {
        [DEMO_SIGNING_KEYID]: process.env.DEMO_SIGNING_SECRET ?? DEMO_SIGNING_SECRET_DEFAULT,
      },
    };
  }
  if (options.captchaPlaintext && protection.firstBlood !== false) {
    protection.firstBlood = {
      ...protection.firstBlood,
      render: (code) => ({ contentType: 'text/plain; charset=utf-8', body: code }),
    };
  }
  // Before NestFactory.create: the module makes its instruments from the SDK registered by then.
  if (options.metrics !== false) registerDemoMetrics();
  const adapter = options.platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(AppModule.forRoot(protection), adapter, {
    logger: options.logger ?? ['log', 'error', 'warn'],
  });
  if (protection.secret === DEVELOPMENT_SECRET)
    new Logger('Demo').warn(
      'PROTECTION_SECRET is not set: signing with the fixed development secret (never in production)',
    );
  if (options.platform !== 'express') {
    // Fastify refuses multipart bodies (415) unless a parser is registered; Express gets multer per route.
    await (app as NestFastifyApplication).register(multipart as never, { limits: UPLOAD_LIMITS });
  }
  if (options.swagger !== false) {
    const config = new DocumentBuilder()
      .setTitle('nest-protection demo')
      .setDescription('Fixture routes showing each protection; see the README.')
      .setVersion('0.1.0')
      .addSecurity(SIGNED_SECURITY, SIGNED_SECURITY_SCHEME)
      .build();
    SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, config), {
      jsonDocumentUrl: 'docs-json',
    });
  }
  app.enableShutdownHooks();
  return app;
}

/**
 * The Redis deployment named by the environment: PROTECTION_REDIS_URL (one node, or a
 * redis+sentinel:// URL), PROTECTION_REDIS_CLUSTER=host:port,host:port (a Cluster), or
 * PROTECTION_REDIS_SENTINELS=host:port,... with PROTECTION_REDIS_SENTINEL_NAME (mymaster).
 */
export function redisFromEnv(env: NodeJS.ProcessEnv): RedisStoreOptions['redis'] | undefined {
  const list = (v: string): string[] =>
    v
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
  if (env.PROTECTION_REDIS_URL) return env.PROTECTION_REDIS_URL;
  if (env.PROTECTION_REDIS_CLUSTER) return { cluster: list(env.PROTECTION_REDIS_CLUSTER) };
  if (env.PROTECTION_REDIS_SENTINELS) {
    const sentinels = list(env.PROTECTION_REDIS_SENTINELS).map((h) => {
      const at = h.lastIndexOf(':');
      return { host: h.slice(0, at), port: Number(h.slice(at + 1)) };
    });
    return { sentinels, name: env.PROTECTION_REDIS_SENTINEL_NAME ?? 'mymaster' };
  }
  return undefined;
}
