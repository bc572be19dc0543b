import type { INodeProperties } from 'n8n-workflow';

/** Operations that start or drive a run from node parameters (they need the run settings below). */
const RUN_SETTINGS_OPERATIONS = ['startRun', 'runBackup'];

/** Operations that reach the Make API and the backup repository (zone / base URL and repository). */
const LOCATION_OPERATIONS = [...RUN_SETTINGS_OPERATIONS, 'restoreScenario'];

/** Operations that read the backup repository (owner, name, branch). */
const REPOSITORY_OPERATIONS = [...LOCATION_OPERATIONS, 'verifyBackup'];

export const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Continue Run',
			value: 'continueRun',
			description:
				'Feed the HTTP Request response (merged with the run cursor) or a finished wait back into the run; emits the next request, a wait, or the summary',
			action: 'Continue a backup run',
		},
		{
			name: 'Plan Commit',
			value: 'planCommit',
			description: 'Stage: plan the GitHub writes that commit rendered files',
			action: 'Plan a commit',
		},
		{
			name: 'Render Files',
			value: 'renderFiles',
			description: 'Stage: render the blueprint and metadata files of one scenario',
			action: 'Render scenario files',
		},
		{
			name: 'Restore Scenario',
			value: 'restoreScenario',
			description:
				'Create (or overwrite) a Make scenario from its backup at any commit through the Make API and GitHub credentials, and check Make serves the backed-up blueprint',
			action: 'Restore a scenario from the backup',
		},
		{
			name: 'Run Backup',
			value: 'runBackup',
			description:
				'Run the whole backup inside this node through the Make API and GitHub credentials; emits the summary',
			action: 'Run a complete backup',
		},
		{
			name: 'Select Scenarios',
			value: 'selectScenarios',
			description: 'Stage: decide which listed scenarios need a backup, from the backup state',
			action: 'Select scenarios to back up',
		},
		{
			name: 'Start Run',
			value: 'startRun',
			description:
				'Start a backup run from the settings below; emits the first request for the HTTP Request nodes',
			action: 'Start a backup run',
		},
		{
			name: 'Update State',
			value: 'updateState',
			description: 'Stage: compute the next backup state file after commits landed',
			action: 'Update the backup state',
		},
		{
			name: 'Verify Backup',
			value: 'verifyBackup',
			description:
				'Check the backup repository against its backup state file through the GitHub credential: missing or altered files, untracked files, stale entries; emits the report (healthy, degraded or critical)',
			action: 'Verify the backup repository',
		},
	],
	default: 'startRun',
};

const showForRunSettings = { show: { operation: RUN_SETTINGS_OPERATIONS } };
const showForLocation = { show: { operation: LOCATION_OPERATIONS } };
const showForRestore = { show: { operation: ['restoreScenario'] } };
const showForRepository = { show: { operation: REPOSITORY_OPERATIONS } };
const showForVerify = { show: { operation: ['verifyBackup'] } };

/** Shared by the backup and the restore options: both read the repository through the same API root. */
const githubApiUrlOption: INodeProperties = {
	displayName: 'GitHub API URL',
	name: 'githubApiUrl',
	type: 'string',
	default: 'https://api.github.com',
	description:
		'GitHub REST API root; change it for GitHub Enterprise Server (https://HOST/api/v3) or a test double',
};

export const runSettingsProperties: INodeProperties[] = [
	{
		displayName: 'Scope',
		name: 'scope',
		type: 'options',
		options: [
			{ name: 'Team', value: 'team', description: 'Back up the scenarios of one team' },
			{
				name: 'Organization',
				value: 'organization',
				description: 'Back up the scenarios of every team of an organization',
			},
		],
		default: 'team',
		displayOptions: showForRunSettings,
	},
	{
		displayName: 'Team ID',
		name: 'teamId',
		type: 'number',
		required: true,
		default: 0,
		description: 'Make team ID (in the Make URL: /team/{ID}/…)',
		displayOptions: { show: { operation: RUN_SETTINGS_OPERATIONS, scope: ['team'] } },
	},
	{
		displayName: 'Organization ID',
		name: 'organizationId',
		type: 'number',
		required: true,
		default: 0,
		description: 'Make organization ID (in the Make URL: /organization/{ID}/…)',
		displayOptions: { show: { operation: RUN_SETTINGS_OPERATIONS, scope: ['organization'] } },
	},
	{
		displayName: 'Make Zone',
		name: 'makeZone',
		type: 'options',
		options: [
			{ name: 'Custom Base URL', value: 'custom' },
			{ name: 'EU1 (Eu1.make.com)', value: 'eu1' },
			{ name: 'EU2 (Eu2.make.com)', value: 'eu2' },
			{ name: 'US1 (Us1.make.com)', value: 'us1' },
			{ name: 'US2 (Us2.make.com)', value: 'us2' },
		],
		default: 'eu1',
		description:
			'Zone of the Make organization; must match the zone of the Make API credential, or the token is rejected',
		displayOptions: showForLocation,
	},
	{
		displayName: 'Make Base URL',
		name: 'makeBaseUrl',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'https://eu1.make.com/api/v2',
		description: 'Make API base URL including /api/v2 (e.g. a private zone or a test double)',
		displayOptions: { show: { operation: LOCATION_OPERATIONS, makeZone: ['custom'] } },
	},
	{
		displayName: 'Repository Owner',
		name: 'githubOwner',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'acme',
		description: 'GitHub user or organization that owns the backup repository',
		displayOptions: showForRepository,
	},
	{
		displayName: 'Repository Name',
		name: 'githubRepo',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'make-backup',
		displayOptions: showForRepository,
	},
	{
		displayName: 'Branch',
		name: 'githubBranch',
		type: 'string',
		default: 'main',
		description:
			'Branch the backup commits go to; Restore Scenario reads from it when Git Ref is empty',
		displayOptions: showForRepository,
	},
	{
		displayName: 'Commit Mode',
		name: 'commitMode',
		type: 'options',
		options: [
			{
				name: 'One Commit per Scenario',
				value: 'perScenario',
				description: 'Commit message "Backup scenario {ID}: {name}"',
			},
			{ name: 'One Commit per Run', value: 'perRun', description: 'Fewer GitHub writes' },
		],
		default: 'perScenario',
		displayOptions: showForRunSettings,
	},
	{
		displayName: 'Force Full Backup',
		name: 'force',
		type: 'boolean',
		default: false,
		description:
			'Whether to back up every listed scenario even when it is unchanged since the last backup',
		displayOptions: showForRunSettings,
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: showForRunSettings,
		options: [
			{
				displayName: 'Audit README',
				name: 'auditReadme',
				type: 'boolean',
				default: true,
				description:
					'Whether to keep a generated audit report (per folder: status, last edit, last backup; coverage) as README.md of the backup repository; a README.md written by a person is left alone and the report goes to inventory/README.md',
			},
			{
				displayName: 'Backfill History',
				name: 'backfill',
				type: 'boolean',
				default: false,
				description:
					'Whether to import the older versions Make keeps (last 60 days) as dated commits before the first backup of each scenario',
			},
			{
				displayName: 'Backfill Max Versions',
				name: 'backfillMaxVersions',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 100 },
				default: 20,
				description: 'At most this many older versions (the newest) are imported per scenario',
			},
			{
				displayName: 'Backup History Limit',
				name: 'backupHistoryLimit',
				type: 'number',
				default: 100,
				description: 'Entries kept in the backup history of each scenario metadata file',
			},
			{
				displayName: 'Check Dependencies in Make',
				name: 'checkDependencies',
				type: 'boolean',
				default: false,
				description:
					'Whether to compare the dependency inventory with Make\'s lists of connections, webhooks, data stores, data structures, keys and devices on every run (names and types only), flagging deleted ones; a list the token has no scope for stays unchecked',
			},
			{
				displayName: 'Committer Email',
				name: 'committerEmail',
				type: 'string',
				placeholder: 'name@email.com',
				default: 'bot@example.com',
			},
			{
				displayName: 'Committer Name',
				name: 'committerName',
				type: 'string',
				default: 'Make.com Backup Bot',
			},
			{
				displayName: 'Dependency Inventory',
				name: 'dependencyInventory',
				type: 'boolean',
				default: true,
				description:
					'Whether to keep a dependency inventory in the repository (inventory folder): the connections, webhooks, data stores, keys and data structures each scenario uses, and which scenarios use each',
			},
			githubApiUrlOption,
			{
				displayName: 'GitHub Writes per Minute',
				name: 'writesPerMinute',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 80,
				description:
					'Pacing budget for POST/PATCH/PUT requests to GitHub (GitHub asks for at most 80 content-creating requests per minute)',
			},
			{
				displayName: 'Make Requests per Minute',
				name: 'requestsPerMinute',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 60,
				description:
					'Pacing budget for Make API requests (Make plans allow 60 to 1,000 per minute)',
			},
			{
				displayName: 'Max Retries',
				name: 'maxRetries',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 3,
				description: 'Retries of a failed request, with 1 s, 2 s, 4 s … backoff',
			},
			{
				displayName: 'Max Wait (Seconds)',
				name: 'maxWaitSeconds',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 900,
				description:
					'A single wait longer than this (e.g. a far rate-limit reset) stops the run with a resumable summary',
			},
			{
				displayName: 'Page Size',
				name: 'pageSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 10000 },
				default: 500,
				description: 'Scenarios per page when listing them (pg[limit])',
			},
			{
				displayName: 'Request Timeout (Ms)',
				name: 'requestTimeoutMs',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 30000,
				description: 'Timeout of every planned request in milliseconds',
			},
			{
				displayName: 'Retry Jitter Seed',
				name: 'seed',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description: 'Seed of the retry jitter; the same seed gives the same waits',
			},
			{
				displayName: 'Stale After (Days)',
				name: 'staleAfterDays',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 30,
				description: 'A backup that has not matched Make for longer than this counts as stale in the coverage figures',
			},
			{
				displayName: 'User Agent',
				name: 'userAgent',
				type: 'string',
				default: 'make-backup-planner',
				description: 'User-Agent header of every request (GitHub rejects requests without one)',
			},
		],
	},
];

export const continueRunProperties: INodeProperties[] = [
	{
		displayName: 'Response Binary Property',
		name: 'responseBinaryProperty',
		type: 'string',
		default: 'data',
		description:
			'Binary property holding the exact response body: the "Put Output in Field" of the HTTP Request nodes with Response Format = File',
		displayOptions: { show: { operation: ['continueRun'] } },
	},
];

/** Restore Scenario: which backup to restore and how (shown before the Make and repository settings). */
export const restoreProperties: INodeProperties[] = [
	{
		displayName: 'Scenario ID',
		name: 'scenarioId',
		type: 'number',
		required: true,
		default: 0,
		description:
			'ID of the backed-up scenario (its folder under scenarios/ in the backup repository); behind a webhook, an expression reading scenarioId from the request body',
		displayOptions: showForRestore,
	},
	{
		displayName: 'Git Ref',
		name: 'gitRef',
		type: 'string',
		default: '',
		placeholder: 'e.g. 3f2c1a9 or main',
		description:
			'Commit SHA, branch or tag to restore from; empty restores the latest backup on the Branch below',
		displayOptions: showForRestore,
	},
	{
		displayName: 'Mode',
		name: 'restoreMode',
		type: 'options',
		options: [
			{
				name: 'Create New Scenario',
				value: 'create',
				description: 'Create a new, inactive scenario in the team of the backup',
			},
			{
				name: 'Overwrite Existing Scenario',
				value: 'overwrite',
				description: 'Replace the blueprint and scheduling of an existing scenario (same ID)',
			},
		],
		default: 'create',
		displayOptions: showForRestore,
	},
	{
		displayName: 'Target Scenario ID',
		name: 'targetScenarioId',
		type: 'number',
		default: 0,
		description: 'Scenario to overwrite; 0 overwrites the backed-up scenario itself (same ID)',
		displayOptions: { show: { operation: ['restoreScenario'], restoreMode: ['overwrite'] } },
	},
	{
		displayName: 'Start After Restore',
		name: 'startAfterRestore',
		type: 'boolean',
		default: false,
		description:
			'Whether to start (activate) the scenario after the restore; otherwise a created scenario stays inactive until you start it in Make',
		displayOptions: showForRestore,
	},
];

/** Restore Scenario's options: overrides of where the scenario goes, and the GitHub API root. */
export const restoreOptionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	displayOptions: showForRestore,
	options: [
		{
			displayName: 'Folder ID',
			name: 'folderId',
			type: 'number',
			default: 0,
			description:
				"Folder to put the scenario in; 0 keeps the backup's folder (create, same team) or the current one (overwrite)",
		},
		githubApiUrlOption,
		{
			displayName: 'Team ID',
			name: 'teamId',
			type: 'number',
			default: 0,
			description:
				"Team to create the scenario in; 0 uses the team recorded in the backup's metadata file",
		},
	],
};

/** Verify Backup's options. */
export const verifyOptionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	displayOptions: showForVerify,
	options: [
		githubApiUrlOption,
		{
			displayName: 'Stale After (Hours)',
			name: 'staleAfterHours',
			type: 'number',
			default: 26,
			description: 'A scenario whose last backup evidence is older than this is reported as stale',
		},
	],
};
