// Restore scenario (one node: read the backup files, create or overwrite the scenario, read it back)
// with a mocked IExecuteFunctions and a scripted GitHub + Make.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { NodeOperationError, execute, mockContext } from './helpers.mjs';

/** Node parameters of a restore from acme/make-backup on eu1, as a user would set them. */
const RESTORE = {
	operation: 'restoreScenario',
	scenarioId: 5,
	gitRef: '',
	restoreMode: 'create',
	startAfterRestore: false,
	makeZone: 'eu1',
	githubOwner: 'acme',
	githubRepo: 'make-backup',
	githubBranch: 'main',
	options: {},
};

const COMMIT = '3f2c1a9e8d7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a';
const GITHUB = 'https://api.github.com/repos/acme/make-backup/contents/scenarios/5';
const MAKE = 'https://eu1.make.com/api/v2';

// blueprint.json as the backup wrote it (canonical); the 20-digit hook id must survive digit for digit.
const BLUEPRINT = `{
  "flow": [
    {
      "id": 1,
      "module": "gateway:CustomWebHook",
      "parameters": {
        "hook": 12345678901234567890
      }
    }
  ],
  "metadata": {
    "version": 1
  },
  "name": "Invoice intake"
}
`;
const COMPACT_BLUEPRINT =
	'{"flow":[{"id":1,"module":"gateway:CustomWebHook","parameters":{"hook":12345678901234567890}}],"metadata":{"version":1},"name":"Invoice intake"}';
const METADATA = JSON.stringify(
	{
		id: 5,
		name: 'Invoice intake',
		teamId: 154819,
		folderId: null,
		isActive: true,
		scheduling: { type: 'immediately' },
	},
	null,
	2,
);

/** What Make serves for a scenario's blueprint: the blueprint inside an API reply, keys in Make's order. */
function blueprintReply(blueprintText) {
	return `{"code":"OK","response":{"blueprint":${blueprintText},"scheduling":{"type":"immediately"},"idSequence":2,"created":"2026-11-23T02:00:00.000Z"}}`;
}

const scenarioReply = (id, fields = {}) =>
	JSON.stringify({
		scenario: {
			id,
			name: 'Invoice intake',
			teamId: 154819,
			folderId: null,
			isActive: false,
			...fields,
		},
	});

/** A scripted backup repository and Make: replies by method + URL; unknown requests fail the test. */
function restoreWorld(overrides = {}) {
	const replies = {
		[`GET ${GITHUB}/blueprint.json?ref=main`]: [200, BLUEPRINT],
		[`GET ${GITHUB}/metadata.json?ref=main`]: [200, METADATA],
		[`GET ${GITHUB}/blueprint.json?ref=${COMMIT}`]: [200, BLUEPRINT],
		[`GET ${GITHUB}/metadata.json?ref=${COMMIT}`]: [200, METADATA],
		[`POST ${MAKE}/scenarios?confirmed=true`]: [200, scenarioReply(77)],
		[`GET ${MAKE}/scenarios/77/blueprint`]: [200, blueprintReply(COMPACT_BLUEPRINT)],
		...overrides,
	};
	return async (_credential, options) => {
		const key = `${options.method} ${options.url}`;
		const reply = replies[key];
		assert.ok(reply, `unexpected request ${key}`);
		const [status, body] = typeof reply === 'function' ? reply(options) : reply;
		return {
			statusCode: status,
			statusMessage: 'x',
			body,
			headers: { toJSON: () => ({ 'Content-Type': 'application/json' }) },
		};
	};
}

/** The output item of a restore of scenario 5 into new scenario 77. */
function restoredJson(fields = {}) {
	return {
		status: 'restored',
		scenarioId: 77,
		sourceScenarioId: 5,
		gitRef: 'main',
		mode: 'create',
		started: false,
		identical: true,
		name: 'Invoice intake',
		blueprintSha: 'f83b4c100a83339253ab7298e8fb8edd864359cc',
		needs: [
			{
				kind: 'activation',
				id: null,
				moduleIds: [],
				message:
					'the new scenario is created inactive: start it in Make, or restore with start: true (POST /scenarios/{id}/start)',
			},
			{
				kind: 'webhook',
				id: '12345678901234567890',
				moduleIds: [1],
				message:
					'webhook 12345678901234567890 (module 1) belongs to one scenario; if the original scenario still uses it, or it was deleted, add a new webhook in module 1 — a new hook has a new URL, so update every caller',
			},
		],
		warnings: [],
		requests: 4,
		...fields,
	};
}

describe('Restore scenario', () => {
	it('reads both backup files, creates the scenario through the credentials, reads it back, and emits the result', async () => {
		const context = mockContext({
			items: [{ json: { body: { scenarioId: 5 } } }],
			parameters: RESTORE,
			http: restoreWorld(),
		});
		const [[item, ...rest]] = await execute(context);
		assert.equal(rest.length, 0);
		assert.deepEqual(item, { json: restoredJson(), pairedItem: { item: 0 } });

		assert.deepEqual(
			context.calls.http.map(([credential, options]) => [credential, options.method, options.url]),
			[
				['makeBackupGithubApi', 'GET', `${GITHUB}/blueprint.json?ref=main`],
				['makeBackupGithubApi', 'GET', `${GITHUB}/metadata.json?ref=main`],
				['makeApi', 'POST', `${MAKE}/scenarios?confirmed=true`],
				['makeApi', 'GET', `${MAKE}/scenarios/77/blueprint`],
			],
		);
		const [[, fileRead], , [, create]] = context.calls.http;
		assert.deepEqual(fileRead, {
			method: 'GET',
			url: `${GITHUB}/blueprint.json?ref=main`,
			headers: {
				accept: 'application/vnd.github.raw+json',
				'user-agent': 'make-backup-planner',
				'x-github-api-version': '2022-11-28',
			},
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			encoding: 'text',
			json: false,
			timeout: 30000,
		});
		// The create request carries the backed-up blueprint as Make's JSON-string field, digit for digit.
		const body = JSON.parse(create.body);
		assert.equal(body.blueprint, COMPACT_BLUEPRINT);
		assert.equal(body.teamId, 154819);
		assert.equal(body.scheduling, '{"type":"immediately"}');
		assert.equal(create.headers['content-type'], 'application/json');
		for (const [, options] of context.calls.http) {
			assert.ok(
				!Object.keys(options.headers).some((name) => name.toLowerCase() === 'authorization'),
				`${options.method} ${options.url} carries no Authorization (the credential adds it)`,
			);
		}
		assert.match(context.calls.logs.join('\n'), /restored from main as scenario 77/);
	});

	it('restores each item from its own ref, with the scenario ID from an expression (a string in a webhook body)', async () => {
		const gitRefs = ['', COMMIT];
		const context = mockContext({
			items: [{ json: {} }, { json: {} }],
			parameters: (name, itemIndex) =>
				name === 'scenarioId' ? '5' : name === 'gitRef' ? gitRefs[itemIndex] : RESTORE[name],
			http: restoreWorld(),
		});
		const [items] = await execute(context);
		assert.deepEqual(
			items.map((item) => [item.json.gitRef, item.json.scenarioId, item.pairedItem]),
			[
				['main', 77, { item: 0 }],
				[COMMIT, 77, { item: 1 }],
			],
		);
		assert.deepEqual(
			context.calls.http
				.filter(([credential]) => credential === 'makeBackupGithubApi')
				.map(([, options]) => options.url),
			[
				`${GITHUB}/blueprint.json?ref=main`,
				`${GITHUB}/metadata.json?ref=main`,
				`${GITHUB}/blueprint.json?ref=${COMMIT}`,
				`${GITHUB}/metadata.json?ref=${COMMIT}`,
			],
		);
	});

	it('overwrites the backed-up scenario in place and starts it, at a custom Make base URL and GitHub API URL', async () => {
		const base = 'http://127.0.0.1:9/api/v2';
		const github = 'http://127.0.0.1:8/repos/acme/make-backup/contents/scenarios/5';
		const context = mockContext({
			items: [{ json: {} }],
			parameters: {
				...RESTORE,
				restoreMode: 'overwrite',
				targetScenarioId: 0,
				startAfterRestore: true,
				makeZone: 'custom',
				makeBaseUrl: `${base}/`,
				options: { githubApiUrl: 'http://127.0.0.1:8' },
			},
			http: restoreWorld({
				[`GET ${github}/blueprint.json?ref=main`]: [200, BLUEPRINT],
				[`GET ${github}/metadata.json?ref=main`]: [200, METADATA],
				[`PATCH ${base}/scenarios/5?confirmed=true`]: [200, scenarioReply(5)],
				[`POST ${base}/scenarios/5/start`]: [
					200,
					'{"scenario":{"id":5,"isActive":true,"islinked":true}}',
				],
				[`GET ${base}/scenarios/5/blueprint`]: [200, blueprintReply(COMPACT_BLUEPRINT)],
			}),
		});
		const [[item]] = await execute(context);
		assert.deepEqual(
			context.calls.http.map(
				([credential, options]) => `${credential} ${options.method} ${options.url}`,
			),
			[
				`makeBackupGithubApi GET ${github}/blueprint.json?ref=main`,
				`makeBackupGithubApi GET ${github}/metadata.json?ref=main`,
				`makeApi PATCH ${base}/scenarios/5?confirmed=true`,
				`makeApi POST ${base}/scenarios/5/start`,
				`makeApi GET ${base}/scenarios/5/blueprint`,
			],
		);
		assert.deepEqual(
			[
				item.json.status,
				item.json.scenarioId,
				item.json.mode,
				item.json.started,
				item.json.requests,
			],
			['restored', 5, 'overwrite', true, 5],
		);
		assert.ok(
			!item.json.needs.some((need) => need.kind === 'activation'),
			'started: no activation need',
		);
	});

	it('stops with a NodeOperationError (code, item index, what to do) when the scenario has no backup', async () => {
		const context = mockContext({
			items: [{ json: {} }, { json: {} }],
			parameters: (name, itemIndex) =>
				name === 'scenarioId' ? [5, 404404][itemIndex] : RESTORE[name],
			http: restoreWorld({
				'GET https://api.github.com/repos/acme/make-backup/contents/scenarios/404404/blueprint.json?ref=main':
					[404, '{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}'],
			}),
		});
		await assert.rejects(execute(context), (error) => {
			assert.ok(error instanceof NodeOperationError);
			assert.equal(error.context.itemIndex, 1);
			assert.equal(error.context.code, 'backup-not-found');
			assert.match(error.message, /scenario 404404 has no backup at main/);
			assert.match(error.description, /Check Scenario ID/);
			return true;
		});
		// Item 0 restored (4 requests); item 1 stopped after its first read, nothing sent to Make.
		assert.equal(context.calls.http.length, 5);
	});

	it('with Continue On Fail, emits { error: { message, code } } for the failing item and restores the others', async () => {
		const context = mockContext({
			items: [{ json: {} }, { json: {} }],
			parameters: (name, itemIndex) =>
				name === 'scenarioId' ? [404404, 5][itemIndex] : RESTORE[name],
			http: restoreWorld({
				'GET https://api.github.com/repos/acme/make-backup/contents/scenarios/404404/blueprint.json?ref=main':
					[404, '{"message":"Not Found"}'],
			}),
			continueOnFail: true,
		});
		const [[failed, restored]] = await execute(context);
		assert.deepEqual(failed.pairedItem, { item: 0 });
		assert.deepEqual(Object.keys(failed.json), ['error']);
		assert.equal(failed.json.error.code, 'backup-not-found');
		assert.match(failed.json.error.message, /scenario 404404 has no backup at main/);
		assert.deepEqual(restored, { json: restoredJson(), pairedItem: { item: 1 } });
	});

	it('is an error (restore-not-identical) when Make serves a blueprint other than the backup', async () => {
		const changed = COMPACT_BLUEPRINT.replace('"version":1', '"version":2');
		const world = restoreWorld({
			[`GET ${MAKE}/scenarios/77/blueprint`]: [200, blueprintReply(changed)],
		});
		const failing = mockContext({ items: [{ json: {} }], parameters: RESTORE, http: world });
		await assert.rejects(execute(failing), (error) => {
			assert.ok(error instanceof NodeOperationError);
			assert.equal(error.context.itemIndex, 0);
			assert.equal(error.context.code, 'restore-not-identical');
			assert.match(
				error.message,
				/restored as scenario 77 from main, but Make serves a different blueprint: .*version/,
			);
			assert.match(error.description, /compare it with blueprint\.json/);
			return true;
		});

		const continuing = mockContext({
			items: [{ json: {} }],
			parameters: RESTORE,
			http: world,
			continueOnFail: true,
		});
		const [[item]] = await execute(continuing);
		assert.equal(item.json.error.code, 'restore-not-identical');
		assert.deepEqual(item.pairedItem, { item: 0 });
	});

	it("passes Make's refusal of the create request on with Make's reason", async () => {
		const context = mockContext({
			items: [{ json: {} }],
			parameters: RESTORE,
			http: restoreWorld({
				[`POST ${MAKE}/scenarios?confirmed=true`]: [
					403,
					'{"detail":"Access denied.","message":"Permission denied","code":"SC403"}',
				],
			}),
			continueOnFail: true,
		});
		const [[item]] = await execute(context);
		assert.equal(item.json.error.code, 'invalid-input');
		assert.match(item.json.error.message, /Access denied.*scenarios:write/);
		assert.equal(context.calls.http.length, 3, 'no read-back after a refused create');
	});

	it('stops when a request gets no response (request-failed), naming the request', async () => {
		const context = mockContext({
			items: [{ json: {} }],
			parameters: RESTORE,
			http: async () => {
				const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), {
					code: 'ECONNREFUSED',
				});
				throw Object.assign(
					new Error('The service refused the connection - perhaps it is offline'),
					{
						httpCode: 'ECONNREFUSED',
						cause,
					},
				);
			},
		});
		await assert.rejects(execute(context), (error) => {
			assert.ok(error instanceof NodeOperationError);
			assert.equal(error.context.code, 'request-failed');
			assert.match(
				error.message,
				/^GET https:\/\/api\.github\.com\/.*blueprint\.json\?ref=main got no response \(network: The service refused/,
			);
			return true;
		});
		assert.equal(context.calls.http.length, 1);
	});

	it('rejects an unusable scenario ID or mode before any request', async () => {
		for (const [parameters, message] of [
			[{ ...RESTORE, scenarioId: 0 }, /Scenario ID must be a positive whole number/],
			[{ ...RESTORE, scenarioId: 'abc' }, /Scenario ID must be a positive whole number/],
			[{ ...RESTORE, restoreMode: 'merge' }, /Mode must be "create" or "overwrite"/],
			[{ ...RESTORE, options: { teamId: -3 } }, /Team ID must be a positive whole number/],
		]) {
			const context = mockContext({
				items: [{ json: {} }],
				parameters,
				http: async () => assert.fail('no request for invalid parameters'),
				continueOnFail: true,
			});
			const [[item]] = await execute(context);
			assert.equal(item.json.error.code, 'invalid-parameter');
			assert.match(item.json.error.message, message);
		}
	});
});
