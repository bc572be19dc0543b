// Shared plumbing for the two HTTP simulators: a loopback server with a request log,
// fault injection and `/_sim/*` control routes. Service specifics (routes, auth, rate
// limits, header decoration) are supplied by the simulator that uses it.
//
// A handler returns a reply `{ status, headers?, body? }`: `body` may be an object
// (serialized as JSON), a string or a Buffer (sent verbatim). Handlers may also throw a
// reply (anything with a numeric `status`) to stop early.

import http from 'node:http';

/**
 * A fault rule, as given to `inject(rule)`:
 *   method?   'GET' | 'POST' | …          (case-insensitive; any method when omitted)
 *   path?     RegExp | string             (tested against the request target, query included, as sent
 *                                          and percent-decoded; a string matches as a substring)
 *   times?    number (default 1; Infinity allowed)
 *   status?   number                      (the injected status; omitted = the real reply)
 *   body?     object | string | (real) => object|string   (object → JSON; string → verbatim)
 *   headers?  object                      (added to / overriding the reply headers)
 *   delayMs?  number                      (wait before answering; for 'timeout', how long to hold)
 *   action?   'after' | 'timeout' | service-specific ('moveBranch', 'raceBranch', 'repeatIds')
 * Over HTTP (`POST /_sim/inject`) a RegExp is sent as `pathRegExp: "source"` (+ `pathFlags`).
 */
export function normalizeRule(rule, allowedActions) {
  if (rule === null || typeof rule !== 'object') throw new TypeError('fault rule must be an object');
  let path = rule.path;
  if (rule.pathRegExp !== undefined) path = new RegExp(rule.pathRegExp, rule.pathFlags ?? '');
  if (path !== undefined && typeof path !== 'string' && !(path instanceof RegExp)) {
    throw new TypeError('fault rule path must be a string or a RegExp');
  }
  const times = rule.times === undefined || rule.times === null ? 1 : Number(rule.times);
  if (!(times > 0)) throw new TypeError('fault rule times must be > 0');
  if (rule.action !== undefined && !allowedActions.includes(rule.action)) {
    throw new TypeError(`unknown fault action ${JSON.stringify(rule.action)}; known: ${allowedActions.join(', ')}`);
  }
  if (rule.status !== undefined && !(Number.isInteger(rule.status) && rule.status >= 100 && rule.status <= 599)) {
    throw new TypeError('fault rule status must be an HTTP status code');
  }
  if (rule.action === undefined && rule.status === undefined && rule.delayMs === undefined) {
    throw new TypeError('fault rule needs a status, a delayMs or an action');
  }
  return {
    ...rule,
    method: rule.method ? String(rule.method).toUpperCase() : undefined,
    path,
    remaining: times,
  };
}

function safeDecode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function ruleMatches(rule, method, target) {
  if (rule.method && rule.method !== method) return false;
  if (rule.path === undefined) return true;
  // Clients differ in what they percent-encode (octokit sends contents paths as a%2Fb), so a
  // rule matches the target as sent or percent-decoded.
  const forms = [target, safeDecode(target)];
  if (rule.path instanceof RegExp) {
    return forms.some((form) => {
      rule.path.lastIndex = 0; // a /g or /y RegExp keeps state between tests otherwise
      return rule.path.test(form);
    });
  }
  return forms.some((form) => form.includes(rule.path));
}

/** Query string → plain object; repeated keys become arrays; keys and values percent-decoded. */
export function queryObject(searchParams) {
  const out = {};
  for (const [key, value] of searchParams) {
    if (Object.prototype.hasOwnProperty.call(out, key)) {
      out[key] = Array.isArray(out[key]) ? [...out[key], value] : [out[key], value];
    } else {
      out[key] = value;
    }
  }
  return out;
}

export function isReply(value) {
  return value !== null && typeof value === 'object' && Number.isInteger(value.status) && !(value instanceof Error);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Start a simulator server.
 *   service        'github' | 'make' (goes into the log)
 *   port           0 = ephemeral
 *   actions        service-specific fault actions allowed besides 'after' and 'timeout'
 *   handle(ctx)    → reply; ctx = { seq, method, url, target, pathname, query, headers, bodyBuffer,
 *                   bodyText, rule, logEntry, sleep }
 *   beforeHandle(ctx) runs a service-specific fault action (ctx.rule.action) before the request
 *   decorate(reply, ctx) → reply with service headers added (called for real and injected replies)
 *   control        { 'METHOD /_sim/name': async (ctx) => reply } extra control routes
 *   internalError(err, ctx) → reply for an unexpected exception
 *   clock          () => epoch ms
 */
export async function startSimServer({
  service,
  host = '127.0.0.1',
  port = 0,
  actions = [],
  handle,
  beforeHandle,
  decorate = (reply) => reply,
  control = {},
  internalError,
  clock = () => Date.now(),
}) {
  const allowedActions = ['after', 'timeout', ...actions];
  const log = [];
  let faults = [];
  const heldSockets = new Set();
  const timers = new Set();
  let closing = false;
  let requestSeq = 0;

  function sleep(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  }

  function takeFault(method, target) {
    const rule = faults.find((candidate) => ruleMatches(candidate, method, target));
    if (!rule) return null;
    rule.remaining -= 1;
    if (rule.remaining <= 0) faults = faults.filter((candidate) => candidate !== rule);
    return rule;
  }

  const controlRoutes = {
    'POST /_sim/inject': async (ctx) => {
      const rules = Array.isArray(ctx.json) ? ctx.json : [ctx.json];
      for (const rule of rules) inject(rule);
      return { status: 200, body: { ok: true, pending: faults.length } };
    },
    'GET /_sim/log': async () => ({ status: 200, body: log }),
    'POST /_sim/reset-log': async () => {
      log.length = 0;
      return { status: 200, body: { ok: true } };
    },
    'POST /_sim/clear-faults': async () => {
      faults = [];
      return { status: 200, body: { ok: true } };
    },
    ...control,
  };

  function send(res, reply) {
    if (res.headersSent || res.destroyed) return;
    let { body } = reply;
    const headers = { ...(reply.headers ?? {}) };
    if (body === undefined || body === null) {
      body = Buffer.alloc(0);
    } else if (Buffer.isBuffer(body)) {
      // verbatim
    } else if (typeof body === 'string') {
      body = Buffer.from(body, 'utf8');
    } else {
      body = Buffer.from(JSON.stringify(body), 'utf8');
    }
    if (reply.status === 204 || reply.status === 304) body = Buffer.alloc(0);
    headers['content-length'] = String(body.length);
    res.writeHead(reply.status, headers);
    res.end(body);
  }

  async function runControl(req, res, url, bodyBuffer) {
    const route = controlRoutes[`${req.method} ${url.pathname}`];
    if (!route) {
      send(res, { status: 404, headers: { 'content-type': 'application/json' }, body: { error: `no control route ${req.method} ${url.pathname}` } });
      return;
    }
    try {
      const text = bodyBuffer.toString('utf8');
      const json = text.trim() === '' ? {} : JSON.parse(text);
      const reply = await route({ json, url, query: url.searchParams });
      send(res, { ...reply, headers: { 'content-type': 'application/json; charset=utf-8', ...(reply.headers ?? {}) } });
    } catch (err) {
      send(res, { status: 400, headers: { 'content-type': 'application/json' }, body: { error: String(err?.message ?? err) } });
    }
  }

  function injectedReply(rule, real, ctx) {
    let body = rule.body;
    if (typeof body === 'function') body = body(real, ctx);
    const reply = { status: rule.status, headers: {}, body: body ?? '' };
    return reply;
  }

  async function onRequest(req, res) {
    const target = req.url ?? '/';
    const url = new URL(target, 'http://sim.invalid');
    const bodyBuffer = await readBody(req);
    if (url.pathname.startsWith('/_sim/')) {
      await runControl(req, res, url, bodyBuffer);
      return;
    }
    const logEntry = {
      method: req.method,
      path: url.pathname,
      query: queryObject(url.searchParams),
      status: null,
      service,
      at: new Date(clock()).toISOString(),
    };
    log.push(logEntry);
    const rule = takeFault(req.method, target);
    if (rule) logEntry.fault = rule.action ?? 'inject';
    requestSeq += 1;
    const ctx = {
      seq: requestSeq,
      method: req.method,
      url,
      target,
      pathname: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      bodyBuffer,
      bodyText: bodyBuffer.toString('utf8'),
      rule,
      logEntry,
      sleep,
    };

    if (rule?.action === 'timeout') {
      // Hold the socket without answering, then drop it (no HTTP response at all).
      heldSockets.add(req.socket);
      if (rule.delayMs !== undefined) {
        await sleep(rule.delayMs);
        heldSockets.delete(req.socket);
        req.socket.destroy();
      }
      return;
    }
    if (rule?.delayMs && !closing) await sleep(rule.delayMs);
    if (closing) return;

    let reply;
    // Service actions that act before the request (e.g. moving the branch) run even when the
    // rule then answers with an injected status; only 'after' performs the real handling and
    // still replaces its reply.
    if (rule?.action && rule.action !== 'after' && beforeHandle) await beforeHandle(ctx);
    const performReal = !rule || rule.status === undefined || rule.action === 'after';
    if (performReal) {
      try {
        reply = await handle(ctx);
      } catch (err) {
        if (isReply(err)) {
          reply = err;
        } else {
          console.error(`[${service} sim] ${req.method} ${target} failed:`, err);
          reply = internalError(err, ctx);
        }
      }
    }
    if (rule && rule.status !== undefined) {
      const real = reply ? { ...reply, text: bodyAsText(reply.body) } : null;
      reply = injectedReply(rule, real, ctx);
    }
    reply = decorate(reply, ctx);
    if (rule?.headers) reply.headers = { ...reply.headers, ...lowerKeys(rule.headers) };
    logEntry.status = reply.status;
    send(res, reply);
  }

  const server = http.createServer((req, res) => {
    onRequest(req, res).catch((err) => {
      console.error(`[${service} sim] unexpected failure:`, err);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('simulator failure');
      }
    });
  });
  // Keep-alive sockets must not keep a test process alive after close().
  server.keepAliveTimeout = 1000;

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const origin = `http://${host}:${address.port}`;

  function inject(rule) {
    const normalized = normalizeRule(rule, allowedActions);
    faults.push(normalized);
    return normalized;
  }

  async function close() {
    if (closing) return;
    closing = true;
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    for (const socket of heldSockets) socket.destroy();
    heldSockets.clear();
    await new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  return {
    origin,
    port: address.port,
    log,
    inject,
    clearFaults: () => {
      faults = [];
    },
    pendingFaults: () => faults.slice(),
    resetLog: () => {
      log.length = 0;
    },
    close,
  };
}

export function bodyAsText(body) {
  if (body === undefined || body === null) return '';
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  if (typeof body === 'string') return body;
  return JSON.stringify(body);
}

export function lowerKeys(headers) {
  const out = {};
  for (const [key, value] of Object.entries(headers ?? {})) out[key.toLowerCase()] = value;
  return out;
}

/** A sliding-window counter: `count(now)` events in the last `windowMs`, `add(now)`, `retryAfterMs(now)`. */
export class SlidingWindow {
  constructor(windowMs) {
    this.windowMs = windowMs;
    this.events = [];
  }

  prune(now) {
    while (this.events.length && this.events[0] <= now - this.windowMs) this.events.shift();
  }

  count(now) {
    this.prune(now);
    return this.events.length;
  }

  add(now) {
    this.prune(now);
    this.events.push(now);
  }

  /** Milliseconds until the oldest event leaves the window (0 if none). */
  retryAfterMs(now) {
    this.prune(now);
    if (!this.events.length) return 0;
    return Math.max(0, this.events[0] + this.windowMs - now);
  }
}
