// Child processes of the end-to-end test. Every long-running child (simulators, n8n) is started in
// its own process group and registered here; stopAll() — also run on exit, on failure and on
// SIGINT/SIGTERM — ends exactly those groups, nothing else.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';

const services = new Set();

/**
 * Runs a command to completion; output goes to `log` (a function) line by line unless `quiet`.
 * Resolves with the last `tail` characters of stdout+stderr; rejects on failure.
 */
export function run(command, args, { cwd, env, log = () => {}, quiet = false, tail: keep = 4000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const onData = (chunk) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-keep);
      if (!quiet) for (const line of text.split('\n')) if (line.trim()) log(`  ${line}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(tail);
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${tail}`));
    });
  });
}

/** Runs a short command synchronously and returns {status, stdout, stderr}. */
export function runQuiet(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/**
 * Starts a long-running service in its own process group, output appended to `logFile`.
 * Returns {child, pid, exited: Promise, stop()}.
 */
export function startService(name, command, args, { cwd, env, logFile }) {
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const service = {
    name,
    child,
    pid: child.pid,
    exited,
    running: true,
    async stop(timeoutMs = 15000) {
      if (!service.running) return;
      service.running = false;
      services.delete(service);
      signalGroup(child.pid, 'SIGTERM');
      const timer = new Promise((resolve) => setTimeout(() => resolve('timeout'), timeoutMs));
      if ((await Promise.race([exited, timer])) === 'timeout') signalGroup(child.pid, 'SIGKILL');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
      out.end();
    },
  };
  exited.then(() => {
    service.running = false;
    services.delete(service);
  });
  services.add(service);
  return service;
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export async function stopAll() {
  await Promise.all([...services].map((service) => service.stop()));
}

/** Last resort (process 'exit' handler is synchronous): kill whatever is still registered. */
function killAllNow() {
  for (const service of services) signalGroup(service.pid, 'SIGKILL');
}

process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, async () => {
    process.stderr.write(`\ne2e: ${signal}, stopping services\n`);
    await stopAll();
    process.exit(130);
  });
}
