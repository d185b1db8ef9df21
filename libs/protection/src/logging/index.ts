export type {
  LogCondition,
  LogFormat,
  LoggedRoute,
  LoggingModuleOptions,
} from './logging-options.interface';
