// Verify backup (one node: the tree of the branch and .backup-state.json through the GitHub credential,
// checked by the core) with a mocked IExecuteFunctions and a scripted GitHub.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';

import { NodeOperationError, execute, mockContext } from './helpers.mjs';

const VERIFY = {
	operation: 'verifyBackup',
	githubOwner: 'acme',
	githubRepo: 'make-backup',
	githubBranch: 'main',
	options: {},
};
const REPO = 'https://api.github.com/repos/acme/make-backup';
const blobSha = (text) => createHash('sha1').update(`blob ${Buffer.byteLength(text)}\0${text}`).digest('hex');
const BLUEPRINT = '{\n  "flow": [],\n  "name": "Invoice intake"\n}\n';
const METADATA = '{\n  "id": 5\n}\n';
const NOW = new Date().toISOString();

function state(blueprintSha) {
	return JSON.stringify({
		version: 1,
		lastRun: NOW,
		scenarios: {
			5: { name: 'Invoice intake', lastEdit: NOW, lastBackup: NOW, backupCount: 1, gitSHA: 'c'.repeat(40), blueprintSha, metadataSha: blobSha(METADATA) },
		},
	});
}

function tree(blueprintText) {
	return JSON.stringify({
		sha: 't'.repeat(40),
		truncated: false,
		tree: [
			{ path: 'scenarios', mode: '040000', type: 'tree', sha: 'd'.repeat(40) },
			{ path: 'scenarios/5/blueprint.json', mode: '100644', type: 'blob', sha: blobSha(blueprintText), size: 10 },
			{ path: 'scenarios/5/metadata.json', mode: '100644', type: 'blob', sha: blobSha(METADATA), size: 10 },
			{ path: '.backup-state.json', mode: '100644', type: 'blob', sha: 'e'.repeat(40), size: 10 },
		],
	});
}

function github(replies) {
	return async (_credential, options) => {
		const key = `${options.method} ${options.url}`;
		const reply = replies[key];
		assert.ok(reply, `unexpected request ${key}`);
		const [status, body] = reply;
		return { statusCode: status, statusMessage: 'x', body, headers: { toJSON: () => ({}) } };
	};
}

const TREE_URL = `GET ${REPO}/git/trees/main?recursive=1`;
const STATE_URL = `GET ${REPO}/contents/.backup-state.json?ref=main`;

describe('Verify backup', () => {
	it('reads the tree and the state through the GitHub credential only and emits a healthy report', async () => {
		const context = mockContext({
			items: [{ json: {} }],
			parameters: VERIFY,
			http: github({ [TREE_URL]: [200, tree(BLUEPRINT)], [STATE_URL]: [200, state(blobSha(BLUEPRINT))] }),
		});
		const [[item]] = await execute(context);
		assert.equal(item.json.status, 'healthy', JSON.stringify(item.json.problems));
		assert.deepEqual(item.pairedItem, { item: 0 });
		const calls = context.calls.http.map(([credential, options]) => [credential, options.method, options.url]);
		assert.deepEqual(calls.sort(), [['makeBackupGithubApi', 'GET', `${REPO}/contents/.backup-state.json?ref=main`], ['makeBackupGithubApi', 'GET', `${REPO}/git/trees/main?recursive=1`]]);
		for (const [, options] of context.calls.http) {
			assert.ok(!Object.keys(options.headers).some((h) => h.toLowerCase() === 'authorization'), 'the credential adds Authorization, not the node');
		}
	});

	it('reports an altered blueprint as critical (an output, not an error)', async () => {
		const altered = '{"edited":"by hand"}\n';
		const context = mockContext({
			items: [{ json: {} }],
			parameters: VERIFY,
			http: github({ [TREE_URL]: [200, tree(altered)], [STATE_URL]: [200, state(blobSha(BLUEPRINT))] }),
		});
		const [[item]] = await execute(context);
		assert.equal(item.json.status, 'critical');
		assert.deepEqual(item.json.shaMismatches.map((m) => m.scenarioId), [5]);
	});

	it('a branch that cannot be read is a NodeOperationError with itemIndex; Continue On Fail emits the error', async () => {
		const replies = { [TREE_URL]: [404, '{"message":"Not Found"}'], [STATE_URL]: [404, '{"message":"Not Found"}'] };
		await assert.rejects(
			execute(mockContext({ items: [{ json: {} }], parameters: VERIFY, http: github(replies) })),
			(error) => error instanceof NodeOperationError && error.context?.itemIndex === 0 && /HTTP 404/.test(error.message) && /Branch/.test(error.description ?? ''),
		);
		const [[item]] = await execute(mockContext({ items: [{ json: {} }], parameters: VERIFY, http: github(replies), continueOnFail: true }));
		assert.equal(item.json.error.code, 'repository-unreadable');
	});
});
