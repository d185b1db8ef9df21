import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeControl } from './log-escape';
import {
  MASK,
  TOO_DEEP,
  TOO_MANY,
  compileRedaction,
  redactFields,
  redactQuery,
  redactUrl,
  redactValue,
} from './redact';
import { redactJsonPrefix, redactText } from './redact-text';

/* Masking by key name at any depth or by dotted path, and control characters never printed raw. */

const r = compileRedaction(['Password', 'authorization', 'card.number']);

describe('redactValue', () => {
  it('masks a key name at any depth, in arrays, whatever its case, and leaves the original alone', () => {
    const body = {
      user: { Password: 'x', list: [{ password: 'y' }, [{ PASSWORD: 'z' }]] },
      password: { nested: 'whole value masked' },
      keep: [1, 'two', null, true],
    };
    const before = structuredClone(body);
    assert.deepEqual(redactValue(body, r), {
      user: { Password: MASK, list: [{ password: MASK }, [{ PASSWORD: MASK }]] },
      password: MASK,
      keep: [1, 'two', null, true],
    });
    assert.deepEqual(body, before, 'the handler keeps its body');
  });

  it('masks a dotted path from the top only, case-insensitive and through arrays', () => {
    const body = {
      Card: { Number: '4111', cvc: '1' },
      cards: [{ number: 'seen' }],
      other: { card: { number: 'not at the top' } },
      list: [{ card: { number: 'nor here' } }],
    };
    assert.deepEqual(redactValue(body, r), {
      Card: { Number: MASK, cvc: '1' },
      cards: [{ number: 'seen' }],
      other: { card: { number: 'not at the top' } },
      list: [{ card: { number: 'nor here' } }],
    });
    assert.deepEqual(
      redactValue({ 'card.number': 1, 'user[Password]': 2, 'a[0][b]': 3, '': 4 }, r),
      { 'card.number': MASK, 'user[Password]': MASK, 'a[0][b]': 3, '': 4 },
      'keys a flat form parser left unsplit',
    );
    const items = compileRedaction(['items.secret']);
    assert.deepEqual(redactValue({ items: [{ secret: 1 }, { secret: 2, a: 3 }] }, items), {
      items: [{ secret: MASK }, { secret: MASK, a: 3 }],
    });
  });

  it('is bounded: deep nesting and huge fan-out are cut with a marker, cycles end', () => {
    let deep: unknown = { password: 'leaf' };
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    const text = JSON.stringify(redactValue(deep, r));
    assert.ok(text.includes(TOO_DEEP) && !text.includes('leaf'));
    let arrays: unknown = ['leaf'];
    for (let i = 0; i < 100_000; i++) arrays = [arrays];
    assert.ok(JSON.stringify(redactValue(arrays, r)).includes(TOO_DEEP));

    const wide: Record<string, number> = {};
    for (let i = 0; i < 200_000; i++) wide[`k${i}`] = i;
    const t0 = performance.now();
    const out = redactValue({ wide, list: new Array(200_000).fill({ a: 1 }) }, r);
    assert.ok(performance.now() - t0 < 1000);
    assert.ok(JSON.stringify(out).includes(TOO_MANY));

    const cyclic: Record<string, unknown> = { password: 'p' };
    cyclic.self = cyclic;
    assert.ok(JSON.stringify(redactValue(cyclic, r)).includes(TOO_DEEP));
  });

  it('serializes what JSON would (dates, buffers, bigints) and leaves everything unmasked when the list is empty', () => {
    const none = compileRedaction([]);
    assert.deepEqual(redactValue({ password: 'p' }, none), { password: 'p' });
    assert.deepEqual(
      redactValue({ at: new Date(0), raw: Buffer.from('abc'), n: 10n, Password: 1 }, r),
      { at: '1970-01-01T00:00:00.000Z', raw: '<3 bytes>', n: '10', Password: MASK },
    );
  });
});

describe('query strings, forms and multipart fields', () => {
  it('masks parameters by name, encoded or bracketed, and keeps the rest byte for byte', () => {
    assert.equal(redactQuery('password=x&a=1', r), `password=${MASK}&a=1`);
    assert.equal(
      redactQuery('PassWord=x&user%5Bpassword%5D=y&user[list][0][password]=z&pass%77ord=w&b', r),
      `PassWord=${MASK}&user%5Bpassword%5D=${MASK}&user[list][0][password]=${MASK}&pass%77ord=${MASK}&b`,
    );
    assert.equal(
      redactQuery('card.number=1&card[number]=2&number=3', r),
      `card.number=${MASK}&card[number]=${MASK}&number=3`,
    );
    assert.equal(redactQuery('bad%=1&password', r), `bad%=1&password=${MASK}`);
    assert.equal(redactUrl('/a/b?password=q&x=%0A', r), `/a/b?password=${MASK}&x=%0A`);
    assert.equal(redactUrl('/no-query', r), '/no-query');
  });

  it('masks url-encoded text and multipart fields by name', () => {
    assert.equal(
      redactText('a=1&password=x', 'application/x-www-form-urlencoded; charset=utf-8', r),
      `a=1&password=${MASK}`,
    );
    assert.deepEqual(
      redactFields(
        { note: 'hi', PASSWORD: 'p', 'user[password]': ['a', 'b'], 'card.number': '4' },
        r,
      ),
      { note: 'hi', PASSWORD: MASK, 'user[password]': MASK, 'card.number': MASK },
    );
  });
});

describe('redactText', () => {
  it('masks JSON text as data, whatever the content type says', () => {
    const json = JSON.stringify({ user: { Password: 'x', list: [{ password: 'y' }] } });
    const expected = JSON.stringify({ user: { Password: MASK, list: [{ password: MASK }] } });
    assert.equal(redactText(json, 'application/json', r), expected);
    assert.equal(redactText(json, 'text/html', r), expected);
    assert.equal(redactText('plain text', 'text/plain', r), 'plain text');
  });

  it('masks a JSON body cut short as the whole body would be masked', () => {
    const whole = JSON.stringify({
      a: 'x, "password": "no"',
      user: { name: 'n', Password: 'secret', card: { number: 'no' } },
      card: { number: '4111', items: [{ password: { deep: [1, 2] } }, { pass: 1 }] },
      password: 'unfinished',
    });
    for (let at = 1; at < whole.length; at++) {
      const prefix = whole.slice(0, at);
      const out = redactText(prefix, 'application/json', r);
      for (const secret of ['secret', '4111', 'deep', 'unfinish'])
        assert.ok(!out.includes(secret), `${prefix} -> ${out}`);
    }
    assert.equal(
      redactJsonPrefix('{"user":{"pass\\u0077ord":"s","b":[1,{"x":"y"}],"c":"d"', r),
      `{"user":{"pass\\u0077ord":"${MASK}","b":[1,{"x":"y"}],"c":"d"`,
    );
    assert.equal(redactJsonPrefix('{"a":{"password":"sec', r), `{"a":{"password":"${MASK}"`);
  });
});

describe('escapeControl', () => {
  it('writes every C0, DEL, C1 and line separator as an escape, and leaves other text alone', () => {
    assert.equal(escapeControl('a\nb\rc\td'), 'a\\nb\\rc\\td');
    assert.equal(
      escapeControl('\u0000\u001b[31m\u007f\u0085\u009f\u2028\u2029'),
      '\\u0000\\u001b[31m\\u007f\\u0085\\u009f\\u2028\\u2029',
    );
    assert.equal(escapeControl('héllo "q" \\n 日本'), 'héllo "q" \\n 日本');
    for (let c = 0; c < 0x10000; c++) {
      const out = escapeControl(String.fromCharCode(c));
      if (out.length === 1)
        assert.ok(!/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(out), String(c)); // eslint-disable-line no-control-regex
    }
  });

  it('turns a forged log line into part of the one line, and keeps JSON text valid', () => {
    const forged =
      'ok\n[Nest] 1  - 01/01/2026, 10:00:00 AM     LOG [Auth] FORGED: admin logged in\r\n';
    const line = escapeControl(`--> POST /x [id] body=${forged}`);
    assert.equal(line.split(/[\n\r\u0085\u2028\u2029]/).length, 1);
    assert.ok(line.includes('body=ok\\n[Nest] 1'));
    const json = escapeControl(JSON.stringify({ body: `a\u0085b\u2028c\n` }));
    assert.deepEqual(JSON.parse(json), { body: 'a\u0085b\u2028c\n' });
    assert.ok(!/[\u0085\u2028]/.test(json));
  });
});
