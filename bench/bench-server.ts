import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { Redis } from 'ioredis';
import { benchModule } from './bench-app';

// Counts the commands this process sends to Redis: round trips, as opposed to the commands
// Redis runs inside our Lua scripts (INFO commandstats counts those too).
let sent = 0;
const sendCommand = Redis.prototype.sendCommand;
Redis.prototype.sendCommand = function (this: Redis, ...args: Parameters<Redis['sendCommand']>) {
  sent++;
  return sendCommand.apply(this, args);
};

/*
 * One app under test, in its own process (the parent pins it to one core). It reports its own
 * CPU time over the measured run: 'start' and 'stop' over IPC.
 */

interface StopReply {
  cpuMicros: number;
  /** User-space part of cpuMicros (the rest is the kernel's: socket reads and writes). */
  userMicros: number;
  redisCommandsSent: number;
}

async function main(): Promise<void> {
  const [name = 'bare', redisUrl] = process.argv.slice(2);
  // '<scenario>-otel': the same app with an OpenTelemetry SDK registered first, as the demo
  // does (a Prometheus reader that is never scraped here): what recording the metrics costs.
  const otel = name.endsWith('-otel');
  const scenario = otel ? name.slice(0, -'-otel'.length) : name;
  if (otel) {
    const exporter = new PrometheusExporter({ preventServerStart: true });
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [exporter] }));
  }
  const app = await NestFactory.create(benchModule(scenario, redisUrl), new FastifyAdapter(), {
    logger: false,
  });
  await app.listen(0, '127.0.0.1');
  let started = process.cpuUsage();
  process.on('message', (message: string) => {
    if (message === 'start') {
      // With --expose-gc (the instruction-count run), every scenario starts from a collected
      // heap, so no leftover collection work from start-up lands in the measured window.
      (globalThis as { gc?: () => void }).gc?.();
      started = process.cpuUsage();
      sent = 0;
      process.send?.({ started: true });
    } else if (message === 'stop') {
      const used = process.cpuUsage(started);
      const reply: StopReply = {
        cpuMicros: used.user + used.system,
        userMicros: used.user,
        redisCommandsSent: sent,
      };
      process.send?.(reply);
    } else if (message === 'exit') {
      void app.close().then(() => process.exit(0));
    }
  });
  process.send?.({ url: await app.getUrl() });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
