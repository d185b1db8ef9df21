/** Injection token of the validated, defaulted, frozen options (see `ResolvedProtectionOptions`). */
export const PROTECTION_OPTIONS = Symbol('PROTECTION_OPTIONS');

/** Name used for the module's loggers. */
export const PROTECTION_LOGGER_CONTEXT = 'Protection';
