// runBackup's loop (src/protocol.md) with a scripted transport and an injected clock.
import assert from "node:assert/strict";
import { test } from "node:test";
import { driver, fastClock, organization, startSimulators } from "./support/harness.mjs";

const { TransportFailure, classifyTransportError, runBackup } = driver;
const CONFIG = { make: { zone: "eu1", organizationId: 4101 }, github: { owner: "acme", repo: "make-backup" } };

/** A clock that only moves when the driver sleeps: every timestamp the engine sees is predictable. */
function manualClock(startIso) {
  let nowMs = Date.parse(startIso);
  const sleeps = [];
  return { sleeps, now: () => new Date(nowMs).toISOString(), sleep: async (ms) => void (sleeps.push(ms), (nowMs += ms)) };
}

test("honours waits through the injected clock and turns transport errors into failure replies", async () => {
  const clock = manualClock("2026-11-23T02:00:00.000Z");
  const script = [
    (request) => ({ requestId: request.id, status: 429, headers: { "Retry-After": "30" }, body: "{}" }),
    () => {
      throw new TransportFailure("timeout", "no answer within 30000 ms");
    },
    () => {
      throw Object.assign(new Error("fetch failed"), { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:443"), { code: "ECONNREFUSED" }) });
    },
    (request) => ({ requestId: request.id, status: 503, headers: {}, body: "unavailable" }),
  ];
  const seen = [];
  const actions = [];
  const result = await runBackup({
    config: CONFIG,
    clock,
    seed: 11,
    transport: async (request) => {
      seen.push(request);
      const step = script[seen.length - 1];
      assert.ok(step, `unexpected request ${seen.length}: ${request.purpose}`);
      return step(request);
    },
    onAction: (action) => actions.push(action),
  });

  assert.equal(result.requests, 4);
  assert.equal(seen.length, 4);
  assert.ok(seen.every((request) => request.method === "GET" && request.url === seen[0].url), "the same request is retried");
  assert.deepEqual(seen.map((request) => request.id), [...new Set(seen.map((request) => request.id))].sort((a, b) => a - b), "each attempt has a new, increasing id");
  assert.ok(seen.every((request) => request.headers.authorization === undefined));
  const waits = actions.filter((action) => action.type === "wait");
  assert.deepEqual(actions.map((action) => action.type), ["request", "wait", "request", "wait", "request", "wait", "request", "done"]);
  assert.equal(waits[0].seconds, 30, "Retry-After (any header case) sets the wait");
  assert.match(waits[1].reason, /timed out: no answer within 30000 ms/);
  assert.match(waits[2].reason, /network error: fetch failed: connect ECONNREFUSED/);
  assert.deepEqual(clock.sleeps, waits.map((wait) => wait.seconds * 1000), "each wait is slept exactly once, in full");
  // Each wait ends at its `until`: the engine's clock moved only by the sleeps.
  assert.equal(result.summary.finishedAt, new Date(Date.parse("2026-11-23T02:00:00.000Z") + clock.sleeps.reduce((a, b) => a + b, 0)).toISOString());
  assert.equal(result.summary.status, "failed");
  assert.equal(result.summary.fatal.code, "github-unavailable");
  assert.equal(result.report, actions.at(-1).report);
  assert.deepEqual(result.summary, actions.at(-1).summary);
});

test("an invalid config is a CoreError before any request", async () => {
  let requests = 0;
  await assert.rejects(
    runBackup({ config: { make: { zone: "eu1" }, github: { owner: "a", repo: "b" } }, transport: async () => void requests++, clock: manualClock("2026-11-23T02:00:00.000Z") }),
    (error) => error.name === "CoreError" && error.code === "invalid-config" && /teamId|organizationId/.test(error.message),
  );
  assert.equal(requests, 0);
});

test("classifyTransportError tells timeouts from network failures", () => {
  assert.deepEqual(classifyTransportError(new TransportFailure("timeout", "slow")), { kind: "timeout", message: "slow" });
  assert.equal(classifyTransportError(AbortSignal.timeout(0).reason ?? new DOMException("x", "TimeoutError")).kind, "timeout");
  assert.equal(classifyTransportError(new DOMException("The operation was aborted", "AbortError")).kind, "timeout");
  const undiciTimeout = Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("Connect Timeout Error"), { code: "UND_ERR_CONNECT_TIMEOUT" }) });
  assert.deepEqual(classifyTransportError(undiciTimeout), { kind: "timeout", message: "fetch failed: Connect Timeout Error" });
  const refused = Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
  assert.deepEqual(classifyTransportError(refused), { kind: "network", message: "fetch failed: connect ECONNREFUSED" });
  assert.deepEqual(classifyTransportError("socket hang up"), { kind: "network", message: "socket hang up" });
});

test("pacing waits against the simulators are slept on the injected clock, not in real time", async (t) => {
  const sims = await startSimulators({ org: organization(3) });
  t.after(() => sims.close());
  const clock = fastClock();
  const started = Date.now();
  // 2 Make requests per minute: the list and 3 blueprint reads (4 calls) cannot fit in one minute.
  const config = sims.config();
  config.make.requestsPerMinute = 2;
  const result = await runBackup({ config, transport: sims.transport, clock });
  assert.equal(result.summary.status, "success", result.report);
  assert.equal(result.summary.backedUp, 3);
  assert.ok(clock.sleeps.length >= 1, "the engine paced the Make calls");
  assert.ok(clock.sleeps.reduce((a, b) => a + b, 0) >= 55_000, `four Make calls at 2/min span about a minute of engine time, slept ${clock.sleeps}`);
  assert.ok(Date.now() - started < 30_000, "no real waiting");
  assert.ok(Date.parse(result.summary.finishedAt) - Date.parse(result.summary.startedAt) >= 55_000);
});
