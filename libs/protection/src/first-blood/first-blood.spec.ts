import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { CJK_CHARACTERS, CODE_ALPHABET, generateCode } from './captcha.code';
import { SignedIds } from '../core/signed-ids';

describe('CAPTCHA codes', () => {
  it('never use Math.random', () => {
    const original = Math.random;
    Math.random = () => {
      throw new Error('Math.random used');
    };
    try {
      for (let i = 0; i < 1000; i++) assert.match(generateCode(6), /^[A-Za-z0-9]{6}$/);
    } finally {
      Math.random = original;
    }
  });

  it('leave out look-alike characters and use the whole alphabet', () => {
    for (const c of '0Oo1lIi') assert.ok(!CODE_ALPHABET.includes(c), c);
    const seen = new Set(Array.from({ length: 400 }, () => generateCode(8)).join(''));
    assert.equal(seen.size, CODE_ALPHABET.length);
  });

  it('start with one CJK character when CJK is on', () => {
    const code = generateCode(4, true);
    assert.ok(CJK_CHARACTERS.includes(code[0] as string));
    assert.match(code.slice(1), new RegExp(`^[${CODE_ALPHABET}]{3}$`));
  });
});

describe('client tickets', () => {
  const tickets = new SignedIds([randomBytes(32).toString('base64url')], 'first-blood ticket');
  const other = new SignedIds([randomBytes(32).toString('base64url')], 'first-blood ticket');
  it('verify only when issued with the same key', () => {
    const t = tickets.mint();
    assert.ok(tickets.verify(t));
    assert.ok(!other.verify(t));
    // Every other spelling of the last character is refused, including those that decode to
    // the same bytes (base64url's spare bits).
    for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') {
      if (c !== t.at(-1)) assert.ok(!tickets.verify(t.slice(0, -1) + c), c);
    }
    const id = t.slice(0, 22);
    for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') {
      if (c !== id.at(-1)) assert.ok(!tickets.verify(id.slice(0, -1) + c + t.slice(22)), 'id ' + c);
    }
    assert.ok(!tickets.verify('x'.repeat(10_000)));
    assert.notEqual(tickets.mint(), t);
  });
});
