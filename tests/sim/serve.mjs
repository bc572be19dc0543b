#!/usr/bin/env node
// Start the Make simulator and the GitHub double in one process, for the demo and the n8n
// end-to-end test. Other processes drive them over HTTP with the `/_sim/*` control routes:
//   both:   POST /_sim/inject (a fault rule; RegExp paths as "pathRegExp"), GET /_sim/log,
//           POST /_sim/reset-log, POST /_sim/clear-faults
//   Make:   POST /_sim/edit {id, patch, blueprint?, touchLastEdit?}, POST /_sim/add {scenario, blueprint?},
//           POST /_sim/delete {id}
//   GitHub: POST /_sim/commit-as-human {path, content, message}, GET /_sim/state
// (The Make control routes live at the server root: http://127.0.0.1:<port>/_sim/…)
//
// Usage: node tests/sim/serve.mjs [--github-dir DIR] [--empty] [--make-port N] [--github-port N]
//                                 [--ready-file PATH] [--make-rpm N] [--github-writes-per-minute N]
// Prints one JSON line {"make","github","githubDir","makeControl"} when ready, writes the same to
// --ready-file, and exits cleanly on SIGTERM / SIGINT.

import { rename, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import { startGithubDouble } from './github-double.mjs';
import { startMakeSim } from './make-sim.mjs';

const { values } = parseArgs({
  options: {
    'github-dir': { type: 'string' },
    empty: { type: 'boolean', default: false },
    'make-port': { type: 'string', default: '0' },
    'github-port': { type: 'string', default: '0' },
    'ready-file': { type: 'string' },
    'make-rpm': { type: 'string' },
    'github-writes-per-minute': { type: 'string' },
  },
  strict: true,
});

function portOption(name) {
  const port = Number(values[name]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--${name} must be a port number`);
    process.exit(2);
  }
  return port;
}

const make = await startMakeSim({
  port: portOption('make-port'),
  ...(values['make-rpm'] ? { requestsPerMinute: Number(values['make-rpm']) } : {}),
});
let github;
try {
  github = await startGithubDouble({
    dir: values['github-dir'],
    empty: values.empty,
    port: portOption('github-port'),
    ...(values['github-writes-per-minute'] ? { writesPerMinute: Number(values['github-writes-per-minute']) } : {}),
  });
} catch (err) {
  await make.close();
  throw err;
}

const ready = { make: make.url, github: github.url, githubDir: github.gitDir, makeControl: make.origin };
const line = JSON.stringify(ready);
if (values['ready-file']) {
  // Write then rename, so a watcher never reads a half-written file.
  const temporary = `${values['ready-file']}.${process.pid}.tmp`;
  await writeFile(temporary, `${line}\n`);
  await rename(temporary, values['ready-file']);
}
process.stdout.write(`${line}\n`);

let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled([make.close(), github.close()]);
  process.stderr.write(`sim: stopped on ${signal}\n`);
  process.exit(0);
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
