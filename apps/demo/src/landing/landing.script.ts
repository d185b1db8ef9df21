/**
 * /demo.js: the landing page's script, plain browser JavaScript (no build step, no framework).
 * Every value from a response goes into the page through textContent, never as markup.
 * Kept free of backticks and `${` so it can live in this template literal.
 */
export const LANDING_SCRIPT = String.raw`'use strict';
(function () {
  const $ = (id) => document.getElementById(id);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  /** One exchange: status, headers and body (parsed when it is JSON). Never cached. */
  async function call(method, url, options) {
    const opts = options || {};
    const started = performance.now();
    const res = await fetch(url, {
      method: method,
      headers: opts.headers || {},
      body: opts.body,
      cache: 'no-store',
      credentials: 'same-origin',
    });
    const type = res.headers.get('content-type') || '';
    const blob = opts.blob ? await res.blob() : undefined;
    const text = blob ? '' : await res.text();
    let json;
    if (type.includes('json')) {
      try {
        json = JSON.parse(text);
      } catch (_e) {
        json = undefined;
      }
    }
    return {
      method: method,
      url: url,
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
      type: type,
      text: text,
      json: json,
      blob: blob,
      ms: Math.round(performance.now() - started),
    };
  }

  /**
   * Renders an answer into the .result block #id: status line, the named headers (a dash when
   * absent), the body. data-status and data-seq (renders so far) let a test wait for it.
   */
  function show(id, r, headerNames, bodyText) {
    const box = $(id);
    box.replaceChildren();
    const line = el('div', 'line');
    const badge = el('span', 'badge s' + String(r.status).charAt(0), r.status + ' ' + r.statusText);
    line.append(badge, el('span', 'req', r.method + ' ' + r.url), el('span', 'ms', r.ms + ' ms'));
    box.append(line);
    if (headerNames && headerNames.length) {
      const dl = el('dl', 'headers');
      for (const name of headerNames) {
        const value = r.headers.get(name);
        const dd = el('dd', value === null ? 'absent' : '', value === null ? '-' : value);
        dd.dataset.header = name.toLowerCase();
        dl.append(el('dt', '', name), dd);
      }
      box.append(dl);
    }
    let body = bodyText;
    if (body === undefined) body = r.json !== undefined ? JSON.stringify(r.json, null, 2) : r.text;
    box.append(el('pre', 'body', body === '' ? '(empty body)' : body));
    box.dataset.status = String(r.status);
    box.dataset.seq = String(Number(box.dataset.seq || 0) + 1);
  }

  function showError(id, err) {
    const box = $(id);
    box.replaceChildren(el('div', 'line error', 'Request failed: ' + err));
    box.dataset.status = 'error';
    box.dataset.seq = String(Number(box.dataset.seq || 0) + 1);
  }

  /** A click handler whose failures land in the result block #resultId, not the console. */
  function on(buttonId, resultId, handler) {
    $(buttonId).addEventListener('click', (event) => {
      event.preventDefault();
      handler().catch((err) => showError(resultId, err));
    });
  }

  // ---- @Debounce: the same POST twice at once ----
  const DEBOUNCE_HEADERS = ['X-Debounce', 'Retry-After'];
  async function submitTwice(url) {
    const [a, b] = await Promise.all([call('POST', url), call('POST', url)]);
    show('debounce-1', a, DEBOUNCE_HEADERS);
    show('debounce-2', b, DEBOUNCE_HEADERS);
  }
  on('debounce-reuse', 'debounce-1', () => submitTwice('/test/debounce-slow.json?ms=400'));
  on('debounce-nore', 'debounce-1', () => submitTwice('/test/debounce-nore.json?p=demo'));

  // ---- @DoubleKill: a background job and its progress ----
  let dkKey = null;
  let dkTimer = null;
  function dkRender(record) {
    const percent = Math.max(0, Math.min(100, Number(record.percent) || 0));
    $('dk-bar').value = percent;
    $('dk-percent').textContent = percent + ' %';
    $('dk-state').textContent = record.error
      ? 'failed: ' + record.error
      : record.done
        ? 'done'
        : 'running';
  }
  async function dkPoll() {
    dkTimer = null;
    const key = dkKey;
    const r = await call('GET', '/test/progress/' + encodeURIComponent(key));
    if (key !== dkKey) return; // a newer job took over
    show('dk-progress', r, ['Content-Type']);
    if (r.status !== 200 || !r.json) {
      $('dk-state').textContent = 'no progress record';
      return;
    }
    dkRender(r.json);
    if (!r.json.done)
      dkTimer = setTimeout(() => dkPoll().catch((e) => showError('dk-progress', e)), 500);
  }
  on('dk-start', 'dk-result', async () => {
    const s = encodeURIComponent($('dk-seconds').value || '5');
    const r = await call('GET', '/test/double-kill-async.json?s=' + s);
    show('dk-result', r, ['Content-Type']);
    const key = r.json && r.json.key;
    if (r.status !== 202 || !key) {
      $('dk-note').textContent = 'Unexpected answer: no progress key.';
      return;
    }
    if (key === dkKey && $('dk-state').textContent === 'running') {
      $('dk-note').textContent =
        '202 again with the same key: the job is already running (for ' +
        r.json.elapsed +
        ' s); it was not started twice.';
      return;
    }
    $('dk-note').textContent = '202: the job started in the background; polling its progress.';
    dkKey = key;
    dkRender({ percent: 0, done: false });
    if (dkTimer) clearTimeout(dkTimer);
    await dkPoll();
  });

  // ---- @FirstBlood: a login that needs a CAPTCHA after its free pass ----
  const FB_URL = '/test/captcha-30.json';
  const FB_HEADERS = ['Client-Ticket', 'Retry-After', 'Content-Type'];
  let fbTicket = null;
  let fbImageUrl = null;
  function fbHeaders() {
    return fbTicket ? { 'Client-Ticket': fbTicket } : {};
  }
  function fbAnswer(r) {
    show('fb-result', r, FB_HEADERS);
    const ticket = r.headers.get('Client-Ticket');
    if (ticket) fbTicket = ticket;
    $('fb-captcha').hidden = r.status !== 406;
    return r.status === 406 ? fbImage() : Promise.resolve();
  }
  async function fbImage() {
    const r = await call('GET', FB_URL + '?quest-captcha-image=', {
      headers: fbHeaders(),
      blob: true,
    });
    const image = r.status === 200 && r.type.startsWith('image/');
    const plain = r.status === 200 && !image;
    const text = plain ? await r.blob.text() : '';
    show(
      'fb-image-result',
      r,
      ['Content-Type', 'Cache-Control', 'Retry-After'],
      image ? '(' + r.type + ', ' + r.blob.size + ' bytes: the image above)' : text,
    );
    if (fbImageUrl) URL.revokeObjectURL(fbImageUrl);
    fbImageUrl = image ? URL.createObjectURL(r.blob) : null;
    $('fb-image').hidden = !image;
    if (image) $('fb-image').src = fbImageUrl;
    // DEMO_CAPTCHA_PLAINTEXT=1 (or captchaPlaintext in tests): the code comes as text.
    $('fb-plain').hidden = !plain;
    $('fb-plain').textContent = plain ? text : '';
    $('fb-code').value = '';
  }
  on('fb-login', 'fb-result', async () =>
    fbAnswer(await call('GET', FB_URL, { headers: fbHeaders() })),
  );
  on('fb-new', 'fb-image-result', fbImage);
  on('fb-submit', 'fb-result', async () => {
    const code = encodeURIComponent($('fb-code').value.trim());
    return fbAnswer(
      await call('GET', FB_URL + '?check-captcha-image=' + code, { headers: fbHeaders() }),
    );
  });

  // ---- @Righter: an edit form and its sealed token ----
  const RT_URL = '/test/righter.json';
  on('rt-load', 'rt-result', async () => {
    const r = await call('GET', RT_URL);
    show('rt-result', r, ['Right-Editor']);
    if (r.status !== 200 || !r.json) return;
    $('rt-uid').value = r.json.uid;
    $('rt-perms').value = (r.json.perms || []).join(', ');
    $('rt-token').value = r.headers.get('Right-Editor') || '';
    $('rt-form').hidden = false;
  });
  async function rtSave(token) {
    const r = await call('POST', RT_URL, {
      headers: { 'Right-Editor': token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ uid: Number($('rt-uid').value) }),
    });
    show('rt-result', r, ['Content-Type']);
  }
  on('rt-save', 'rt-result', () => rtSave($('rt-token').value));
  on('rt-tamper', 'rt-result', () => {
    const token = $('rt-token').value;
    const i = Math.floor(token.length / 2);
    const flipped = token.slice(0, i) + (token.charAt(i) === 'A' ? 'B' : 'A') + token.slice(i + 1);
    return rtSave(flipped);
  });

  // ---- @PageDefault: a paged table, with and without a scraping budget ----
  let pgPage = 1;
  const PG_HEADERS = ['RateLimit', 'RateLimit-Policy', 'Retry-After'];
  async function pgLoad(page) {
    const budget = $('pg-source').value === 'budget';
    const url = budget
      ? '/test/page-budget.json?page=' + page
      : '/test/page-result.json?total=' +
        encodeURIComponent($('pg-total').value || '0') +
        '&page=' +
        page +
        '&size=' +
        encodeURIComponent($('pg-size').value);
    const r = await call('GET', url);
    show('pg-result', r, PG_HEADERS);
    if (r.status !== 200 || !r.json) return;
    pgPage = r.json.page;
    const body = $('pg-table').tBodies[0];
    body.replaceChildren();
    for (const row of r.json.data) {
      const tr = el('tr');
      tr.append(el('td', '', row.id));
      body.append(tr);
    }
    $('pg-info').textContent =
      'page ' + r.json.page + ' of ' + r.json.totalPage + ' (' + r.json.totalData + ' rows)';
    $('pg-load').textContent = 'Reload page ' + r.json.page;
  }
  on('pg-load', 'pg-result', () => pgLoad(pgPage));
  on('pg-next', 'pg-result', () => pgLoad(pgPage + 1));
  on('pg-prev', 'pg-result', () => pgLoad(Math.max(1, pgPage - 1)));
  $('pg-source').addEventListener('change', () => {
    pgPage = 1;
    $('pg-load').textContent = 'Load page 1';
    $('pg-total').disabled = $('pg-size').disabled = $('pg-source').value === 'budget';
  });

  // ---- @RateLimit: 5 per 10 s, and failed logins ----
  const RL_HEADERS = ['RateLimit', 'RateLimit-Policy', 'Retry-After'];
  on('rl-get', 'rl-result', async () =>
    show('rl-result', await call('GET', '/test/rate-limit.json'), RL_HEADERS),
  );
  on('rl-login', 'rl-login-result', async () => {
    const r = await call('POST', '/test/login.json', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ password: $('rl-password').value }),
    });
    show('rl-login-result', r, RL_HEADERS);
  });

  // ---- @Signed: the signed page in a frame, and an unsigned call ----
  let sgWatch = null;
  $('sg-frame').addEventListener('load', () => {
    if ($('sg-frame').src === 'about:blank') return;
    const started = Date.now();
    clearInterval(sgWatch);
    // The page writes its call's outcome into #result: read it once it is there.
    sgWatch = setInterval(() => {
      const doc = $('sg-frame').contentDocument;
      const result = doc && doc.getElementById('result');
      const text = result ? result.textContent : '';
      if ((text && text !== 'pending') || Date.now() - started > 10000) {
        clearInterval(sgWatch);
        $('sg-page-result').textContent = text || 'no answer from the page';
        $('sg-page-result').dataset.status = text.split(' ')[0];
      }
    }, 100);
  });
  on('sg-load', 'sg-unsigned-result', async () => {
    $('sg-page-result').textContent = 'loading...';
    delete $('sg-page-result').dataset.status;
    $('sg-frame').src = '/test/signed-page.html?t=' + Date.now();
  });
  on('sg-unsigned', 'sg-unsigned-result', async () =>
    show('sg-unsigned-result', await call('GET', '/test/signed.json'), ['Content-Type']),
  );

  // ---- Overload: live stats every second ----
  const OV_FIELDS = ['inFlight', 'background', 'served', 'rejected', 'p50', 'p90', 'p99'];
  async function ovTick() {
    try {
      const r = await call('GET', '/test/overload/stats.json');
      show('ov-result', r, ['Content-Type']);
      if (r.status === 200 && r.json) {
        const body = $('ov-table').tBodies[0];
        body.replaceChildren();
        for (const name of OV_FIELDS) {
          const tr = el('tr');
          const td = el('td', '', r.json[name]);
          td.dataset.field = name;
          tr.append(el('th', '', name), td);
          body.append(tr);
        }
      }
    } catch (err) {
      showError('ov-result', err);
    }
    setTimeout(ovTick, 1000);
  }
  ovTick();

  // ---- Metrics: the protection_ lines of /metrics, when it is served ----
  async function mxLoad() {
    const r = await call('GET', '/metrics');
    const ok = r.status === 200;
    const lines = ok ? r.text.split('\n').filter((l) => l.startsWith('protection_')) : [];
    show(
      'mx-result',
      r,
      ['Content-Type'],
      ok ? '(' + lines.length + ' protection_ lines, shown above)' : undefined,
    );
    $('mx-note').textContent = ok
      ? 'GET /metrics: ' + lines.length + ' protection_ lines.'
      : 'Metrics are not enabled: GET /metrics answered ' + r.status + '.';
    $('mx-lines').hidden = !ok;
    $('mx-lines').textContent = lines.join('\n');
  }
  on('mx-refresh', 'mx-result', mxLoad);
  mxLoad().catch((err) => showError('mx-result', err));
})();
`;
