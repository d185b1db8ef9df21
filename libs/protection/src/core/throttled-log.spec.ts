import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { ThrottledLog } from './throttled-log';

describe('ThrottledLog', () => {
  beforeEach(() => mock.timers.enable({ apis: ['Date'], now: 0 }));
  afterEach(() => mock.timers.reset());

  it('writes at most one line per interval per key, building the message only then', () => {
    const lines: string[] = [];
    const log = new ThrottledLog({ warn: (m) => void lines.push(m) }, 10_000);
    let built = 0;
    const say = (key: string, text: string): boolean => log.warn(key, () => (built++, text));
    assert.equal(say('redis', 'first'), true, 'even at clock 0');
    assert.equal(say('redis', 'again'), false);
    assert.equal(say('debounce', 'other key'), true);
    mock.timers.tick(10_000);
    assert.equal(say('redis', 'later'), true);
    assert.deepEqual(lines, ['first', 'other key', 'later']);
    assert.equal(built, 3);
  });

  it('forgets every key when more than maxKeys would be kept', () => {
    const lines: string[] = [];
    const log = new ThrottledLog({ warn: (m) => void lines.push(m) }, 10_000, 2);
    log.warn('a', () => 'a');
    log.warn('b', () => 'b');
    log.warn('c', () => 'c');
    log.warn('a', () => 'a again');
    assert.deepEqual(lines, ['a', 'b', 'c', 'a again']);
  });
});
