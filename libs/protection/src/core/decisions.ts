/*
 * What the protections decide, as the module reports it: to OpenTelemetry metrics and to the
 * `onDecision` option. Types only: the public vocabulary of "see what the protections do".
 */

/**
 * `'enforce'` (the default) refuses what the protection refuses; `'shadow'` decides and counts
 * the same way, reports the refusal (outcome `'shadow'`), and lets the request through.
 */
export type ProtectionMode = 'enforce' | 'shadow';

/** The protection that decided (the `protection` attribute of the metrics). */
export type ProtectionName =
  | 'debounce'
  | 'doubleKill'
  | 'firstBlood'
  | 'righter'
  | 'rateLimit'
  | 'signed'
  | 'pageBudget'
  | 'overload';

/**
 * `'allowed'`: the request passed the protection; `'rejected'`: it was refused; `'reused'`: a
 * `@Debounce` follower got its leader's response; `'degraded'`: the store was down and the
 * request was served by the `onStoreError` fallback (`'open'`, or `'local'`); `'shadow'`: the
 * protection would have refused it, but its mode is `'shadow'`.
 */
export type ProtectionDecisionOutcome = 'allowed' | 'rejected' | 'reused' | 'degraded' | 'shadow';

/**
 * What identifies the client: an authenticated user, a session the library issued, or only its
 * address; `'system'` outside a request (a `@DoubleKill` method called by a scheduled job).
 */
export type ClientIdentityKind = 'user' | 'session' | 'address' | 'system';

/** One decision of a protection, as `onDecision` receives it. */
export interface ProtectionDecision {
  readonly protection: ProtectionName;
  /**
   * The route pattern with its method (`GET /users/:id`), never the URL as sent; `*` for
   * overload decisions (taken before routing); `<Class>.<method>` for a `@DoubleKill` method
   * called outside a request.
   */
  readonly route: string;
  readonly outcome: ProtectionDecisionOutcome;
  /** The client address key (IPv4 address, IPv6 /64); `system` outside a request. */
  readonly client: string;
  /** What kind of identity the client has. */
  readonly identity: ClientIdentityKind;
  /** Why it was refused (or would have been, in shadow mode): the rejection code, e.g. `TOO_MANY_REQUESTS`. */
  readonly reason?: string;
  /** The status the refusal answers (or would have answered, in shadow mode). */
  readonly status?: number;
}

/** Module option `onDecision`: called synchronously for every decision; keep it cheap. */
export type ProtectionDecisionListener = (decision: ProtectionDecision) => void;
