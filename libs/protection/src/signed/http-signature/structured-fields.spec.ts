import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isSfKey,
  parseBytesDictionary,
  parseInnerListDictionary,
  parseStringItem,
  serializeSfString,
  type SfLimits,
} from './structured-fields';

const WIDE: SfLimits = { members: 1000, items: 1000, params: 1000 };

describe('structured fields: details', () => {
  it('keeps the first position and the last value of a repeated key (RFC 8941)', () => {
    const d = parseInnerListDictionary('a=("x"), b=("y"), a=("z");p=1;q;p=2', WIDE);
    assert.ok(Array.isArray(d));
    assert.deepEqual(
      d.map((m) => [m.key, m.text]),
      [
        ['a', '("z");p=2;q'],
        ['b', '("y")'],
      ],
    );
  });

  it('serializes canonically: integers, booleans, spacing', () => {
    const d = parseInnerListDictionary('s=(  "a";x=007  "b";y=?1;z=?0 );n=-0;t=tok', WIDE);
    assert.ok(Array.isArray(d));
    assert.equal(d[0]?.text, '("a";x=7 "b";y;z=?0);n=0;t=tok');
  });

  it('validates base64 as forgiving-base64 does (padding optional, "=" only at the end)', () => {
    const ok = (s: string) => Array.isArray(parseBytesDictionary(`a=:${s}:`, WIDE));
    for (const s of ['', 'YQ', 'YQ==', 'YWI', 'YWI=', 'YWJj', 'YR==']) assert.ok(ok(s), s);
    for (const s of ['Y', 'YQ=', 'YQ===', '=', 'Y=Q=', 'YQ-_', 'YQ ==']) assert.ok(!ok(s), s);
  });

  it('bounds members, items and parameters, and reports the bound', () => {
    const small: SfLimits = { members: 2, items: 2, params: 2 };
    assert.equal(parseInnerListDictionary('a=(), b=(), c=()', small), 'limit');
    assert.ok(Array.isArray(parseInnerListDictionary('a=(), b=(), a=()', small)), 'distinct keys');
    assert.equal(parseInnerListDictionary('a=("1" "2" "3")', small), 'limit');
    assert.equal(parseInnerListDictionary('a=();x;y;z', small), 'limit');
    assert.ok(Array.isArray(parseInnerListDictionary('a=();x;y;x;y;x', small)));
  });

  it('parses a single component identifier and serializes strings and keys', () => {
    const item = parseStringItem('"@query-param";name="Pet"', WIDE);
    assert.ok(typeof item !== 'string');
    assert.equal(item.value, '@query-param');
    assert.equal(item.text, '"@query-param";name="Pet"');
    assert.equal(parseStringItem('"a" ', WIDE), 'syntax');
    assert.equal(parseStringItem('tok', WIDE), 'unsupported');
    assert.equal(serializeSfString('a"b\\c'), '"a\\"b\\\\c"');
    assert.throws(() => serializeSfString('é'), TypeError);
    assert.ok(
      isSfKey('sig-1.a_*') && isSfKey('*') && !isSfKey('Sig') && !isSfKey('') && !isSfKey('1a'),
    );
  });
});
