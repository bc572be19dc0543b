// The node's and credentials' descriptions: what n8n's UI and credential handling rely on.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { MakeApi, MakeBackupGithubApi, MakeBackupPlanner } from './helpers.mjs';

const DIST = new URL('../dist/', import.meta.url);
const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

describe('Make Backup Planner description', () => {
	const { description } = new MakeBackupPlanner();

	it('is a transform node usable as a tool, with a subtitle and light/dark icons shipped in dist', () => {
		assert.equal(description.name, 'makeBackupPlanner');
		assert.equal(description.displayName, 'Make Backup Planner');
		assert.deepEqual(description.group, ['transform']);
		assert.equal(description.usableAsTool, true);
		assert.equal(description.subtitle, '={{ $parameter["operation"] }}');
		for (const icon of Object.values(description.icon)) {
			assert.ok(
				existsSync(new URL(`nodes/MakeBackupPlanner/${icon.replace('file:', '')}`, DIST)),
				icon,
			);
		}
	});

	it('offers the loop, the stages, the all-in-one backup, the restore and verify', () => {
		const operation = description.properties.find((property) => property.name === 'operation');
		assert.deepEqual(operation.options.map((option) => option.value).sort(), [
			'continueRun',
			'planCommit',
			'renderFiles',
			'restoreScenario',
			'runBackup',
			'selectScenarios',
			'startRun',
			'updateState',
			'verifyBackup',
		]);
	});

	it("needs credentials only for Run backup, Restore scenario and Verify backup (GitHub only), and only its own package's", () => {
		const show = { show: { operation: ['runBackup', 'restoreScenario'] } };
		assert.deepEqual(description.credentials, [
			{ name: 'makeApi', required: true, displayOptions: show },
			{ name: 'makeBackupGithubApi', required: true, displayOptions: { show: { operation: ['runBackup', 'restoreScenario', 'verifyBackup'] } } },
		]);
	});

	it('shows Verify backup only the repository and its options', () => {
		const shown = description.properties
			.filter((property) => property.displayOptions?.show?.operation?.includes('verifyBackup'))
			.map((property) => property.name);
		assert.deepEqual(shown, ['githubOwner', 'githubRepo', 'githubBranch', 'options']);
	});

	it('shows Restore scenario its own settings plus the Make and repository settings of a backup', () => {
		const shownFor = (operation) =>
			description.properties
				.filter((property) => property.displayOptions?.show?.operation?.includes(operation))
				.map((property) => property.name);
		assert.deepEqual(shownFor('restoreScenario'), [
			'scenarioId',
			'gitRef',
			'restoreMode',
			'targetScenarioId',
			'startAfterRestore',
			'makeZone',
			'makeBaseUrl',
			'githubOwner',
			'githubRepo',
			'githubBranch',
			'options',
		]);
		const restoreOptions = description.properties.find(
			(property) =>
				property.name === 'options' &&
				property.displayOptions.show.operation.includes('restoreScenario'),
		);
		assert.deepEqual(
			restoreOptions.options.map((option) => option.name),
			['folderId', 'githubApiUrl', 'teamId'],
		);
		// The backup settings' options are not offered to a restore (and vice versa).
		const backupOptions = description.properties.find(
			(property) =>
				property.name === 'options' && property.displayOptions.show.operation.includes('runBackup'),
		);
		assert.ok(!backupOptions.displayOptions.show.operation.includes('restoreScenario'));
		assert.ok(!shownFor('restoreScenario').includes('scope'));
	});

	it('has a codex file naming the node as n8n registers it', () => {
		const codex = JSON.parse(
			readFileSync(new URL('nodes/MakeBackupPlanner/MakeBackupPlanner.node.json', DIST), 'utf8'),
		);
		assert.equal(codex.node, `${packageJson.name}.${description.name}`);
		assert.ok(codex.categories.length > 0);
	});
});

describe('credentials', () => {
	it('Make API sends "Authorization: Token <token>" and tests with GET /users/me in the chosen zone', () => {
		const credential = new MakeApi();
		assert.equal(credential.name, 'makeApi');
		const token = credential.properties.find((property) => property.name === 'apiToken');
		assert.deepEqual(token.typeOptions, { password: true });
		assert.deepEqual(credential.authenticate, {
			type: 'generic',
			properties: { headers: { Authorization: '=Token {{$credentials.apiToken}}' } },
		});
		assert.equal(credential.test.request.url, '/users/me');
		assert.match(
			credential.test.request.baseURL,
			/\$credentials\.zone === "custom" \? \$credentials\.baseUrl/,
		);
		assert.deepEqual(
			credential.properties
				.find((property) => property.name === 'zone')
				.options.map((option) => option.value),
			['custom', 'eu1', 'eu2', 'us1', 'us2'],
		);
	});

	it('Make Backup GitHub API sends a Bearer token and tests with GET /user', () => {
		const credential = new MakeBackupGithubApi();
		assert.equal(credential.name, 'makeBackupGithubApi');
		assert.deepEqual(credential.authenticate.properties.headers, {
			Authorization: '=Bearer {{$credentials.accessToken}}',
		});
		assert.equal(credential.test.request.url, '/user');
	});

	it('are the credentials package.json lists', () => {
		assert.deepEqual(packageJson.n8n.credentials, [
			'dist/credentials/MakeApi.credentials.js',
			'dist/credentials/MakeBackupGithubApi.credentials.js',
		]);
		assert.deepEqual(
			packageJson.dependencies,
			undefined,
			'no runtime dependencies: the core is vendored',
		);
	});
});
