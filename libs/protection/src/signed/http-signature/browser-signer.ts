import { sha256 } from '../../core/hash';

/**
 * The browser signing script (plain ES2020, an IIFE, no imports). Loaded by a page, it signs
 * every same-origin fetch and XMLHttpRequest with RFC 9421 hmac-sha256 under the label `sig`,
 * covering "@method", "@path", "@query" (when the URL has a query) and "content-digest" (when
 * there is a body, with an RFC 9530 sha-256 Content-Digest). The keyid and key come from the
 * cookie named by the script tag's `data-cookie` attribute (default `np_sign`), valued
 * `<keyid>~<key>`; the HMAC key is the UTF-8 bytes of `<key>`.
 */
export const signScriptSource: string = String.raw`(function () {
  'use strict';
  var w = window;
  var subtle = w.crypto && w.crypto.subtle;
  if (!subtle || w.__npSignerInstalled) return;
  w.__npSignerInstalled = true;
  var script = document.currentScript;
  var cookieName = (script && script.getAttribute('data-cookie')) || 'np_sign';
  var encoder = new TextEncoder();
  var OWNED = ['signature', 'signature-input', 'content-digest'];
  var keyText = null;
  var keyPromise = null;
  var states = new WeakMap();

  // Read on every request, so that a renewed cookie takes effect at once.
  function material() {
    var parts = document.cookie ? String(document.cookie).split(';') : [];
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i].trim();
      var eq = part.indexOf('=');
      if (eq < 0 || part.slice(0, eq) !== cookieName) continue;
      var value;
      try { value = decodeURIComponent(part.slice(eq + 1)); } catch (e) { return null; }
      var tilde = value.indexOf('~');
      if (tilde < 1 || tilde === value.length - 1) return null;
      var keyid = value.slice(0, tilde);
      // The keyid travels as a structured-field string: printable ASCII only.
      if (!/^[\x20-\x7e]+$/.test(keyid)) return null;
      return { keyid: keyid, key: value.slice(tilde + 1) };
    }
    return null;
  }

  function hmacKey(text) {
    if (text !== keyText) {
      keyText = text;
      keyPromise = subtle.importKey('raw', encoder.encode(text), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    }
    return keyPromise;
  }

  function base64(bytes) {
    var s = '';
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s);
  }

  function kind(value) {
    return Object.prototype.toString.call(value);
  }

  // The URL the browser will request, or null when it is not same-origin http(s).
  function sameOrigin(url) {
    var u;
    try { u = new URL(String(url), document.baseURI || location.href); } catch (e) { return null; }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u.origin === location.origin ? u : null;
  }

  // The exact body bytes: { bytes } (null for no body; buffers copied, and that copy is sent so
  // that what is signed is what goes out), or undefined when they cannot be known up front:
  // FormData (the browser picks the multipart boundary), ReadableStream and anything else.
  // Such requests go out unsigned and the server refuses them.
  function bodyBytes(body) {
    if (body === null || body === undefined) return Promise.resolve({ bytes: null });
    if (typeof body === 'string') return Promise.resolve({ bytes: encoder.encode(body) });
    var k = kind(body);
    if (k === '[object URLSearchParams]') return Promise.resolve({ bytes: encoder.encode(String(body)) });
    if (k === '[object ArrayBuffer]') return Promise.resolve({ bytes: new Uint8Array(body.slice(0)), copy: true });
    if (ArrayBuffer.isView(body)) {
      return Promise.resolve({ bytes: new Uint8Array(body.buffer, body.byteOffset, body.byteLength).slice(), copy: true });
    }
    if (k === '[object Blob]' || k === '[object File]') {
      return body.arrayBuffer().then(function (b) { return { bytes: new Uint8Array(b) }; });
    }
    return Promise.resolve(undefined);
  }

  // The headers to add, for signing material m.
  function sign(m, method, url, bytes) {
    var components = ['"@method"', '"@path"'];
    var lines = ['"@method": ' + method, '"@path": ' + url.pathname];
    if (url.search.length > 1) {
      components.push('"@query"');
      lines.push('"@query": ' + url.search);
    }
    var digest = bytes && bytes.length
      ? subtle.digest('SHA-256', bytes).then(function (d) { return 'sha-256=:' + base64(new Uint8Array(d)) + ':'; })
      : null;
    return Promise.all([digest, hmacKey(m.key)]).then(function (r) {
      if (r[0]) {
        components.push('"content-digest"');
        lines.push('"content-digest": ' + r[0]);
      }
      var nonce = new Uint8Array(16);
      w.crypto.getRandomValues(nonce);
      var params = '(' + components.join(' ') + ');created=' + Math.floor(Date.now() / 1000) +
        ';keyid="' + m.keyid.replace(/[\\"]/g, '\\$&') + '";nonce="' +
        base64(nonce).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '') + '";alg="hmac-sha256"';
      lines.push('"@signature-params": ' + params);
      return subtle.sign('HMAC', r[1], encoder.encode(lines.join('\n'))).then(function (s) {
        var headers = { 'Signature-Input': 'sig=' + params, 'Signature': 'sig=:' + base64(new Uint8Array(s)) + ':' };
        if (r[0]) headers['Content-Digest'] = r[0];
        return headers;
      });
    });
  }

  // Signs for method, url and body: { headers, body } to send, or null to send as is (no
  // signing material: the body is not even read).
  function prepare(method, url, body, readBytes) {
    var m = material();
    if (!m) return Promise.resolve(null);
    return Promise.resolve().then(readBytes).then(function (b) {
      if (b === undefined) return null;
      return sign(m, method, url, b.bytes).then(function (headers) {
        return { headers: headers, body: b.copy ? b.bytes : body };
      });
    }).catch(function () { return null; });
  }

  var originalFetch = w.fetch;
  if (typeof originalFetch === 'function') {
    w.fetch = function (input, init) {
      var isRequest = kind(input) === '[object Request]';
      var url = sameOrigin(isRequest ? input.url : input);
      if (!url) return originalFetch.call(w, input, init);
      var options = init || {};
      var method = String(options.method || (isRequest ? input.method : 'GET')).toUpperCase();
      var body = options.body;
      var readBytes = function () {
        if (body !== undefined && body !== null) return bodyBytes(body);
        if (!isRequest || !input.body) return bodyBytes(null);
        return input.clone().arrayBuffer().then(function (b) { return { bytes: new Uint8Array(b) }; });
      };
      return prepare(method, url, body, readBytes).then(function (signed) {
        if (!signed) return originalFetch.call(w, input, init);
        var headers = new Headers(options.headers !== undefined ? options.headers : isRequest ? input.headers : undefined);
        for (var name in signed.headers) headers.set(name, signed.headers[name]);
        var next = Object.assign({}, options, { method: method, headers: headers });
        if (signed.body !== undefined && signed.body !== null) next.body = signed.body;
        return originalFetch.call(w, input, next);
      });
    };
  }

  var X = w.XMLHttpRequest;
  if (X && X.prototype) {
    var proto = X.prototype;
    var open = proto.open;
    var setHeader = proto.setRequestHeader;
    var send = proto.send;
    var abort = proto.abort;
    proto.open = function (method, url) {
      var args = Array.prototype.slice.call(arguments);
      var target = sameOrigin(url);
      // Signing is asynchronous: a synchronous request cannot wait for it and goes out unsigned.
      var sync = args.length > 2 && !args[2];
      var state = target && !sync ? { method: String(method).toUpperCase(), url: target, owned: [] } : null;
      states.delete(this);
      if (state) args[0] = state.method;
      var result = open.apply(this, args);
      if (state) states.set(this, state);
      return result;
    };
    proto.setRequestHeader = function (name, value) {
      var state = states.get(this);
      if (state) {
        if (state.sent) throw new DOMException('send() has been called', 'InvalidStateError');
        // This script sets these; the page's values are kept only if the request goes unsigned.
        if (OWNED.indexOf(String(name).toLowerCase()) >= 0) { state.owned.push([name, value]); return; }
      }
      return setHeader.call(this, name, value);
    };
    proto.abort = function () {
      var state = states.get(this);
      if (state) state.aborted = true;
      return abort.apply(this, arguments);
    };
    proto.send = function (body) {
      var state = states.get(this);
      if (!state) return send.apply(this, arguments);
      if (state.sent) throw new DOMException('send() has been called', 'InvalidStateError');
      state.sent = true;
      var xhr = this;
      // XMLHttpRequest drops the body of GET and HEAD.
      var payload = state.method === 'GET' || state.method === 'HEAD' ? null : body;
      prepare(state.method, state.url, payload, function () { return bodyBytes(payload); }).then(function (signed) {
        if (states.get(xhr) !== state || state.aborted) return; // reopened or aborted meanwhile
        if (signed) for (var name in signed.headers) setHeader.call(xhr, name, signed.headers[name]);
        else state.owned.forEach(function (h) { setHeader.call(xhr, h[0], h[1]); });
        try { send.call(xhr, signed && payload !== null ? signed.body : body); } catch (e) { /* nobody to tell */ }
      });
    };
  }
})();
`;

/** A short content hash of `signScriptSource`: a cache-busting version for its URL. */
export const SIGN_SCRIPT_VERSION: string = sha256(signScriptSource).slice(0, 12);
