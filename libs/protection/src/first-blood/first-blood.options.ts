import { existsSync } from 'node:fs';
import { OptionReader, type ResolvedRejectionOptions, optionKeys } from '../core/option-reader';
import { sectionResolver } from '../core/option-resolvers';
import type { ProtectionMode } from '../core/decisions';
import type { RejectionResponseOptions } from '../core/protection.exception';
import type { StoreErrorPolicy } from '../store/store-failure.policy';
import type {
  CaptchaRenderer,
  FirstBloodHandler,
  FirstBloodOptions,
  FirstBloodRouteOptions,
} from './first-blood-options.interface';

/** Module-level `firstBlood` options (CAPTCHA challenge). */
export interface FirstBloodModuleOptions {
  /** Header and cookie carrying the client ticket. @default 'Client-Ticket' */
  ticketName?: string;
  /** Query parameter (or header) asking for an image. @default 'quest-captcha-image' */
  questName?: string;
  /** Query parameter (or header) submitting a code. @default 'check-captcha-image' */
  checkName?: string;
  /** An `Accept` containing this gets the image as a base64 data URL. @default 'base64' */
  base64Accept?: string;
  /** Compare codes case-sensitively. @default false */
  caseSensitive?: boolean;
  /** Code length. @default 4 */
  length?: number;
  /** Images one ticket may fetch per minute; the next gets 429. @default 30 */
  imagesPerMinute?: number;
  /**
   * Codes one client address (IPv4 address, IPv6 /64) may submit per route per hour, checks and
   * image pre-checks together; the next gets 429. @default 600
   */
  guessesPerHour?: number;
  /** Images one client address may fetch per route per hour, whatever its tickets. @default 600 */
  imagesPerHour?: number;
  /** Replaces the SVG image, e.g. a plain-text rendering for tests. */
  render?: CaptchaRenderer;
  /** Other challenges (hosted CAPTCHA, SMS); the first whose `accepts(scene)` is true decides. */
  handlers?: readonly FirstBloodHandler[];
  /** A .ttf with CJK glyphs: codes then start with one CJK character. */
  font?: string;
  /** Replaces the 406 answer. */
  response?: RejectionResponseOptions;
  /** Store down: `'closed'` answers 503, `'open'` lets requests through. @default 'closed' */
  onStoreError?: StoreErrorPolicy;
  /**
   * `'shadow'`: `@FirstBlood` routes decide and count as usual, report what they would refuse
   * (outcome `shadow`) and let the request through; a decorator's own `mode` wins.
   * @default 'enforce'
   */
  mode?: ProtectionMode;
}

/** FirstBlood settings after validation; names as configured (headers matched case-insensitively). */
export interface ResolvedFirstBloodOptions extends ResolvedRejectionOptions {
  readonly ticketName: string;
  readonly questName: string;
  readonly checkName: string;
  readonly base64Accept: string;
  readonly caseSensitive: boolean;
  readonly length: number;
  readonly imagesPerMinute: number;
  readonly guessesPerHour: number;
  readonly imagesPerHour: number;
  readonly render: CaptchaRenderer | undefined;
  readonly handlers: readonly FirstBloodHandler[];
  readonly font: string | undefined;
}

const MODULE_KEYS = optionKeys<FirstBloodModuleOptions>()(
  'ticketName questName checkName base64Accept caseSensitive length imagesPerMinute guessesPerHour imagesPerHour render handlers font response onStoreError mode',
);
const ROUTE_KEYS = optionKeys<FirstBloodOptions>()('first blood retry scene mode');

function isHandler(h: unknown): h is FirstBloodHandler {
  return (
    typeof h === 'object' &&
    h !== null &&
    typeof (h as FirstBloodHandler).accepts === 'function' &&
    typeof (h as FirstBloodHandler).handle === 'function'
  );
}

export const resolveFirstBloodOptions = sectionResolver(
  'firstBlood',
  MODULE_KEYS,
  (r: OptionReader, v): ResolvedFirstBloodOptions => {
    const handlers = v.handlers ?? [];
    if (!Array.isArray(handlers) || !handlers.every(isHandler)) {
      r.fail('firstBlood.handlers', handlers, 'a list of { accepts(scene), handle(ctx) } objects');
    }
    if (v.font !== undefined && (typeof v.font !== 'string' || !existsSync(v.font))) {
      r.fail('firstBlood.font', v.font, 'the path of an existing .ttf file with CJK glyphs');
    }
    return Object.freeze({
      ticketName: r.name('firstBlood.ticketName', v.ticketName, 'Client-Ticket'),
      questName: r.name('firstBlood.questName', v.questName, 'quest-captcha-image'),
      checkName: r.name('firstBlood.checkName', v.checkName, 'check-captcha-image'),
      base64Accept: r.name('firstBlood.base64Accept', v.base64Accept, 'base64'),
      caseSensitive: r.bool('firstBlood.caseSensitive', v.caseSensitive, false),
      length: r.int('firstBlood.length', v.length, 4, 1, 12),
      imagesPerMinute: r.int('firstBlood.imagesPerMinute', v.imagesPerMinute, 30, 1, 10_000),
      guessesPerHour: r.int('firstBlood.guessesPerHour', v.guessesPerHour, 600, 1, 1_000_000),
      imagesPerHour: r.int('firstBlood.imagesPerHour', v.imagesPerHour, 600, 1, 1_000_000),
      render: r.fn<CaptchaRenderer>(
        'firstBlood.render',
        v.render,
        'a function (code) => { contentType, body }',
      ),
      handlers: Object.freeze([...handlers]),
      font: v.font,
      response: r.response('firstBlood.response', v.response),
      onStoreError: r.policy('firstBlood.onStoreError', v.onStoreError, 'closed'),
      mode: r.mode('firstBlood.mode', v.mode) ?? 'enforce',
    });
  },
);

/** `@FirstBlood` options, validated when the class loads. */
export function resolveFirstBloodRoute(options: FirstBloodOptions): FirstBloodRouteOptions {
  const r = new OptionReader('@FirstBlood');
  const v = r.object('', options, ROUTE_KEYS);
  const scene = v.scene ?? '';
  if (typeof scene !== 'string' || scene.length > 64)
    r.fail('scene', scene, 'a string of at most 64 characters');
  return Object.freeze({
    first: r.int('first', v.first, 0, 0, 86_400 * 366),
    blood: r.int('blood', v.blood, 300, 1, 86_400),
    retry: r.int('retry', v.retry, 1, 1, 100),
    scene: scene as string,
    mode: r.mode('mode', v.mode),
  });
}
