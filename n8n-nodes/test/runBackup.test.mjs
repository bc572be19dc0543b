// Run Backup (the whole loop inside the node) with a mocked IExecuteFunctions and scripted HTTP.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';

import {
	NOW,
	NodeOperationError,
	START_PARAMETERS,
	execute,
	liveRunCount,
	mockContext,
	worldResponder,
} from './helpers.mjs';

const GOLDEN = JSON.parse(
	readFileSync(new URL('./fixtures/one-scenario-run.json', import.meta.url), 'utf8'),
);
const RUN_BACKUP = { ...START_PARAMETERS, operation: 'runBackup' };

beforeEach(() => mock.timers.enable({ apis: ['Date'], now: Date.parse(NOW) }));
afterEach(() => mock.timers.reset());

/** n8n's helper returns the raw text body and AxiosHeaders-like headers (with toJSON). */
function fullResponse(status, body) {
	return {
		statusCode: status,
		statusMessage: 'x',
		body,
		headers: { toJSON: () => ({ 'Content-Type': 'application/json' }) },
	};
}

describe('Run backup', () => {
	it('performs the same requests as the loop through the credentials, and emits the summary', async () => {
		const world = worldResponder();
		const context = mockContext({
			items: [{ json: { trigger: 'webhook' } }],
			parameters: RUN_BACKUP,
			http: async (_credential, options) => {
				const reply = world.reply(options.method, options.url, options.body ?? null);
				return fullResponse(reply.status, reply.body);
			},
		});
		const before = liveRunCount();
		const [[item, ...rest]] = await execute(context);
		assert.equal(rest.length, 0);
		assert.deepEqual(item, {
			json: { status: 'success', summary: GOLDEN.done.summary, report: GOLDEN.done.report },
			pairedItem: { item: 0 },
		});
		assert.deepEqual(
			world.seen,
			GOLDEN.requests.map((request) => ({
				method: request.method,
				url: request.url,
				body: request.body,
			})),
		);
		assert.deepEqual(
			context.calls.http.map(([credential, options]) => [credential, options.url.split('/')[2]]),
			GOLDEN.requests.map((request) => [
				request.service === 'make' ? 'makeApi' : 'makeBackupGithubApi',
				request.service === 'make' ? 'eu1.make.com' : 'api.github.com',
			]),
		);
		assert.equal(liveRunCount(), before, 'Run Backup keeps nothing in the run store');
	});

	it('passes the insight and backfill options to the engine', async () => {
		const world = worldResponder();
		const options = { auditReadme: false, dependencyInventory: false, backfill: true, backfillMaxVersions: 3, staleAfterDays: 7 };
		const context = mockContext({
			items: [{ json: {} }],
			parameters: { ...RUN_BACKUP, options },
			http: async (_credential, request) => {
				const reply = world.reply(request.method, request.url, request.body ?? null);
				return fullResponse(reply.status, reply.body);
			},
		});
		const [[item]] = await execute(context);
		assert.equal(item.json.status, 'success', JSON.stringify(item.json.summary.errors));
		const urls = world.seen.map((request) => `${request.method} ${request.url}`);
		// Backfill asks Make for the older versions of the new scenario (the scripted world has none: 404).
		assert.ok(urls.includes('GET https://eu1.make.com/api/v2/scenarios/5/blueprints'), urls.join('\n'));
		assert.ok(item.json.summary.warnings.some((w) => w.includes('its older versions were not imported')));
		// Without the report and the inventory, the state commit holds the state only and no README is read.
		assert.ok(!urls.some((url) => url.includes('/git/blobs/9999')), urls.join('\n'));
		const stateTree = world.seen.filter((request) => request.url.endsWith('/git/trees')).at(-1);
		assert.deepEqual(JSON.parse(stateTree.body).tree.map((entry) => entry.path), ['.backup-state.json']);
		assert.equal(item.json.summary.coverage.staleAfterDays, 7);
	});

	it('asks n8n for raw text with a timeout and never sets Authorization itself', async () => {
		const world = worldResponder();
		const context = mockContext({
			items: [{ json: {} }],
			parameters: RUN_BACKUP,
			http: async (_credential, options) => {
				const reply = world.reply(options.method, options.url, options.body ?? null);
				return fullResponse(reply.status, reply.body);
			},
		});
		await execute(context);
		const [[, firstGet], , , , , [, firstPost]] = context.calls.http;
		assert.deepEqual(firstGet, {
			method: 'GET',
			url: 'https://api.github.com/repos/acme/make-backup/branches/main',
			headers: GOLDEN.requests[0].headers,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			encoding: 'text',
			json: false,
			timeout: 30000,
		});
		assert.deepEqual(firstPost, {
			method: 'POST',
			url: 'https://api.github.com/repos/acme/make-backup/git/trees',
			headers: { ...GOLDEN.requests[5].headers, 'content-type': 'application/json' },
			body: GOLDEN.requests[5].body,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			encoding: 'text',
			json: false,
			timeout: 30000,
		});
		for (const [, options] of context.calls.http) {
			assert.ok(
				!Object.keys(options.headers).some((name) => name.toLowerCase() === 'authorization'),
			);
		}
	});

	it('gives a refused connection to the engine as a network failure (fatal once retries are used up)', async () => {
		const context = mockContext({
			items: [{ json: {} }],
			parameters: { ...RUN_BACKUP, options: { maxRetries: 0 } },
			http: async () => {
				// What httpRequestWithAuthentication throws: a NodeApiError wrapping the axios error.
				const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), {
					code: 'ECONNREFUSED',
				});
				throw Object.assign(
					new Error('The service refused the connection - perhaps it is offline'),
					{ httpCode: 'ECONNREFUSED', cause },
				);
			},
		});
		const [[item]] = await execute(context);
		assert.equal(item.json.status, 'failed');
		assert.equal(item.json.summary.fatal.status, null);
		assert.match(
			item.json.summary.fatal.message,
			/network error: The service refused the connection/,
		);
		assert.equal(context.calls.http.length, 1);
	});

	it('stops with a NodeOperationError on anything that is not a transport failure', async () => {
		const context = mockContext({
			items: [{ json: {} }],
			parameters: RUN_BACKUP,
			http: async () => {
				throw new Error(
					'Node "Run backup" does not have any credentials of type "makeBackupGithubApi" set',
				);
			},
		});
		await assert.rejects(execute(context), (error) => {
			assert.ok(error instanceof NodeOperationError);
			assert.equal(error.context.itemIndex, 0);
			assert.match(error.message, /does not have any credentials/);
			return true;
		});
	});

	it('with Continue On Fail, emits { error: { message, code } } for that item', async () => {
		const context = mockContext({
			items: [{ json: {} }],
			parameters: { ...RUN_BACKUP, githubRepo: ' ' },
			http: async () => assert.fail('no request for an invalid configuration'),
			continueOnFail: true,
		});
		const [[item]] = await execute(context);
		assert.deepEqual(item, {
			json: { error: { message: 'Repository Name is empty', code: 'invalid-parameter' } },
			pairedItem: { item: 0 },
		});
	});
});
