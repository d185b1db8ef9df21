import { Logger, type LoggerService } from '@nestjs/common';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  addressKey,
  canonicalIp,
  compileProxyTrust,
  isAddressOrCidr,
  readTrustProxy,
  resolveClientIp,
  type ProxyTrust,
  type TrustProxyOption,
} from './client-ip';
import type { ProtectionRequest } from './http.types';
import { OptionError, OptionReader } from './option-reader';

const req = (peer: string | undefined, headers: IncomingHttpHeaders = {}): ProtectionRequest =>
  ({ headers, socket: { remoteAddress: peer } }) as unknown as ProtectionRequest;

const DEFAULT = compileProxyTrust(undefined);
const XFF = (value: string | string[]): IncomingHttpHeaders => ({ 'x-forwarded-for': value });
const ip = (peer: string, headers: IncomingHttpHeaders, trust: ProxyTrust = DEFAULT): string =>
  resolveClientIp(req(peer, headers), trust);

/** Every warning of the run (the whole file shares one process, so one warning at most). */
const warnings: string[] = [];
const recorder: LoggerService = {
  log: () => undefined,
  error: () => undefined,
  warn: (message: unknown) => void warnings.push(String(message)),
};
before(() => {
  Logger.overrideLogger(recorder);
});
after(() => {
  Logger.overrideLogger(['log', 'error', 'warn']);
});

/** A small fast PRNG (mulberry32): a fixed seed makes every run draw the same cases. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('canonical addresses', () => {
  it('writes IPv6 as RFC 5952 does: lower case, no leading zeros, the longest zero run as ::', () => {
    const cases: Array<[string, string]> = [
      ['2001:DB8::1', '2001:db8::1'],
      ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // leftmost of two equal runs
      ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest run, not the first
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // one zero group is not compressed
      ['0:0:0:0:0:0:0:0', '::'],
      ['0:0:0:0:0:0:0:1', '::1'],
      ['1:0:0:0:0:0:0:0', '1::'],
      ['FE80::0001', 'fe80::1'],
      ['fe80::1%eth0', 'fe80::1'],
      ['[2001:db8::7]', '2001:db8::7'],
      [' 2001:db8::7 ', '2001:db8::7'],
      ['::1.2.3.4', '::102:304'], // IPv4-compatible (deprecated) stays IPv6
    ];
    for (const [input, canonical] of cases) assert.equal(canonicalIp(input), canonical, input);
  });

  it('shows IPv4-mapped IPv6 as IPv4, however it is written', () => {
    for (const mapped of [
      '::ffff:1.2.3.4',
      '::FFFF:1.2.3.4',
      '::ffff:0102:0304',
      '0:0:0:0:0:ffff:102:304',
      '0000:0000:0000:0000:0000:FFFF:0102:0304',
      '[::ffff:1.2.3.4]',
    ])
      assert.equal(canonicalIp(mapped), '1.2.3.4', mapped);
  });

  it('rejects what is not an address', () => {
    for (const junk of [
      undefined,
      '',
      ' ',
      'unknown',
      '_hidden',
      '1.2.3',
      '1.2.3.4.5',
      '01.2.3.4',
      '256.1.1.1',
      '1.2.3.4%eth0',
      'fe80::1%',
      '::ffff:1.2.3',
      '1::2::3',
      '12345::1',
      '[',
      '[]',
      'g::1',
      '1.2.3.4\u0000',
    ])
      assert.equal(canonicalIp(junk), '', String(junk));
  });
});

describe('addressKey', () => {
  it('keeps IPv4 as is and cuts IPv6 to its prefix, written canonically', () => {
    assert.equal(addressKey('203.0.113.9', 64), '203.0.113.9');
    assert.equal(addressKey('2001:db8:cc:1:2:3:4:5', 64), '2001:db8:cc:1::/64');
    assert.equal(addressKey('2001:db8:cc::1', 64), '2001:db8:cc::/64');
    assert.equal(addressKey('2001:db8:cc:1:2:3:4:5', 48), '2001:db8:cc::/48');
    assert.equal(addressKey('2001:db8:cc:ffff:2:3:4:5', 56), '2001:db8:cc:ff00::/56');
    assert.equal(addressKey('2001:db8:cc:1:2:3:4:5', 128), '2001:db8:cc:1:2:3:4:5');
    assert.equal(addressKey('2001:db8:cc::1'), '2001:db8:cc::/64', 'default /64');
  });

  it('gives every spelling of one /64 one key, and another /64 another', () => {
    const keys = new Set(
      [
        '2001:db8:cc::1',
        '2001:0DB8:00CC:0000:0000:0000:0000:0001',
        '2001:db8:cc:0:ffff:ffff:ffff:ffff',
        '2001:db8:cc::abcd',
      ].map((a) => addressKey(a, 64)),
    );
    assert.deepEqual([...keys], ['2001:db8:cc::/64']);
    assert.notEqual(addressKey('2001:db8:cc:1::1', 64), addressKey('2001:db8:cc::1', 64));
  });

  it('shows IPv4-mapped IPv6 as its IPv4 key, and refuses a prefix length out of 48..128', () => {
    assert.equal(addressKey('::ffff:10.1.2.3', 64), '10.1.2.3');
    assert.throws(() => addressKey('2001:db8::1', 47), RangeError);
    assert.throws(() => addressKey('2001:db8::1', 129), RangeError);
  });
});

describe('the forwarding header warning', () => {
  it('is logged once per process, however many requests carry garbage', () => {
    const local = compileProxyTrust(undefined);
    for (let i = 0; i < 100; i++) {
      assert.equal(ip('127.0.0.1', XFF('6.6.6.6, unknown'), local), '127.0.0.1');
      assert.equal(
        ip('127.0.0.1', { 'x-real-ip': 'garbage' }, compileProxyTrust({ header: 'x-real-ip' })),
        '127.0.0.1',
      );
    }
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0] ?? '', /x-forwarded-for/);
  });
});

describe('resolveClientIp: X-Forwarded-For', () => {
  it('takes the peer when the request has no forwarding header', () => {
    assert.equal(ip('203.0.113.5', {}), '203.0.113.5');
    assert.equal(ip('::ffff:127.0.0.1', {}), '127.0.0.1');
    assert.equal(ip('2001:0DB8::0001', {}), '2001:db8::1');
    assert.equal(resolveClientIp(req(undefined, {}), DEFAULT), '0.0.0.0', 'no socket address');
  });

  it('trusts loopback only by default: LAN, unique-local and link-local peers name no client', () => {
    for (const peer of ['10.0.0.7', '192.168.1.20', '172.16.0.1', 'fc00::7', 'fd12::1', 'fe80::1'])
      assert.equal(ip(peer, XFF('203.0.113.9')), canonicalIp(peer), peer);
    for (const peer of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1'])
      assert.equal(ip(peer, XFF('203.0.113.9')), '203.0.113.9', peer);
  });

  it('walks from the right past trusted proxies to the first untrusted entry', () => {
    const trust = compileProxyTrust(['10.0.0.0/8', '192.168.0.0/16', '127.0.0.1']);
    assert.equal(ip('10.0.0.1', XFF('6.6.6.6, 5.5.5.5, 192.168.1.1, 10.0.0.9'), trust), '5.5.5.5');
    assert.equal(ip('10.0.0.1', XFF('10.0.0.3, 10.0.0.2'), trust), '10.0.0.3', 'all trusted');
    assert.equal(ip('8.8.8.8', XFF('1.1.1.1'), trust), '8.8.8.8', 'untrusted peer');
  });

  it('reads ports, brackets, quotes and spaces, and answers in canonical form', () => {
    const cases: Array<[string, string]> = [
      ['1.2.3.4:80', '1.2.3.4'],
      ['[::1]:443, 9.9.9.9', '9.9.9.9'],
      ['[2001:DB8::1]:443', '2001:db8::1'],
      ['[2001:db8::1]', '2001:db8::1'],
      ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['::FFFF:203.0.113.7', '203.0.113.7'],
      ['"203.0.113.7"', '203.0.113.7'],
      ['  203.0.113.7\t', '203.0.113.7'],
      ['"[2001:db8::5]:8080"', '2001:db8::5'],
      ['fe80::1%eth0', 'fe80::1'],
    ];
    for (const [value, client] of cases) assert.equal(ip('127.0.0.1', XFF(value)), client, value);
  });

  it('falls back to the nearest trusted address when the client entry is not an address', () => {
    const trust = compileProxyTrust(['127.0.0.1', '10.0.0.0/8']);
    const garbage = [
      'unknown',
      '_hidden',
      '',
      ' ',
      ',,,',
      '1.2.3',
      '[',
      '[::1',
      '[::1]x',
      '1.2.3.4:http',
      '1.2.3.4:80:80',
      'a\u0000b',
      '\u0007',
      '1.2.3.4 5.6.7.8',
      '2001:db8::1:80', // IPv6 with a port needs brackets: it is an address, but another
    ];
    for (const junk of garbage) {
      const expected = junk === '2001:db8::1:80' ? '2001:db8::1:80' : '127.0.0.1';
      assert.equal(ip('127.0.0.1', XFF(junk), trust), expected, JSON.stringify(junk));
      // The garbage entry behind a trusted hop: that hop is the answer, never what is left of it.
      assert.equal(
        ip('127.0.0.1', XFF(`6.6.6.6, ${junk}, 10.0.0.5`), trust),
        junk === '2001:db8::1:80' ? '2001:db8::1:80' : '10.0.0.5',
        JSON.stringify(junk),
      );
    }
  });

  it('takes several header lines as one list, the last line rightmost', () => {
    assert.equal(ip('127.0.0.1', XFF(['6.6.6.6', '5.5.5.5, 127.0.0.1'])), '5.5.5.5');
    assert.equal(ip('127.0.0.1', XFF(['6.6.6.6', '127.0.0.2'])), '6.6.6.6');
    assert.equal(ip('127.0.0.1', XFF(['6.6.6.6', '5.5.5.5'])), '5.5.5.5');
    assert.equal(ip('127.0.0.1', XFF([])), '127.0.0.1');
    assert.equal(ip('127.0.0.1', XFF(['6.6.6.6', ''])), '127.0.0.1', 'an empty last line');
  });

  it('resolves a 1 MB header of 100,000 entries from its right end', () => {
    const junk = Array.from(
      { length: 100_000 },
      (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`,
    );
    const header = junk.join(', ') + ', 203.0.113.77';
    assert.ok(header.length > 1_000_000);
    assert.equal(ip('127.0.0.1', XFF(header)), '203.0.113.77');
    // Junk of any kind left of the client entry is never looked at.
    const hostile = 'x'.repeat(1_000_000) + ',,,[[[' + '\u0000'.repeat(1000) + ', 198.51.100.4';
    assert.equal(ip('127.0.0.1', XFF(hostile)), '198.51.100.4');
    // Spaces around an entry are only spaces, however many; a 1 MB entry is no address.
    assert.equal(ip('127.0.0.1', XFF('1.1.1.1, ' + ' '.repeat(1_000_000) + '2.2.2.2')), '2.2.2.2');
    assert.equal(ip('127.0.0.1', XFF('9'.repeat(1_000_000))), '127.0.0.1');
    // An untrusted peer: its header is not read at all.
    assert.equal(ip('198.51.100.1', XFF(header)), '198.51.100.1');
  });

  it('has no length cut-off: a long client-written prefix does not hide the appended entry', () => {
    const spoof = Array.from({ length: 300 }, (_, i) => `192.0.2.${i % 250}`).join(', ');
    assert.ok(spoof.length > 2048);
    assert.equal(ip('127.0.0.1', XFF(`${spoof}, 203.0.113.9`)), '203.0.113.9');
    assert.equal(ip('127.0.0.1', XFF(`${spoof}, 203.0.113.9:5123`)), '203.0.113.9');
  });
});

describe('resolveClientIp: trust forms', () => {
  const chain = XFF('1.1.1.1, 2.2.2.2, 3.3.3.3');

  it('a hop count: the client is that many hops in, the peer the first (as Express counts)', () => {
    assert.equal(ip('9.9.9.9', chain, compileProxyTrust(0)), '9.9.9.9');
    assert.equal(ip('9.9.9.9', chain, compileProxyTrust(1)), '3.3.3.3');
    assert.equal(ip('9.9.9.9', chain, compileProxyTrust(2)), '2.2.2.2');
    assert.equal(ip('9.9.9.9', chain, compileProxyTrust(3)), '1.1.1.1');
    assert.equal(ip('9.9.9.9', chain, compileProxyTrust(9)), '1.1.1.1', 'fewer entries than hops');
    assert.equal(ip('9.9.9.9', XFF('1.1.1.1, junk, 3.3.3.3'), compileProxyTrust(3)), '3.3.3.3');
    assert.equal(ip('9.9.9.9', XFF('1.1.1.1, 2.2.2.2, junk'), compileProxyTrust(1)), '9.9.9.9');
  });

  it('true trusts every hop (the leftmost entry); false trusts none', () => {
    assert.equal(ip('9.9.9.9', chain, compileProxyTrust(true)), '1.1.1.1');
    assert.equal(ip('9.9.9.9', XFF('x, 2.2.2.2, 3.3.3.3'), compileProxyTrust(true)), '2.2.2.2');
    assert.equal(ip('127.0.0.1', chain, compileProxyTrust(false)), '127.0.0.1');
  });

  it('a list of addresses and CIDRs, written in any spelling', () => {
    const trust = compileProxyTrust(['9.9.9.0/24', '2001:DB8::/32', '::ffff:198.51.100.0/120']);
    assert.equal(ip('9.9.9.200', chain, trust), '3.3.3.3');
    assert.equal(ip('2001:db8:1::5', chain, trust), '3.3.3.3');
    assert.equal(ip('198.51.100.3', chain, trust), '3.3.3.3', 'a mapped CIDR matches IPv4');
    assert.equal(ip('::ffff:198.51.100.3', chain, trust), '3.3.3.3');
    assert.equal(ip('9.9.10.1', chain, trust), '9.9.10.1');
    assert.equal(ip('9.9.9.9', XFF('1.1.1.1, 2001:db8::9'), trust), '1.1.1.1');
    assert.equal(ip('127.0.0.1', chain, trust), '127.0.0.1', 'a list replaces the default');
  });

  it('ignores X-Real-IP unless it is the configured header', () => {
    assert.equal(ip('127.0.0.1', { 'x-real-ip': '2.2.2.2' }), '127.0.0.1');
    assert.equal(ip('127.0.0.1', { 'x-real-ip': '2.2.2.2', ...XFF('5.5.5.5') }), '5.5.5.5');
    assert.equal(ip('10.0.0.7', { 'x-real-ip': '::ffff:127.0.0.1' }), '10.0.0.7');
  });

  it('{ header: "x-real-ip" }: the one value from a trusted peer, canonical; nothing else', () => {
    const real = compileProxyTrust({ header: 'x-real-ip' });
    assert.equal(ip('127.0.0.1', { 'x-real-ip': '2001:DB8::1' }, real), '2001:db8::1');
    assert.equal(ip('127.0.0.1', { 'x-real-ip': '[2001:db8::1]:80' }, real), '2001:db8::1');
    assert.equal(ip('127.0.0.1', { 'x-real-ip': '::ffff:203.0.113.1' }, real), '203.0.113.1');
    assert.equal(ip('127.0.0.1', XFF('5.5.5.5'), real), '127.0.0.1', 'X-Forwarded-For ignored');
    assert.equal(ip('10.0.0.7', { 'x-real-ip': '2.2.2.2' }, real), '10.0.0.7');
    assert.equal(ip('127.0.0.1', { 'x-real-ip': '2.2.2.2, 3.3.3.3' }, real), '127.0.0.1');
    assert.equal(ip('127.0.0.1', { 'x-real-ip': ['2.2.2.2', '3.3.3.3'] }, real), '127.0.0.1');
    assert.equal(ip('127.0.0.1', { 'x-real-ip': ['2.2.2.2'] }, real), '2.2.2.2');
    assert.equal(ip('127.0.0.1', { 'x-real-ip': '' }, real), '127.0.0.1');
    const hop = compileProxyTrust({ proxies: 1, header: 'cf-connecting-ip' });
    assert.equal(ip('9.9.9.9', { 'cf-connecting-ip': '4.4.4.4' }, hop), '4.4.4.4');
    assert.equal(
      ip('9.9.9.9', { 'cf-connecting-ip': '4.4.4.4' }, compileProxyTrust({ proxies: 0 })),
      '9.9.9.9',
    );
  });

  it('{ header: "forwarded" }: RFC 7239 for= from the right, quoted, bracketed, with ports', () => {
    const fwd = compileProxyTrust({ header: 'forwarded', proxies: ['127.0.0.1', '10.0.0.0/8'] });
    const name: string = fwd.header; // typed by Node as one value; it may come as several lines
    const of = (value: string | string[]): string => ip('127.0.0.1', { [name]: value }, fwd);
    assert.equal(of('for=192.0.2.60;proto=http;by=203.0.113.43'), '192.0.2.60');
    assert.equal(of('for="[2001:db8:cafe::17]:4711"'), '2001:db8:cafe::17');
    assert.equal(of('For="[2001:DB8:CAFE::17]"'), '2001:db8:cafe::17');
    assert.equal(of('for=192.0.2.43, for=198.51.100.17'), '198.51.100.17');
    assert.equal(of('for=192.0.2.43, for=10.0.0.4;proto=https'), '192.0.2.43');
    assert.equal(of('proto=https;for="192.0.2.43:8080"'), '192.0.2.43');
    assert.equal(of(' for = 192.0.2.43 '), '192.0.2.43');
    assert.equal(of(['for=192.0.2.1', 'for=10.0.0.4']), '192.0.2.1');
    assert.equal(of('for=6.6.6.6, for=_hidden'), '127.0.0.1', 'obfuscated: not an address');
    assert.equal(of('for=6.6.6.6, for=unknown, for=10.0.0.4'), '10.0.0.4');
    assert.equal(of('for=6.6.6.6, proto=http'), '127.0.0.1', 'an element without for=');
    assert.equal(of('for=6.6.6.6, for=2001:db8::1'), '2001:db8::1', 'unquoted IPv6 tolerated');
    assert.equal(ip('127.0.0.1', XFF('5.5.5.5'), fwd), '127.0.0.1', 'X-Forwarded-For ignored');
  });

  it('tells whether a request carries its header, and whether a peer is trusted', () => {
    assert.equal(DEFAULT.header, 'x-forwarded-for');
    assert.equal(DEFAULT.forwardedBy(XFF('1.1.1.1')), true);
    assert.equal(DEFAULT.forwardedBy({ 'x-real-ip': '1.1.1.1' }), false);
    const real = compileProxyTrust({ header: 'X-Real-IP' });
    assert.equal(real.header, 'x-real-ip');
    assert.equal(real.forwardedBy({ 'x-real-ip': '1.1.1.1' }), true);
    assert.equal(DEFAULT.trustsPeer('::ffff:127.0.0.1'), true);
    assert.equal(DEFAULT.trustsPeer('10.0.0.7'), false);
    assert.equal(DEFAULT.trustsPeer(undefined), false);
    assert.equal(compileProxyTrust(2).trustsPeer('8.8.8.8'), true);
    assert.equal(compileProxyTrust(0).trustsPeer('127.0.0.1'), false);
    assert.equal(compileProxyTrust(true).trustsPeer('8.8.8.8'), true);
  });
});

describe('readTrustProxy', () => {
  const r = new OptionReader('ProtectionModule');
  const read = (value: unknown): ProxyTrust => readTrustProxy(r, value);

  it('compiles every accepted form', () => {
    assert.equal(read(undefined).isTrusted('127.0.0.1'), true);
    assert.equal(read(undefined).isTrusted('10.0.0.1'), false);
    assert.equal(read(true).isTrusted('8.8.8.8'), true);
    assert.equal(read(false).isTrusted('127.0.0.1'), false);
    assert.equal(read(2).hops, 2);
    assert.equal(read(['10.0.0.0/8']).isTrusted('10.1.2.3'), true);
    const object = read({ proxies: ['10.0.0.0/8'], header: 'X-Real-IP' });
    assert.deepEqual([object.header, object.format], ['x-real-ip', 'single']);
    assert.equal(read({ header: 'forwarded' }).format, 'forwarded');
    assert.equal(read({}).header, 'x-forwarded-for');
    assert.equal(read({ proxies: 1 }).hops, 1);
    assert.equal(read({ proxies: true }).isTrusted('8.8.8.8'), true);
  });

  it('refuses anything else, naming the option', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['yes', /option "trustProxy" is "yes"; expected true, false, a hop count/],
      [-1, /option "trustProxy" is -1; expected a whole number from 0 to 32/],
      [1.5, /"trustProxy"/],
      [33, /"trustProxy"/],
      [null, /"trustProxy"/],
      [['not-an-ip/99'], /"trustProxy".*IP addresses or CIDRs/],
      [['10.0.0.0/33'], /"trustProxy"/],
      [['2001:db8::/129'], /"trustProxy"/],
      [['10.0.0.0/'], /"trustProxy"/],
      [['::ffff:10.0.0.0/95'], /"trustProxy"/],
      [[1], /"trustProxy"/],
      [{ proxies: 'all' }, /"trustProxy.proxies"/],
      [{ proxies: ['x'] }, /"trustProxy.proxies"/],
      [{ header: 'x real ip' }, /"trustProxy.header"/],
      [{ header: '' }, /"trustProxy.header"/],
      [{ header: 5 }, /"trustProxy.header"/],
      [{ hops: 1 }, /unknown option "trustProxy.hops"/],
    ];
    for (const [value, message] of cases)
      assert.throws(
        () => read(value),
        (err) => err instanceof OptionError && message.test(err.message),
        JSON.stringify(value),
      );
  });

  it('isAddressOrCidr accepts addresses and CIDRs only', () => {
    for (const good of ['10.0.0.1', '10.0.0.0/8', '::1', '2001:db8::/32', '0.0.0.0/0', '::/0'])
      assert.equal(isAddressOrCidr(good), true, good);
    for (const bad of ['', 'localhost', '10.0.0.0/x', '10.0.0.0/33', '1.2.3', 5, null])
      assert.equal(isAddressOrCidr(bad), false, String(bad));
  });

  it('an IPv6 network holding the mapped range holds IPv4 clients too', () => {
    assert.equal(compileProxyTrust(['::/0']).isTrusted('203.0.113.1'), true);
    assert.equal(compileProxyTrust(['::ffff:0:0/96']).isTrusted('203.0.113.1'), true);
    assert.equal(compileProxyTrust(['2001:db8::/32']).isTrusted('203.0.113.1'), false);
  });
});

describe('resolveClientIp fuzz', () => {
  const PEERS = ['127.0.0.1', '::1', '::ffff:127.0.0.1', '10.0.0.7', '203.0.113.50', 'fe80::1%lo'];
  const TRUSTS: Array<TrustProxyOption | undefined> = [
    undefined,
    true,
    false,
    0,
    1,
    2,
    3,
    ['127.0.0.0/8', '10.0.0.0/8', '2001:db8::/32'],
    { header: 'forwarded' },
    { header: 'forwarded', proxies: true },
    { header: 'x-real-ip' },
    { header: 'x-real-ip', proxies: 1 },
  ];
  /** Entries with the address each one names ('' for none). */
  const TOKENS: Array<[string, string]> = [
    ['203.0.113.9', '203.0.113.9'],
    ['203.0.113.9:443', '203.0.113.9'],
    ['10.0.0.3', '10.0.0.3'],
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '::1'],
    ['[::1]:8080', '::1'],
    ['2001:DB8::A', '2001:db8::a'],
    ['2001:0db8:0000:0000:0000:0000:0000:000a', '2001:db8::a'],
    ['[2001:db8:0:0:1:0:0:1]', '2001:db8::1:0:0:1'],
    ['::ffff:198.51.100.2', '198.51.100.2'],
    ['"198.51.100.3"', '198.51.100.3'],
    ['unknown', ''],
    ['_hidden', ''],
    ['', ''],
    ['1.2.3', ''],
    ['[', ''],
    ['[::1', ''],
    ['300.1.1.1', ''],
    ['1.2.3.4:', ''],
  ];
  const JUNK = ' ,;="[]:._%-\t\u0000\u007fabcdefxyz0123456789ABCDEF:::...,,,for=';

  function spaced(text: string, rand: () => number): string {
    const pad = (): string => (rand() < 0.3 ? ' '.repeat(1 + Math.floor(rand() * 3)) : '');
    return pad() + text + pad();
  }

  /** A slow, obviously right reference: the whole header split, walked from the right. */
  function reference(peer: string, tokens: ReadonlyArray<[string, string]>, trust: ProxyTrust) {
    const from = canonicalIp(peer) || '0.0.0.0';
    const trusted = (ip: string, hop: number): boolean =>
      trust.hops === null ? trust.isTrusted(ip) : hop < trust.hops;
    if (!trusted(from, 0)) return from;
    let last = from;
    for (let hop = 1; hop <= tokens.length; hop++) {
      const address = tokens[tokens.length - hop]?.[1] ?? '';
      if (address === '') return last;
      if (!trusted(address, hop)) return address;
      last = address;
    }
    return last;
  }

  it('5,000 well-formed lists: the right-to-left scan equals a split-and-walk reference', () => {
    const rand = prng(0x5eed);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
    const outcomes = { peer: 0, forwarded: 0 };
    for (let n = 0; n < 5000; n++) {
      const trust = compileProxyTrust(pick(TRUSTS));
      if (trust.format === 'single') continue;
      const peer = pick(PEERS);
      const count = 1 + Math.floor(rand() * 6);
      const tokens = Array.from({ length: count }, () => pick(TOKENS));
      // An empty entry list is an absent header: covered elsewhere.
      if (tokens.every(([text]) => text === '')) continue;
      const entries = tokens.map(([text]) =>
        spaced(trust.format === 'forwarded' ? `for=${text}` : text, rand),
      );
      // Sometimes several header lines.
      const cut = Math.floor(rand() * count);
      const value =
        rand() < 0.3 && cut > 0
          ? [entries.slice(0, cut).join(','), entries.slice(cut).join(',')]
          : entries.join(',');
      const headers = { [trust.header]: value };
      const expected = reference(peer, tokens, trust);
      assert.equal(
        resolveClientIp(req(peer, headers), trust),
        expected,
        JSON.stringify({ peer, value, trust: [trust.header, trust.hops] }),
      );
      outcomes[expected === canonicalIp(peer) ? 'peer' : 'forwarded']++;
    }
    // The draw covers both outcomes well (a generator that always hit the peer would prove nothing).
    assert.ok(outcomes.peer > 1000 && outcomes.forwarded > 1000, JSON.stringify(outcomes));
  });

  it('5,000 random hostile headers: never throws; the answer is the peer or an address the header holds', () => {
    const rand = prng(20_240_601);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
    const noise = (): string =>
      Array.from({ length: Math.floor(rand() * 12) }, () => pick([...JUNK])).join('');
    /** Every address any piece of the header could be read as (a lenient superset). */
    const addressesIn = (value: string): Set<string> => {
      const found = new Set<string>();
      for (const piece of value.split(/[,;]/)) {
        let s = piece
          .trim()
          .replace(/^for\s*=/i, '')
          .trim();
        if (s.startsWith('"') && s.endsWith('"')) s = s.slice(1, -1).trim();
        const bracket = /^\[([^\]]*)\]/.exec(s);
        if (bracket) s = bracket[1] ?? '';
        else if (/^[^:]*:[^:]*$/.test(s)) s = s.slice(0, s.indexOf(':'));
        const address = canonicalIp(s);
        if (address) found.add(address);
      }
      return found;
    };
    let forwarded = 0;
    for (let n = 0; n < 5000; n++) {
      const trust = compileProxyTrust(pick(TRUSTS));
      const peer = pick(PEERS);
      const parts = Array.from({ length: Math.floor(rand() * 8) }, () =>
        rand() < 0.5 ? pick(TOKENS)[0] : noise(),
      );
      const separator =
        trust.format === 'forwarded' && rand() < 0.5 ? ', for=' : pick([',', ', ', ',,', ' ,']);
      const value = (trust.format === 'forwarded' ? 'for=' : '') + parts.join(separator);
      let got = '';
      assert.doesNotThrow(() => {
        got = resolveClientIp(req(peer, { [trust.header]: value }), trust);
      }, value);
      assert.equal(canonicalIp(got), got, `canonical: ${JSON.stringify(value)} -> ${got}`);
      const peerCanonical = canonicalIp(peer);
      assert.ok(
        got === peerCanonical || addressesIn(value).has(got),
        `${JSON.stringify(value)} from ${peer} -> ${got}`,
      );
      if (got !== peerCanonical) forwarded++;
    }
    assert.ok(forwarded > 500, `${forwarded} answers came from the header`);
  });
});
