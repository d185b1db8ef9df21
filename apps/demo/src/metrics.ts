import { Controller, Get, Header, Module } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

/*
 * The demo's metrics: an OpenTelemetry MeterProvider whose reader is the Prometheus exporter,
 * served at GET /metrics on the app's own port (the exporter's own server is not started).
 * nest-protection records to whatever SDK the app registered before its module started.
 */

let demo: { provider: MeterProvider; exporter: PrometheusExporter } | undefined;

/**
 * Registers the demo's MeterProvider as the global one; call it before `NestFactory.create`.
 * One provider per process: the OpenTelemetry API keeps the first provider registered and
 * refuses others, so every demo app of a process (the e2e suites start several) shares it.
 */
export function registerDemoMetrics(): void {
  if (!demo) {
    const exporter = new PrometheusExporter({ preventServerStart: true });
    demo = { exporter, provider: new MeterProvider({ readers: [exporter] }) };
  }
  // Again when someone called metrics.disable() since (a test between its own providers);
  // a provider registered by someone else stays: setGlobalMeterProvider refuses a second one.
  if (metrics.getMeterProvider() !== demo.provider) metrics.setGlobalMeterProvider(demo.provider);
}

const serializer = new PrometheusSerializer();

@ApiExcludeController()
@Controller()
export class MetricsController {
  /** Prometheus text format (0.0.4) of everything the process's MeterProvider holds. */
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async scrape(): Promise<string> {
    if (!demo) return '# metrics are off (createDemoApp({ metrics: false }))\n';
    const { resourceMetrics } = await demo.exporter.collect();
    return serializer.serialize(resourceMetrics);
  }
}

/** GET /metrics, outside the Swagger docs. */
@Module({ controllers: [MetricsController] })
export class DemoMetricsModule {}
