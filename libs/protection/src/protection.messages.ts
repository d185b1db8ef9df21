/* Every boot and log message the module prints, so they read alike and can be searched. */

export const messages = {
  /** The boot line of a switched-off protection (said only when the app uses it). */
  featureOff: {
    debounce: 'Debounce is switched off: @Debounce routes run undebounced',
    terminal:
      'Terminal info is switched off: no X-Request-Id echo, TerminalContext.current() is the system context',
    righter: 'Righter is switched off: @Righter commit routes accept any request',
    firstBlood: 'FirstBlood is switched off: @FirstBlood routes run without CAPTCHA',
    doubleKill: 'DoubleKill is switched off: @DoubleKill methods run unlocked',
    rateLimit: 'RateLimit is switched off: @RateLimit routes run unlimited',
    signed: 'Signed requests are switched off: @Signed routes accept unsigned requests',
    overload:
      'Overload protection is switched off: no in-flight cap, slow-request log or graceful drain',
  } as Readonly<Record<string, string>>,
  missingPackage: (pkg: string, neededFor: string, alternative?: string): string =>
    `ProtectionModule: ${neededFor} needs the package "${pkg}", which is not installed. Run: npm install ${pkg}${alternative ? `, or ${alternative}` : ''}.`,
  storeReady: (kind: string, detail: string): string =>
    `Store: ${kind}${detail ? ` (${detail})` : ''}.`,
  metricsOn: (meter: string): string =>
    `Metrics: decisions, store calls and requests in flight go to OpenTelemetry (meter ${meter}).`,
  debounceRejected: (key: string): string => `Debounced duplicate request, key ${key}`,
  debounceReused: (key: string): string => `Reused leader response, key ${key}`,
  debounceSettleFailed: (message: string): string =>
    `Debounce: could not store the leader's outcome: ${message}`,
  righterPerProcessSecret: (): string =>
    'Righter: no secret (module option secret, or righter.secret), so tokens are sealed with a random per-process secret: they will not survive a restart or open on another instance. Set secret (32+ characters).',
  righterRefused: (route: string, reason: string): string =>
    `Righter: 409 FORGERY on ${route}: ${reason}`,
  righterAllowOutsideEdit: (where: string): string =>
    `RighterService.allow() called outside a @Righter(false) route (${where}); put @Righter(false) or @Righter({ edit: true }) on the read-for-edit route.`,
  firstBloodNoHandler: (scene: string): string =>
    `@FirstBlood: no handler accepts scene "${scene}"; add one to firstBlood.handlers or use '' / 'image...' for the built-in image CAPTCHA.`,
} as const;
