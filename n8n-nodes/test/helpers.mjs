// A mocked IExecuteFunctions for the Make Backup Planner node, and a tiny scripted HTTP world.
// Tests run against the built package (dist/), the same files n8n loads.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const {
	MakeBackupPlanner,
} = require('../dist/nodes/MakeBackupPlanner/MakeBackupPlanner.node.js');
export const { MakeApi } = require('../dist/credentials/MakeApi.credentials.js');
export const {
	MakeBackupGithubApi,
} = require('../dist/credentials/MakeBackupGithubApi.credentials.js');
export const {
	liveRunCount,
	STATIC_DATA_KEY,
} = require('../dist/nodes/MakeBackupPlanner/runStore.js');
export const { NodeOperationError } = require('n8n-workflow');

export const NOW = '2026-11-23T02:00:00.000Z';
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Node parameters of a team backup into acme/make-backup on eu1, as a user would set them. */
export const START_PARAMETERS = {
	operation: 'startRun',
	scope: 'team',
	teamId: 154819,
	makeZone: 'eu1',
	githubOwner: 'acme',
	githubRepo: 'make-backup',
	githubBranch: 'main',
	commitMode: 'perScenario',
	force: false,
	options: {},
};

/**
 * A mocked execution context.
 *   items:      input items ({json, binary?})
 *   parameters: node parameters, or a function (name, itemIndex) → value for per-item values
 *   buffers:    { [itemIndex]: Buffer } returned by getBinaryDataBuffer
 *   http:       async (credentialType, options) → response (Run Backup)
 *   staticData: shared workflow static data object
 */
export function mockContext({
	items,
	parameters,
	buffers = {},
	http,
	staticData = {},
	continueOnFail = false,
}) {
	const calls = { binary: [], http: [], logs: [] };
	const node = {
		id: 'node-1',
		name: 'Make Backup Planner',
		type: 'n8n-nodes-make-backup.makeBackupPlanner',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const context = {
		calls,
		staticData,
		getInputData: () => items,
		getNode: () => node,
		continueOnFail: () => continueOnFail,
		getWorkflowStaticData: (type) => {
			if (type !== 'global') throw new Error(`unexpected static data type ${type}`);
			return staticData;
		},
		getExecutionCancelSignal: () => undefined,
		getNodeParameter(name, itemIndex, fallback) {
			const value =
				typeof parameters === 'function' ? parameters(name, itemIndex) : parameters[name];
			if (value !== undefined) return value;
			if (fallback !== undefined) return fallback;
			throw new Error(`parameter ${name} not set`);
		},
		logger: { info: (message) => calls.logs.push(message), warn() {}, error() {}, debug() {} },
		helpers: {
			async getBinaryDataBuffer(itemIndex, propertyName) {
				calls.binary.push([itemIndex, propertyName]);
				const buffer = buffers[itemIndex];
				if (buffer === undefined) throw new Error(`no binary for item ${itemIndex}`);
				return buffer;
			},
			async httpRequestWithAuthentication(credentialType, options) {
				calls.http.push([credentialType, structuredClone(options)]);
				return http(credentialType, options);
			},
		},
	};
	return context;
}

export async function execute(context) {
	return new MakeBackupPlanner().execute.call(context);
}

/** The merged item the loop workflow hands to Continue Run: cursor + HTTP Request (File format) output. */
export function mergedItem(
	cursor,
	status,
	headers = { 'content-type': 'application/json; charset=utf-8' },
) {
	return {
		json: { ...cursor, headers, statusCode: status, statusMessage: 'x' },
		binary: { data: { data: 'filesystem-v2', mimeType: 'application/json', fileName: 'data' } },
	};
}

const sha = (digit) => digit.repeat(40);

/**
 * A one-scenario Make organization and an empty-ish repository, as scripted replies. The blueprint
 * holds a 20-digit number: it must reach the repository digit for digit (no JSON re-parsing on the way).
 */
export const WORLD_REPLIES = [
	[
		/^GET .*\/branches\/main$/,
		200,
		`{"name":"main","commit":{"sha":"${sha('1')}","commit":{"tree":{"sha":"${sha('2')}"}}}}`,
	],
	[
		/^GET .*\/git\/trees\/2{40}\?recursive=1$/,
		200,
		`{"sha":"${sha('2')}","tree":[{"path":"README.md","mode":"100644","type":"blob","sha":"${sha('9')}","size":24}],"truncated":false}`,
	],
	[
		// The look past the short first page: the list ended.
		/^GET .*\/scenarios\?teamId=154819&pg%5Boffset%5D=1&/,
		200,
		'{"scenarios":[],"pg":{"offset":1,"limit":500}}',
	],
	[
		/^GET .*\/scenarios\?teamId=154819/,
		200,
		'{"scenarios":[{"id":5,"name":"Invoice  intake","teamId":154819,"folderId":null,"description":"","lastEdit":"2026-11-20T10:00:00.000Z","created":"2026-01-01T00:00:00.000Z","isActive":true,"isPaused":false,"nextExec":"2026-11-23T02:15:00.000Z"}],"pg":{"offset":0,"limit":500}}',
	],
	[
		/^GET .*\/scenarios\/5\/blueprint\?draft=false$/,
		200,
		'{"code":"OK","response":{"blueprint":{"name":"Invoice intake","flow":[{"id":1,"module":"gateway:CustomWebHook","parameters":{"hook":12345678901234567890}}],"metadata":{"version":1}},"scheduling":{"type":"immediately"},"idSequence":2}}',
	],
	[
		// The repository's own README.md (a person's: no generated marker), read once.
		/^GET .*\/git\/blobs\/9{40}$/,
		200,
		`{"sha":"${sha('9')}","size":24,"encoding":"base64","content":"${Buffer.from('# Backups of our Make.com\n').toString('base64')}\\n"}`,
	],
	[/^POST .*\/git\/trees$/, 201, null],
	[/^POST .*\/git\/commits$/, 201, null],
	[
		/^PATCH .*\/git\/refs\/heads\/main$/,
		200,
		`{"ref":"refs/heads/main","object":{"sha":"${sha('c')}"}}`,
	],
];

/** Answers a planned request from WORLD_REPLIES; created objects get SHAs a, b, c… in order. */
export function worldResponder() {
	let created = 0;
	const seen = [];
	return {
		seen,
		reply(method, url, body) {
			seen.push({ method, url, body });
			const key = `${method} ${url}`;
			const match = WORLD_REPLIES.find(([pattern]) => pattern.test(key));
			if (!match) return { status: 404, body: '{"message":"Not Found"}' };
			const [, status, text] = match;
			if (text !== null) return { status, body: text };
			created += 1;
			return { status, body: `{"sha":"${String.fromCharCode(96 + created).repeat(40)}"}` };
		},
	};
}
