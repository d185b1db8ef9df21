import { createDemoApp, type DemoPlatform } from './bootstrap';

async function main(): Promise<void> {
  const platform: DemoPlatform = process.env.PROTECTION_PLATFORM === 'express' ? 'express' : 'fastify';
  const app = await createDemoApp({
    platform,
    ...(process.env.PROTECTION_REDIS_URL ? { redisUrl: process.env.PROTECTION_REDIS_URL } : {}),
    captchaPlaintext: process.env.DEMO_CAPTCHA_PLAINTEXT === '1',
    ...(process.env.DEMO_MAX_CONCURRENT ? { protection: { overload: { maxConcurrent: Number(process.env.DEMO_MAX_CONCURRENT) } } } : {}),
  });
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port, process.env.HOST ?? '127.0.0.1');
  console.log(`demo on ${platform}: ${await app.getUrl()}  (Swagger UI at /docs, JSON at /docs-json)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
