// A Make.com API v2 simulator for the endpoints a backup (and later a restore) uses.
// Shapes follow /work/shared/reference/make-api.md. Error bodies use Make's documented
// {"detail","message","code"} shape; where the exact text is not documented (401, 404 on an
// unknown route, 429, restore validation) the choice is a guess and marked so below.
//
// Blueprint replies are kept as exact JSON text, so a blueprint can carry numbers that
// JavaScript cannot represent (the sample's "bigId": 12345678901234567890 and 1.10).

import { startSimServer, SlidingWindow } from './lib/http-kit.mjs';
import { sampleOrg, composeBlueprintReply, toJsonText } from './sample-org.mjs';

const API_PREFIX = '/api/v2';
const DEFAULT_PAGE_LIMIT = 500; // observed default for /scenarios (make-api.md §2.3)
const MAX_PAGE_LIMIT = 10000;
const VERSION_WINDOW_MS = 60 * 86400000; // blueprint versions are kept 60 days
const SORTABLE = ['proprietal', 'id', 'name', 'teamId', 'folderId', 'isActive', 'islinked', 'isinvalid', 'islocked', 'lastEdit', 'createdByUserName', 'updatedByUserName', 'created'];

/**
 * The inventory list endpoints (make-api.md §7.2; the paths, reply keys and scopes are the ones
 * src/dependencies.rs `list_endpoint()` / `list_scope()` use). `fields` is the whitelist a list
 * object is served with (§7.2's fields plus `teamId` and a few UI flags from the SDK's types):
 * never connection data or metadata, key material, hook `data`, device info or data store
 * records, whatever the org input holds.
 */
export const INVENTORY_LISTS = Object.freeze([
  {
    kind: 'connections',
    path: '/connections',
    scope: 'connections:read',
    fields: ['id', 'name', 'accountName', 'accountLabel', 'packageName', 'expire', 'teamId', 'theme', 'upgradeable', 'scopesCnt', 'scoped', 'accountType', 'editable'],
  },
  {
    kind: 'hooks',
    path: '/hooks',
    scope: 'hooks:read',
    paged: true,
    fields: ['id', 'name', 'teamId', 'udid', 'type', 'packageName', 'theme', 'editable', 'queueCount', 'queueLimit', 'enabled', 'gone', 'typeName', 'scenarioId', 'url'],
  },
  { kind: 'dataStores', path: '/data-stores', scope: 'datastores:read', fields: ['id', 'name', 'records', 'size', 'maxSize', 'teamId', 'datastructureId'] },
  { kind: 'dataStructures', path: '/data-structures', scope: 'udts:read', fields: ['id', 'name', 'teamId', 'spec', 'strict'] },
  { kind: 'keys', path: '/keys', scope: 'keys:read', fields: ['id', 'name', 'typeName', 'teamId', 'packageName', 'theme'] },
  { kind: 'devices', path: '/devices', scope: 'devices:read', fields: ['id', 'name', 'teamId', 'udid', 'scope', 'gone', 'queueCount', 'queueLimit', 'scenarioId'] },
]);
const DEFAULT_HOOK_PAGE_LIMIT = 50; // Make's default page size on /hooks (src/dependencies.rs HOOK_PAGE_SIZE note)

function makeError(status, detail, message, code = `SC${status}`, extra = {}) {
  return { status, body: { detail, message, code, ...extra } };
}

const badRequest = (detail) => makeError(400, detail, 'Bad request', 'SC400');
const scenarioNotFound = () => makeError(404, 'Scenario not found.', 'Not Found', 'SC404');

function clone(value) {
  return JSON.parse(JSON.stringify(value));
}

function compareValues(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : 1; // code-point order: deterministic
  return a < b ? -1 : 1;
}

function sortKey(scenario, sortBy) {
  switch (sortBy) {
    case 'proprietal': // Make's own order; here: by id
    case 'id':
      return scenario.id;
    case 'createdByUserName':
      return scenario.createdByUser?.name ?? null;
    case 'updatedByUserName':
      return scenario.updatedByUser?.name ?? null;
    default:
      return scenario[sortBy];
  }
}

function parseIntegerParam(value) {
  if (value === null || value === undefined) return undefined;
  if (!/^-?\d+$/.test(String(value))) return NaN;
  return Number(value);
}

/**
 * Start the simulator.
 * @param {object} [opts]
 * @param {string} [opts.token='make-test-token']
 * @param {object} [opts.org=sampleOrg()]
 * @param {number} [opts.requestsPerMinute=600]  per organization, sliding 60 s window → 429
 * @param {number} [opts.port=0]
 * @param {() => number} [opts.clock]            epoch ms (rate window, lastEdit of edits, version window)
 * @param {string[]} [opts.scopes]               the token's scopes; omitted = every scope. Only the
 *                                                inventory lists check them (e.g. no 'hooks:read' →
 *                                                GET /hooks answers 403 SC403); other routes ignore them.
 */
export async function startMakeSim(opts = {}) {
  const {
    token = 'make-test-token',
    org: orgInput = sampleOrg(),
    requestsPerMinute = 600,
    port = 0,
    clock = () => Date.now(),
    scopes,
  } = opts;
  if (scopes !== undefined && !Array.isArray(scopes)) throw new TypeError('scopes must be an array of scope names');
  const grantedScopes = scopes === undefined ? null : new Set(scopes);

  // --- state --------------------------------------------------------------------------------
  const org = { ...orgInput, teams: clone(orgInput.teams), folders: clone(orgInput.folders), users: clone(orgInput.users) };
  const teamIds = new Set(org.teams.map((team) => team.id));
  /** id → { scenario (list object, volatile fields at base values), parts, replyText, versions[] } */
  const scenarios = new Map();
  let highestId = 0;
  for (const scenario of orgInput.scenarios) {
    const bp = orgInput.blueprints[scenario.id];
    const record = {
      scenario: clone(scenario),
      parts: { blueprintText: bp.blueprintText, idSequence: bp.idSequence, inputSpec: bp.inputSpec ?? [], outputSpec: bp.outputSpec ?? [] },
      replyText: bp.text,
      // Older versions from the org input (oldest first), then the current one.
      versions: (bp.versions ?? []).map((older) => ({ version: older.version, created: older.created, draft: older.draft === true, replyText: older.text })),
    };
    record.versions.push({ version: scenario.scenarioVersion, created: scenario.lastEdit, draft: false, replyText: bp.text });
    scenarios.set(scenario.id, record);
  }
  /** kind → list objects (all teams), from orgInput.inventory (make-api.md §7.2). */
  const inventory = Object.fromEntries(INVENTORY_LISTS.map(({ kind }) => [kind, clone(orgInput.inventory?.[kind] ?? [])]));
  const rateWindow = new SlidingWindow(60_000);
  // Counts renders of scenario objects so the volatile fields move on every call.
  let volatileTick = 0;

  function rebuildReply(record) {
    const { scenario, parts } = record;
    record.replyText = composeBlueprintReply({
      blueprintText: parts.blueprintText,
      scheduling: scenario.scheduling,
      idSequence: parts.idSequence,
      created: scenario.created,
      lastEdit: scenario.lastEdit,
      inputSpec: parts.inputSpec,
      outputSpec: parts.outputSpec,
    });
  }

  /** A strictly increasing lastEdit at (or just after) the clock. */
  function nextLastEdit(previous) {
    const now = clock();
    const after = previous ? Date.parse(previous) + 1 : 0;
    return new Date(Math.max(now, after)).toISOString();
  }

  /**
   * The volatile fields (make-api.md §2.4) change on every read, as they do on a live
   * account: a client that stores them would churn.
   */
  function render(record) {
    volatileTick += 1;
    const base = record.scenario;
    const out = { ...clone(base) };
    const running = base.isActive && !base.isPaused;
    out.operations = base.operations + (running ? volatileTick * (1 + (base.id % 5)) : 0);
    out.transfer = base.transfer + (running ? volatileTick * 1337 : 0);
    out.dlqCount = base.dlqCount + (running && base.id % 4 === 0 ? Math.floor(volatileTick / 3) : 0);
    out.iswaiting = running && (volatileTick + base.id) % 5 === 0;
    if (base.nextExec) out.nextExec = new Date(Date.parse(base.nextExec) + volatileTick * 60000).toISOString();
    return out;
  }

  function blueprintNameOf(blueprintText) {
    try {
      const parsed = JSON.parse(blueprintText);
      return typeof parsed?.name === 'string' ? parsed.name : null;
    } catch {
      return null;
    }
  }

  function packagesOf(blueprintText) {
    const found = [];
    const walk = (modules) => {
      for (const module of modules ?? []) {
        if (typeof module?.module === 'string') found.push(module.module.split(':')[0]);
        for (const route of module?.routes ?? []) walk(route.flow);
        for (const branch of module?.branches ?? []) walk(branch.flow);
        walk(module?.onerror);
      }
    };
    walk(JSON.parse(blueprintText).flow);
    return [...new Set(found)];
  }

  function blueprintTextOf(blueprint) {
    return typeof blueprint === 'string' ? blueprint : toJsonText(blueprint);
  }

  // --- control API (tests and /_sim/*) --------------------------------------------------------

  /**
   * Change a scenario as a Make user would. `patch` merges into the list object (name,
   * isActive, folderId, scheduling, description, …). `blueprint` (object or exact JSON text)
   * replaces the blueprint and adds a version. lastEdit moves unless touchLastEdit is false
   * (a metadata-only change such as a rename or activation may leave it alone).
   */
  function editScenario(id, patch = {}, { blueprint, touchLastEdit = true, idSequence } = {}) {
    const record = scenarios.get(Number(id));
    if (!record) throw new Error(`no scenario ${id}`);
    const fields = { ...patch };
    delete fields.id; // the id is not editable
    Object.assign(record.scenario, clone(fields));
    if ('isActive' in fields) record.scenario.islinked = fields.isActive;
    if (blueprint !== undefined) {
      record.parts.blueprintText = blueprintTextOf(blueprint);
      JSON.parse(record.parts.blueprintText); // must be JSON
      if (idSequence !== undefined) record.parts.idSequence = idSequence;
      record.scenario.usedPackages = packagesOf(record.parts.blueprintText);
      record.scenario.scenarioVersion += 1;
    }
    if (touchLastEdit) {
      record.scenario.lastEdit = nextLastEdit(record.scenario.lastEdit);
      record.scenario.updatedByUser = { ...org.users[0] };
    }
    rebuildReply(record);
    if (blueprint !== undefined) {
      record.versions.push({ version: record.scenario.scenarioVersion, created: record.scenario.lastEdit, draft: false, replyText: record.replyText });
    }
    return clone(record.scenario);
  }

  /** Add a scenario: `fields` override defaults; `blueprint` object or JSON text. */
  function addScenario(fields = {}, { blueprint } = {}) {
    // Like Make, ids are never handed out twice, even after the highest one was deleted.
    const nextId = fields.id ?? Math.max(highestId, ...scenarios.keys()) + 1;
    if (scenarios.has(nextId)) throw new Error(`scenario ${nextId} exists`);
    highestId = Math.max(highestId, nextId);
    const blueprintText = blueprintTextOf(blueprint ?? { name: fields.name ?? 'New scenario', flow: [], metadata: { version: 1, scenario: { roundtrips: 1, maxErrors: 3, autoCommit: true, autoCommitTriggerLast: true, sequential: false, confidential: false, dataloss: false, dlq: false, freshVariables: false }, designer: { orphans: [] } } });
    const now = nextLastEdit(null);
    const user = org.users[0];
    const scenario = {
      id: nextId,
      name: fields.name ?? blueprintNameOf(blueprintText) ?? 'New scenario',
      teamId: org.teams[0].id,
      hookId: null,
      deviceId: null,
      deviceScope: null,
      concept: false,
      description: '',
      folderId: null,
      isinvalid: false,
      islinked: false,
      isActive: false,
      islocked: false,
      isPaused: false,
      usedPackages: packagesOf(blueprintText),
      lastEdit: now,
      scheduling: { type: 'indefinitely', interval: 900 },
      iswaiting: false,
      dlqCount: 0,
      createdByUser: { ...user },
      updatedByUser: { ...user },
      nextExec: null,
      created: now,
      scenarioVersion: 1,
      moduleSequenceId: 1,
      operations: 0,
      transfer: 0,
      customProperties: {},
      ...clone(fields),
      id: nextId,
    };
    scenario.islinked = scenario.isActive;
    const maxModuleId = (() => {
      let max = 0;
      const walk = (modules) => {
        for (const module of modules ?? []) {
          if (Number.isInteger(module?.id)) max = Math.max(max, module.id);
          for (const route of module?.routes ?? []) walk(route.flow);
          for (const branch of module?.branches ?? []) walk(branch.flow);
          walk(module?.onerror);
        }
      };
      walk(JSON.parse(blueprintText).flow);
      return max;
    })();
    const record = { scenario, parts: { blueprintText, idSequence: maxModuleId + 1, inputSpec: [], outputSpec: [] }, replyText: '', versions: [] };
    scenario.moduleSequenceId = maxModuleId + 1;
    rebuildReply(record);
    record.versions.push({ version: 1, created: now, draft: false, replyText: record.replyText });
    scenarios.set(nextId, record);
    return clone(scenario);
  }

  function deleteScenario(id) {
    highestId = Math.max(highestId, ...scenarios.keys());
    return scenarios.delete(Number(id));
  }

  // --- HTTP handlers ----------------------------------------------------------------------------

  function credentialOf(headers) {
    const match = /^(Token|Bearer)\s+(.+)$/i.exec(String(headers.authorization ?? '').trim());
    return match ? match[2] : null;
  }

  function parseBody(ctx) {
    if (ctx.bodyText.trim() === '') return {};
    try {
      const value = JSON.parse(ctx.bodyText);
      if (value && typeof value === 'object' && !Array.isArray(value)) return value;
    } catch {
      // fall through
    }
    throw badRequest('Invalid JSON in request body.'); // guess
  }

  function selectColumns(object, query) {
    const cols = query.getAll('cols[]');
    if (!cols.length || cols.includes('*')) return object;
    const out = { id: object.id };
    for (const col of cols) if (col in object) out[col] = object[col];
    return out;
  }

  function listScenarios(ctx) {
    const q = ctx.query;
    const teamId = q.get('teamId');
    const organizationId = q.get('organizationId');
    if (teamId !== null && organizationId !== null) {
      return makeError(400, 'teamId and organizationId cannot be used together', 'Bad request', 'SC400');
    }
    if (teamId === null && organizationId === null) {
      return makeError(400, 'Missing required parameter teamId or organizationId', 'Bad request', 'SC400');
    }
    const teamNumber = parseIntegerParam(teamId);
    const orgNumber = parseIntegerParam(organizationId);
    if (Number.isNaN(teamNumber) || Number.isNaN(orgNumber)) return badRequest('Invalid key, not parsable to integer');
    if (teamId !== null && !teamIds.has(teamNumber)) return makeError(403, 'Access denied.', 'Permission denied', 'SC403');
    if (organizationId !== null && orgNumber !== org.organizationId) return makeError(403, 'Access denied.', 'Permission denied', 'SC403');

    const offset = parseIntegerParam(q.get('pg[offset]')) ?? 0;
    const limit = parseIntegerParam(q.get('pg[limit]')) ?? DEFAULT_PAGE_LIMIT;
    const sortBy = q.get('pg[sortBy]') ?? 'proprietal';
    const sortDir = q.get('pg[sortDir]') ?? 'desc';
    if (Number.isNaN(offset) || offset < 0) return badRequest('Invalid value of pg[offset].'); // guess
    if (Number.isNaN(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) return badRequest('Invalid value of pg[limit].'); // guess
    if (!SORTABLE.includes(sortBy)) return badRequest(`Invalid value of pg[sortBy]: ${sortBy}.`); // guess
    if (sortDir !== 'asc' && sortDir !== 'desc') return badRequest(`Invalid value of pg[sortDir]: ${sortDir}.`); // guess

    let selected = [...scenarios.values()].map((record) => record.scenario);
    if (teamId !== null) selected = selected.filter((scenario) => scenario.teamId === teamNumber);
    const idFilter = q.getAll('id[]').map(Number);
    if (idFilter.length) selected = selected.filter((scenario) => idFilter.includes(scenario.id));
    if (q.get('folderId') !== null) selected = selected.filter((scenario) => String(scenario.folderId) === q.get('folderId'));
    if (q.get('isActive') !== null) selected = selected.filter((scenario) => String(scenario.isActive) === q.get('isActive'));
    if (q.get('concept') !== null) selected = selected.filter((scenario) => String(scenario.concept) === q.get('concept'));
    const direction = sortDir === 'asc' ? 1 : -1;
    selected.sort((a, b) => direction * (compareValues(sortKey(a, sortBy), sortKey(b, sortBy)) || compareValues(a.id, b.id)));

    // Fault 'repeatIds': serve the page as if it started `overlap` items earlier, as happens
    // when a scenario is created between two page requests.
    const start = ctx.rule?.action === 'repeatIds' ? Math.max(0, offset - (ctx.rule.overlap ?? 1)) : offset;
    const page = selected.slice(start, start + limit).map((scenario) => selectColumns(render(scenarios.get(scenario.id)), q));
    return { status: 200, body: { scenarios: page, pg: { sortBy, sortDir, offset, limit } } };
  }

  function scenarioIdFrom(raw) {
    const id = parseIntegerParam(raw);
    if (Number.isNaN(id) || id === undefined) throw badRequest('Invalid key, not parsable to integer');
    return id;
  }

  function getScenario(ctx, rawId) {
    const record = scenarios.get(scenarioIdFrom(rawId));
    if (!record) return scenarioNotFound();
    return { status: 200, body: { scenario: selectColumns(render(record), ctx.query) } };
  }

  function getBlueprint(ctx, rawId) {
    const record = scenarios.get(scenarioIdFrom(rawId));
    if (!record) return scenarioNotFound();
    const blueprintId = ctx.query.get('blueprintId');
    if (blueprintId !== null) {
      const version = record.versions.find((entry) => String(entry.version) === blueprintId);
      if (!version) return makeError(404, 'Blueprint not found.', 'Not Found', 'SC404'); // guess
      return { status: 200, body: version.replyText };
    }
    // Drafts are not modelled: draft=true and draft=false both serve the live blueprint.
    return { status: 200, body: record.replyText };
  }

  function listBlueprintVersions(ctx, rawId) {
    const id = scenarioIdFrom(rawId);
    const record = scenarios.get(id);
    if (!record) return scenarioNotFound();
    const cutoff = clock() - VERSION_WINDOW_MS;
    const versions = record.versions
      .filter((entry) => Date.parse(entry.created) >= cutoff)
      .map((entry) => ({ created: entry.created, version: entry.version, scenarioId: id, draft: entry.draft }))
      .reverse();
    return { status: 200, body: { scenariosBlueprints: versions } };
  }

  function parseJsonStringField(body, field, { required }) {
    const value = body[field];
    if (value === undefined || value === null) {
      if (required) throw badRequest(`Missing required parameter ${field}`); // guess
      return undefined;
    }
    if (typeof value !== 'string') throw badRequest(`Parameter ${field} must be a JSON string.`); // guess
    try {
      const parsed = JSON.parse(value);
      if (!parsed || typeof parsed !== 'object') throw new Error('not an object');
      return { text: value, parsed };
    } catch {
      throw badRequest(`Invalid ${field}: not valid JSON.`); // guess
    }
  }

  function knownPackages() {
    const known = new Set();
    for (const record of scenarios.values()) for (const name of record.scenario.usedPackages) known.add(name);
    return known;
  }

  function createScenario(ctx) {
    const body = parseBody(ctx);
    const blueprint = parseJsonStringField(body, 'blueprint', { required: true });
    const scheduling = parseJsonStringField(body, 'scheduling', { required: true });
    const teamId = Number(body.teamId);
    if (!teamIds.has(teamId)) return body.teamId === undefined ? badRequest('Missing required parameter teamId') : makeError(403, 'Access denied.', 'Permission denied', 'SC403');
    if (!Array.isArray(blueprint.parsed.flow)) return badRequest('Invalid blueprint: flow is missing.'); // guess
    const confirmed = ctx.query.get('confirmed') === 'true';
    const known = knownPackages();
    const newApps = packagesOf(blueprint.text).filter((name) => !known.has(name));
    if (!confirmed && newApps.length) {
      // make-api.md §6: without confirmed=true a blueprint using an app new to the org fails. Wording: guess.
      return makeError(400, `The scenario uses apps that are not installed in the organization: ${newApps.join(', ')}. Confirm the installation with confirmed=true.`, 'Confirmation required', 'IM004');
    }
    const scenario = addScenario(
      { teamId, folderId: body.folderId ?? null, scheduling: scheduling.parsed, name: blueprint.parsed.name ?? 'Untitled', isActive: false },
      { blueprint: blueprint.text },
    );
    return { status: 200, body: { scenario: render(scenarios.get(scenario.id)) } };
  }

  function updateScenario(ctx, rawId) {
    const id = scenarioIdFrom(rawId);
    if (!scenarios.has(id)) return scenarioNotFound();
    const body = parseBody(ctx);
    const blueprint = parseJsonStringField(body, 'blueprint', { required: false });
    const scheduling = parseJsonStringField(body, 'scheduling', { required: false });
    const patch = {};
    if (scheduling) patch.scheduling = scheduling.parsed;
    if (body.folderId !== undefined) patch.folderId = body.folderId;
    if (typeof body.name === 'string') patch.name = body.name;
    if (typeof body.description === 'string') patch.description = body.description;
    if (blueprint && !Array.isArray(blueprint.parsed.flow)) return badRequest('Invalid blueprint: flow is missing.'); // guess
    editScenario(id, patch, blueprint ? { blueprint: blueprint.text } : {});
    return { status: 200, body: { scenario: render(scenarios.get(id)) } };
  }

  /** make-api.md §6: start activates a scenario; the reply carries the scenario's id and flags. */
  function startScenario(ctx, rawId) {
    const id = scenarioIdFrom(rawId);
    if (!scenarios.has(id)) return scenarioNotFound();
    editScenario(id, { isActive: true }, { touchLastEdit: false });
    return { status: 200, body: { scenario: { id, isActive: true, islinked: true } } };
  }

  function removeScenario(ctx, rawId) {
    const id = scenarioIdFrom(rawId);
    if (!deleteScenario(id)) return scenarioNotFound();
    return { status: 200, body: { scenario: id } };
  }

  function getOrganization(ctx, rawId) {
    if (scenarioIdFrom(rawId) !== org.organizationId) return makeError(403, 'Access denied.', 'Permission denied', 'SC403');
    return {
      status: 200,
      body: { organization: { id: org.organizationId, name: org.name, zone: org.zone, countryId: 276, timezoneId: 113, license: { ...(org.license ?? {}), apiLimit: requestsPerMinute }, productName: 'Teams' } },
    };
  }

  function listTeams(ctx) {
    if (Number(ctx.query.get('organizationId')) !== org.organizationId) return makeError(400, 'Missing required parameter organizationId', 'Bad request', 'SC400');
    return { status: 200, body: { teams: org.teams, pg: { sortBy: 'name', sortDir: 'asc', offset: 0, limit: 10000 } } };
  }

  function listFolders(ctx) {
    const teamId = Number(ctx.query.get('teamId'));
    if (!teamIds.has(teamId)) return makeError(400, 'Missing required parameter teamId', 'Bad request', 'SC400');
    const folders = org.folders.filter((folder) => folder.teamId === teamId).map((folder) => ({
      id: folder.id,
      name: folder.name,
      scenariosTotal: [...scenarios.values()].filter((record) => record.scenario.folderId === folder.id).length,
    }));
    return { status: 200, body: { scenariosFolders: folders } };
  }

  /**
   * GET /connections, /hooks, /data-stores, /data-structures, /keys, /devices (make-api.md §7.2):
   * `teamId` required; only that team's objects, name-sorted, whitelisted fields. Hooks page with
   * pg[offset]/pg[limit] (default 50) and echo `pg`; the others answer everything at once.
   * Filters: connections `type[]` (accountName), hooks and keys `typeName`.
   */
  function listInventory(list, ctx) {
    if (grantedScopes && !grantedScopes.has(list.scope)) return makeError(403, 'Access denied.', 'Permission denied', 'SC403');
    const q = ctx.query;
    const rawTeam = q.get('teamId');
    if (rawTeam === null || rawTeam === '') return makeError(400, 'Missing required parameter teamId', 'Bad request', 'SC400');
    const teamId = parseIntegerParam(rawTeam);
    if (Number.isNaN(teamId)) return badRequest('Invalid key, not parsable to integer');
    if (!teamIds.has(teamId)) return makeError(403, 'Access denied.', 'Permission denied', 'SC403');
    let selected = inventory[list.kind].filter((item) => item.teamId === teamId);
    const types = [...q.getAll('type[]'), ...q.getAll('type')];
    if (list.kind === 'connections' && types.length) selected = selected.filter((item) => types.includes(item.accountName));
    const typeName = q.get('typeName');
    if ((list.kind === 'hooks' || list.kind === 'keys') && typeName !== null) selected = selected.filter((item) => item.typeName === typeName);
    selected.sort((a, b) => compareValues(a.name, b.name) || compareValues(a.id, b.id));
    const served = (item) => Object.fromEntries(list.fields.filter((field) => field in item).map((field) => [field, clone(item[field])]));
    if (!list.paged) return { status: 200, body: { [list.kind]: selected.map(served) } };
    const offset = parseIntegerParam(q.get('pg[offset]')) ?? 0;
    const limit = parseIntegerParam(q.get('pg[limit]')) ?? DEFAULT_HOOK_PAGE_LIMIT;
    if (Number.isNaN(offset) || offset < 0) return badRequest('Invalid value of pg[offset].'); // guess
    if (Number.isNaN(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) return badRequest('Invalid value of pg[limit].'); // guess
    const page = selected.slice(offset, offset + limit).map(served);
    return { status: 200, body: { [list.kind]: page, pg: { sortBy: 'name', sortDir: 'asc', offset, limit } } };
  }

  function me() {
    const user = org.users[0];
    return { status: 200, body: { authUser: { id: user.id, name: user.name, email: user.email, language: 'de', timezoneId: 113, countryId: 276, locale: 'de-DE' } } };
  }

  const routes = [
    ['GET', /^\/scenarios$/, listScenarios],
    ['POST', /^\/scenarios$/, createScenario],
    ['GET', /^\/scenarios\/([^/]+)$/, getScenario],
    ['PATCH', /^\/scenarios\/([^/]+)$/, updateScenario],
    ['DELETE', /^\/scenarios\/([^/]+)$/, removeScenario],
    ['POST', /^\/scenarios\/([^/]+)\/start$/, startScenario],
    ['GET', /^\/scenarios\/([^/]+)\/blueprint$/, getBlueprint],
    ['GET', /^\/scenarios\/([^/]+)\/blueprints$/, listBlueprintVersions],
    ['GET', /^\/organizations\/([^/]+)$/, getOrganization],
    ['GET', /^\/teams$/, listTeams],
    ['GET', /^\/scenarios-folders$/, listFolders],
    ['GET', /^\/users\/me$/, me],
    ...INVENTORY_LISTS.map((list) => ['GET', new RegExp(`^${list.path}$`), (ctx) => listInventory(list, ctx)]),
  ];

  function handle(ctx) {
    const credential = credentialOf(ctx.headers);
    // Make accepts `Token <api token>` and, for OAuth access tokens, `Bearer <token>`
    // (the SDK picks Bearer for anything that is not a UUID). Body shape of the 401: guess
    // (make-api.md §4/§10: the real bodies are unknown).
    if (credential !== token) return makeError(401, 'Invalid credentials.', 'Unauthorized', 'SC401');

    const now = clock();
    if (rateWindow.count(now) >= requestsPerMinute) {
      // make-api.md §5: no Retry-After / rate-limit headers are documented, so none are sent.
      return makeError(429, 'Requests limit for organization exceeded, please try again later.', 'Too Many Requests', 'SC429');
    }
    rateWindow.add(now);

    if (!ctx.pathname.startsWith(`${API_PREFIX}/`)) return makeError(404, 'The requested resource was not found.', 'Not Found', 'SC404'); // guess
    const rest = ctx.pathname.slice(API_PREFIX.length);
    for (const [method, pattern, handler] of routes) {
      const match = pattern.exec(rest);
      if (match && method === ctx.method) return handler(ctx, ...match.slice(1));
    }
    return makeError(404, 'The requested resource was not found.', 'Not Found', 'SC404'); // guess
  }

  const server = await startSimServer({
    service: 'make',
    port,
    clock,
    actions: ['repeatIds'],
    handle: async (ctx) => handle(ctx),
    decorate: (reply) => ({ ...reply, headers: { 'content-type': 'application/json; charset=utf-8', ...(reply.headers ?? {}) } }),
    internalError: (err) => makeError(500, `Internal error: ${err.message}`, 'Internal Server Error', 'SC500'),
    control: {
      'POST /_sim/edit': async ({ json }) => ({ status: 200, body: { scenario: editScenario(json.id, json.patch ?? {}, { blueprint: json.blueprint, touchLastEdit: json.touchLastEdit ?? true, idSequence: json.idSequence }) } }),
      'POST /_sim/add': async ({ json }) => ({ status: 200, body: { scenario: addScenario(json.scenario ?? {}, { blueprint: json.blueprint }) } }),
      'POST /_sim/delete': async ({ json }) => ({ status: 200, body: { deleted: deleteScenario(json.id) } }),
    },
  });

  return {
    url: `${server.origin}${API_PREFIX}`,
    origin: server.origin,
    port: server.port,
    token,
    organizationId: org.organizationId,
    log: server.log,
    resetLog: server.resetLog,
    inject: server.inject,
    clearFaults: server.clearFaults,
    editScenario,
    addScenario,
    deleteScenario,
    /** Current list objects at their base (non-volatile) values. */
    scenarios: () => [...scenarios.values()].map((record) => clone(record.scenario)),
    /** The inventory objects the list endpoints serve from, per kind (`connections`, `hooks`, …), all teams. */
    inventory: () => clone(inventory),
    /** The exact text GET /scenarios/{id}/blueprint serves now, or null. */
    blueprintReplyText: (id) => scenarios.get(Number(id))?.replyText ?? null,
    close: () => server.close(),
  };
}
