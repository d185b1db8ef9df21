export type { LogCondition, LoggedRoute, LoggingModuleOptions } from './logging-options.interface';
