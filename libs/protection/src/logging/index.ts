export type { LogCondition, LoggingModuleOptions } from './logging-options.interface';
