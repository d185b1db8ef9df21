import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalLocale, parseAcceptLanguage } from './locale';
import { matchTimeZone } from './timezone';

describe('locale parsing', () => {
  it('canonicalizes tags and separators', () => {
    assert.equal(canonicalLocale('en_US'), 'en-US');
    assert.equal(canonicalLocale('EN-us'), 'en-US');
    assert.equal(canonicalLocale('zh-hant-tw'), 'zh-Hant-TW');
    assert.equal(canonicalLocale('*'), undefined);
    assert.equal(canonicalLocale('12345678901'), undefined);
    assert.equal(canonicalLocale('en US'), undefined);
  });
  it('ranks Accept-Language by q-value and keeps the region', () => {
    assert.equal(parseAcceptLanguage('en-US,en;q=0.9'), 'en-US');
    assert.equal(parseAcceptLanguage('fr;q=0.2, de-AT;q=0.7, en;q=0.5'), 'de-AT');
    assert.equal(parseAcceptLanguage('da, en-gb;q=0.8, en;q=0.7'), 'da');
    assert.equal(parseAcceptLanguage('en;q=0, fr;q=0.1'), 'fr', 'q=0 means not acceptable');
    assert.equal(parseAcceptLanguage('*;q=1'), undefined);
    assert.equal(parseAcceptLanguage(';;;,,,q=abc'), undefined);
  });
});

describe('time zone matching', () => {
  it('matches exact names case-insensitively and unique partial names', () => {
    assert.equal(matchTimeZone('asia/tokyo'), 'Asia/Tokyo');
    assert.equal(matchTimeZone('tokyo'), 'Asia/Tokyo');
    assert.equal(matchTimeZone('New York'), 'America/New_York');
    assert.equal(matchTimeZone('UTC'), 'UTC');
  });
  it('returns nothing for unknown or ambiguous names, so the default applies', () => {
    assert.equal(matchTimeZone('Mars/Olympus'), undefined);
    assert.equal(matchTimeZone('america'), undefined);
    assert.equal(matchTimeZone('x'.repeat(500)), undefined);
    assert.equal(matchTimeZone('../../etc/passwd'), undefined);
  });
});
