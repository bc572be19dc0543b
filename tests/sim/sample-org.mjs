// A deterministic sample Make organization for the simulator, the tests and the demo.
// Same input → byte-identical output: a seeded PRNG, fixed timestamps, no clock, no Math.random.
// Shapes follow /work/shared/reference/make-api.md (§2.4 scenario fields, §3 blueprints).

export const SAMPLE_TOKENS = Object.freeze({ make: 'make-test-token', github: 'ghp_testtoken' });

export const SAMPLE_ORGANIZATION_ID = 4101;
const FIRST_SCENARIO_ID = 418401;
const BIG_NUMBER_INDEX = 11; // "Vendor master data sync"
const LARGE_INDEX = 12; // "Price list sync (large lookup table)"

/** Scenario ids leave a gap now and then, as deletions do. */
function scenarioIdAt(index) {
  return FIRST_SCENARIO_ID + index + Math.floor((index + 4) / 7);
}

/** The scenario whose blueprint carries numbers JavaScript cannot represent exactly. */
export const BIG_NUMBER_SCENARIO_ID = scenarioIdAt(BIG_NUMBER_INDEX);
/** The one scenario whose blueprint reply is ≥ 1 MB. */
export const LARGE_SCENARIO_ID = scenarioIdAt(LARGE_INDEX);

// --- exact JSON text --------------------------------------------------------------------

/** A number written into JSON text exactly as given (e.g. 12345678901234567890, 1.10). */
export class RawJsonNumber {
  constructor(text) {
    if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text)) throw new TypeError(`not a JSON number: ${text}`);
    this.text = text;
  }
}

const RAW_MARK = '\u0000raw:';

/** JSON.stringify that keeps RawJsonNumber values literally. Compact, like Make's API. */
export function toJsonText(value) {
  const text = JSON.stringify(value, (key, item) => (item instanceof RawJsonNumber ? `${RAW_MARK}${item.text}` : item));
  return text.replace(/"\\u0000raw:([^"\\]*)"/g, '$1');
}

/**
 * The exact text Make serves for GET /scenarios/{id}/blueprint: the blueprint is wrapped in
 * {"code":"OK","response":{…}} next to scheduling, idSequence, created, last_edit and the
 * scenario interface (metadata.input_spec / output_spec).
 */
export function composeBlueprintReply({ blueprintText, scheduling, idSequence, created, lastEdit, inputSpec = [], outputSpec = [] }) {
  return `{"code":"OK","response":{"blueprint":${blueprintText},"scheduling":${toJsonText(scheduling)},"idSequence":${idSequence},"created":${JSON.stringify(created)},"last_edit":${JSON.stringify(lastEdit)},"metadata":{"input_spec":${toJsonText(inputSpec)},"output_spec":${toJsonText(outputSpec)}}}}`;
}

// --- deterministic randomness -------------------------------------------------------------

function mulberry32(seed) {
  let state = seed >>> 0;
  return function next() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeRandom(seed) {
  const next = mulberry32(seed);
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
  };
}

// Fixed instants (no clock): the organization's history runs from early 2024 to autumn 2026.
const HISTORY_START = Date.UTC(2024, 2, 1, 8, 0, 0);
const HISTORY_END = Date.UTC(2026, 9, 31, 18, 0, 0);
const SAMPLE_NOW = Date.UTC(2026, 10, 1, 0, 0, 0);
const iso = (ms) => new Date(ms).toISOString();

// --- organization skeleton ----------------------------------------------------------------

const TEAMS = [
  { id: 51, name: 'Operations', organizationId: SAMPLE_ORGANIZATION_ID },
  { id: 52, name: 'Growth', organizationId: SAMPLE_ORGANIZATION_ID },
];

const FOLDERS = [
  { id: 301, teamId: 51, name: 'Finance' },
  { id: 302, teamId: 51, name: 'Fulfillment' },
  { id: 303, teamId: 51, name: 'IT & Ops Alerts' },
  { id: 311, teamId: 52, name: 'Lead Routing' },
  { id: 312, teamId: 52, name: 'Marketing Automations' },
  { id: 313, teamId: 52, name: 'Experiments 🧪' },
];

const USERS = [
  { id: 7001, name: 'Jana Nováková', email: 'jana.novakova@acme.example' },
  { id: 7002, name: 'Jürgen Weiß', email: 'juergen.weiss@acme.example' },
  { id: 7003, name: '佐藤 花子', email: 'hanako.sato@acme.example' },
  { id: 7004, name: 'Omar Haddad', email: 'omar.haddad@acme.example' },
];

// [name, teamId, folderId|null, kind] — kind picks trigger and scheduling.
// Names are not unique in Make (two "Duplicate contact cleanup"); some use umlauts,
// Japanese, emoji, RTL scripts, quotes and slashes.
const SCENARIO_SPECS = [
  ['Invoice intake → Xero', 51, 301, 'webhook'],
  ['Rechnungsprüfung – Übersicht für Buchhaltung', 51, 301, 'daily'],
  ['Shopify orders to warehouse (Lager Süd)', 51, 302, 'poll'],
  ['Daily cash position report', 51, 301, 'daily'],
  ['Stripe refunds → Slack #finance', 51, 301, 'webhook'],
  ['請求書の自動処理', 51, 301, 'poll'],
  ['Zendesk ticket triage', 51, 303, 'webhook'],
  ['PagerDuty → Jira incident sync', 51, 303, 'webhook'],
  ['Backup Google Drive folders', 51, 303, 'weekly'],
  ['Employee onboarding (HR)', 51, null, 'on-demand'],
  ['Employee offboarding (HR)', 51, null, 'on-demand'],
  ['Vendor master data sync', 51, 302, 'poll'],
  ['Price list sync (large lookup table)', 51, 302, 'daily'],
  ['مزامنة العملاء مع CRM', 51, null, 'poll'],
  ['Monthly VAT export / Umsatzsteuer', 51, 301, 'monthly'],
  ['Inventory low-stock alert ⚠️', 51, 302, 'poll'],
  ['Carrier tracking updates (DHL, UPS)', 51, 302, 'poll'],
  ['Expense receipts OCR', 51, 301, 'webhook'],
  ['Contract renewals reminder', 51, 301, 'weekly'],
  ['Timesheet approvals', 51, null, 'webhook'],
  ['IT asset register', 51, 303, 'monthly'],
  ['Server health webhook', 51, 303, 'webhook'],
  ['Nightly data store cleanup', 51, 303, 'daily'],
  ['Purchase order approvals', 51, 302, 'webhook'],
  ['Returns processing – Retouren', 51, 302, 'poll'],
  ['Customer NPS follow-up', 51, null, 'weekly'],
  ['発送通知メール', 51, 302, 'poll'],
  ['Slack standup digest', 51, 303, 'daily'],
  ['Jira → Google Sheets weekly export', 51, 303, 'weekly'],
  ['Quarterly audit log archive', 51, 301, 'yearly'],
  ['Duplicate contact cleanup', 51, null, 'once'],
  ['Duplicate contact cleanup', 51, 303, 'daily'],
  ['Webhook relay: legacy ERP', 51, 302, 'webhook'],
  ['Supplier portal "urgent" orders / escalations', 51, 302, 'poll'],
  ['Typeform leads → HubSpot', 52, 311, 'webhook'],
  ['Webinar registrations (Zoom)', 52, 312, 'poll'],
  ['🚀 Launch checklist automation', 52, 313, 'on-demand'],
  ['Newsletter double opt-in', 52, 312, 'webhook'],
  ['Lead scoring v2', 52, 311, 'poll'],
  ['LinkedIn ads → Sheets', 52, 312, 'daily'],
  ['Facebook lead ads to CRM', 52, 311, 'webhook'],
  ['Abandoned cart reminder 🛒', 52, 312, 'poll'],
  ['Referral program rewards', 52, 312, 'weekly'],
  ['Product Hunt launch monitor', 52, 313, 'once'],
  ['קמפיין דיוור חודשי', 52, 312, 'monthly'],
  ['Blog post → social media', 52, 312, 'webhook'],
  ['SEO rank tracker', 52, 313, 'weekly'],
  ['Trial → paid conversion alerts', 52, 311, 'webhook'],
  ['Churn risk signals', 52, 311, 'daily'],
  ['Event follow-up Köln 2026', 52, 312, 'once'],
  ['Affiliate payouts', 52, null, 'monthly'],
  ['Customer.io segment sync', 52, 312, 'poll'],
  ['A/B test results digest', 52, 313, 'weekly'],
  ['Leads / Qualify "hot" ones', 52, 311, 'webhook'],
  ['Demo requests → Calendly', 52, 311, 'webhook'],
  ['G2 reviews to Slack ⭐', 52, 312, 'poll'],
  ['Partner deal registration', 52, 311, 'webhook'],
  ['Pricing page visitors (Clearbit)', 52, 313, 'poll'],
  ['Community Discord welcome', 52, null, 'webhook'],
  ['ニュースレター配信 (JP)', 52, 312, 'weekly'],
  ['Win-back campaign', 52, 312, 'monthly'],
  ['UTM link builder', 52, 313, 'on-demand'],
  ['Onboarding email sequence', 52, 312, 'daily'],
  ['Concept: AI reply drafts', 52, 313, 'concept'],
];

// --- modules ----------------------------------------------------------------------------

const CHANNELS = ['#ops-alerts', '#finance', '#growth', '#sales', '#support-eskalation', '#general'];
const GREETINGS = [
  'Neue Bestellung von {{1.customer.name}} – Größe {{1.size}} 🎉',
  '新しいリードが届きました: {{1.email}}',
  'New lead: {{1.firstName}} {{1.lastName}} <{{1.email}}>',
  'عميل جديد: {{1.name}}',
  'Ticket #{{1.id}} übernommen von {{1.assignee}} ✅',
  'Heads-up: {{1.count}} items below threshold ⚠️',
];

function designer(x, y, extra = {}) {
  return { designer: { x, y, ...extra } };
}

function httpModule(rnd, id, x, { connection, onerror }) {
  const module = {
    id,
    module: 'http:ActionSendData',
    version: 3,
    parameters: { handleErrors: true, useNewZLibDeCompress: true },
    mapper: {
      url: rnd.pick(['https://api.acme.example/v1/events', 'https://erp.acme.example/api/orders', 'https://hooks.partner.example/ingest']),
      serializeUrl: false,
      method: rnd.pick(['post', 'put', 'get']),
      headers: [
        { name: 'Content-Type', value: 'application/json' },
        { name: 'X-Correlation-Id', value: '{{1.id}}' },
      ],
      qs: [],
      bodyType: 'raw',
      parseResponse: true,
      timeout: '',
      shareCookies: false,
      ca: '',
      rejectUnauthorized: true,
      followRedirect: true,
      useQuerystring: false,
      gzip: true,
      contentType: 'application/json',
      data: '{"email":"{{1.email}}","source":"make","receivedAt":"{{formatDate(now; "YYYY-MM-DDTHH:mm:ssZ")}}"}',
    },
    metadata: {
      ...designer(x, 0),
      restore: { expect: { method: { mode: 'chose', label: 'POST' }, bodyType: { label: 'Raw' }, contentType: { label: 'JSON (application/json)' } } },
      parameters: [{ name: 'handleErrors', type: 'boolean', label: 'Evaluate all states as errors (except for 2xx and 3xx )', required: true }],
    },
  };
  if (connection) module.parameters.__IMTCONN__ = connection;
  if (onerror) module.onerror = onerror;
  return module;
}

function slackModule(rnd, id, x, connection) {
  return {
    id,
    module: 'slack:CreateMessage',
    version: 4,
    parameters: { __IMTCONN__: connection },
    mapper: { channelWType: 'manualy', channel: rnd.pick(CHANNELS), text: rnd.pick(GREETINGS), parse: false, mrkdwn: true },
    metadata: { ...designer(x, 0), restore: { parameters: { __IMTCONN__: { label: 'Acme Slack (bot)', data: { scoped: 'true', connection: 'slack3' } } } } },
  };
}

function datastoreModule(rnd, id, x, datastore, action) {
  const mapper = action === 'AddRecord'
    ? { key: '{{1.id}}', data: { email: '{{1.email}}', status: '{{ifempty(1.status; "neu")}}', updatedAt: '{{now}}' }, overwrite: true }
    : { key: '{{1.id}}' };
  return {
    id,
    module: `datastore:${action}`,
    version: 1,
    parameters: { datastore },
    mapper,
    metadata: designer(x, 150),
  };
}

function sheetsModule(rnd, id, x, connection) {
  return {
    id,
    module: 'google-sheets:addRow',
    version: 2,
    parameters: { __IMTCONN__: connection },
    mapper: {
      mode: 'select',
      spreadsheetId: `/1${rnd.int(100000, 999999)}AcmeSheet`,
      sheetId: rnd.pick(['Export', 'Leads', 'Tabelle1', 'シート1']),
      includesHeaders: true,
      insertDataOption: 'INSERT_ROWS',
      valueInputOption: 'USER_ENTERED',
      values: { 0: '{{1.id}}', 1: '{{1.email}}', 2: '{{formatDate(1.createdAt; "DD.MM.YYYY")}}' },
    },
    metadata: designer(x, 0),
  };
}

function jsonParseModule(id, x) {
  return { id, module: 'json:ParseJSON', version: 1, parameters: { type: '' }, mapper: { json: '{{1.data}}' }, metadata: designer(x, 0) };
}

function setVariableModule(rnd, id, x) {
  return {
    id,
    module: 'util:SetVariable2',
    version: 1,
    parameters: {},
    mapper: { name: rnd.pick(['total', 'summe', 'leadScore', 'batchId']), scope: 'roundtrip', value: '{{sum(map(1.items; "price"))}}' },
    metadata: designer(x, 0),
  };
}

function emailModule(rnd, id, x, account) {
  return {
    id,
    module: 'email:ActionSendEmail',
    version: 7,
    parameters: { account },
    mapper: {
      to: ['{{1.email}}'],
      subject: rnd.pick(['Ihre Bestellung ist unterwegs 📦', 'Welcome aboard!', 'ご登録ありがとうございます', 'Rappel : votre essai se termine']),
      html: '<p>Hallo {{1.firstName}},</p><p>danke für Ihre Nachricht.</p>',
      contentType: 'html',
      attachments: [],
      cc: [],
      bcc: [],
    },
    metadata: designer(x, 0),
  };
}

function feederModule(id, x) {
  return { id, module: 'builtin:BasicFeeder', version: 1, parameters: {}, mapper: { array: '{{1.items}}' }, metadata: designer(x, 0) };
}

function aggregatorModule(id, x, feeder) {
  return {
    id,
    module: 'util:TextAggregator',
    version: 1,
    parameters: { feeder, rowSeparator: '\n' },
    mapper: { value: '{{feeder.name}} × {{feeder.quantity}}' },
    metadata: designer(x, 0),
  };
}

function filter(rnd) {
  return rnd.pick([
    { name: 'Only paid orders', conditions: [[{ a: '{{1.status}}', o: 'text:equal', b: 'paid' }]] },
    { name: 'Hot leads (score ≥ 80)', conditions: [[{ a: '{{1.score}}', o: 'number:greaterorequal', b: '80' }], [{ a: '{{1.tags}}', o: 'array:contain', b: 'vip' }]] },
    { name: 'Nur Deutschland', conditions: [[{ a: '{{1.country}}', o: 'text:equal:ci', b: 'DE' }, { a: '{{1.email}}', o: 'exist' }]] },
  ]);
}

/** Deterministic numeric ids of referenced objects (connections, hooks, data stores, keys). */
function referenceIds(index) {
  return {
    slack: 3101 + (index % 3),
    sheets: 3201 + (index % 2),
    http: 3301,
    email: 3401,
    hubspot: 3501,
    datastore: 148201 + (index % 4),
    hook: 1916801 + index,
  };
}

function buildFlow(rnd, index, kind, spec) {
  const refs = referenceIds(index);
  const flow = [];
  let nextId = 1;
  let x = 0;
  const add = (make) => {
    const module = make(nextId, x);
    nextId += 1;
    x += 300;
    flow.push(module);
    return module;
  };

  if (kind === 'webhook') {
    add((id, px) => ({ id, module: 'gateway:CustomWebHook', version: 1, parameters: { hook: refs.hook, maxResults: 1 }, mapper: {}, metadata: designer(px, 0) }));
  } else if (kind === 'poll') {
    add((id, px) => ({
      id,
      module: rnd.pick(['google-sheets:watchRows', 'shopify:WatchOrders', 'hubspotcrm:watchContacts']),
      version: 2,
      parameters: { __IMTCONN__: refs.sheets, limit: rnd.pick([2, 10, 50]), ...(rnd.chance(0.5) ? { from: 'now' } : {}) },
      mapper: {},
      metadata: designer(px, 0, { messages: [] }),
    }));
  } else {
    add((id, px) => ({ id, module: 'util:SetVariables', version: 1, parameters: {}, mapper: { variables: [{ name: 'runDate', value: '{{formatDate(now; "YYYY-MM-DD")}}' }], scope: 'roundtrip' }, metadata: designer(px, 0) }));
  }

  const bodyLength = rnd.int(2, 6);
  for (let step = 0; step < bodyLength; step += 1) {
    const choice = rnd.int(0, 8);
    if (choice === 0) add((id, px) => httpModule(rnd, id, px, { connection: rnd.chance(0.5) ? refs.http : undefined, onerror: [{ id: 900 + id, module: 'builtin:Resume', version: 1, parameters: {}, mapper: { data: '{"status":"skipped"}' }, metadata: designer(px, 300) }] }));
    else if (choice === 1) add((id, px) => httpModule(rnd, id, px, { connection: refs.http, onerror: [{ id: 900 + id, module: 'builtin:Ignore', version: 1, parameters: {}, mapper: null, metadata: designer(px, 300) }] }));
    else if (choice === 2) add((id, px) => slackModule(rnd, id, px, refs.slack));
    else if (choice === 3) add((id, px) => datastoreModule(rnd, id, px, refs.datastore, rnd.pick(['AddRecord', 'GetRecord'])));
    else if (choice === 4) add((id, px) => sheetsModule(rnd, id, px, refs.sheets));
    else if (choice === 5) add((id, px) => jsonParseModule(id, px));
    else if (choice === 6) add((id, px) => setVariableModule(rnd, id, px));
    else if (choice === 7) add((id, px) => emailModule(rnd, id, px, refs.email));
    else {
      const feeder = add((id, px) => feederModule(id, px));
      add((id, px) => aggregatorModule(id, px, feeder.id));
    }
  }

  // Routers with filtered routes, and if/else branches, in about a third of the scenarios each.
  if (rnd.chance(0.35)) {
    const router = add((id, px) => ({ id, module: 'builtin:BasicRouter', version: 1, mapper: null, metadata: designer(px, 0), routes: [] }));
    const routeCount = rnd.int(2, 3);
    for (let r = 0; r < routeCount; r += 1) {
      const first = slackModule(rnd, nextId, x, refs.slack);
      first.filter = filter(rnd);
      first.metadata.designer.y = r * 200;
      nextId += 1;
      const second = datastoreModule(rnd, nextId, x + 300, refs.datastore, 'AddRecord');
      nextId += 1;
      router.routes.push({ flow: rnd.chance(0.5) ? [first, second] : [first] });
    }
  }
  if (rnd.chance(0.3)) {
    const ifElse = add((id, px) => ({ id, module: 'builtin:BasicIfElse', version: 1, mapper: null, metadata: designer(px, 0), branches: [] }));
    const thenModule = emailModule(rnd, nextId, x, refs.email);
    nextId += 1;
    const elseModule = setVariableModule(rnd, nextId, x);
    nextId += 1;
    ifElse.branches.push({ type: 'condition', conditions: [[{ a: '{{1.amount}}', o: 'number:greater', b: '1000' }]], merge: false, flow: [thenModule] });
    ifElse.branches.push({ type: 'else', merge: false, flow: [elseModule] });
  }
  if (spec.withHubspot) {
    add((id, px) => ({ id, module: 'hubspotcrm:createContact', version: 2, parameters: { __IMTCONN__: refs.hubspot }, mapper: { email: '{{1.email}}', firstname: '{{1.firstName}}', lifecyclestage: 'lead' }, metadata: designer(px, 0) }));
  }
  return { flow, idSequence: Math.max(nextId, ...collectIds(flow).map((id) => id + 1)) };
}

function collectIds(flow) {
  const ids = [];
  const walk = (modules) => {
    for (const module of modules ?? []) {
      ids.push(module.id);
      for (const route of module.routes ?? []) walk(route.flow);
      for (const branch of module.branches ?? []) walk(branch.flow);
      walk(module.onerror);
    }
  };
  walk(flow);
  return ids;
}

function usedPackages(flow) {
  const packages = [];
  const walk = (modules) => {
    for (const module of modules ?? []) {
      const app = module.module.split(':')[0];
      packages.push(app);
      for (const route of module.routes ?? []) walk(route.flow);
      for (const branch of module.branches ?? []) walk(branch.flow);
      walk(module.onerror);
    }
  };
  walk(flow);
  return [...new Set(packages)];
}

function scheduleFor(rnd, kind) {
  switch (kind) {
    case 'webhook':
      return { type: 'immediately' };
    case 'poll':
      return rnd.chance(0.3)
        ? { type: 'indefinitely', interval: rnd.pick([300, 900, 3600]), restrict: [{ days: [1, 2, 3, 4, 5], time: ['07:00', '19:00'] }] }
        : { type: 'indefinitely', interval: rnd.pick([60, 300, 900, 1800]) };
    case 'daily':
      return { type: 'daily', time: `${String(rnd.int(0, 23)).padStart(2, '0')}:${rnd.pick(['00', '15', '30', '45'])}` };
    case 'weekly':
      return { type: 'weekly', days: rnd.pick([[1], [1, 4], [5], [2, 3]]), time: rnd.pick(['08:00', '09:30', '17:00']) };
    case 'monthly':
      return { type: 'monthly', days: rnd.pick([[1], [15], [1, 15], [28]]), time: '06:00' };
    case 'yearly':
      return { type: 'yearly', months: [1, 4, 7, 10], days: [2], time: '05:00' };
    case 'once':
      return { type: 'once', date: iso(Date.UTC(2026, 11, rnd.int(1, 20), 9, 0, 0)) };
    case 'on-demand':
    case 'concept':
    default:
      return { type: 'on-demand' };
  }
}

/** The ≥ 1 MB blueprint: a price-list router with a huge util:Switcher lookup table. */
function largeFlow(rnd, index) {
  const refs = referenceIds(index);
  const warehouses = ['Lager Süd', 'Lager Nord', '倉庫 東京', 'Entrepôt Lyon', 'Magazzino Milano'];
  const casesTable = [];
  for (let i = 0; i < 13500; i += 1) {
    const sku = `SKU-${String(10000 + i).padStart(6, '0')}-${'ABCDEFGH'[i % 8]}`;
    const price = `${rnd.int(1, 999)},${String(rnd.int(0, 99)).padStart(2, '0')} €`;
    casesTable.push({ pattern: sku, output: `${warehouses[i % warehouses.length]} · Regal ${rnd.int(1, 40)} · Fach ${rnd.int(1, 12)} · ${price}` });
  }
  const flow = [
    { id: 1, module: 'util:SetVariables', version: 1, parameters: {}, mapper: { variables: [{ name: 'feed', value: 'prices-{{formatDate(now; "YYYYMMDD")}}.json' }], scope: 'roundtrip' }, metadata: designer(0, 0) },
    httpModule(rnd, 2, 300, { connection: refs.http, onerror: [{ id: 902, module: 'builtin:Break', version: 1, parameters: {}, mapper: { count: '3', retry: true, interval: '15' }, metadata: designer(300, 300) }] }),
    jsonParseModule(3, 600),
    feederModule(4, 900),
    {
      id: 5,
      module: 'util:Switcher',
      version: 1,
      parameters: {},
      mapper: { input: '{{4.sku}}', casesTable, useRegExpMatch: false, elseOutput: 'unbekannt / unknown' },
      metadata: designer(1200, 0, { name: 'SKU → Lagerplatz & Preis' }),
    },
    sheetsModule(rnd, 6, 1500, refs.sheets),
    aggregatorModule(7, 1800, 4),
    slackModule(rnd, 8, 2100, refs.slack),
  ];
  return { flow, idSequence: 903 };
}

// --- inventory (make-api.md §7.2) -------------------------------------------------------------

/** Referenced on purpose by no list: a consumer checking the lists must flag these "missing". */
export const MISSING_CONNECTION_ID = 4242; // the erp-connector connection of "Vendor master data sync", deleted
export const MISSING_DATA_STORE_ID = 148204; // a data store deleted while eight scenarios still point at it
/** The one hook the list reports with enabled: false. */
export const DISABLED_HOOK_ID = 1916824; // "Purchase order approvals" (an inactive scenario)

// Connections by id: [name, accountName, accountLabel, accountType, expire]. 3601 is used by no scenario.
const CONNECTIONS = {
  3101: ['Acme Slack (bot)', 'slack3', 'Slack', 'oauth', null],
  3102: ['Slack #finance bot', 'slack3', 'Slack', 'oauth', null],
  3103: ['Slack – Jana Nováková', 'slack3', 'Slack', 'oauth', null],
  3201: ['Google Sheets – Operations', 'google', 'Google', 'oauth', null],
  3202: ['Google Sheets – Finanzen', 'google', 'Google', 'oauth', null],
  3301: ['Acme API (basic auth)', 'http-basic-auth', 'HTTP Basic Auth', 'basic', null],
  3401: ['SMTP noreply', 'smtp', 'SMTP', 'basic', null],
  3501: ['HubSpot CRM – Growth', 'hubspotcrm', 'HubSpot CRM', 'oauth', '2027-03-01T00:00:00.000Z'],
  3601: ['Mailchimp (old account)', 'mailchimp', 'Mailchimp', 'oauth', '2026-06-30T00:00:00.000Z'],
};
const UNUSED_CONNECTION = { id: 3601, teamId: 52 };
// Data stores by id: [name, records, size]. 148204 (MISSING_DATA_STORE_ID) is not listed.
const DATA_STORES = {
  148201: ['Processed orders', 1843, '912384'],
  148202: ['Lead cache', 412, '180224'],
  148203: ['Dedupe keys / Duplikate', 20517, '3145728'],
};
// Keys: used by no scenario (no blueprint references a key).
const KEYS = [{ id: 5101, name: 'Partner portal API key', teamId: 51, typeName: 'apikeyauth', packageName: null, theme: '#6e7ce8' }];

/** A webhook's udid: 32 hex digits, derived from its id (no Math.random). */
function hookUdid(id) {
  const rnd = makeRandom(id);
  let out = '';
  while (out.length < 32) out += Math.floor(rnd.next() * 16).toString(16);
  return out;
}

/** kind:id → { kind, id, scenarios[] (ascending), teams[] } for what the blueprints reference. */
function referencesOf(scenarios, blueprints) {
  const KEY_KINDS = { __IMTCONN__: 'connection', account: 'connection', datastore: 'dataStore', hook: 'webhook' };
  const found = new Map();
  const note = (kind, id, scenario) => {
    const key = `${kind}:${id}`;
    if (!found.has(key)) found.set(key, { kind, id, scenarios: [], teams: [] });
    const entry = found.get(key);
    if (!entry.scenarios.includes(scenario.id)) entry.scenarios.push(scenario.id);
    if (!entry.teams.includes(scenario.teamId)) entry.teams.push(scenario.teamId);
  };
  const scan = (value, module, scenario) => {
    if (!value || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      const kind = KEY_KINDS[key];
      if (kind && Number.isInteger(inner) && (key !== 'hook' || module.startsWith('gateway:'))) note(kind, inner, scenario);
      else scan(inner, module, scenario);
    }
  };
  const walk = (modules, scenario) => {
    for (const module of modules ?? []) {
      scan(module.parameters, module.module, scenario);
      for (const route of module.routes ?? []) walk(route.flow, scenario);
      for (const branch of module.branches ?? []) walk(branch.flow, scenario);
      walk(module.onerror, scenario);
    }
  };
  for (const scenario of scenarios) {
    walk(JSON.parse(blueprints[scenario.id].blueprintText).flow, scenario);
    if (scenario.hookId !== null) note('webhook', scenario.hookId, scenario);
  }
  return found;
}

/**
 * The objects the list endpoints name, each with its teamId (see sampleOrg). An object used by
 * scenarios of both teams (the generator shares ids across teams) is listed in the team of its
 * first scenario (51 for all but HubSpot): checked team by team, a team-52 scenario's reference
 * to it would look "in another team"; checked together (as src/dependencies.rs enrich does with
 * every team of the inventory), only the two in `missing` are absent.
 */
function buildInventory(scenarios, blueprints) {
  const refs = [...referencesOf(scenarios, blueprints).values()].sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.id - b.id));
  const missingIds = { connection: MISSING_CONNECTION_ID, dataStore: MISSING_DATA_STORE_ID };
  const byId = Object.fromEntries(scenarios.map((scenario) => [scenario.id, scenario]));
  const inventory = { connections: [], hooks: [], dataStores: [], dataStructures: [], keys: KEYS.map((key) => ({ ...key })), devices: [], missing: [], unused: [] };
  for (const ref of refs) {
    const teamId = byId[ref.scenarios[0]].teamId;
    if (missingIds[ref.kind] === ref.id) {
      inventory.missing.push({ kind: ref.kind, id: ref.id, scenarios: [...ref.scenarios].sort((a, b) => a - b), teamIds: [...ref.teams].sort((a, b) => a - b) });
      continue;
    }
    if (ref.kind === 'connection') {
      const [name, accountName, accountLabel, accountType, expire] = CONNECTIONS[ref.id] ?? [];
      if (!name) throw new Error(`sample inventory: no connection ${ref.id}`);
      inventory.connections.push({ id: ref.id, name, accountName, accountLabel, packageName: null, expire, teamId, theme: '#a8a8a8', upgradeable: false, scopesCnt: accountType === 'oauth' ? 3 : 0, scoped: accountType === 'oauth', accountType, editable: true });
    } else if (ref.kind === 'dataStore') {
      const [name, records, size] = DATA_STORES[ref.id] ?? [];
      if (!name) throw new Error(`sample inventory: no data store ${ref.id}`);
      inventory.dataStores.push({ id: ref.id, name, records, size, maxSize: '10485760', teamId, datastructureId: null });
    } else if (ref.kind === 'webhook') {
      const scenario = byId[ref.scenarios[0]];
      const udid = hookUdid(ref.id);
      inventory.hooks.push({ id: ref.id, name: `${scenario.name} (webhook)`, teamId, udid, type: 'web', packageName: null, theme: '#f0f0f0', editable: true, queueCount: 0, queueLimit: 10000, enabled: ref.id !== DISABLED_HOOK_ID, gone: false, typeName: 'gateway-webhook', scenarioId: scenario.id, url: `https://hook.eu1.make.com/${udid}` });
    }
  }
  const [name, accountName, accountLabel, accountType, expire] = CONNECTIONS[UNUSED_CONNECTION.id];
  inventory.connections.push({ id: UNUSED_CONNECTION.id, name, accountName, accountLabel, packageName: null, expire, teamId: UNUSED_CONNECTION.teamId, theme: '#a8a8a8', upgradeable: false, scopesCnt: 3, scoped: true, accountType, editable: true });
  inventory.unused.push({ kind: 'connection', id: UNUSED_CONNECTION.id, teamId: UNUSED_CONNECTION.teamId }, ...KEYS.map((key) => ({ kind: 'key', id: key.id, teamId: key.teamId })));
  return inventory;
}

// --- older blueprint versions (make-api.md §3.2) ----------------------------------------------

/**
 * A clock at which the older versions below are inside Make's 60-day version window
 * (GET /scenarios/{id}/blueprints). The sample's current versions date from 2024 to August 2026
 * and must stay the newest, so no clock near SAMPLE_NOW sees any older version: start the
 * simulator with `clock: () => SAMPLE_VERSIONS_NOW` to see them (with the machine's clock or
 * SAMPLE_NOW the versions lists hold nothing, as before).
 */
export const SAMPLE_VERSIONS_NOW = Date.UTC(2026, 4, 25, 12, 0, 0);
const VERSION_WINDOW_MS = 60 * 86400000;
/**
 * Scenarios with older (non-draft) versions: those whose current version falls in the 60 days
 * before SAMPLE_VERSIONS_NOW (and whose scenarioVersion leaves room below it). Each has 2–4.
 */
export const VERSIONED_SCENARIO_IDS = Object.freeze([418423, 418435, 418443, 418448, 418455, 418461, 418462, 418469]);
/** The one scenario that also has a draft version (draft: true), between its older ones and the current. */
export const DRAFT_SCENARIO_ID = 418461;

/**
 * An earlier state of a blueprint, `age` steps back (1 = the version before the current one):
 * the trigger's settings differ from step 1 on; from step 2 the last top-level module did not exist
 * yet, from step 3 the one before it neither (flows keep at least two modules); step 4 ran with
 * maxErrors 5. Same shape as the current blueprint; the name is unchanged.
 */
function olderBlueprint(current, age) {
  const blueprint = JSON.parse(toJsonText(current));
  const trigger = blueprint.flow[0];
  if (trigger.module === 'gateway:CustomWebHook') trigger.parameters.maxResults = 2;
  else if (trigger.parameters.limit !== undefined) trigger.parameters.limit = trigger.parameters.limit === 2 ? 10 : 2;
  else if (trigger.mapper?.variables?.[0]) trigger.mapper.variables[0].value = '{{formatDate(now; "DD.MM.YYYY")}}';
  for (let step = 2; step <= Math.min(age, 3); step += 1) if (blueprint.flow.length > 2) blueprint.flow.pop();
  if (age >= 4) blueprint.metadata.scenario.maxErrors = 5;
  return blueprint;
}

/** A draft: the current blueprint with a JSON parser appended (never published). */
function draftBlueprint(current) {
  const blueprint = JSON.parse(toJsonText(current));
  const nextId = Math.max(...collectIds(blueprint.flow)) + 1;
  blueprint.flow.push(jsonParseModule(nextId, 300 * blueprint.flow.length));
  return blueprint;
}

/**
 * Older versions of the VERSIONED_SCENARIO_IDS, oldest first: { version, created, draft,
 * blueprintText, idSequence, text } with `text` in the same envelope as the current reply
 * (current scheduling, created and interface; last_edit = the version's date). Created dates lie
 * inside SAMPLE_VERSIONS_NOW's window and before the scenario's lastEdit; version numbers are
 * below scenarioVersion. Own PRNG: the rest of the sample is untouched.
 */
function olderVersions(scenario, blueprint, blueprints, rnd) {
  const count = rnd.int(2, 4);
  const withDraft = scenario.id === DRAFT_SCENARIO_ID;
  const lastEditMs = Date.parse(scenario.lastEdit);
  const earliest = Math.max(SAMPLE_VERSIONS_NOW - VERSION_WINDOW_MS + 3600000, lastEditMs - 21 * 86400000);
  const latest = lastEditMs - 600000;
  const dates = [];
  while (dates.length < count + (withDraft ? 1 : 0)) {
    const at = earliest + Math.floor(rnd.next() * (latest - earliest));
    if (!dates.includes(at)) dates.push(at);
  }
  dates.sort((a, b) => a - b);
  const numbers = [];
  let number = scenario.scenarioVersion;
  for (let i = 0; i < dates.length; i += 1) {
    number -= rnd.int(1, 2);
    numbers.unshift(number);
  }
  if (numbers[0] < 1) throw new Error(`sample versions: scenario ${scenario.id} has too small a scenarioVersion`);
  const { inputSpec, outputSpec } = blueprints[scenario.id];
  return dates.map((at, i) => {
    const draft = withDraft && i === dates.length - 1;
    const older = draft ? draftBlueprint(blueprint) : olderBlueprint(blueprint, count - i);
    const blueprintText = toJsonText(older);
    const idSequence = Math.max(...collectIds(older.flow)) + 1;
    const created = iso(at);
    return {
      version: numbers[i],
      created,
      draft,
      blueprintText,
      idSequence,
      text: composeBlueprintReply({ blueprintText, scheduling: scenario.scheduling, idSequence, created: scenario.created, lastEdit: created, inputSpec, outputSpec }),
    };
  });
}

// --- the organization -----------------------------------------------------------------------

/**
 * The sample organization:
 * {
 *   organizationId, name, zone, license, teams[], folders[], users[],
 *   scenarios[]        — list objects exactly as GET /scenarios returns them (volatile fields at their base values),
 *   blueprints{ [id]: { text, blueprintText, idSequence, inputSpec, outputSpec, versions[] } }
 *                       text = the exact reply of GET /scenarios/{id}/blueprint
 *                       versions = older versions, oldest first (empty but for VERSIONED_SCENARIO_IDS):
 *                         { version, created, draft, blueprintText, idSequence, text }, text = the reply
 *                         of GET /scenarios/{id}/blueprint?blueprintId={version}
 *   inventory{          — what GET /connections, /hooks, /data-stores, /data-structures, /keys, /devices list
 *     connections[], hooks[], dataStores[], dataStructures[], keys[], devices[]
 *                       — list objects (make-api.md §7.2 fields + teamId), every team, sorted by id
 *     missing[]          { kind, id, scenarios[], teamIds[] } referenced but deliberately in no list
 *                        (kind as in inventory/dependencies.json: 'connection', 'dataStore')
 *     unused[]           { kind, id, teamId } listed but referenced by no scenario
 *   }
 * }
 */
export function sampleOrg() {
  const rnd = makeRandom(4101);
  const scenarios = [];
  const blueprints = {};
  const currentBlueprints = {};
  SCENARIO_SPECS.forEach(([name, teamId, folderId, kind], index) => {
    const scenarioId = scenarioIdAt(index);
    const spec = { withHubspot: teamId === 52 && rnd.chance(0.5) };
    const { flow, idSequence } = index === LARGE_INDEX ? largeFlow(rnd, index) : buildFlow(rnd, index, kind, spec);
    if (index === BIG_NUMBER_INDEX) {
      // Numbers JS cannot hold exactly: a 20-digit id and a decimal written as 1.10.
      flow.push({
        id: idSequence,
        module: 'erp-connector:UpdateVendor',
        version: 1,
        parameters: { __IMTCONN__: 4242, bigId: new RawJsonNumber('12345678901234567890') },
        mapper: { vendorNumber: '{{1.vendorNumber}}', discountRate: new RawJsonNumber('1.10'), currency: 'EUR' },
        metadata: designer(300 * flow.length, 0),
      });
    }
    const finalIdSequence = index === BIG_NUMBER_INDEX ? idSequence + 1 : idSequence;
    const scheduling = scheduleFor(rnd, kind);
    const isWebhook = kind === 'webhook';

    const createdMs = HISTORY_START + Math.floor(rnd.next() * (HISTORY_END - HISTORY_START) * 0.7);
    const lastEditMs = Math.min(HISTORY_END, createdMs + Math.floor(rnd.next() * 300 * 86400000)) + rnd.int(0, 999);
    const created = iso(createdMs);
    const lastEdit = iso(lastEditMs);
    const creator = USERS[index % USERS.length];
    const updater = USERS[(index + rnd.int(0, 3)) % USERS.length];

    const concept = kind === 'concept';
    let isActive = !concept && rnd.chance(0.75);
    const isPaused = index === 20 || index === 47; // subscription problem on two scenarios
    const isinvalid = index === 16; // stopped by an error
    if (isinvalid) isActive = false;
    const scheduled = isActive && !isWebhook && scheduling.type !== 'on-demand';
    const operations = isActive ? rnd.int(50, 90000) : rnd.int(0, 40);

    const inputSpec = kind === 'on-demand'
      ? [
          { name: 'employeeId', type: 'number', label: 'Employee ID', required: true },
          { name: 'startDate', type: 'date', label: 'Start date / Eintrittsdatum', required: false },
        ]
      : [];
    const outputSpec = kind === 'on-demand' ? [{ name: 'status', type: 'text', label: 'Status' }] : [];

    const blueprint = {
      name,
      flow,
      metadata: {
        instant: isWebhook,
        version: 1,
        scenario: {
          roundtrips: 1,
          maxErrors: 3,
          autoCommit: true,
          autoCommitTriggerLast: true,
          sequential: index % 9 === 0,
          slots: null,
          confidential: false,
          dataloss: false,
          dlq: index % 5 === 0,
          freshVariables: false,
        },
        designer: { orphans: [] },
        zone: 'eu1.make.com',
        ...(index % 7 === 0 ? { notes: [{ moduleIds: [1], content: '<p>Owner: Jürgen · Fragen → #ops-alerts</p>', isFilterNote: false, metadata: { color: '#9138FE' } }] } : {}),
      },
    };
    const blueprintText = toJsonText(blueprint);
    currentBlueprints[scenarioId] = blueprint;
    blueprints[scenarioId] = {
      blueprintText,
      idSequence: finalIdSequence,
      inputSpec,
      outputSpec,
      text: composeBlueprintReply({ blueprintText, scheduling, idSequence: finalIdSequence, created, lastEdit, inputSpec, outputSpec }),
    };

    scenarios.push({
      id: scenarioId,
      name,
      teamId,
      hookId: isWebhook ? referenceIds(index).hook : null,
      deviceId: null,
      deviceScope: null,
      concept,
      description: index % 4 === 0 ? `Maintained by ${creator.name}. Runbook: https://wiki.acme.example/make/${scenarioId}` : '',
      folderId,
      isinvalid,
      islinked: isActive,
      isActive,
      islocked: index === 33,
      isPaused,
      usedPackages: usedPackages(flow),
      lastEdit,
      scheduling,
      iswaiting: false,
      dlqCount: index % 11 === 3 ? rnd.int(1, 4) : 0,
      createdByUser: { ...creator },
      updatedByUser: { ...updater },
      nextExec: scheduled ? iso(SAMPLE_NOW + rnd.int(1, 1440) * 60000) : null,
      created,
      scenarioVersion: rnd.int(1, 40),
      moduleSequenceId: finalIdSequence,
      operations,
      transfer: operations * rnd.int(200, 2400),
      customProperties: index % 6 === 0 ? { owner: creator.name.split(' ')[0], costCenter: `CC-${4100 + (index % 3)}` } : {},
    });
  });

  const versionsRnd = makeRandom(4102);
  for (const scenario of scenarios) {
    blueprints[scenario.id].versions = VERSIONED_SCENARIO_IDS.includes(scenario.id) ? olderVersions(scenario, currentBlueprints[scenario.id], blueprints, versionsRnd) : [];
  }

  return {
    organizationId: SAMPLE_ORGANIZATION_ID,
    name: 'Acme Automation GmbH',
    zone: 'eu1.make.com',
    license: { apiLimit: 240, operations: 800000 },
    teams: TEAMS.map((team) => ({ ...team })),
    folders: FOLDERS.map((folder) => ({ ...folder })),
    users: USERS.map((user) => ({ ...user })),
    scenarios,
    blueprints,
    inventory: buildInventory(scenarios, blueprints),
  };
}
