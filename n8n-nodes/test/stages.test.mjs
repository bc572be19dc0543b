// The stage operations (Select scenarios, Render files, Plan commit, Update state) with a mocked
// IExecuteFunctions. Their outputs must equal what the engine wrote in the golden one-scenario run.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { NOW, NodeOperationError, WORLD_REPLIES, execute, mockContext } from './helpers.mjs';

const GOLDEN = JSON.parse(
	readFileSync(new URL('./fixtures/one-scenario-run.json', import.meta.url), 'utf8'),
);
const treeRequest = (purpose) => GOLDEN.requests.find((request) => request.purpose.startsWith(purpose));
const [scenarioTree, stateTree] = [
	treeRequest('tree for scenario 5'),
	treeRequest('tree with .backup-state.json'),
].map((request) => JSON.parse(request.body));
const contentOf = (tree, path) => tree.tree.find((entry) => entry.path === path).content;
const BLUEPRINT = contentOf(scenarioTree, 'scenarios/5/blueprint.json');
const METADATA = contentOf(scenarioTree, 'scenarios/5/metadata.json');
const STATE = contentOf(stateTree, '.backup-state.json');
// The engine's state also records where it wrote the audit report; the stage knows no report.
const { report: _report, ...stateWithoutReport } = JSON.parse(STATE);
const STAGE_STATE = `${JSON.stringify(stateWithoutReport, null, 2)}\n`;
const replyTo = (key) => WORLD_REPLIES.find(([pattern]) => pattern.test(key))[2];
const LIST_PAGE = replyTo('GET https://eu1.make.com/api/v2/scenarios?teamId=154819&pg%5Boffset%5D=0&');
const BLUEPRINT_REPLY = replyTo('GET https://eu1.make.com/api/v2/scenarios/5/blueprint?draft=false');
const LISTING = JSON.stringify(JSON.parse(LIST_PAGE).scenarios[0]);

/** git's blob SHA-1, computed here independently of the core. */
const blobSha = (text) =>
	createHash('sha1')
		.update(`blob ${Buffer.byteLength(text)}\0${text}`)
		.digest('hex');
const file = (path, content) => ({
	path,
	content,
	blobSha: blobSha(content),
	size: Buffer.byteLength(content),
	base64: Buffer.from(content).toString('base64'),
});

async function stage(operation, parameters, extra = {}) {
	const context = mockContext({
		items: [{ json: {} }],
		parameters: { operation, ...parameters },
		...extra,
	});
	const [output] = await execute(context);
	return { output, context };
}

describe('Select scenarios', () => {
	it('emits one item per verdict, paired with the input item', async () => {
		const { output } = await stage('selectScenarios', {
			scenarioPages: LIST_PAGE,
			backupState: '',
			inventoryComplete: true,
			forceAll: false,
		});
		assert.deepEqual(output, [
			{
				json: {
					scenarioId: 5,
					name: 'Invoice  intake',
					verdict: 'new',
					reason: 'not in the backup state',
				},
				pairedItem: { item: 0 },
			},
		]);
	});

	it('finds nothing to do against the state the golden run wrote (pages as a list)', async () => {
		const { output } = await stage('selectScenarios', {
			scenarioPages: [LIST_PAGE],
			backupState: STATE,
			inventoryComplete: true,
			forceAll: false,
		});
		assert.equal(output.length, 1);
		assert.equal(output[0].json.verdict, 'unchanged');
	});
});

describe('Render files', () => {
	it('renders exactly the files the engine committed, from the binary body, with base64', async () => {
		const { output, context } = await stage(
			'renderFiles',
			{
				scenarioListing: LISTING,
				blueprintSource: 'binary',
				blueprintBinaryProperty: 'data',
				previousMetadata: '',
				backupState: '',
				metadataOrganizationId: 0,
				historyLimit: 100,
				backupTimestamp: NOW,
			},
			{
				items: [
					{ json: {}, binary: { data: { data: 'filesystem-v2', mimeType: 'application/json' } } },
				],
				buffers: { 0: Buffer.from(BLUEPRINT_REPLY) },
			},
		);
		assert.deepEqual(context.calls.binary, [[0, 'data']]);
		assert.deepEqual(output, [
			{
				json: {
					scenarioId: 5,
					files: [
						file('scenarios/5/blueprint.json', BLUEPRINT),
						file('scenarios/5/metadata.json', METADATA),
					],
				},
				pairedItem: { item: 0 },
			},
		]);
		assert.match(BLUEPRINT, /"hook": 12345678901234567890/);
	});

	it('says what to do when the binary body is missing', async () => {
		const { output } = await stage(
			'renderFiles',
			{
				scenarioListing: LISTING,
				blueprintSource: 'binary',
				blueprintBinaryProperty: 'data',
				backupTimestamp: NOW,
			},
			{ continueOnFail: true },
		);
		assert.deepEqual(output[0].json, {
			error: { message: 'The item has no binary property "data"', code: 'missing-binary' },
		});
	});
});

describe('Plan commit', () => {
	it('drops files the tree already holds and plans the tree body and message', async () => {
		const treeListing = JSON.stringify({
			sha: '2'.repeat(40),
			tree: [
				{
					path: 'scenarios/5/blueprint.json',
					mode: '100644',
					type: 'blob',
					sha: blobSha(BLUEPRINT),
					size: 10,
				},
			],
			truncated: false,
		});
		const { output } = await stage('planCommit', {
			planScenarioId: 5,
			planScenarioName: 'Invoice  intake',
			planFiles: [
				file('scenarios/5/blueprint.json', BLUEPRINT),
				file('scenarios/5/metadata.json', METADATA),
			],
			treeListing,
			baseTree: '2'.repeat(40),
		});
		assert.deepEqual(output, [
			{
				json: {
					files: [file('scenarios/5/metadata.json', METADATA)],
					unchanged: ['scenarios/5/blueprint.json'],
					message: 'Backup scenario 5: Invoice intake',
					treeRequestBody: JSON.stringify({
						base_tree: '2'.repeat(40),
						tree: [
							{
								content: METADATA,
								mode: '100644',
								path: 'scenarios/5/metadata.json',
								type: 'blob',
							},
						],
					}),
				},
				pairedItem: { item: 0 },
			},
		]);
	});

	it('rejects Files that are not JSON with an actionable error', async () => {
		const context = mockContext({
			items: [{ json: {} }],
			parameters: {
				operation: 'planCommit',
				planScenarioId: 5,
				planScenarioName: 'x',
				planFiles: '[{',
				treeListing: '',
				baseTree: 'a',
			},
		});
		await assert.rejects(execute(context), (error) => {
			assert.ok(error instanceof NodeOperationError);
			assert.equal(error.context.code, 'invalid-parameter');
			assert.equal(error.message, 'Files is not valid JSON');
			assert.equal(error.context.itemIndex, 0);
			return true;
		});
	});
});

describe('Update state', () => {
	it('writes exactly the state file the engine committed', async () => {
		const advance = {
			scenarioId: 5,
			name: 'Invoice  intake',
			lastEdit: '2026-11-20T10:00:00.000Z',
			teamId: 154819,
			blueprintSha: blobSha(BLUEPRINT),
			metadataSha: blobSha(METADATA),
			fingerprint: JSON.parse(STATE).scenarios['5'].fingerprint,
			commit: 'b'.repeat(40),
		};
		const { output } = await stage('updateState', {
			backupState: '',
			stateAdvances: JSON.stringify([advance]),
			deletedScenarioIds: '[]',
			backupTimestamp: NOW,
		});
		assert.deepEqual(output, [
			{ json: file('.backup-state.json', STAGE_STATE), pairedItem: { item: 0 } },
		]);
	});
});
