// The Make simulator: @makehq/sdk against it, pagination, errors, rate limit, volatile
// fields, exact blueprint text, control API and faults.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Make } from '@makehq/sdk';

import { startMakeSim } from '../make-sim.mjs';
import { BIG_NUMBER_SCENARIO_ID, DRAFT_SCENARIO_ID, LARGE_SCENARIO_ID, SAMPLE_VERSIONS_NOW, VERSIONED_SCENARIO_IDS, sampleOrg } from '../sample-org.mjs';
import { makeCall } from './support/http.mjs';

const ORG = 4101;
const listPath = (params) => `/scenarios?${params}`;

/** The SDK pointed at the simulator: zone = host:port, protocol http (the SDK's own switch for local testing). */
function sdkFor(make, token = 'make-test-token') {
  const sdk = new Make(token, `127.0.0.1:${make.port}`);
  sdk.protocol = 'http';
  return sdk;
}

describe('Make simulator through @makehq/sdk', () => {
  let make;
  before(async () => {
    make = await startMakeSim();
  });
  after(() => make?.close());

  test('lists every scenario page by page (offset until a short page) and reads blueprints', async () => {
    const sdk = sdkFor(make);
    const all = [];
    const limit = 20;
    for (let offset = 0; ; offset += limit) {
      const page = await sdk.scenarios.listInOrganization(ORG, { pg: { offset, limit, sortBy: 'id', sortDir: 'asc' } });
      all.push(...page);
      if (page.length < limit) break;
    }
    const org = sampleOrg();
    assert.equal(all.length, org.scenarios.length);
    assert.deepEqual(all.map((s) => s.id), org.scenarios.map((s) => s.id).sort((a, b) => a - b));
    assert.equal(new Set(all.map((s) => s.id)).size, all.length, 'no id twice');

    const team = await sdk.scenarios.list(51, { pg: { limit: 500 } });
    assert.ok(team.length > 0 && team.every((s) => s.teamId === 51));

    const blueprint = await sdk.blueprints.get(all[0].id);
    assert.equal(blueprint.name, all[0].name);
    assert.ok(Array.isArray(blueprint.flow));
    assert.deepEqual(blueprint.scheduling, all[0].scheduling);
    const one = await sdk.scenarios.get(all[0].id);
    assert.equal(one.id, all[0].id);
  });

  test('the SDK sees 401 for a wrong token and 404 for an unknown scenario', async () => {
    await assert.rejects(sdkFor(make, 'wrong-token').scenarios.list(51), (err) => err.statusCode === 401 && err.message === 'Invalid credentials.');
    await assert.rejects(sdkFor(make).blueprints.get(1), (err) => err.statusCode === 404 && err.message === 'Scenario not found.');
  });
});

describe('Make simulator HTTP contract', () => {
  let make;
  before(async () => {
    make = await startMakeSim();
  });
  after(() => make?.close());

  test('make.url is the API base; replies are JSON', async () => {
    assert.match(make.url, /^http:\/\/127\.0\.0\.1:\d+\/api\/v2$/);
    const reply = await makeCall(make, listPath('teamId=51'));
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('content-type'), 'application/json; charset=utf-8');
  });

  test('exactly one of teamId / organizationId', async () => {
    const both = await makeCall(make, listPath('teamId=51&organizationId=4101'));
    assert.equal(both.status, 400);
    assert.deepEqual(both.json, { detail: 'teamId and organizationId cannot be used together', message: 'Bad request', code: 'SC400' });
    const neither = await makeCall(make, listPath('pg%5Blimit%5D=10'));
    assert.equal(neither.status, 400);
    assert.equal(neither.json.detail, 'Missing required parameter teamId or organizationId');
  });

  test('percent-encoded pg[…] params: pg echoed without a total, default sort desc, short last page', async () => {
    const first = await makeCall(make, listPath('organizationId=4101&pg%5Boffset%5D=0&pg%5Blimit%5D=50&pg%5BsortBy%5D=id&pg%5BsortDir%5D=asc'));
    assert.equal(first.status, 200);
    assert.deepEqual(first.json.pg, { sortBy: 'id', sortDir: 'asc', offset: 0, limit: 50 });
    assert.equal(first.json.scenarios.length, 50);
    assert.ok(!('total' in first.json.pg));
    const second = await makeCall(make, listPath('organizationId=4101&pg%5Boffset%5D=50&pg%5Blimit%5D=50&pg%5BsortBy%5D=id&pg%5BsortDir%5D=asc'));
    assert.equal(second.json.scenarios.length, 14, 'short page ends the listing');
    assert.ok(second.json.scenarios[0].id > first.json.scenarios.at(-1).id);
    const beyond = await makeCall(make, listPath('organizationId=4101&pg%5Boffset%5D=64&pg%5Blimit%5D=50'));
    assert.deepEqual(beyond.json.scenarios, []);

    const defaults = await makeCall(make, listPath('organizationId=4101'));
    assert.deepEqual(defaults.json.pg, { sortBy: 'proprietal', sortDir: 'desc', offset: 0, limit: 500 });
    const ids = defaults.json.scenarios.map((s) => s.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));

    const byName = await makeCall(make, listPath('teamId=52&pg%5BsortBy%5D=name&pg%5BsortDir%5D=asc'));
    const names = byName.json.scenarios.map((s) => s.name);
    assert.deepEqual(names, [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const byEdit = await makeCall(make, listPath('teamId=51&pg%5BsortBy%5D=lastEdit'));
    const edits = byEdit.json.scenarios.map((s) => s.lastEdit);
    assert.deepEqual(edits, [...edits].sort().reverse());

    assert.equal((await makeCall(make, listPath('teamId=51&pg%5BsortDir%5D=up'))).status, 400);
    assert.equal((await makeCall(make, listPath('teamId=abc'))).status, 400);
    assert.equal((await makeCall(make, listPath('teamId=99'))).status, 403);
  });

  test('scenario objects carry every make-api.md §2.4 field', async () => {
    const reply = await makeCall(make, listPath('teamId=51&pg%5Blimit%5D=1'));
    const scenario = reply.json.scenarios[0];
    const fields = ['id', 'name', 'teamId', 'hookId', 'deviceId', 'deviceScope', 'concept', 'description', 'folderId', 'isinvalid', 'islinked', 'isActive', 'islocked', 'isPaused', 'usedPackages', 'lastEdit', 'scheduling', 'iswaiting', 'dlqCount', 'createdByUser', 'updatedByUser', 'nextExec', 'created', 'scenarioVersion', 'moduleSequenceId', 'operations', 'transfer', 'customProperties'];
    assert.deepEqual(Object.keys(scenario).sort(), [...fields].sort());
    assert.match(scenario.lastEdit, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const cols = await makeCall(make, listPath('teamId=51&pg%5Blimit%5D=1&cols%5B%5D=name&cols%5B%5D=lastEdit'));
    assert.deepEqual(Object.keys(cols.json.scenarios[0]), ['id', 'name', 'lastEdit']);
  });

  test('volatile fields change between calls; the rest stays put', async () => {
    const read = async () => (await makeCall(make, listPath('organizationId=4101&pg%5BsortBy%5D=id'))).json.scenarios;
    const a = await read();
    const b = await read();
    const VOLATILE = ['nextExec', 'dlqCount', 'iswaiting', 'operations', 'transfer'];
    const strip = (s) => Object.fromEntries(Object.entries(s).filter(([key]) => !VOLATILE.includes(key)));
    assert.deepEqual(a.map(strip), b.map(strip));
    const running = a.filter((s) => s.isActive && !s.isPaused);
    assert.ok(running.length > 10);
    const changed = running.filter((s) => {
      const other = b.find((x) => x.id === s.id);
      return other.operations !== s.operations && other.transfer !== s.transfer;
    });
    assert.equal(changed.length, running.length, 'operations and transfer grow for every running scenario');
    assert.ok(a.some((s) => s.nextExec && b.find((x) => x.id === s.id).nextExec !== s.nextExec));
  });

  test('GET /scenarios/{id} wraps in "scenario"; the blueprint reply is the wrapped, exact text', async () => {
    const single = await makeCall(make, `/scenarios/${BIG_NUMBER_SCENARIO_ID}`);
    assert.equal(single.json.scenario.id, BIG_NUMBER_SCENARIO_ID);
    const blueprint = await makeCall(make, `/scenarios/${BIG_NUMBER_SCENARIO_ID}/blueprint?draft=false`);
    assert.equal(blueprint.status, 200);
    assert.equal(blueprint.text, sampleOrg().blueprints[BIG_NUMBER_SCENARIO_ID].text, 'byte-identical to the stored text');
    assert.match(blueprint.text, /"bigId":12345678901234567890[,}]/);
    assert.match(blueprint.text, /"discountRate":1\.10[,}]/);
    assert.equal(blueprint.json.code, 'OK');
    assert.deepEqual(Object.keys(blueprint.json.response), ['blueprint', 'scheduling', 'idSequence', 'created', 'last_edit', 'metadata']);
    assert.deepEqual(Object.keys(blueprint.json.response.metadata), ['input_spec', 'output_spec']);
    assert.equal(blueprint.json.response.last_edit, single.json.scenario.lastEdit);

    const large = await makeCall(make, `/scenarios/${LARGE_SCENARIO_ID}/blueprint`);
    assert.ok(Buffer.byteLength(large.text) >= 1024 * 1024);

    const missing = await makeCall(make, '/scenarios/1/blueprint');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json, { detail: 'Scenario not found.', message: 'Not Found', code: 'SC404' });
  });

  test('401 for a missing or wrong token (Token and Bearer schemes accepted)', async () => {
    const none = await makeCall(make, listPath('teamId=51'), { token: null });
    assert.equal(none.status, 401);
    assert.deepEqual(none.json, { detail: 'Invalid credentials.', message: 'Unauthorized', code: 'SC401' });
    assert.equal((await makeCall(make, listPath('teamId=51'), { token: 'nope' })).status, 401);
    const bearer = await makeCall(make, listPath('teamId=51'), { token: null, headers: { authorization: 'Bearer make-test-token' } });
    assert.equal(bearer.status, 200);
  });

  test('log entries: method, decoded query, status, service', async () => {
    make.resetLog();
    await makeCall(make, listPath('teamId=51&pg%5Boffset%5D=0&pg%5Blimit%5D=5'));
    assert.equal(make.log.length, 1);
    const { at, ...entry } = make.log[0];
    assert.deepEqual(entry, { method: 'GET', path: '/api/v2/scenarios', query: { teamId: '51', 'pg[offset]': '0', 'pg[limit]': '5' }, status: 200, service: 'make' });
    assert.match(at, /Z$/);
  });
});

describe('Make simulator rate limit', () => {
  test('429 once requestsPerMinute are used within a sliding 60 s window', async () => {
    let now = Date.UTC(2026, 10, 23, 2, 0, 0);
    const make = await startMakeSim({ requestsPerMinute: 3, clock: () => now });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i += 1) {
        statuses.push((await makeCall(make, listPath('teamId=51&pg%5Blimit%5D=1'))).status);
        now += 1000;
      }
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      const limited = await makeCall(make, listPath('teamId=51'));
      assert.equal(limited.json.code, 'SC429');
      assert.equal(limited.headers.get('retry-after'), null, 'Make documents no Retry-After');
      now = Date.UTC(2026, 10, 23, 2, 1, 0) + 1; // the first request left the window
      assert.equal((await makeCall(make, listPath('teamId=51'))).status, 200);
      assert.equal((await makeCall(make, listPath('teamId=51'))).status, 429);
    } finally {
      await make.close();
    }
  });
});

describe('Make simulator control API', () => {
  let make;
  let now = Date.UTC(2026, 10, 23, 2, 0, 0);
  before(async () => {
    make = await startMakeSim({ clock: () => now });
  });
  after(() => make?.close());

  test('editScenario: a blueprint change bumps lastEdit and shows in the reply text', async () => {
    const id = 418401;
    const before = (await makeCall(make, `/scenarios/${id}`)).json.scenario;
    now += 60_000;
    const edited = make.editScenario(id, { name: 'Invoice intake → Xero (v2)' }, { blueprint: { name: 'Invoice intake → Xero (v2)', flow: [{ id: 1, module: 'gateway:CustomWebHook', version: 1, parameters: { hook: 1916801 }, mapper: {} }], metadata: { version: 1 } } });
    assert.equal(edited.lastEdit, new Date(now).toISOString());
    assert.equal(edited.scenarioVersion, before.scenarioVersion + 1);
    const reply = await makeCall(make, `/scenarios/${id}/blueprint`);
    assert.equal(reply.json.response.blueprint.name, 'Invoice intake → Xero (v2)');
    assert.equal(reply.json.response.last_edit, edited.lastEdit);
    const versions = await makeCall(make, `/scenarios/${id}/blueprints`);
    assert.equal(versions.json.scenariosBlueprints[0].version, edited.scenarioVersion);
    const old = await makeCall(make, `/scenarios/${id}/blueprint?blueprintId=${before.scenarioVersion}`);
    assert.equal(old.json.response.blueprint.name, 'Invoice intake → Xero');
  });

  test('editScenario with touchLastEdit:false models a metadata-only change', async () => {
    const id = 418402;
    const before = (await makeCall(make, `/scenarios/${id}`)).json.scenario;
    const blueprintBefore = make.blueprintReplyText(id);
    make.editScenario(id, { name: 'Renamed', isActive: !before.isActive, folderId: 303 }, { touchLastEdit: false });
    const after = (await makeCall(make, `/scenarios/${id}`)).json.scenario;
    assert.equal(after.lastEdit, before.lastEdit);
    assert.deepEqual([after.name, after.isActive, after.islinked, after.folderId], ['Renamed', !before.isActive, !before.isActive, 303]);
    assert.equal(make.blueprintReplyText(id), blueprintBefore);
  });

  test('addScenario and deleteScenario change the listing', async () => {
    const added = make.addScenario({ name: 'Fresh one ✨', teamId: 52 });
    const team = await makeCall(make, listPath('teamId=52'));
    assert.ok(team.json.scenarios.some((s) => s.id === added.id && s.name === 'Fresh one ✨'));
    assert.equal((await makeCall(make, `/scenarios/${added.id}/blueprint`)).status, 200);
    assert.equal(make.deleteScenario(added.id), true);
    assert.equal((await makeCall(make, `/scenarios/${added.id}/blueprint`)).status, 404);
    // The deleted (highest) id is never handed out again.
    const next = make.addScenario({ name: 'After the deletion' });
    assert.ok(next.id > added.id, `${next.id} > ${added.id}`);
    make.deleteScenario(next.id);
    const highest = Math.max(...make.scenarios().map((s) => s.id));
    make.deleteScenario(highest);
    const created = await makeCall(make, '/scenarios?confirmed=true', { method: 'POST', body: { blueprint: JSON.stringify({ name: 'x', flow: [], metadata: { version: 1 } }), teamId: 51, scheduling: JSON.stringify({ type: 'on-demand' }) } });
    assert.ok(created.json.scenario.id > next.id, `a created scenario gets a fresh id, not ${highest} again`);
    make.deleteScenario(created.json.scenario.id);
  });

  test('restore: POST /scenarios?confirmed=true with blueprint and scheduling as JSON strings, then PATCH', async () => {
    const blueprint = { name: 'Restored ✓', flow: [{ id: 1, module: 'newapp:DoThing', version: 1, parameters: {}, mapper: {} }], metadata: { version: 1 } };
    const body = { blueprint: JSON.stringify(blueprint), teamId: 51, scheduling: JSON.stringify({ type: 'indefinitely', interval: 900 }), folderId: 301 };
    const unconfirmed = await makeCall(make, '/scenarios', { method: 'POST', body });
    assert.equal(unconfirmed.status, 400, 'an app new to the organization needs confirmed=true');
    assert.equal(unconfirmed.json.code, 'IM004');
    const created = await makeCall(make, '/scenarios?confirmed=true', { method: 'POST', body });
    assert.equal(created.status, 200);
    const scenario = created.json.scenario;
    assert.deepEqual([scenario.name, scenario.teamId, scenario.folderId, scenario.isActive], ['Restored ✓', 51, 301, false]);
    assert.deepEqual(scenario.scheduling, { type: 'indefinitely', interval: 900 });
    const stored = await makeCall(make, `/scenarios/${scenario.id}/blueprint`);
    assert.equal(JSON.stringify(stored.json.response.blueprint), body.blueprint);
    assert.equal(stored.json.response.idSequence, 2);

    const asObject = await makeCall(make, '/scenarios?confirmed=true', { method: 'POST', body: { ...body, scheduling: { type: 'on-demand' } } });
    assert.equal(asObject.status, 400, 'scheduling must be a JSON string');

    now += 60_000;
    const patched = await makeCall(make, `/scenarios/${scenario.id}`, { method: 'PATCH', body: { blueprint: JSON.stringify({ ...blueprint, name: 'Restored again' }), scheduling: JSON.stringify({ type: 'on-demand' }) } });
    assert.equal(patched.status, 200);
    assert.equal(patched.json.scenario.lastEdit, new Date(now).toISOString());
    const reread = await makeCall(make, `/scenarios/${scenario.id}/blueprint`);
    assert.equal(reread.json.response.blueprint.name, 'Restored again');
    assert.deepEqual(reread.json.response.scheduling, { type: 'on-demand' });
    assert.equal((await makeCall(make, '/scenarios/999999', { method: 'PATCH', body: {} })).status, 404);

    const started = await makeCall(make, `/scenarios/${scenario.id}/start`, { method: 'POST', body: {} });
    assert.equal(started.status, 200);
    assert.deepEqual(started.json.scenario, { id: scenario.id, isActive: true, islinked: true });
    assert.equal((await makeCall(make, `/scenarios/${scenario.id}`)).json.scenario.isActive, true);
    assert.equal((await makeCall(make, '/scenarios/999999/start', { method: 'POST', body: {} })).status, 404);
  });

  test('control routes over HTTP: /_sim/edit, /_sim/add, /_sim/delete, /_sim/inject, /_sim/log', async () => {
    const post = (path, body) => fetch(`${make.origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
    const edited = await post('/_sim/edit', { id: 418403, patch: { description: 'via HTTP' }, touchLastEdit: false });
    assert.equal(edited.scenario.description, 'via HTTP');
    const added = await post('/_sim/add', { scenario: { name: 'HTTP add' } });
    assert.equal((await post('/_sim/delete', { id: added.scenario.id })).deleted, true);
    await post('/_sim/inject', { pathRegExp: '/scenarios/418403$', status: 503, body: { detail: 'Service unavailable', message: 'Service Unavailable', code: 'SC503' } });
    assert.equal((await makeCall(make, '/scenarios/418403')).status, 503);
    const log = await fetch(`${make.origin}/_sim/log`).then((r) => r.json());
    assert.equal(log.at(-1).status, 503);
    assert.ok(!log.some((entry) => entry.path.startsWith('/_sim')), 'control calls are not logged');
    await post('/_sim/reset-log', {});
    assert.deepEqual(await fetch(`${make.origin}/_sim/log`).then((r) => r.json()), []);
  });
});

describe('Make simulator older blueprint versions (make-api.md §3.2)', () => {
  let make;
  let now = SAMPLE_VERSIONS_NOW;
  before(async () => {
    make = await startMakeSim({ clock: () => now });
  });
  after(() => make?.close());
  const versionsOf = async (id) => (await makeCall(make, `/scenarios/${id}/blueprints`)).json.scenariosBlueprints;

  test('at SAMPLE_VERSIONS_NOW the list holds the current version first, then the older ones newest first, drafts flagged', async () => {
    const org = sampleOrg();
    for (const id of VERSIONED_SCENARIO_IDS) {
      const scenario = org.scenarios.find((s) => s.id === id);
      const older = org.blueprints[id].versions;
      const listed = await versionsOf(id);
      const expected = [{ created: scenario.lastEdit, version: scenario.scenarioVersion, scenarioId: id, draft: false }, ...[...older].reverse().map((v) => ({ created: v.created, version: v.version, scenarioId: id, draft: v.draft }))];
      assert.deepEqual(listed, expected, `${id}`);
      assert.ok(listed.length >= 3 && listed.length <= 6);
    }
    const draft = await versionsOf(DRAFT_SCENARIO_ID);
    assert.deepEqual(draft.map((v) => v.draft), [false, true, false, false, false]);
    // A scenario without older versions whose current one is in the window; one edited long ago.
    assert.deepEqual((await versionsOf(418457)).map((v) => v.version), [1]);
    assert.deepEqual(await versionsOf(418401), []);
  });

  test('?blueprintId= serves each older version in the current reply\'s envelope; unknown versions 404', async () => {
    const org = sampleOrg();
    for (const id of VERSIONED_SCENARIO_IDS) {
      for (const version of org.blueprints[id].versions) {
        const reply = await makeCall(make, `/scenarios/${id}/blueprint?blueprintId=${version.version}`);
        assert.equal(reply.status, 200);
        assert.equal(reply.text, version.text, `${id} v${version.version} byte-identical`);
      }
      const scenario = org.scenarios.find((s) => s.id === id);
      assert.equal((await makeCall(make, `/scenarios/${id}/blueprint?blueprintId=${scenario.scenarioVersion}`)).text, org.blueprints[id].text);
      assert.equal((await makeCall(make, `/scenarios/${id}/blueprint`)).text, org.blueprints[id].text, 'without blueprintId: the current one');
    }
    const draftVersion = org.blueprints[DRAFT_SCENARIO_ID].versions.at(-1);
    const draft = await makeCall(make, `/scenarios/${DRAFT_SCENARIO_ID}/blueprint?blueprintId=${draftVersion.version}`);
    assert.equal(draft.json.response.blueprint.flow.at(-1).module, 'json:ParseJSON');
    const unknown = await makeCall(make, `/scenarios/${VERSIONED_SCENARIO_IDS[0]}/blueprint?blueprintId=1`);
    assert.deepEqual([unknown.status, unknown.json.code], [404, 'SC404']);
  });

  test('an edit adds a version on top; 60 days on, only what is younger stays listed', async () => {
    const id = VERSIONED_SCENARIO_IDS[0];
    const before = await versionsOf(id);
    now += 60_000;
    const edited = make.editScenario(id, {}, { blueprint: { name: 'x', flow: [], metadata: { version: 1 } } });
    const after = await versionsOf(id);
    assert.deepEqual(after.slice(1), before);
    assert.deepEqual(after[0], { created: new Date(now).toISOString(), version: edited.scenarioVersion, scenarioId: id, draft: false });
    now = Date.parse('2026-11-23T02:00:00.000Z');
    assert.deepEqual((await versionsOf(id)).map((v) => v.version), [], 'all older than 60 days');
    now = SAMPLE_VERSIONS_NOW;
  });
});

describe('Make simulator faults', () => {
  let make;
  before(async () => {
    make = await startMakeSim();
  });
  after(() => make?.close());

  test("timeout: no answer, socket dropped after delayMs", async () => {
    make.inject({ path: '/blueprint', action: 'timeout', delayMs: 100 });
    await assert.rejects(makeCall(make, '/scenarios/418401/blueprint'));
    assert.equal((await makeCall(make, '/scenarios/418401/blueprint')).status, 200);
  });

  test('a body that is not JSON, and a 200 carrying an error shape', async () => {
    make.inject({ path: '/blueprint', status: 502, body: '<html>502 Bad Gateway</html>', headers: { 'content-type': 'text/html' } });
    const html = await makeCall(make, '/scenarios/418401/blueprint');
    assert.deepEqual([html.status, html.text, html.headers.get('content-type')], [502, '<html>502 Bad Gateway</html>', 'text/html']);
    make.inject({ path: '/blueprint', status: 200, body: '{"code":"OK","response":{"blueprint":{"name":"cut' });
    const truncated = await makeCall(make, '/scenarios/418401/blueprint');
    assert.equal(truncated.status, 200);
    assert.equal(truncated.json, null, 'truncated JSON');
    make.inject({ path: '/blueprint', status: 200, body: { code: 'SC500', message: 'Internal Server Error', detail: 'Blueprint could not be loaded.' } });
    const errorShape = await makeCall(make, '/scenarios/418401/blueprint');
    assert.deepEqual([errorShape.status, errorShape.json.code], [200, 'SC500']);
  });

  test("repeatIds: a page that repeats ids of the previous page", async () => {
    const page = (offset) => makeCall(make, listPath(`organizationId=4101&pg%5Boffset%5D=${offset}&pg%5Blimit%5D=10&pg%5BsortBy%5D=id&pg%5BsortDir%5D=asc`));
    const first = await page(0);
    make.inject({ path: 'pg[offset]=10', action: 'repeatIds', overlap: 2 });
    const second = await page(10);
    assert.deepEqual(second.json.scenarios.slice(0, 2).map((s) => s.id), first.json.scenarios.slice(-2).map((s) => s.id));
    assert.equal(second.json.pg.offset, 10);
  });

  test("'after' with a body function: real handling, reply rewritten", async () => {
    make.inject({ path: '/scenarios/418401', method: 'GET', action: 'after', status: 200, body: (real) => ({ scenario: { ...JSON.parse(real.text).scenario, name: 'rewritten' } }) });
    const reply = await makeCall(make, '/scenarios/418401');
    assert.equal(reply.json.scenario.name, 'rewritten');
  });
});

describe('Make simulator inventory lists (make-api.md §7.2)', () => {
  /** A small inventory of its own, so these tests do not depend on the sample's. */
  function orgWithInventory() {
    const hooks = [];
    for (let i = 0; i < 7; i += 1) {
      hooks.push({ id: 9100 + i, name: `Hook ${String.fromCharCode(71 - i)}`, teamId: 51, udid: `udid${i}`, type: 'web', packageName: null, theme: '#f0f0f0', editable: true, queueCount: 0, queueLimit: 10000, enabled: i !== 2, gone: false, typeName: 'gateway-webhook', scenarioId: null, url: `https://hook.eu1.make.com/udid${i}`, data: { headers: false, ip: '', udt: null } });
    }
    hooks.push({ id: 9200, name: 'Mail in', teamId: 52, udid: 'mail0', type: 'mail', enabled: true, gone: true, typeName: 'gateway-mailhook', url: 'mail0@hook.eu1.make.com' });
    return {
      ...sampleOrg(),
      inventory: {
        connections: [
          { id: 3002, name: 'Slack (bot)', teamId: 51, accountName: 'slack3', accountLabel: 'Slack', packageName: null, expire: null, scoped: true, accountType: 'oauth', metadata: { value: 'bot@acme.example', type: 'email' }, data: { accessToken: 'xoxb-SECRET' } },
          { id: 3001, name: 'Acme HTTP', teamId: 51, accountName: 'http', accountLabel: 'HTTP', packageName: null, expire: null, scoped: false, accountType: 'basic' },
          { id: 3003, name: 'HubSpot', teamId: 52, accountName: 'hubspotcrm', accountLabel: 'HubSpot CRM', packageName: null, expire: '2027-01-01T00:00:00.000Z', scoped: true, accountType: 'oauth' },
        ],
        hooks,
        dataStores: [{ id: 148001, name: 'Orders', teamId: 52, records: 12, size: '4096', maxSize: '1048576', datastructureId: 6001, data: [{ key: 'k', data: { email: 'x@y' } }] }],
        dataStructures: [{ id: 6001, name: 'Order record', teamId: 52, spec: [{ name: 'email', type: 'email' }], strict: false }],
        keys: [
          { id: 5001, name: 'ERP API key', teamId: 51, typeName: 'apikeyauth', packageName: null, parameters: { key: 'SECRET-KEY' } },
          { id: 5002, name: 'Client certificate', teamId: 51, typeName: 'keychain-pem', packageName: null },
        ],
        devices: [{ id: 8001, name: 'Warehouse tablet', teamId: 51, udid: 'dev-udid', scope: ['sms'], gone: false, queueCount: 0, queueLimit: 100, scenarioId: [], info: { os: 'android', osversion: '14' } }],
      },
    };
  }

  let make;
  before(async () => {
    make = await startMakeSim({ org: orgWithInventory() });
  });
  after(() => make?.close());

  test('each list answers only the asked team, name-sorted, under the reply key src/dependencies.rs reads', async () => {
    const connections = await makeCall(make, '/connections?teamId=51');
    assert.equal(connections.status, 200);
    assert.deepEqual(Object.keys(connections.json), ['connections']);
    assert.deepEqual(connections.json.connections.map((c) => [c.id, c.name, c.accountName, c.teamId]), [[3001, 'Acme HTTP', 'http', 51], [3002, 'Slack (bot)', 'slack3', 51]]);
    assert.deepEqual((await makeCall(make, '/connections?teamId=52')).json.connections.map((c) => c.id), [3003]);
    assert.deepEqual((await makeCall(make, '/data-stores?teamId=51')).json, { dataStores: [] });
    const stores = await makeCall(make, '/data-stores?teamId=52');
    assert.deepEqual(stores.json.dataStores, [{ id: 148001, name: 'Orders', records: 12, size: '4096', maxSize: '1048576', teamId: 52, datastructureId: 6001 }]);
    assert.deepEqual((await makeCall(make, '/data-structures?teamId=52')).json.dataStructures, [{ id: 6001, name: 'Order record', teamId: 52, spec: [{ name: 'email', type: 'email' }], strict: false }]);
    assert.deepEqual((await makeCall(make, '/keys?teamId=51')).json.keys.map((k) => [k.id, k.typeName]), [[5002, 'keychain-pem'], [5001, 'apikeyauth']]);
    assert.deepEqual((await makeCall(make, '/devices?teamId=51')).json.devices.map((d) => d.id), [8001]);
    assert.deepEqual((await makeCall(make, '/devices?teamId=52')).json, { devices: [] });
    const mail = await makeCall(make, '/hooks?teamId=52');
    assert.deepEqual(mail.json.hooks.map((h) => [h.id, h.typeName, h.enabled, h.gone]), [[9200, 'gateway-mailhook', true, true]]);
  });

  test('never serves secrets: connection data and metadata, key material, hook data, records, device info', async () => {
    const texts = [];
    for (const path of ['/connections', '/hooks', '/data-stores', '/data-structures', '/keys', '/devices']) {
      for (const team of [51, 52]) texts.push((await makeCall(make, `${path}?teamId=${team}&pg%5Blimit%5D=100`)).text);
    }
    const all = texts.join('\n');
    for (const secret of ['xoxb-SECRET', 'SECRET-KEY', 'bot@acme.example', '"data"', '"parameters"', '"info"', '"metadata"']) assert.ok(!all.includes(secret), secret);
  });

  test('filters: connections type[], hooks and keys typeName', async () => {
    assert.deepEqual((await makeCall(make, '/connections?teamId=51&type%5B%5D=slack3')).json.connections.map((c) => c.id), [3002]);
    assert.deepEqual((await makeCall(make, '/keys?teamId=51&typeName=apikeyauth')).json.keys.map((k) => k.id), [5001]);
    assert.deepEqual((await makeCall(make, '/hooks?teamId=52&typeName=gateway-webhook')).json.hooks, []);
  });

  test('hooks page with pg[offset]/pg[limit] (the request src/dependencies.rs list_request builds) and echo pg', async () => {
    const first = await makeCall(make, '/hooks?teamId=51&pg%5Boffset%5D=0&pg%5Blimit%5D=3');
    assert.deepEqual(first.json.pg, { sortBy: 'name', sortDir: 'asc', offset: 0, limit: 3 });
    assert.deepEqual(first.json.hooks.map((h) => h.name), ['Hook A', 'Hook B', 'Hook C']);
    const second = await makeCall(make, '/hooks?teamId=51&pg%5Boffset%5D=3&pg%5Blimit%5D=3');
    const third = await makeCall(make, '/hooks?teamId=51&pg%5Boffset%5D=6&pg%5Blimit%5D=3');
    assert.deepEqual(second.json.hooks.map((h) => h.id), [9103, 9102, 9101]);
    assert.deepEqual(third.json.hooks.map((h) => h.id), [9100], 'short last page');
    assert.equal(second.json.hooks.find((h) => h.id === 9102).enabled, false);
    const rust = await makeCall(make, '/hooks?teamId=51&pg%5Boffset%5D=0&pg%5Blimit%5D=500');
    assert.equal(rust.json.hooks.length, 7);
    const defaults = await makeCall(make, '/hooks?teamId=51');
    assert.deepEqual(defaults.json.pg, { sortBy: 'name', sortDir: 'asc', offset: 0, limit: 50 });
    assert.deepEqual(Object.keys(defaults.json.hooks[0]), ['id', 'name', 'teamId', 'udid', 'type', 'packageName', 'theme', 'editable', 'queueCount', 'queueLimit', 'enabled', 'gone', 'typeName', 'scenarioId', 'url']);
    assert.equal((await makeCall(make, '/hooks?teamId=51&pg%5Blimit%5D=0')).status, 400);
    assert.equal((await makeCall(make, '/hooks?teamId=51&pg%5Boffset%5D=-1')).status, 400);
  });

  test('teamId: missing → 400, not an integer → 400, another organization\'s team → 403 (Make\'s error shape)', async () => {
    for (const path of ['/connections', '/hooks', '/data-stores', '/data-structures', '/keys', '/devices']) {
      const missing = await makeCall(make, path);
      assert.equal(missing.status, 400, path);
      assert.deepEqual(missing.json, { detail: 'Missing required parameter teamId', message: 'Bad request', code: 'SC400' });
      const garbage = await makeCall(make, `${path}?teamId=abc`);
      assert.deepEqual([garbage.status, garbage.json.detail], [400, 'Invalid key, not parsable to integer']);
      const foreign = await makeCall(make, `${path}?teamId=99`);
      assert.deepEqual([foreign.status, foreign.json], [403, { detail: 'Access denied.', message: 'Permission denied', code: 'SC403' }]);
    }
    assert.equal((await makeCall(make, '/connections?teamId=51', { method: 'POST', body: {} })).status, 404, 'only GET');
  });

  test('401 before anything else; faults apply to the list routes like to the others', async () => {
    assert.equal((await makeCall(make, '/connections?teamId=51', { token: 'wrong' })).status, 401);
    make.inject({ path: /\/hooks\?.*pg\[offset\]=3/, status: 503, body: { detail: 'Service unavailable', message: 'Service Unavailable', code: 'SC503' } });
    assert.equal((await makeCall(make, '/hooks?teamId=51&pg%5Boffset%5D=0&pg%5Blimit%5D=3')).status, 200);
    assert.equal((await makeCall(make, '/hooks?teamId=51&pg%5Boffset%5D=3&pg%5Blimit%5D=3')).status, 503);
    assert.equal((await makeCall(make, '/hooks?teamId=51&pg%5Boffset%5D=3&pg%5Blimit%5D=3')).status, 200, 'times: 1');
    make.inject({ path: '/data-stores', action: 'after', status: 200, body: { code: 'SC500', message: 'Internal Server Error', detail: 'x' } });
    assert.equal((await makeCall(make, '/data-stores?teamId=52')).json.code, 'SC500');
    make.resetLog();
    await makeCall(make, '/hooks?teamId=51&pg%5Boffset%5D=0&pg%5Blimit%5D=500');
    assert.deepEqual(make.log[0].query, { teamId: '51', 'pg[offset]': '0', 'pg[limit]': '500' });
  });

  test('the control API exposes the inventory; @makehq/sdk reads the lists', async () => {
    assert.equal(make.inventory().hooks.length, 8);
    const sdk = sdkFor(make);
    assert.deepEqual((await sdk.connections.list(51)).map((c) => c.id), [3001, 3002]);
    assert.equal((await sdk.hooks.list(51, { pg: { offset: 0, limit: 500 } })).length, 7);
    assert.deepEqual((await sdk.dataStores.list(52)).map((d) => d.id), [148001]);
    assert.deepEqual((await sdk.dataStructures.list(52)).map((d) => d.id), [6001]);
    assert.deepEqual((await sdk.keys.list(51)).map((k) => k.id), [5002, 5001]);
    assert.deepEqual((await sdk.devices.list(51)).map((d) => d.id), [8001]);
  });

  test('an org input without inventory answers empty lists', async () => {
    const bare = await startMakeSim({ org: { ...sampleOrg(), inventory: undefined } });
    try {
      assert.deepEqual((await makeCall(bare, '/keys?teamId=51')).json, { keys: [] });
      assert.deepEqual((await makeCall(bare, '/hooks?teamId=51')).json.hooks, []);
    } finally {
      await bare.close();
    }
  });
});

describe('Make simulator inventory lists of the sample organization', () => {
  let make;
  before(async () => {
    make = await startMakeSim();
  });
  after(() => make?.close());

  test('the sample lists, asked the way src/dependencies.rs asks, name every reference but the two missing ones', async () => {
    const org = sampleOrg();
    const seen = {};
    for (const [path, key] of [['/connections', 'connections'], ['/hooks', 'hooks'], ['/data-stores', 'dataStores'], ['/data-structures', 'dataStructures'], ['/keys', 'keys'], ['/devices', 'devices']]) {
      seen[key] = [];
      for (const team of [51, 52]) {
        const query = key === 'hooks' ? `teamId=${team}&pg%5Boffset%5D=0&pg%5Blimit%5D=500` : `teamId=${team}`;
        const reply = await makeCall(make, `${path}?${query}`);
        assert.equal(reply.status, 200, `${path} ${team}`);
        const names = reply.json[key].map((item) => item.name);
        assert.deepEqual(names, [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), `${path} name-sorted`);
        assert.ok(reply.json[key].every((item) => item.teamId === team));
        seen[key].push(...reply.json[key]);
      }
    }
    const ids = (list) => list.map((item) => item.id).sort((a, b) => a - b);
    for (const key of Object.keys(seen)) assert.deepEqual(ids(seen[key]), ids(org.inventory[key]), key);
    for (const missing of org.inventory.missing) {
      const key = { connection: 'connections', dataStore: 'dataStores' }[missing.kind];
      assert.ok(!seen[key].some((item) => item.id === missing.id), `${missing.kind} ${missing.id} is in no list`);
    }
    assert.deepEqual(seen.hooks.filter((h) => h.enabled === false).map((h) => h.id), [1916824]);
    assert.deepEqual((await makeCall(make, '/keys?teamId=51')).json.keys, [{ id: 5101, name: 'Partner portal API key', typeName: 'apikeyauth', teamId: 51, packageName: null, theme: '#6e7ce8' }]);
    const team52 = await makeCall(make, '/connections?teamId=52');
    assert.deepEqual(team52.json.connections.map((c) => [c.id, c.name, c.accountName]), [[3501, 'HubSpot CRM – Growth', 'hubspotcrm'], [3601, 'Mailchimp (old account)', 'mailchimp']]);
  });
});

describe('Make simulator token scopes', () => {
  const LIST_SCOPES = [['/connections', 'connections:read'], ['/hooks', 'hooks:read'], ['/data-stores', 'datastores:read'], ['/data-structures', 'udts:read'], ['/keys', 'keys:read'], ['/devices', 'devices:read']];

  test('without the scopes option every list answers (existing behaviour)', async () => {
    const make = await startMakeSim();
    try {
      for (const [path] of LIST_SCOPES) assert.equal((await makeCall(make, `${path}?teamId=51`)).status, 200, path);
    } finally {
      await make.close();
    }
  });

  test('a list whose scope the token lacks answers 403 SC403 (make-api.md §4); other routes are unaffected', async () => {
    const make = await startMakeSim({ scopes: ['scenarios:read', 'teams:read', 'organizations:read', 'connections:read', 'datastores:read'] });
    try {
      for (const [path, scope] of LIST_SCOPES) {
        const reply = await makeCall(make, `${path}?teamId=51`);
        if (scope === 'connections:read' || scope === 'datastores:read') {
          assert.equal(reply.status, 200, path);
        } else {
          assert.equal(reply.status, 403, path);
          assert.deepEqual(reply.json, { detail: 'Access denied.', message: 'Permission denied', code: 'SC403' });
        }
      }
      assert.equal((await makeCall(make, '/hooks')).status, 403, 'the scope is checked before the parameters');
      assert.equal((await makeCall(make, listPath('teamId=51'))).status, 200);
      assert.equal((await makeCall(make, '/scenarios/418401/blueprint')).status, 200);
    } finally {
      await make.close();
    }
    const none = await startMakeSim({ scopes: [] });
    try {
      assert.equal((await makeCall(none, '/connections?teamId=51')).status, 403);
    } finally {
      await none.close();
    }
    await assert.rejects(startMakeSim({ scopes: 'hooks:read' }), /scopes must be an array/);
  });
});
