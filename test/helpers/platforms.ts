import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { ProtectionModule, type ProtectionModuleOptions } from 'nest-protection';
import { TestRedis } from './redis-server';
import {
  createDemoApp,
  type DemoAppOptions,
  type DemoPlatform,
} from '../../apps/demo/src/bootstrap';

/** Every e2e suite runs once per platform from this one list. */
export const PLATFORMS: readonly DemoPlatform[] = ['fastify', 'express'];

export interface RunningApp {
  app: INestApplication;
  url: string;
  close(): Promise<void>;
}

async function listen(app: INestApplication): Promise<RunningApp> {
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  return { app, url, close: () => app.close() };
}

/** The real demo app on a real loopback socket. */
export async function startDemo(options: DemoAppOptions = {}): Promise<RunningApp> {
  const app = await createDemoApp({ logger: false, swagger: false, ...options });
  return listen(app);
}

/** Any module (a test's own controllers) on the given platform. */
export async function startModule(
  module: Type<unknown> | DynamicModule,
  platform: DemoPlatform,
  configure?: (app: INestApplication) => void,
  logger: LoggerService | false = false,
): Promise<RunningApp> {
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(module, adapter, { logger, abortOnError: false });
  configure?.(app);
  return listen(app);
}

/** A real redis-server and two demo instances on it: A on Fastify, B on Express. */
export interface RedisPair {
  redis: TestRedis;
  a: RunningApp;
  b: RunningApp;
  close(): Promise<void>;
}

export async function startRedisPair(options: DemoAppOptions = {}): Promise<RedisPair> {
  const redis = await TestRedis.start();
  const a = await startDemo({ ...options, platform: 'fastify', redisUrl: redis.url });
  const b = await startDemo({ ...options, platform: 'express', redisUrl: redis.url });
  return {
    redis,
    a,
    b,
    close: async () => {
      await Promise.all([a.close(), b.close()]);
      await redis.stop();
    },
  };
}

/** A module of a test's own controllers (and providers) under `ProtectionModule.forRoot(options)`. */
export function protectedModule(
  options: ProtectionModuleOptions,
  controllers: Array<Type<unknown>>,
  providers: Array<Type<unknown>> = [],
): DynamicModule {
  @Module({})
  class TestModule {}
  return {
    module: TestModule,
    imports: [ProtectionModule.forRoot(options)],
    controllers,
    providers,
  };
}

/** The module secret of the test apps that share a Redis store (required there). */
export const TEST_SECRET = 'nest-protection-test-secret-0123456789abcdef';
