// The sample organization: deterministic (no clock, no Math.random, same bytes in any
// process) and realistic enough to exercise a backup (make-api.md §2.4, §3.3).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { test } from 'node:test';

import {
  BIG_NUMBER_SCENARIO_ID,
  DISABLED_HOOK_ID,
  DRAFT_SCENARIO_ID,
  LARGE_SCENARIO_ID,
  MISSING_CONNECTION_ID,
  MISSING_DATA_STORE_ID,
  SAMPLE_TOKENS,
  SAMPLE_VERSIONS_NOW,
  VERSIONED_SCENARIO_IDS,
  sampleOrg,
} from '../sample-org.mjs';

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

/**
 * kind:id → scenario ids, for the reference keys of src/dependencies.rs (make-api.md §7.1), walking
 * flow, routes, branches and error handlers; plus the scenario field hookId.
 */
function referencedIds(org) {
  const KEYS = { __IMTCONN__: 'connection', makeConnectionId: 'connection', account: 'connection', oAuthAccount: 'connection', __IMTHOOK__: 'webhook', hook: 'webhook', datastore: 'dataStore', __IMTKEY__: 'key', apiKeyKeychain: 'key', basicAuthKeychain: 'key', proxyKeychain: 'key', bodyDataStructure: 'dataStructure', udt: 'dataStructure', agent: 'agent' };
  const found = new Map();
  const add = (kind, id, scenarioId) => {
    const key = `${kind}:${id}`;
    found.set(key, [...new Set([...(found.get(key) ?? []), scenarioId])]);
  };
  const scan = (value, module, scenarioId) => {
    if (!value || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (KEYS[key] && (typeof inner === 'number' || typeof inner === 'string') && (key !== 'hook' || module.startsWith('gateway:'))) add(KEYS[key], inner, scenarioId);
      else scan(inner, module, scenarioId);
    }
  };
  for (const scenario of org.scenarios) {
    for (const module of allModules(JSON.parse(org.blueprints[scenario.id].blueprintText).flow)) scan(module.parameters, module.module, scenario.id);
    if (scenario.hookId !== null) add('webhook', scenario.hookId, scenario.id);
    if (scenario.deviceId !== null) add('device', scenario.deviceId, scenario.id);
  }
  return found;
}

const LIST_OF_KIND = { connection: 'connections', webhook: 'hooks', dataStore: 'dataStores', dataStructure: 'dataStructures', key: 'keys', device: 'devices' };

test('inventory: every referenced object is listed with its team, except the two missing on purpose', () => {
  const org = sampleOrg();
  const { inventory } = org;
  const refs = referencedIds(org);
  const listed = new Map();
  for (const [kind, list] of Object.entries(LIST_OF_KIND)) for (const item of inventory[list]) listed.set(`${kind}:${item.id}`, item);
  const notListed = [...refs.keys()].filter((key) => !listed.has(key)).sort();
  assert.deepEqual(notListed, [`connection:${MISSING_CONNECTION_ID}`, `dataStore:${MISSING_DATA_STORE_ID}`]);
  assert.deepEqual(inventory.missing.map((m) => [m.kind, m.id]), [['connection', 4242], ['dataStore', 148204]]);
  for (const missing of inventory.missing) {
    assert.deepEqual(missing.scenarios, [...refs.get(`${missing.kind}:${missing.id}`)].sort((a, b) => a - b), `${missing.kind}:${missing.id} scenarios`);
  }
  assert.deepEqual(inventory.missing[0].scenarios, [BIG_NUMBER_SCENARIO_ID], 'the erp-connector connection');
  assert.ok(inventory.missing[1].teamIds.length === 2 && inventory.missing[1].scenarios.length >= 2);

  const unusedKeys = [...listed.keys()].filter((key) => !refs.has(key)).sort();
  assert.deepEqual(unusedKeys, ['connection:3601', 'key:5101']);
  assert.deepEqual(inventory.unused, [{ kind: 'connection', id: 3601, teamId: 52 }, { kind: 'key', id: 5101, teamId: 51 }]);
  assert.ok(refs.size >= 30, 'connections, data stores and a hook per webhook scenario');
  assert.deepEqual(inventory.dataStructures, []);
  assert.deepEqual(inventory.devices, []);
});

test('inventory objects: realistic fields, known teams, no secrets, one disabled hook', () => {
  const org = sampleOrg();
  const { inventory } = org;
  const teams = new Set(org.teams.map((t) => t.id));
  for (const list of Object.values(LIST_OF_KIND)) {
    const ids = inventory[list].map((item) => item.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b), `${list} sorted by id`);
    assert.equal(new Set(ids).size, ids.length);
    for (const item of inventory[list]) {
      assert.ok(teams.has(item.teamId), `${list} ${item.id} team`);
      assert.equal(typeof item.name, 'string');
      assert.ok(item.name.length > 0);
    }
  }
  for (const c of inventory.connections) {
    assert.deepEqual(Object.keys(c), ['id', 'name', 'accountName', 'accountLabel', 'packageName', 'expire', 'teamId', 'theme', 'upgradeable', 'scopesCnt', 'scoped', 'accountType', 'editable']);
  }
  assert.equal(inventory.connections.find((c) => c.id === 3501).accountName, 'hubspotcrm');
  assert.equal(inventory.connections.find((c) => c.id === 3501).teamId, 52);
  for (const d of inventory.dataStores) assert.deepEqual(Object.keys(d), ['id', 'name', 'records', 'size', 'maxSize', 'teamId', 'datastructureId']);
  assert.deepEqual(inventory.keys.map((k) => [k.id, k.typeName]), [[5101, 'apikeyauth']]);

  const webhookScenarios = org.scenarios.filter((s) => s.hookId !== null);
  assert.deepEqual(inventory.hooks.map((h) => h.id), webhookScenarios.map((s) => s.hookId).sort((a, b) => a - b));
  for (const hook of inventory.hooks) {
    const scenario = webhookScenarios.find((s) => s.hookId === hook.id);
    assert.equal(hook.teamId, scenario.teamId, 'a hook lives in its scenario\'s team');
    assert.equal(hook.scenarioId, scenario.id);
    assert.match(hook.udid, /^[0-9a-f]{32}$/);
    assert.equal(hook.url, `https://hook.eu1.make.com/${hook.udid}`);
    assert.deepEqual([hook.type, hook.typeName, hook.gone], ['web', 'gateway-webhook', false]);
  }
  assert.deepEqual(inventory.hooks.filter((h) => !h.enabled).map((h) => h.id), [DISABLED_HOOK_ID]);
  assert.equal(new Set(inventory.hooks.map((h) => h.udid)).size, inventory.hooks.length);

  const text = JSON.stringify(inventory);
  for (const field of ['"data"', '"metadata"', '"parameters"', '"password"', '"accessToken"', '"apiKey"']) assert.ok(!text.includes(field), field);
});

test('older versions: eight scenarios with 2–4 each, dated inside the 60-day window of SAMPLE_VERSIONS_NOW, before the current one', () => {
  const org = sampleOrg();
  const windowStart = SAMPLE_VERSIONS_NOW - 60 * 86400000;
  assert.equal(VERSIONED_SCENARIO_IDS.length, 8);
  assert.ok(VERSIONED_SCENARIO_IDS.includes(DRAFT_SCENARIO_ID));
  let drafts = 0;
  for (const scenario of org.scenarios) {
    const { versions } = org.blueprints[scenario.id];
    if (!VERSIONED_SCENARIO_IDS.includes(scenario.id)) {
      assert.deepEqual(versions, [], `${scenario.id} has no older versions`);
      continue;
    }
    const published = versions.filter((v) => !v.draft);
    assert.ok(published.length >= 2 && published.length <= 4, `${scenario.id}: ${published.length} older versions`);
    drafts += versions.length - published.length;
    const created = versions.map((v) => Date.parse(v.created));
    assert.deepEqual(created, [...created].sort((a, b) => a - b), 'oldest first');
    assert.equal(new Set(created).size, created.length);
    assert.ok(created[0] >= windowStart, `${scenario.id}: inside the window`);
    assert.ok(created.at(-1) < Date.parse(scenario.lastEdit), `${scenario.id}: the current version stays the newest`);
    assert.ok(Date.parse(scenario.lastEdit) <= SAMPLE_VERSIONS_NOW && Date.parse(scenario.lastEdit) >= windowStart, 'the current version is in the window too');
    const numbers = versions.map((v) => v.version);
    assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b));
    assert.ok(numbers[0] >= 1 && numbers.at(-1) < scenario.scenarioVersion);
    for (const v of versions) assert.match(v.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
  assert.equal(drafts, 1, 'exactly one draft version');
  const draftScenario = org.blueprints[DRAFT_SCENARIO_ID].versions;
  assert.equal(draftScenario.at(-1).draft, true, 'the draft is the newest of the older versions');
  assert.ok(draftScenario.slice(0, -1).every((v) => v.draft === false));
});

test('older versions: same envelope as the current reply, a different but well-formed blueprint', () => {
  const org = sampleOrg();
  for (const id of VERSIONED_SCENARIO_IDS) {
    const scenario = org.scenarios.find((s) => s.id === id);
    const current = org.blueprints[id];
    const currentReply = JSON.parse(current.text).response;
    const texts = new Set([current.blueprintText]);
    for (const version of org.blueprints[id].versions) {
      const reply = JSON.parse(version.text);
      assert.equal(reply.code, 'OK');
      assert.deepEqual(Object.keys(reply.response), ['blueprint', 'scheduling', 'idSequence', 'created', 'last_edit', 'metadata']);
      const { blueprint, scheduling, idSequence, created, last_edit: lastEdit, metadata } = reply.response;
      assert.equal(version.text, `{"code":"OK","response":{"blueprint":${version.blueprintText},"scheduling":${JSON.stringify(scheduling)},"idSequence":${version.idSequence},"created":${JSON.stringify(created)},"last_edit":${JSON.stringify(lastEdit)},"metadata":${JSON.stringify(metadata)}}}`);
      assert.deepEqual(scheduling, currentReply.scheduling);
      assert.deepEqual(metadata, currentReply.metadata);
      assert.equal(created, scenario.created);
      assert.equal(lastEdit, version.created);
      assert.equal(idSequence, version.idSequence);
      assert.equal(blueprint.name, scenario.name);
      assert.deepEqual(Object.keys(blueprint), Object.keys(currentReply.blueprint));
      assert.deepEqual(Object.keys(blueprint.metadata), Object.keys(currentReply.blueprint.metadata));
      assert.equal(blueprint.flow[0].module, currentReply.blueprint.flow[0].module, 'same trigger');
      const modules = allModules(blueprint.flow);
      assert.ok(blueprint.flow.length >= 2);
      assert.ok(modules.every((m) => m.id < idSequence && m.metadata?.designer));
      assert.ok(!texts.has(version.blueprintText), `${id} v${version.version} differs from the other versions`);
      texts.add(version.blueprintText);
    }
  }
});
