import { Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { addressKey, resolveClientIp, type ProxyTrust } from '../core/client-ip';
import type { ProtectionException } from '../core/protection.exception';
import { TooManyRequestsException } from '../core/too-many-requests.exception';
import type { ProtectionStore } from '../protection.store';
import { applyStoreErrorPolicy } from '../store/store-failure.policy';
import type { StoreErrorPolicy } from '../core/option-reader';
import { StoreUnavailableError } from '../store/store.errors';
import { RateLimitMemory } from '../store/rate-limit/rate-limit.memory';
import type { RateLimitDecision } from '../store/rate-limit/rate-limit.port';
import type { ResolvedOverloadOptions } from './overload.options';

const FEATURE = 'Overload per-IP';

export type PerIpSettings = NonNullable<ResolvedOverloadOptions['perIp']>;

/** Where a per-IP check hands the request on (the request gate). */
export interface GateVerdicts {
  /** `degraded`: admitted by the store-failure fallback (`'open'`, or `'local'` with room). */
  admit(req: IncomingMessage, res: ServerResponse, late: boolean, degraded?: boolean): void;
  refuse(req: IncomingMessage, res: ServerResponse, exception: ProtectionException): void;
}

const PERMITTED = Symbol('nest-protection.permitted');
interface PermitMemo {
  [PERMITTED]?: boolean;
}

/**
 * Per client address key (an IPv4 address, an IPv6 /64 by default): at most `limit` requests
 * per sliding window (in the store, so instances sharing Redis share the budget) and optionally
 * `maxConcurrent` in flight (this process). Each check stands alone: it never changes the
 * global cap.
 */
export class PerIpLimiter {
  /** Requests in flight per client key (only keys with some in flight are kept). */
  private readonly inFlight = new Map<string, number>();
  private readonly logger = new Logger('ProtectionOverload');

  /**
   * `permitted`: the permit list, matched against the resolved client address (a client behind
   * a local proxy is not local). `ipv6Subnet`: the IPv6 prefix length a client is counted by.
   */
  constructor(
    private readonly settings: PerIpSettings,
    private readonly trust: ProxyTrust,
    private readonly permitted: Pick<ProxyTrust, 'isTrusted'>,
    private readonly store: Pick<ProtectionStore, 'rateLimit'>,
    private readonly ipv6Subnet = 64,
    private readonly local = new RateLimitMemory(100_000),
  ) {
    addressKey('::', ipv6Subnet); // a wrong prefix length fails here, not on a request
  }

  /**
   * The client key the checks apply to, or null for a client on the permit list. A request
   * without the forwarding header comes from its socket's peer, so a permitted peer is
   * remembered on the socket: a keep-alive connection asks once.
   */
  clientOf(req: IncomingMessage): string | null {
    const socket = req.socket as PermitMemo | null;
    const headers = req.headers;
    const direct = !this.trust.forwardedBy(headers);
    if (direct && socket?.[PERMITTED] === true) return null;
    const ip = resolveClientIp(req, this.trust, headers);
    const verdict = this.permitted.isTrusted(ip);
    if (direct && socket) socket[PERMITTED] = verdict;
    return verdict ? null : addressKey(ip, this.ipv6Subnet);
  }

  /** Checks the budget of client key `ip`, then admits or refuses through `gate` (asynchronously, after the store answers). */
  limit(req: IncomingMessage, res: ServerResponse, ip: string, gate: GateVerdicts): void {
    const perIp = this.settings;
    if (perIp.maxConcurrent !== null && (this.inFlight.get(ip) ?? 0) >= perIp.maxConcurrent) {
      return gate.refuse(req, res, new TooManyRequestsException(1));
    }
    this.inFlight.set(ip, (this.inFlight.get(ip) ?? 0) + 1);
    res.once('close', () => {
      const left = (this.inFlight.get(ip) ?? 1) - 1;
      if (left <= 0) this.inFlight.delete(ip);
      else this.inFlight.set(ip, left);
    });
    const policy = [
      {
        name: 'per-ip',
        algorithm: 'log' as const,
        limit: perIp.limit,
        windowMs: perIp.windowMs,
        burst: perIp.limit,
      },
    ];
    const decide = (decision: RateLimitDecision, degraded = false): void => {
      if (decision.allowed) return gate.admit(req, res, true, degraded);
      const wait = Math.max(1, Math.ceil((decision.policies[0]?.resetMs ?? perIp.windowMs) / 1000));
      gate.refuse(req, res, new TooManyRequestsException(wait));
    };
    const failed = (onStoreError: StoreErrorPolicy, fallback: boolean) => (err: unknown) => {
      if (!(err instanceof StoreUnavailableError)) {
        this.logger.error(`Per-IP check failed: ${String(err)}`);
        return gate.admit(req, res, true);
      }
      try {
        applyStoreErrorPolicy(FEATURE, onStoreError, err);
      } catch (refusal) {
        return gate.refuse(req, res, refusal as ProtectionException);
      }
      // 'local': the same limit in this process until the store is back (a full local table
      // refuses); 'open': none.
      if (onStoreError === 'local' && fallback)
        this.local
          .apply('ip:' + ip, policy, 'hit', 1)
          .then((d) => decide(d, true), failed('closed', false));
      else gate.admit(req, res, true, true);
    };
    this.store.rateLimit
      .apply('ip:' + ip, policy, 'hit', 1)
      .then(decide, failed(perIp.onStoreError, true));
  }
}
