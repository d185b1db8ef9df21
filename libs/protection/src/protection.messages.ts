/* Every boot and log message the module prints, so they read alike and can be searched. */

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') {
    try {
      return JSON.stringify(value);
    } catch {
      return 'an object';
    }
  }
  return String(value);
}

export const messages = {
  invalidOption: (path: string, value: unknown, allowed: string): string =>
    `ProtectionModule: option "${path}" is ${show(value)}; expected ${allowed}.`,
  unknownOption: (path: string, known: readonly string[]): string =>
    `ProtectionModule: unknown option "${path}"; known options here: ${known.join(', ')}.`,
  missingPackage: (pkg: string, neededFor: string, alternative?: string): string =>
    `ProtectionModule: ${neededFor} needs the package "${pkg}", which is not installed. Run: npm install ${pkg}${alternative ? `, or ${alternative}` : ''}.`,
  storeReady: (kind: string, detail: string): string => `Store: ${kind}${detail ? ` (${detail})` : ''}.`,
  debounceRejected: (key: string): string => `Debounced duplicate request, key ${key}`,
  debounceReused: (key: string): string => `Reused leader response, key ${key}`,
  debounceSettleFailed: (message: string): string =>
    `Debounce: could not store the leader's outcome: ${message}`,
  righterPerProcessSecret: (): string =>
    'Righter: no righter.secret and a memory store, so tokens are sealed with a random per-process secret: they will not survive a restart or open on another instance. Set righter.secret (or use the Redis store).',
  righterRefused: (route: string, reason: string): string => `Righter: 409 FORGERY on ${route}: ${reason}`,
  righterAllowOutsideEdit: (where: string): string =>
    `RighterService.allow() called outside a @Righter(false) route (${where}); put @Righter(false) on the read-for-edit route.`,
  firstBloodNoHandler: (scene: string): string =>
    `@FirstBlood: no handler accepts scene "${scene}"; add one to firstBlood.handlers or use '' / 'image...' for the built-in image CAPTCHA.`,
} as const;
