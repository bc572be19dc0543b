// createFetchTransport against a local HTTP server on 127.0.0.1.
import assert from "node:assert/strict";
import http from "node:http";
import { test } from "node:test";
import { driver, fetchTransport } from "./support/harness.mjs";

const { createFetchTransport } = fetchTransport;
const { TransportFailure } = driver;
const MAKE_TOKEN = "make-secret-0123456789";
const GITHUB_TOKEN = "ghp_secret0123456789";

/** A server that records requests; `respond(req, res, body)` answers (default: echo as JSON). */
async function startServer(t, respond) {
  const received = [];
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      received.push({ method: req.method, url: req.url, headers: req.headers, body });
      respond(req, res, body);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${server.address().port}`, received };
}

function planned(overrides) {
  return { id: 5, service: "make", method: "GET", url: "", headers: { accept: "application/json", "user-agent": "make-backup-planner" }, body: null, timeoutMs: 5000, purpose: "test", scenarioId: null, ...overrides };
}

test("adds the credential of each service, sends the body as JSON, returns status, lower-case headers and raw text", async (t) => {
  const server = await startServer(t, (req, res) => {
    res.writeHead(req.method === "POST" ? 201 : 200, { "Content-Type": "application/json", "X-RateLimit-Remaining": "59" });
    res.end('{"n": 1.10, "big": 12345678901234567890}');
  });
  const transport = createFetchTransport({ makeToken: MAKE_TOKEN, githubToken: GITHUB_TOKEN });

  const makeReply = await transport(planned({ url: `${server.url}/api/v2/scenarios?teamId=1` }));
  assert.deepEqual(makeReply.requestId, 5);
  assert.equal(makeReply.status, 200);
  assert.equal(makeReply.body, '{"n": 1.10, "big": 12345678901234567890}', "the body is the exact text");
  assert.equal(makeReply.headers["x-ratelimit-remaining"], "59");
  assert.ok(Object.keys(makeReply.headers).every((name) => name === name.toLowerCase()));

  const body = JSON.stringify({ message: "Backup scenario 1", tree: "abc" });
  const githubReply = await transport(planned({ id: 6, service: "github", method: "POST", url: `${server.url}/repos/a/b/git/commits`, body }));
  assert.equal(githubReply.status, 201);
  assert.equal(githubReply.requestId, 6);

  const [makeRequest, githubRequest] = server.received;
  assert.equal(makeRequest.headers.authorization, `Token ${MAKE_TOKEN}`);
  assert.equal(makeRequest.headers["user-agent"], "make-backup-planner");
  assert.equal(makeRequest.url, "/api/v2/scenarios?teamId=1");
  assert.equal(githubRequest.headers.authorization, `Bearer ${GITHUB_TOKEN}`);
  assert.equal(githubRequest.method, "POST");
  assert.equal(githubRequest.body, body);
  assert.equal(githubRequest.headers["content-type"], "application/json");
});

test("error statuses are replies, not failures", async (t) => {
  const server = await startServer(t, (_req, res) => {
    res.writeHead(503, { "retry-after": "2" });
    res.end("Service Unavailable");
  });
  const reply = await createFetchTransport({ makeToken: MAKE_TOKEN, githubToken: GITHUB_TOKEN })(planned({ url: `${server.url}/x` }));
  assert.deepEqual(reply, { requestId: 5, status: 503, headers: reply.headers, body: "Service Unavailable" });
  assert.equal(reply.headers["retry-after"], "2");
});

test("request.timeoutMs aborts a silent server with a timeout failure", async (t) => {
  const server = await startServer(t, () => {}); // never answers
  const started = Date.now();
  await assert.rejects(
    createFetchTransport({ makeToken: MAKE_TOKEN, githubToken: GITHUB_TOKEN })(planned({ url: `${server.url}/slow`, timeoutMs: 300 })),
    (error) => error instanceof TransportFailure && error.kind === "timeout" && /no response within 300 ms/.test(error.message),
  );
  assert.ok(Date.now() - started < 5000);
});

test("a refused connection is a network failure", async () => {
  const closed = http.createServer();
  await new Promise((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = closed.address().port;
  await new Promise((resolve) => closed.close(resolve));
  await assert.rejects(
    createFetchTransport({ makeToken: MAKE_TOKEN, githubToken: GITHUB_TOKEN })(planned({ url: `http://127.0.0.1:${port}/` })),
    (error) => error instanceof TransportFailure && error.kind === "network" && error.message.includes(`127.0.0.1:${port}`),
  );
});

test("tokens never appear in failure messages", async () => {
  const leaky = async (_url, init) => {
    throw new Error(`refused with headers ${JSON.stringify(init.headers)}`);
  };
  const transport = createFetchTransport({ makeToken: MAKE_TOKEN, githubToken: GITHUB_TOKEN, fetchImpl: leaky });
  for (const service of ["make", "github"]) {
    await assert.rejects(transport(planned({ service, url: `http://127.0.0.1:9/?token=${GITHUB_TOKEN}` })), (error) => {
      assert.ok(error instanceof TransportFailure);
      assert.ok(!error.message.includes(MAKE_TOKEN) && !error.message.includes(GITHUB_TOKEN), error.message);
      assert.match(error.message, /\[redacted\]/);
      return true;
    });
  }
});
