// A real n8n 2.41.1, headless and loopback-only: CLI import/publish, server start/stop, webhook calls,
// and reads of the executions it stored (through lib/execution-db.mjs, run by Node 24 for node:sqlite).
import { mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { run, runQuiet, startService } from './processes.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function n8nContext({ workDir, node24, n8n }) {
  const userFolder = path.join(workDir, 'n8n-user');
  mkdirSync(path.join(userFolder, '.n8n'), { recursive: true });
  const port = await freePort();
  const brokerPort = await freePort();
  const env = {
    ...n8n.env,
    N8N_USER_FOLDER: userFolder,
    N8N_LISTEN_ADDRESS: '127.0.0.1',
    N8N_HOST: '127.0.0.1',
    N8N_PORT: String(port),
    N8N_PROTOCOL: 'http',
    N8N_SECURE_COOKIE: 'false',
    N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
    N8N_RUNNERS_BROKER_PORT: String(brokerPort),
    // Quiet: no telemetry, no version checks, no templates, no calls to api.n8n.io.
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_HIRING_BANNER_ENABLED: 'false',
    N8N_DISABLED_MODULES: 'mcp-registry',
    N8N_ENCRYPTION_KEY: 'make-backup-planner-e2e-encryption-key',
    N8N_LOG_LEVEL: 'info',
    // Keep every execution, so the test can read what each run stored.
    EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
    EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
    EXECUTIONS_DATA_PRUNE: 'false',
    // The e2e reads community packages from <user folder>/.n8n/nodes like a UI install would.
    N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
  };
  return {
    userFolder,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    env,
    node24,
    n8n,
    dbFile: path.join(userFolder, '.n8n', 'database.sqlite'),
    logFile: path.join(workDir, 'n8n.log'),
  };
}

/** `n8n <args>` with the test's environment (the server must be stopped: both use the broker port). */
export async function n8nCli(ctx, args, log) {
  return run(ctx.node24.node, [ctx.n8n.n8nBin, ...args], { cwd: ctx.userFolder, env: ctx.env, log, quiet: true });
}

export async function startN8n(ctx, log) {
  const service = startService('n8n', ctx.node24.node, [ctx.n8n.n8nBin, 'start'], {
    cwd: ctx.userFolder,
    env: ctx.env,
    logFile: ctx.logFile,
  });
  const started = Date.now();
  for (;;) {
    if (!service.running) throw new Error(`n8n exited during startup; see ${ctx.logFile}`);
    try {
      const response = await fetch(`${ctx.baseUrl}/healthz/readiness`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 120_000) throw new Error(`n8n not ready after 120 s; see ${ctx.logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  log(`n8n ready on ${ctx.baseUrl} after ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${service.pid})`);
  return service;
}

/**
 * POSTs to a production webhook. Published workflows are activated asynchronously after readiness,
 * and until then n8n answers 404 "…is not registered": retry those for up to 60 s.
 */
export async function callWebhook(ctx, webhookPath, body = {}) {
  const url = `${ctx.baseUrl}/webhook/${webhookPath}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const started = Date.now();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(20 * 60_000),
    });
    const text = await response.text();
    if (response.status === 404 && /is not registered/.test(text) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON: reported by the caller's checks
    }
    return { status: response.status, text, json, ms: Date.now() - started };
  }
}

/** Runs lib/execution-db.mjs under Node 24 (node:sqlite) and returns its JSON output. */
export function queryExecutions(ctx, command, ...args) {
  const result = runQuiet(
    ctx.node24.node,
    ['--no-warnings', path.join(HERE, 'execution-db.mjs'), ctx.dbFile, ctx.n8n.dir, command, ...args.map(String)],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  if (result.status !== 0) throw new Error(`execution-db ${command} failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** Samples the resident set size of a process (VmRSS, KiB) until stopped; returns the peak in MiB. */
export function sampleRss(pid, intervalMs = 100) {
  let peakKiB = 0;
  const read = () => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      if (kib > peakKiB) peakKiB = kib;
    } catch {
      // process gone
    }
  };
  read();
  const timer = setInterval(read, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      read();
      return peakKiB / 1024;
    },
  };
}
