import type { ProtectionModuleOptions } from 'nest-protection';
import { createDemoApp, redisFromEnv, type DemoPlatform } from './bootstrap';

/** DEMO_MAX_CONCURRENT (-1 = unlimited), DEMO_PER_IP_LIMIT (0 = off), DEMO_PER_IP_WINDOW (ms). */
function demoOverload(env: NodeJS.ProcessEnv): NonNullable<ProtectionModuleOptions['overload']> {
  const limit = env.DEMO_PER_IP_LIMIT === undefined ? undefined : Number(env.DEMO_PER_IP_LIMIT);
  return {
    ...(env.DEMO_MAX_CONCURRENT ? { maxConcurrent: Number(env.DEMO_MAX_CONCURRENT) } : {}),
    ...(limit === 0
      ? { perIp: false as const }
      : limit !== undefined || env.DEMO_PER_IP_WINDOW
        ? {
            perIp: {
              ...(limit ? { limit } : {}),
              ...(env.DEMO_PER_IP_WINDOW ? { window: Number(env.DEMO_PER_IP_WINDOW) } : {}),
            },
          }
        : {}),
  };
}

async function main(): Promise<void> {
  const platform: DemoPlatform =
    process.env.PROTECTION_PLATFORM === 'express' ? 'express' : 'fastify';
  const redis = redisFromEnv(process.env);
  const app = await createDemoApp({
    platform,
    ...(redis ? { redis } : {}),
    captchaPlaintext: process.env.DEMO_CAPTCHA_PLAINTEXT === '1',
    metrics: process.env.DEMO_METRICS !== '0',
    protection: { overload: demoOverload(process.env) },
  });
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port, process.env.HOST ?? '127.0.0.1');
  console.log(
    `demo on ${platform}: ${await app.getUrl()}  (Swagger UI at /docs, JSON at /docs-json, metrics at /metrics)`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
