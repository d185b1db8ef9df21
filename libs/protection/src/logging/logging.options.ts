import type { OptionReader } from '../core/option-reader';
import type { LoggingModuleOptions } from './logging-options.interface';

/** `logging`: off unless a `when(req)` is given. */
export function resolveLoggingOptions(r: OptionReader, raw: unknown): LoggingModuleOptions | null {
  if (raw === undefined || raw === false) return null;
  const v = r.object(
    'logging',
    raw,
    ['when', 'format'] as const,
    "false or { when(req) => LogCondition | null, format?: 'text' | 'json' }",
  );
  const when = r.fn<LoggingModuleOptions['when']>(
    'logging.when',
    v.when,
    'a function (req) => LogCondition | null',
  );
  return Object.freeze({
    when: when ?? r.fail('logging.when', undefined, 'a function (req) => LogCondition | null'),
    format: r.oneOf('logging.format', v.format, ['text', 'json'] as const, 'text'),
  });
}
