// Small fetch helpers shared by the simulator tests.

import { createHash } from 'node:crypto';

export const GITHUB_HEADERS = Object.freeze({
  authorization: 'Bearer ghp_testtoken',
  'user-agent': 'make-backup-planner-sim-tests',
  accept: 'application/vnd.github+json',
  'x-github-api-version': '2022-11-28',
});

/** One GitHub call against a double: { status, headers, text, json }. `path` is relative to /repos/{owner}/{repo}. */
export async function githubCall(double, method, path, body, headers = {}) {
  const res = await fetch(`${double.url}/repos/${double.owner}/${double.repo}${path}`, {
    method,
    headers: { ...GITHUB_HEADERS, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export async function makeCall(make, path, { method = 'GET', body, token = 'make-test-token', headers = {} } = {}) {
  const res = await fetch(`${make.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Token ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** git's blob id: sha1("blob <len>\0" + bytes). */
export function gitBlobSha(bytes) {
  const data = Buffer.from(bytes);
  return createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
}

export function b64(text) {
  return Buffer.from(text, 'utf8').toString('base64');
}
