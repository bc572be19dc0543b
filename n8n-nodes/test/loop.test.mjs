// Start Run / Continue Run with a mocked IExecuteFunctions: the cursor items, the exact requests and
// bodies of a whole run, binary bodies per item, waits and their static-data checkpoint, error items.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';

import {
	NOW,
	NodeOperationError,
	START_PARAMETERS,
	STATIC_DATA_KEY,
	UUID,
	execute,
	liveRunCount,
	mergedItem,
	mockContext,
	worldResponder,
} from './helpers.mjs';

const GOLDEN = JSON.parse(
	readFileSync(new URL('./fixtures/one-scenario-run.json', import.meta.url), 'utf8'),
);
const CONTINUE = { operation: 'continueRun', responseBinaryProperty: 'data' };
const BRANCH_BODY = (tree) =>
	`{"name":"main","commit":{"sha":"${'1'.repeat(40)}","commit":{"tree":{"sha":"${tree.repeat(40)}"}}}}`;

// Every timestamp the node passes to the engine comes from Date: freeze it for exact outputs.
beforeEach(() => mock.timers.enable({ apis: ['Date'], now: Date.parse(NOW) }));
afterEach(() => mock.timers.reset());

async function start(staticData = {}, items = [{ json: {} }]) {
	const [output] = await execute(mockContext({ items, parameters: START_PARAMETERS, staticData }));
	return output;
}

async function continueWith(staticData, items, buffers = {}, extra = {}) {
	const context = mockContext({ items, parameters: CONTINUE, staticData, buffers, ...extra });
	const [output] = await execute(context);
	return { output, context };
}

describe('Start run', () => {
	it('emits the first planned request as a small cursor item, paired with its input', async () => {
		const before = liveRunCount();
		const staticData = {};
		const [item, ...rest] = await start(staticData);
		assert.equal(rest.length, 0);
		assert.match(item.json.runId, UUID);
		assert.deepEqual(item, {
			json: {
				runId: item.json.runId,
				turn: 1,
				action: 'request',
				request: {
					id: 1,
					service: 'github',
					method: 'GET',
					url: 'https://api.github.com/repos/acme/make-backup/branches/main',
					headers: {
						accept: 'application/vnd.github+json',
						'user-agent': 'make-backup-planner',
						'x-github-api-version': '2022-11-28',
					},
					body: null,
					timeoutMs: 30000,
					purpose: 'read the branch head',
					scenarioId: null,
				},
			},
			pairedItem: { item: 0 },
		});
		assert.equal(liveRunCount(), before + 1, 'the engine stays in memory, not in the item');
		assert.deepEqual(staticData, {}, 'nothing parked before a wait');
	});

	it('passes the options to the engine (custom base URL, GitHub API URL, organization scope)', async () => {
		const parameters = {
			...START_PARAMETERS,
			scope: 'organization',
			organizationId: 4101,
			makeZone: 'custom',
			makeBaseUrl: 'http://127.0.0.1:4010/api/v2',
			options: { githubApiUrl: 'http://127.0.0.1:4020', userAgent: 'e2e', requestTimeoutMs: 5000 },
		};
		const [[item]] = await execute(mockContext({ items: [{ json: {} }], parameters }));
		assert.equal(
			item.json.request.url,
			'http://127.0.0.1:4020/repos/acme/make-backup/branches/main',
		);
		assert.equal(item.json.request.headers['user-agent'], 'e2e');
		assert.equal(item.json.request.timeoutMs, 5000);
	});

	it('starts one independent run per input item', async () => {
		const items = await start({}, [{ json: {} }, { json: {} }]);
		assert.equal(items.length, 2);
		assert.notEqual(items[0].json.runId, items[1].json.runId);
		assert.deepEqual(
			items.map((item) => item.pairedItem),
			[{ item: 0 }, { item: 1 }],
		);
	});
});

describe('Continue run', () => {
	it('drives a whole run: exact requests, request bodies and done item (golden)', async () => {
		const before = liveRunCount();
		const staticData = {};
		const world = worldResponder();
		let [item] = await start(staticData);
		const runId = item.json.runId;
		const requests = [];
		const logs = [];
		while (item.json.action === 'request') {
			const request = item.json.request;
			requests.push(request);
			const reply = world.reply(request.method, request.url, request.body);
			const { output, context } = await continueWith(
				staticData,
				[mergedItem(item.json, reply.status)],
				{
					0: Buffer.from(reply.body),
				},
			);
			assert.deepEqual(
				context.calls.binary,
				[[0, 'data']],
				"the body is read from the item's own binary",
			);
			assert.deepEqual(output[0].pairedItem, { item: 0 });
			assert.equal(output[0].json.runId, runId);
			assert.equal(output[0].json.turn, item.json.turn + 1);
			logs.push(...context.calls.logs);
			[item] = output;
		}
		assert.deepEqual(requests, GOLDEN.requests);
		assert.deepEqual(item.json, { runId, ...GOLDEN.done });
		assert.ok(
			requests[5].body.includes('\\"hook\\": 12345678901234567890'),
			'a 20-digit number reaches the tree body digit for digit',
		);
		assert.equal(liveRunCount(), before, 'the finished run is dropped from memory');
		assert.deepEqual(staticData, {}, 'and from static data');
		assert.match(
			logs.join('\n'),
			/# Make\.com backup — ✅ success/,
			'the report goes to the n8n log',
		);
	});

	it("reads each item's own body when two runs share an execution", async () => {
		const staticData = {};
		const [first, second] = await start(staticData, [{ json: {} }, { json: {} }]);
		const { output, context } = await continueWith(
			staticData,
			[mergedItem(first.json, 200), mergedItem(second.json, 200)],
			{ 0: Buffer.from(BRANCH_BODY('a')), 1: Buffer.from(BRANCH_BODY('b')) },
		);
		assert.deepEqual(context.calls.binary, [
			[0, 'data'],
			[1, 'data'],
		]);
		assert.deepEqual(
			output.map((item) => [item.json.runId, item.json.request.url.split('/git/trees/')[1]]),
			[
				[first.json.runId, `${'a'.repeat(40)}?recursive=1`],
				[second.json.runId, `${'b'.repeat(40)}?recursive=1`],
			],
		);
		assert.deepEqual(
			output.map((item) => item.pairedItem),
			[{ item: 0 }, { item: 1 }],
		);
	});

	it('turns a 5xx into a wait, parks the engine in static data, and resumes from the Wait node', async () => {
		const staticData = {};
		const [item] = await start(staticData);
		const { output } = await continueWith(staticData, [mergedItem(item.json, 503)], {
			0: Buffer.alloc(0),
		});
		assert.deepEqual(output[0].json, {
			runId: item.json.runId,
			turn: 2,
			action: 'wait',
			wait: {
				seconds: output[0].json.wait.seconds,
				until: output[0].json.wait.until,
				reason: output[0].json.wait.reason,
			},
		});
		const { seconds, until, reason } = output[0].json.wait;
		assert.ok(seconds >= 1 && seconds <= 1.2, `first retry waits 1 s + jitter (${seconds})`);
		assert.equal(until, new Date(Date.parse(NOW) + Math.round(seconds * 1000)).toISOString());
		assert.match(reason, /retry 1 of 3/);
		const saved = staticData[STATIC_DATA_KEY][item.json.runId];
		assert.deepEqual(Object.keys(saved).sort(), ['savedAt', 'state', 'turn']);
		assert.equal(saved.turn, 2);

		mock.timers.tick(Math.round(seconds * 1000));
		const { output: after } = await continueWith(staticData, [{ json: output[0].json }]);
		assert.equal(after[0].json.action, 'request');
		assert.equal(after[0].json.turn, 3);
		assert.equal(after[0].json.request.url, item.json.request.url, 'the same request again');
		assert.equal(after[0].json.request.id, 2, 'with a new id');
	});

	it('resumes a parked run in a fresh n8n process from static data alone', async () => {
		const staticData = {};
		const [item] = await start(staticData);
		const { output } = await continueWith(staticData, [mergedItem(item.json, 500)], {
			0: Buffer.alloc(0),
		});
		mock.timers.tick(Math.ceil(output[0].json.wait.seconds * 1000));
		// A new copy of the node's modules = a restarted n8n: its in-memory runs are empty.
		const fresh = loadFreshNode();
		assert.equal(fresh.liveRunCount(), 0);
		const context = mockContext({
			items: [{ json: output[0].json }],
			parameters: CONTINUE,
			staticData,
		});
		const [[resumed]] = await new fresh.MakeBackupPlanner().execute.call(context);
		assert.equal(resumed.json.action, 'request');
		assert.equal(resumed.json.request.url, item.json.request.url);
		assert.equal(resumed.json.turn, 3);
	});

	for (const [label, error, kind] of [
		// Exactly what n8n 2.41.1's HTTP Request node (On Error = Continue) stored for a timed-out request.
		[
			'a timeout (as the HTTP Request node reports it)',
			{
				message: 'The connection was aborted, perhaps the server is offline',
				timestamp: 1795462741695,
				name: 'NodeApiError',
				context: {},
				cause: { name: 'AxiosError', message: 'timeout of 5000ms exceeded' },
			},
			'timed out: The connection was aborted, perhaps the server is offline: timeout of 5000ms exceeded',
		],
		[
			'a timeout with an error code',
			{ message: 'timeout of 30000ms exceeded', name: 'AxiosError', code: 'ECONNABORTED' },
			'timed out: timeout of 30000ms exceeded',
		],
		[
			'a refused connection',
			{
				message: 'The service refused the connection - perhaps it is offline',
				name: 'NodeApiError',
				cause: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9' },
			},
			'network error: The service refused the connection - perhaps it is offline: connect ECONNREFUSED 127.0.0.1:9',
		],
	]) {
		it(`sends ${label} (HTTP node error item) to the engine as a failure, which retries`, async () => {
			const staticData = {};
			const [item] = await start(staticData);
			const { output, context } = await continueWith(staticData, [
				{ json: { ...item.json, error } },
			]);
			assert.deepEqual(context.calls.binary, [], 'an error item has no body to read');
			assert.equal(output[0].json.action, 'wait');
			assert.ok(output[0].json.wait.reason.includes(kind), output[0].json.wait.reason);
		});
	}
});

describe('Continue run errors', () => {
	it('rejects an item without a cursor with an actionable NodeOperationError', async () => {
		const context = mockContext({ items: [{ json: { statusCode: 200 } }], parameters: CONTINUE });
		await assert.rejects(execute(context), (error) => {
			assert.ok(error instanceof NodeOperationError);
			assert.equal(error.message, 'The item carries no run cursor (runId, turn)');
			assert.equal(error.context.itemIndex, 0);
			assert.equal(error.context.code, 'missing-cursor');
			assert.match(error.description, /Merge \(by position\)/);
			return true;
		});
	});

	it('with Continue On Fail, emits { error: { message, code } } paired with the failed item', async () => {
		const staticData = {};
		const [item] = await start(staticData);
		const context = mockContext({
			items: [{ json: { statusCode: 200 } }, mergedItem(item.json, 200)],
			parameters: CONTINUE,
			staticData,
			buffers: { 1: Buffer.from(BRANCH_BODY('c')) },
			continueOnFail: true,
		});
		const [output] = await execute(context);
		assert.deepEqual(output[0], {
			json: {
				error: { message: 'The item carries no run cursor (runId, turn)', code: 'missing-cursor' },
			},
			pairedItem: { item: 0 },
		});
		assert.equal(output[1].json.action, 'request');
		assert.deepEqual(output[1].pairedItem, { item: 1 });
	});

	it('rejects a replayed (stale) cursor and keeps the run going', async () => {
		const staticData = {};
		const [item] = await start(staticData);
		const { output } = await continueWith(staticData, [mergedItem(item.json, 200)], {
			0: Buffer.from(BRANCH_BODY('d')),
		});
		const replay = mockContext({
			items: [mergedItem(item.json, 200)],
			parameters: CONTINUE,
			staticData,
			buffers: { 0: Buffer.from(BRANCH_BODY('d')) },
			continueOnFail: true,
		});
		const [[stale]] = await execute(replay);
		assert.equal(stale.json.error.code, 'stale-cursor');
		assert.equal(
			stale.json.error.message,
			`Run ${item.json.runId} is at turn 2, but this item carries turn 1`,
		);
		const tree = `{"sha":"${'d'.repeat(40)}","tree":[],"truncated":false}`;
		const { output: next } = await continueWith(staticData, [mergedItem(output[0].json, 200)], {
			0: Buffer.from(tree),
		});
		assert.equal(next[0].json.turn, 3);
	});

	it('rejects an unknown run id', async () => {
		const cursor = {
			runId: '00000000-0000-4000-8000-000000000000',
			turn: 1,
			action: 'wait',
			wait: {},
		};
		const context = mockContext({
			items: [{ json: cursor }],
			parameters: CONTINUE,
			continueOnFail: true,
		});
		const [[item]] = await execute(context);
		assert.deepEqual(item.json.error, {
			message: 'Run 00000000-0000-4000-8000-000000000000 is not active in this n8n process',
			code: 'unknown-run',
		});
	});

	it('refuses a body that the HTTP node parsed (Response Format ≠ File) and drops the run', async () => {
		const before = liveRunCount();
		const staticData = {};
		const [item] = await start(staticData);
		const textItem = {
			json: { ...item.json, statusCode: 200, headers: {}, data: '{"name":"main"}' },
		};
		const context = mockContext({ items: [textItem], parameters: CONTINUE, staticData });
		await assert.rejects(execute(context), (error) => {
			assert.equal(error.context.code, 'response-not-file');
			assert.match(error.description, /Response Format = File/);
			return true;
		});
		assert.equal(liveRunCount(), before, 'a run whose reply is lost is dropped');
	});

	it("passes the engine's unexpected-reply error on (the reply belongs to another request)", async () => {
		const staticData = {};
		const [item] = await start(staticData);
		const wrong = { ...item.json, request: { ...item.json.request, id: 99 } };
		const context = mockContext({
			items: [mergedItem(wrong, 200)],
			parameters: CONTINUE,
			staticData,
			buffers: { 0: Buffer.from(BRANCH_BODY('e')) },
			continueOnFail: true,
		});
		const [[output]] = await execute(context);
		assert.equal(output.json.error.code, 'unexpected-reply');
	});

	it('refuses a done item fed back into the loop', async () => {
		const cursor = { runId: '00000000-0000-4000-8000-000000000001', turn: 9, action: 'done' };
		const [[item]] = await execute(
			mockContext({ items: [{ json: cursor }], parameters: CONTINUE, continueOnFail: true }),
		);
		assert.equal(item.json.error.code, 'run-finished');
	});
});

describe('Start run errors', () => {
	it('rejects a missing team ID before starting anything', async () => {
		const before = liveRunCount();
		const context = mockContext({
			items: [{ json: {} }],
			parameters: { ...START_PARAMETERS, teamId: 0 },
		});
		await assert.rejects(execute(context), (error) => {
			assert.ok(error instanceof NodeOperationError);
			assert.equal(error.message, 'Team ID must be a positive whole number');
			assert.equal(error.context.code, 'invalid-parameter');
			assert.equal(error.context.itemIndex, 0);
			assert.match(error.description, /numeric ID shown in the Make URL/);
			return true;
		});
		assert.equal(liveRunCount(), before);
	});

	it("reports the engine's config validation as invalid-config", async () => {
		const parameters = { ...START_PARAMETERS, options: { pageSize: 0 } };
		const [[item]] = await execute(
			mockContext({ items: [{ json: {} }], parameters, continueOnFail: true }),
		);
		assert.equal(item.json.error.code, 'invalid-config');
		assert.match(item.json.error.message, /pageSize/);
	});
});

/** Loads a second, independent copy of the built node (as a restarted n8n would). */
function loadFreshNode() {
	const require = createRequire(import.meta.url);
	const distDir = require
		.resolve('../dist/nodes/MakeBackupPlanner/MakeBackupPlanner.node.js')
		.replace(/MakeBackupPlanner\.node\.js$/, '');
	const saved = {};
	for (const key of Object.keys(require.cache)) {
		if (key.startsWith(distDir)) {
			saved[key] = require.cache[key];
			delete require.cache[key];
		}
	}
	try {
		const { MakeBackupPlanner } = require(`${distDir}MakeBackupPlanner.node.js`);
		const { liveRunCount: count } = require(`${distDir}runStore.js`);
		return { MakeBackupPlanner, liveRunCount: count };
	} finally {
		Object.assign(require.cache, saved);
	}
}
