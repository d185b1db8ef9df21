import assert from 'node:assert/strict';
import { channel } from 'node:diagnostics_channel';
import { Server, type ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { exchange, FakeSocket, settle } from './fake-http.spec';
import { InFlightCounter } from './in-flight.counter';

const finishChannel = channel('http.server.response.finish');

function counter(): { counter: InFlightCounter; finished: Array<[ServerResponse, number]> } {
  const finished: Array<[ServerResponse, number]> = [];
  return {
    counter: new InFlightCounter({ check: (res, ms) => void finished.push([res, ms]) }),
    finished,
  };
}

/** Not an http.Server: the counter falls back to a 'close' listener per response. */
function otherServer(): Server & { idleCloses: number } {
  const server = { idleCloses: 0, closeIdleConnections: () => server.idleCloses++ };
  return server as unknown as Server & { idleCloses: number };
}

describe('InFlightCounter', () => {
  beforeEach(() =>
    mock.timers.enable({ apis: ['Date', 'setTimeout', 'setImmediate'], now: 1_000_000 }),
  );
  afterEach(() => mock.timers.reset());

  describe('listener mode (servers other than HTTP/1)', () => {
    it('counts a request until its response closes, and times it', () => {
      const { counter: c, finished } = counter();
      c.attach(otherServer());
      const a = exchange();
      const b = exchange();
      c.admit(a.req, a.res, false);
      c.admit(b.req, b.res, false);
      assert.equal(c.inFlight, 2);
      mock.timers.tick(120);
      a.res.close();
      assert.deepEqual([c.inFlight, c.served], [1, 1]);
      assert.deepEqual(finished, [[a.res, 120]]);
      assert.deepEqual(c.latencies.percentiles(50), [120]);
    });

    it('drained() resolves when the last request ends, not before', async () => {
      const { counter: c } = counter();
      c.attach(otherServer());
      const a = exchange();
      const b = exchange();
      c.admit(a.req, a.res, false);
      c.admit(b.req, b.res, false);
      let done = false;
      void c.drained(20_000).then(() => (done = true));
      a.res.close();
      await settle();
      assert.equal(done, false, 'one request still in flight');
      b.res.close();
      await settle();
      assert.equal(done, true);
    });

    it('drained() resolves at the timeout when a request never ends, and at once when none is in flight', async () => {
      const { counter: c } = counter();
      c.attach(otherServer());
      let idle = false;
      void c.drained(5000).then(() => (idle = true));
      await settle();
      assert.equal(idle, true);
      const a = exchange();
      c.admit(a.req, a.res, false);
      let done = false;
      void c.drained(5000).then(() => (done = true));
      mock.timers.tick(4999);
      await settle();
      assert.equal(done, false);
      mock.timers.tick(1);
      await settle();
      assert.equal(done, true);
    });

    it('while draining, closes idle connections at once and after each response', () => {
      const { counter: c } = counter();
      const server = otherServer();
      c.attach(server);
      const a = exchange();
      c.admit(a.req, a.res, false);
      c.drain();
      assert.equal(server.idleCloses, 1);
      a.res.close();
      mock.timers.tick(0); // the setImmediate
      assert.equal(server.idleCloses, 2);
    });
  });

  describe('channel mode (HTTP/1: Node publishes each finished response)', () => {
    let server: Server;
    let c: InFlightCounter;
    let finished: Array<[ServerResponse, number]>;
    beforeEach(() => {
      server = new Server();
      ({ counter: c, finished } = counter());
      c.attach(server);
    });
    afterEach(() => c.detach());

    it("ends a request on its response's finish message, and ignores other servers' messages", () => {
      const a = exchange();
      c.admit(a.req, a.res, false);
      assert.equal(a.res.listenerCount('close'), 0, 'no listener per response');
      mock.timers.tick(40);
      finishChannel.publish({
        request: a.req,
        response: a.res,
        socket: a.socket,
        server: new Server(),
      });
      assert.equal(c.inFlight, 1, 'another app in the process');
      finishChannel.publish({ request: a.req, response: a.res, socket: a.socket, server });
      assert.deepEqual([c.inFlight, c.served], [0, 1]);
      assert.deepEqual(finished, [[a.res, 40]]);
    });

    it('a client hang-up ends every request of its connection once; their late finishes count nothing', () => {
      const socket = new FakeSocket();
      const first = exchange({ socket });
      const second = exchange({ socket });
      c.admit(first.req, first.res, false);
      c.admit(second.req, second.res, false);
      assert.equal(socket.listenerCount('close'), 1, 'one listener per connection');
      assert.equal(c.inFlight, 2);
      socket.hangUp();
      assert.deepEqual([c.inFlight, c.served], [0, 2]);
      finishChannel.publish({ request: first.req, response: first.res, socket, server });
      finishChannel.publish({ request: second.req, response: second.res, socket, server });
      assert.deepEqual([c.inFlight, c.served], [0, 2]);
      assert.equal(finished.length, 0, 'hang-ups are not timed');
    });

    it('does not count a request admitted late on a connection that closed meanwhile', () => {
      const a = exchange();
      a.socket.closed = true;
      c.admit(a.req, a.res, true);
      assert.equal(c.inFlight, 0);
    });

    it('detach() stops listening to the channel', () => {
      const a = exchange();
      c.admit(a.req, a.res, false);
      c.detach();
      finishChannel.publish({ request: a.req, response: a.res, socket: a.socket, server });
      assert.equal(c.inFlight, 1);
    });
  });
});
