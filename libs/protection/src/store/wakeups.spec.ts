import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreUnavailableError } from './store.errors';
import { Wakeups, type ShardSubscriber } from './wakeups';

/** A subscriber whose replies the test releases one by one. */
class FakeSubscriber implements ShardSubscriber {
  readonly sent: string[] = [];
  private readonly pending: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];

  ssubscribe(channel: string): Promise<unknown> {
    return this.push(`SSUBSCRIBE ${channel}`);
  }

  sunsubscribe(channel: string): Promise<unknown> {
    return this.push(`SUNSUBSCRIBE ${channel}`);
  }

  /** Answers the oldest command still waiting. */
  reply(err?: Error): void {
    const next = this.pending.shift();
    assert.ok(next, 'a command waits for its reply');
    if (err) next.reject(err);
    else next.resolve();
  }

  private push(command: string): Promise<unknown> {
    this.sent.push(command);
    return new Promise<void>((resolve, reject) => this.pending.push({ resolve, reject }));
  }
}

/** Wakeups without a subscriber: for what needs none. */
const idle = (cluster: boolean): Wakeups =>
  new Wakeups(
    cluster,
    () => null,
    100,
    () => undefined,
  );

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

function wakeups(
  sub: FakeSubscriber | null,
  timeoutMs = 1000,
): { w: Wakeups; errors: string[]; close: () => void } {
  let current = sub;
  const errors: string[] = [];
  const w = new Wakeups(
    true,
    () => current,
    timeoutMs,
    (err) => errors.push(err.message),
  );
  w.learn('7.0.15');
  return { w, errors, close: () => (current = null) };
}

describe('Wakeups', () => {
  it('shards on a Cluster of Redis >= 7 only, from the first version learnt', () => {
    const single = idle(false);
    single.learn('7.2.4');
    assert.deepEqual(single.channel('np:debounce:wake', 'k'), {
      channel: 'np:debounce:wake',
      sharded: false,
    });
    assert.equal(single.mayShard, false);

    const old = idle(true);
    assert.equal(old.mayShard, true);
    assert.equal(old.channel('np:debounce:wake', 'k').sharded, false);
    old.learn(undefined);
    assert.equal(old.mayShard, true);
    old.learn('6.2.14');
    assert.equal(old.mayShard, false);
    old.learn('7.0.15');
    assert.equal(old.channel('np:debounce:wake', 'k').sharded, false);

    const cluster = idle(true);
    cluster.learn('7.0.15');
    assert.deepEqual(cluster.channel('np:debounce:wake', '/a|f00'), {
      channel: 'np:debounce:wake:{/a|f00}',
      sharded: true,
    });
  });

  it('asks for the version until INFO answers, then stops; close() stops the retries', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const answers: Array<string | undefined> = [undefined, undefined, '7.0.15'];
    let asked = 0;
    const w = idle(true);
    void w.learnFrom(() => Promise.resolve(answers[asked++]));
    for (let i = 0; i < 6; i++) {
      await flush();
      t.mock.timers.tick(2000);
    }
    assert.equal(asked, 3);
    assert.equal(w.isSharded, true);

    let tries = 0;
    const down = idle(true);
    void down.learnFrom(() => Promise.resolve(void tries++));
    await flush();
    t.mock.timers.tick(100);
    await flush();
    assert.equal(tries, 2);
    down.close();
    for (let i = 0; i < 3; i++) {
      t.mock.timers.tick(2000);
      await flush();
    }
    assert.equal(tries, 3, 'the retry already scheduled runs, then no more');
    assert.equal(down.mayShard, true);
  });

  it('learnFrom resolves once decided, or after its wait', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const answers: Array<string | undefined> = [undefined, '7.0.15'];
    let asked = 0;
    const w = idle(true);
    let decided = false;
    void w.learnFrom(() => Promise.resolve(answers[asked++]), 1000).then(() => (decided = true));
    await flush();
    assert.equal(decided, false);
    t.mock.timers.tick(100);
    await flush();
    assert.equal(decided, true);

    const down = idle(true);
    let waited = false;
    void down.learnFrom(() => Promise.resolve(undefined), 1000).then(() => (waited = true));
    t.mock.timers.tick(999);
    await flush();
    assert.equal(waited, false);
    t.mock.timers.tick(1);
    await flush();
    assert.equal(waited, true);
    assert.equal(down.isSharded, false);
    down.close();
  });

  it('routes a sharded channel to the handler of the channel it derives from', () => {
    const { w } = wakeups(null);
    const wake = (): void => undefined;
    const other = (): void => undefined;
    const channels = new Map([
      ['np:other', other],
      ['np:debounce:wake', wake],
    ]);
    assert.equal(w.route(channels, 'np:debounce:wake:{/a|f00}'), wake);
    assert.equal(w.route(channels, 'np:other:{x}'), other);
    assert.equal(w.route(channels, 'np:debounce:wakeful:{x}'), undefined);
    assert.equal(w.route(channels, 'np:debounce:wake'), undefined);
  });

  it('subscribes once for many waiters and unsubscribes after the last one', async () => {
    const sub = new FakeSubscriber();
    const { w } = wakeups(sub);
    const first = w.hold('c:{k}');
    const second = w.hold('c:{k}');
    await flush();
    assert.deepEqual(sub.sent, ['SSUBSCRIBE c:{k}']);
    sub.reply();
    await Promise.all([first, second]);
    await w.hold('c:{k}');
    w.release('c:{k}');
    w.release('c:{k}');
    await flush();
    assert.deepEqual(sub.sent, ['SSUBSCRIBE c:{k}']);
    w.release('c:{k}');
    await flush();
    assert.deepEqual(sub.sent, ['SSUBSCRIBE c:{k}', 'SUNSUBSCRIBE c:{k}']);
    assert.equal(w.held, 1, 'held until the SUNSUBSCRIBE is answered');
    sub.reply();
    await flush();
    assert.equal(w.held, 0);
  });

  it('sends a new SSUBSCRIBE only after the SUNSUBSCRIBE before it', async () => {
    const sub = new FakeSubscriber();
    const { w } = wakeups(sub);
    const held = w.hold('c:{k}');
    await flush();
    sub.reply();
    await held;
    w.release('c:{k}');
    const again = w.hold('c:{k}');
    await flush();
    assert.deepEqual(sub.sent, ['SSUBSCRIBE c:{k}', 'SUNSUBSCRIBE c:{k}']);
    sub.reply();
    await flush();
    assert.deepEqual(sub.sent, ['SSUBSCRIBE c:{k}', 'SUNSUBSCRIBE c:{k}', 'SSUBSCRIBE c:{k}']);
    sub.reply();
    await again;
    assert.equal(w.held, 1);
  });

  it('a failed SSUBSCRIBE rejects as StoreUnavailableError, holds nothing, and the next waiter tries again', async () => {
    const sub = new FakeSubscriber();
    const { w } = wakeups(sub);
    const held = w.hold('c:{k}');
    await flush();
    sub.reply(new Error('MOVED 1234 127.0.0.1:7001'));
    await assert.rejects(held, (err: unknown) => {
      assert.ok(err instanceof StoreUnavailableError);
      assert.match(err.message, /SSUBSCRIBE failed: MOVED/);
      return true;
    });
    await flush();
    // ioredis remembers the channel it was asked for until it is unsubscribed.
    assert.deepEqual(sub.sent, ['SSUBSCRIBE c:{k}', 'SUNSUBSCRIBE c:{k}']);
    const again = w.hold('c:{k}');
    sub.reply();
    await flush();
    sub.reply();
    await again;
    assert.deepEqual(sub.sent, ['SSUBSCRIBE c:{k}', 'SUNSUBSCRIBE c:{k}', 'SSUBSCRIBE c:{k}']);
  });

  it('an SSUBSCRIBE slower than the command timeout rejects, and is undone once answered', async () => {
    const sub = new FakeSubscriber();
    const { w } = wakeups(sub, 20);
    await assert.rejects(w.hold('c:{k}'), /SSUBSCRIBE timed out/);
    sub.reply();
    await flush();
    assert.deepEqual(sub.sent, ['SSUBSCRIBE c:{k}', 'SUNSUBSCRIBE c:{k}']);
    sub.reply();
    await flush();
    assert.equal(w.held, 0);
  });

  it('refuses to hold once closed, and a release after close sends nothing', async () => {
    const sub = new FakeSubscriber();
    const { w, close } = wakeups(sub);
    const held = w.hold('c:{k}');
    await flush();
    sub.reply();
    await held;
    close();
    await assert.rejects(w.hold('c:{j}'), StoreUnavailableError);
    w.release('c:{k}');
    await flush();
    assert.deepEqual(sub.sent, ['SSUBSCRIBE c:{k}']);
    assert.equal(w.held, 0);
  });
});
