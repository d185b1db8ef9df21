import { optionKeys, type OptionReader } from '../core/option-reader';
import { sectionResolver } from '../core/option-resolvers';
import { canonicalLocale } from './locale';
import { matchTimeZone, serverTimeZone } from './timezone';

/** Module-level `terminal` options: where locale, zone and request id come from. */
export interface TerminalModuleOptions {
  /** Locale when the request names none. @default 'en' */
  defaultLocale?: string;
  /** IANA zone when the request names none or an unknown one. @default the server's zone */
  defaultZone?: string;
  /** Query parameter read for the locale. @default 'locale' */
  localeQuery?: string;
  /** Cookie read for the locale. @default 'locale' */
  localeCookie?: string;
  /** Query parameter read for the zone. @default 'zoneid' */
  zoneQuery?: string;
  /** Header read for the zone. @default 'Zone-Id' */
  zoneHeader?: string;
  /** Cookie read for the zone. @default 'zoneid' */
  zoneCookie?: string;
  /** Header read for, and echoed with, the request id. @default 'X-Request-Id' */
  requestIdHeader?: string;
}

/** Terminal settings after validation; header names are lower case. */
export type ResolvedTerminalOptions = Readonly<Required<TerminalModuleOptions>>;

const KEYS = optionKeys<TerminalModuleOptions>()(
  'defaultLocale defaultZone localeQuery localeCookie zoneQuery zoneHeader zoneCookie requestIdHeader',
);

export const resolveTerminalOptions = sectionResolver(
  'terminal',
  KEYS,
  (r: OptionReader, v): ResolvedTerminalOptions => {
    let defaultLocale = 'en';
    if (v.defaultLocale !== undefined) {
      const tag =
        typeof v.defaultLocale === 'string' ? canonicalLocale(v.defaultLocale) : undefined;
      defaultLocale =
        tag ?? r.fail('terminal.defaultLocale', v.defaultLocale, 'a locale tag such as "en-US"');
    }
    let defaultZone = serverTimeZone();
    if (v.defaultZone !== undefined) {
      const zone = typeof v.defaultZone === 'string' ? matchTimeZone(v.defaultZone) : undefined;
      defaultZone =
        zone ??
        r.fail('terminal.defaultZone', v.defaultZone, 'an IANA time zone such as "Europe/Paris"');
    }
    return Object.freeze({
      defaultLocale,
      defaultZone,
      localeQuery: r.name('terminal.localeQuery', v.localeQuery, 'locale'),
      localeCookie: r.name('terminal.localeCookie', v.localeCookie, 'locale'),
      zoneQuery: r.name('terminal.zoneQuery', v.zoneQuery, 'zoneid'),
      zoneHeader: r.name('terminal.zoneHeader', v.zoneHeader, 'Zone-Id').toLowerCase(),
      zoneCookie: r.name('terminal.zoneCookie', v.zoneCookie, 'zoneid'),
      requestIdHeader: r
        .name('terminal.requestIdHeader', v.requestIdHeader, 'X-Request-Id')
        .toLowerCase(),
    });
  },
);
