/**
 * The demo's landing page: one card per protection. The markup only; /demo.js does the calls and
 * fills the `.result` blocks, /demo.css lays the cards out. Nothing is loaded from elsewhere.
 */
export function landingPage(platform: string): string {
  const where = platform === 'express' ? 'Express' : 'Fastify';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>nest-protection demo</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/demo.css">
<script src="/demo.js" defer></script>
</head>
<body>
<header>
  <h1>nest-protection demo</h1>
  <p>Each card calls a fixture route of this app (on <b id="platform">${where}</b>) and shows what
  came back: the HTTP status, the headers that matter and the body.
  Every route is in the <a href="/docs">Swagger UI</a> (<a href="/docs-json">JSON</a>).</p>
</header>
<main class="grid">

<section class="card" id="debounce">
  <h2>@Debounce: submit twice</h2>
  <p>Sends the same POST twice at once. With <code>reuse: true</code> the handler runs once (400 ms)
  and the second request gets the first one's answer, marked <code>X-Debounce: reused</code>.
  Without <code>reuse</code> the second gets <b>208</b> <code>DEBOUNCED</code> at once.</p>
  <div class="actions">
    <button id="debounce-reuse">Submit twice (reuse)</button>
    <button id="debounce-nore">Submit twice (no reuse)</button>
  </div>
  <div class="pair">
    <div class="result" id="debounce-1"><span class="hint">request A</span></div>
    <div class="result" id="debounce-2"><span class="hint">request B</span></div>
  </div>
</section>

<section class="card" id="double-kill">
  <h2>@DoubleKill: a long job with progress</h2>
  <p>Starts a report in the background (<code>async: true</code>): the answer is <b>202</b> with a
  progress key, polled at <code>/test/progress/:key</code>. Click again while it runs: another
  202 with the <em>same</em> key; the job is not started twice.</p>
  <div class="actions">
    <label>seconds <input id="dk-seconds" type="number" min="0" max="60" step="1" value="5"></label>
    <button id="dk-start">Start the report</button>
  </div>
  <div class="progress-line">
    <progress id="dk-bar" max="100" value="0"></progress>
    <span id="dk-percent">0 %</span> <span id="dk-state" class="hint">not started</span>
  </div>
  <p id="dk-note" class="note"></p>
  <div class="result" id="dk-result"><span class="hint">start answer</span></div>
  <div class="result" id="dk-progress"><span class="hint">progress record</span></div>
</section>

<section class="card" id="first-blood">
  <h2>@FirstBlood: login, then a CAPTCHA</h2>
  <p><code>GET /test/captcha-30.json</code> lets one call through per 30 s; the next gets
  <b>406</b> <code>CAPTCHA_REQUIRED</code> with a <code>Client-Ticket</code>. The image is fetched
  with <code>?quest-captcha-image=</code>, the code sent back with <code>?check-captcha-image=</code>.</p>
  <div class="actions"><button id="fb-login">Log in</button></div>
  <div class="result" id="fb-result"><span class="hint">login answer</span></div>
  <div id="fb-captcha" class="captcha" hidden>
    <img id="fb-image" alt="CAPTCHA image" width="150" height="50" hidden>
    <code id="fb-plain" class="plain" hidden></code>
    <div class="actions">
      <input id="fb-code" autocomplete="off" placeholder="code" size="8" maxlength="16">
      <button id="fb-submit">Submit code</button>
      <button id="fb-new">New image</button>
    </div>
    <div class="result" id="fb-image-result"><span class="hint">image answer</span></div>
  </div>
</section>

<section class="card" id="righter">
  <h2>@Righter: an edit form</h2>
  <p>The edit view seals what may be changed into the <code>Right-Editor</code> header; the save
  must send it back untouched. Changing one character of the token: <b>409</b> <code>FORGERY</code>.
  The answer is what was sealed, whatever <code>uid</code> the form sends.</p>
  <div class="actions"><button id="rt-load">Open the edit form</button></div>
  <form id="rt-form" class="form" hidden>
    <label>uid <input id="rt-uid" type="number"></label>
    <label>perms <input id="rt-perms" readonly></label>
    <label class="wide">Right-Editor token <input id="rt-token" spellcheck="false"></label>
    <div class="actions">
      <button id="rt-save" type="submit">Save</button>
      <button id="rt-tamper" type="button">Save with the token tampered</button>
    </div>
  </form>
  <div class="result" id="rt-result"><span class="hint">edit view / save answer</span></div>
</section>

<section class="card" id="page">
  <h2>@PageDefault: a paged table</h2>
  <p><code>page-result.json</code> pages <code>total</code> rows. <code>page-budget.json</code>
  has a scraping budget of 50 rows a minute per client (pages of 10): the 6th page within a minute
  gets <b>429</b> <code>SCRAPING_BUDGET</code> with <code>Retry-After</code>.</p>
  <div class="actions">
    <select id="pg-source">
      <option value="result">page-result.json</option>
      <option value="budget">page-budget.json (budget)</option>
    </select>
    <label>total <input id="pg-total" type="number" min="0" value="95"></label>
    <label>size <select id="pg-size"><option>10</option><option>20</option></select></label>
  </div>
  <div class="actions">
    <button id="pg-prev">&larr; Previous</button>
    <button id="pg-load">Load page 1</button>
    <button id="pg-next">Next &rarr;</button>
    <span id="pg-info" class="hint"></span>
  </div>
  <table id="pg-table"><thead><tr><th>id</th></tr></thead><tbody></tbody></table>
  <div class="result" id="pg-result"><span class="hint">page answer</span></div>
</section>

<section class="card" id="rate-limit">
  <h2>@RateLimit: counters</h2>
  <p><code>GET /test/rate-limit.json</code> allows 5 calls per 10 s: watch <code>RateLimit</code>
  count down, then <b>429</b> with <code>Retry-After</code>. The login counts failed attempts only
  (<code>count: 'failed'</code>): 3 wrong passwords a minute, then 429 whatever the password
  (the right one is <code>right</code>).</p>
  <div class="actions"><button id="rl-get">GET /test/rate-limit.json</button></div>
  <div class="result" id="rl-result"><span class="hint">rate-limit answer</span></div>
  <div class="actions">
    <label>password <input id="rl-password" value="wrong" autocomplete="off"></label>
    <button id="rl-login">POST /test/login.json</button>
  </div>
  <div class="result" id="rl-login-result"><span class="hint">login answer</span></div>
</section>

<section class="card" id="signed">
  <h2>@Signed: signed calls</h2>
  <p><a href="/test/signed-page.html" target="_blank" rel="noopener">/test/signed-page.html</a> is a
  <code>@SignPage()</code> page: its script signs its call to <code>/test/signed-browser.json</code>.
  The same kind of call without a signature gets <b>401</b> <code>SIGNATURE_MISSING</code>.</p>
  <div class="actions">
    <button id="sg-load">Load the signed page</button>
    <button id="sg-unsigned">Unsigned call to /test/signed.json</button>
  </div>
  <iframe id="sg-frame" title="signed page" src="about:blank"></iframe>
  <p class="note">The page's call: <output id="sg-page-result">not loaded</output></p>
  <div class="result" id="sg-unsigned-result"><span class="hint">unsigned call answer</span></div>
</section>

<section class="card" id="overload">
  <h2>Overload: live stats</h2>
  <p><code>GET /test/overload/stats.json</code> every second: requests in flight, background
  jobs, served and rejected counts, latency percentiles (ms).</p>
  <table id="ov-table" class="stats"><tbody></tbody></table>
  <div class="result" id="ov-result"><span class="hint">stats answer</span></div>
</section>

<section class="card" id="metrics">
  <h2>Metrics</h2>
  <p>The <code>protection_</code> lines of <code>GET /metrics</code>, when the app serves it.</p>
  <div class="actions"><button id="mx-refresh">Refresh</button></div>
  <p id="mx-note" class="note">loading...</p>
  <pre id="mx-lines" hidden></pre>
  <div class="result" id="mx-result"><span class="hint">metrics answer</span></div>
</section>

</main>
</body>
</html>
`;
}
