// The sample organization: deterministic (no clock, no Math.random, same bytes in any
// process) and realistic enough to exercise a backup (make-api.md §2.4, §3.3).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { test } from 'node:test';

import { BIG_NUMBER_SCENARIO_ID, LARGE_SCENARIO_ID, SAMPLE_TOKENS, sampleOrg } from '../sample-org.mjs';

const sampleOrgUrl = new URL('../sample-org.mjs', import.meta.url).href;
const digest = (org) => createHash('sha256').update(JSON.stringify(org)).digest('hex');

/** Every module of a flow, walking routes, if/else branches and error handlers. */
function allModules(flow) {
  const out = [];
  const walk = (modules) => {
    for (const module of modules ?? []) {
      out.push(module);
      for (const route of module.routes ?? []) walk(route.flow);
      for (const branch of module.branches ?? []) walk(branch.flow);
      walk(module.onerror);
    }
  };
  walk(flow);
  return out;
}

test('sampleOrg uses neither the clock nor Math.random, and repeats itself exactly', () => {
  const saved = { random: Math.random, now: Date.now };
  Math.random = () => {
    throw new Error('sampleOrg must not use Math.random');
  };
  Date.now = () => {
    throw new Error('sampleOrg must not read the clock');
  };
  let first;
  let second;
  try {
    first = sampleOrg();
    second = sampleOrg();
  } finally {
    Math.random = saved.random;
    Date.now = saved.now;
  }
  assert.equal(JSON.stringify(first), JSON.stringify(second));
  assert.notEqual(first.scenarios, second.scenarios, 'fresh objects each call');
});

test('another process produces byte-identical output', () => {
  const script = `import(${JSON.stringify(sampleOrgUrl)}).then(({ sampleOrg }) => { const h = require('node:crypto').createHash('sha256'); h.update(JSON.stringify(sampleOrg())); console.log(h.digest('hex')); })`;
  const other = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, TZ: 'Pacific/Kiritimati', LANG: 'ja_JP.UTF-8' } }).trim();
  assert.equal(other, digest(sampleOrg()));
});

test('organization, teams, folders, tokens', () => {
  const org = sampleOrg();
  assert.equal(org.organizationId, 4101);
  assert.deepEqual(org.teams.map((t) => [t.id, t.name]), [[51, 'Operations'], [52, 'Growth']]);
  assert.ok(org.folders.length >= 4);
  assert.deepEqual(SAMPLE_TOKENS, { make: 'make-test-token', github: 'ghp_testtoken' });
  assert.ok(org.scenarios.length >= 62);
  for (const teamId of [51, 52]) assert.ok(org.scenarios.filter((s) => s.teamId === teamId).length >= 20);
  assert.equal(new Set(org.scenarios.map((s) => s.id)).size, org.scenarios.length);
  const folderIds = new Set(org.folders.map((f) => f.id));
  for (const s of org.scenarios) {
    if (s.folderId !== null) {
      assert.ok(folderIds.has(s.folderId));
      assert.equal(org.folders.find((f) => f.id === s.folderId).teamId, s.teamId, 'folder of the same team');
    }
  }
  assert.ok(org.scenarios.some((s) => s.folderId === null));
});

test('names, flags and scheduling are varied', () => {
  const org = sampleOrg();
  const names = org.scenarios.map((s) => s.name);
  assert.ok(names.some((n) => /[äöüßÄÖÜ]/.test(n)), 'German umlauts');
  assert.ok(names.some((n) => /[\u3040-\u30ff\u4e00-\u9fff]/.test(n)), 'Japanese');
  assert.ok(names.some((n) => /\p{Extended_Pictographic}/u.test(n)), 'emoji');
  assert.ok(names.some((n) => /[\u0590-\u08ff]/.test(n)), 'right-to-left script');
  assert.ok(names.length > new Set(names).size, 'names are not unique, as in Make');
  const types = new Set(org.scenarios.map((s) => s.scheduling.type));
  for (const type of ['immediately', 'indefinitely', 'daily', 'weekly', 'monthly', 'yearly', 'once', 'on-demand']) assert.ok(types.has(type), type);
  assert.ok(org.scenarios.some((s) => s.isActive) && org.scenarios.some((s) => !s.isActive));
  assert.ok(org.scenarios.some((s) => s.isPaused));
  assert.ok(org.scenarios.some((s) => s.isinvalid));
  assert.ok(org.scenarios.some((s) => s.concept));
  for (const s of org.scenarios) {
    assert.match(s.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(s.lastEdit >= s.created);
    assert.equal(s.islinked, s.isActive);
  }
});

test('blueprints are realistic (make-api.md §3.3) and the reply is the wrapped form', () => {
  const org = sampleOrg();
  const modules = [];
  for (const scenario of org.scenarios) {
    const reply = JSON.parse(org.blueprints[scenario.id].text);
    assert.equal(reply.code, 'OK');
    const { blueprint, scheduling, idSequence, created, last_edit: lastEdit, metadata } = reply.response;
    assert.equal(blueprint.name, scenario.name);
    assert.deepEqual(scheduling, scenario.scheduling);
    assert.equal(created, scenario.created);
    assert.equal(lastEdit, scenario.lastEdit);
    assert.deepEqual(Object.keys(metadata), ['input_spec', 'output_spec']);
    const own = allModules(blueprint.flow);
    assert.ok(own.every((m) => m.id < idSequence), 'idSequence is the next free module id');
    assert.deepEqual(scenario.usedPackages, [...new Set(own.map((m) => m.module.split(':')[0]))]);
    if (scenario.scheduling.type === 'immediately') {
      assert.equal(blueprint.flow[0].module, 'gateway:CustomWebHook');
      assert.equal(blueprint.flow[0].parameters.hook, scenario.hookId);
      assert.equal(blueprint.metadata.instant, true);
    }
    modules.push(...own);
  }
  const kinds = new Set(modules.map((m) => m.module));
  for (const kind of ['gateway:CustomWebHook', 'http:ActionSendData', 'builtin:BasicRouter', 'builtin:BasicIfElse', 'builtin:Ignore', 'builtin:Resume', 'datastore:AddRecord', 'slack:CreateMessage', 'json:ParseJSON']) {
    assert.ok(kinds.has(kind), kind);
  }
  assert.ok(modules.some((m) => m.module === 'http:ActionSendData' && m.parameters.__IMTCONN__));
  assert.ok(modules.some((m) => m.routes?.length >= 2 && m.routes.every((r) => Array.isArray(r.flow))));
  assert.ok(modules.some((m) => m.branches?.some((b) => b.type === 'else')));
  assert.ok(modules.some((m) => m.filter?.conditions?.length));
  assert.ok(modules.some((m) => Number.isInteger(m.parameters?.datastore)));
  assert.ok(modules.some((m) => JSON.stringify(m.mapper ?? {}).includes('{{1.email}}')));
  assert.ok(modules.every((m) => m.metadata?.designer && Number.isInteger(m.metadata.designer.x)));
  assert.ok(org.scenarios.some((s) => JSON.parse(org.blueprints[s.id].text).response.metadata.input_spec.length > 0), 'some scenarios have inputs');
});

test('exactly one blueprint reply is ≥ 1 MB; one carries numbers JS cannot hold', () => {
  const org = sampleOrg();
  const large = org.scenarios.filter((s) => Buffer.byteLength(org.blueprints[s.id].text) >= 1024 * 1024);
  assert.deepEqual(large.map((s) => s.id), [LARGE_SCENARIO_ID]);
  const others = org.scenarios.filter((s) => s.id !== LARGE_SCENARIO_ID).map((s) => Buffer.byteLength(org.blueprints[s.id].text));
  assert.ok(Math.max(...others) < 64 * 1024 && Math.min(...others) > 1000, 'the rest are a few KB');

  const text = org.blueprints[BIG_NUMBER_SCENARIO_ID].text;
  assert.ok(text.includes('"bigId":12345678901234567890'));
  assert.ok(text.includes('"discountRate":1.10'));
  assert.equal(JSON.parse(text).response.blueprint.flow.at(-1).parameters.bigId, 12345678901234567000, 'a JS parse loses precision');
  assert.ok(org.blueprints[BIG_NUMBER_SCENARIO_ID].blueprintText.includes('12345678901234567890'));
});
