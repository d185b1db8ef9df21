import { messages } from '../protection.messages';

/** A package the configuration needs is not installed: a boot error, never a request-time 500. */
export class MissingPackageError extends Error {
  override name = 'ProtectionMissingPackageError';
}

/**
 * Runs `load` (a `require` of the package, or of our module that imports it) and turns "not
 * installed" into a message that names the package, what needs it, and the install command.
 * Optional peers are only loaded this way, when the configuration asks for them.
 */
export function requireOptional<T>(
  pkg: string,
  neededFor: string,
  load: () => T,
  alternative?: string,
): T {
  try {
    return load();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e?.code === 'MODULE_NOT_FOUND' && e.message.includes(`'${pkg}'`)) {
      throw new MissingPackageError(messages.missingPackage(pkg, neededFor, alternative), {
        cause: err,
      });
    }
    throw err;
  }
}

/**
 * Runs `load` (a `require` of the optional package `pkg`) and returns undefined when the package
 * is not installed: for packages the library only uses when present (`@opentelemetry/api`).
 */
export function loadIfInstalled<T>(pkg: string, load: () => T): T | undefined {
  try {
    return load();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e?.code === 'MODULE_NOT_FOUND' && e.message.includes(`'${pkg}'`)) return undefined;
    throw err;
  }
}
