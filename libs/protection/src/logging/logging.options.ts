import type { OptionReader } from '../core/option-reader';
import type { LoggingModuleOptions } from './logging-options.interface';

const KEYS = ['when', 'format'] as const;
const SHAPE = "false or { when(req, route) => LogCondition | null, format?: 'text' | 'json' }";
const WHEN = 'a function (req, route) => LogCondition | null';

/** `logging`: off unless a `when(req, route)` is given. */
export function resolveLoggingOptions(r: OptionReader, raw: unknown): LoggingModuleOptions | null {
  if (raw === undefined || raw === false) return null;
  const v = r.object('logging', raw, KEYS, SHAPE);
  const when =
    r.fn<LoggingModuleOptions['when']>('logging.when', v.when, WHEN) ??
    r.fail('logging.when', undefined, WHEN);
  return Object.freeze({
    when,
    format: r.oneOf('logging.format', v.format, ['text', 'json'] as const, 'text'),
  });
}
