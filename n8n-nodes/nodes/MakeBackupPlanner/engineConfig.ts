import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { BackupConfig, BackupSource, RestoreMode, RestoreOptions } from './core';
import { makeBaseUrl } from './core';
import { PlannerError } from './errors';

/** The engine Config (src/protocol.md); fields left out take the engine's defaults. */
export type EngineConfig = BackupConfig;

export interface RunSettings {
	config: EngineConfig;
	seed: number;
}

function positiveId(value: unknown, label: string): number {
	if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
		throw new PlannerError('invalid-parameter', `${label} must be a positive whole number`, {
			description: `Set "${label}" to the numeric ID shown in the Make URL (got ${JSON.stringify(value)}).`,
		});
	}
	return value;
}

function requiredText(value: unknown, label: string): string {
	const text = typeof value === 'string' ? value.trim() : '';
	if (text === '') {
		throw new PlannerError('invalid-parameter', `${label} is empty`, {
			description: `Fill in "${label}" in the node settings.`,
		});
	}
	return text;
}

/** Make Zone / Make Base URL: where the Make API is (Run backup, Start run, Restore scenario). */
function readMakeLocation(
	ctx: IExecuteFunctions,
	itemIndex: number,
): Pick<BackupConfig['make'], 'zone' | 'baseUrl'> {
	const zone = ctx.getNodeParameter('makeZone', itemIndex) as string;
	if (zone === 'custom') {
		return {
			baseUrl: requiredText(ctx.getNodeParameter('makeBaseUrl', itemIndex), 'Make Base URL'),
		};
	}
	return { zone };
}

/** Repository Owner / Name / Branch and the GitHub API URL option: the backup repository. */
function readRepository(
	ctx: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
): BackupConfig['github'] {
	const github: BackupConfig['github'] = {
		owner: requiredText(ctx.getNodeParameter('githubOwner', itemIndex), 'Repository Owner'),
		repo: requiredText(ctx.getNodeParameter('githubRepo', itemIndex), 'Repository Name'),
		branch: requiredText(ctx.getNodeParameter('githubBranch', itemIndex, 'main'), 'Branch'),
	};
	if (options.githubApiUrl !== undefined) {
		github.apiUrl = requiredText(options.githubApiUrl, 'GitHub API URL');
	}
	return github;
}

/** Reads the run settings of item `itemIndex` into an engine Config. */
export function readRunSettings(ctx: IExecuteFunctions, itemIndex: number): RunSettings {
	const scope = ctx.getNodeParameter('scope', itemIndex) as string;
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;

	const make: BackupConfig['make'] = {};
	if (scope === 'organization') {
		make.organizationId = positiveId(
			ctx.getNodeParameter('organizationId', itemIndex),
			'Organization ID',
		);
	} else {
		make.teamId = positiveId(ctx.getNodeParameter('teamId', itemIndex), 'Team ID');
	}
	Object.assign(make, readMakeLocation(ctx, itemIndex));
	// Advanced options: only those the user added, so the engine's documented defaults apply otherwise.
	if (options.pageSize !== undefined) make.pageSize = options.pageSize as number;
	if (options.requestsPerMinute !== undefined) {
		make.requestsPerMinute = options.requestsPerMinute as number;
	}

	const github: BackupConfig['github'] = readRepository(ctx, itemIndex, options);
	if (options.committerName !== undefined || options.committerEmail !== undefined) {
		github.committer = {
			name: requiredText(options.committerName ?? 'Make.com Backup Bot', 'Committer Name'),
			email: requiredText(options.committerEmail ?? 'bot@example.com', 'Committer Email'),
		};
	}
	if (options.writesPerMinute !== undefined) {
		github.writesPerMinute = options.writesPerMinute as number;
	}

	const config: EngineConfig = {
		make,
		github,
		commitMode: ctx.getNodeParameter(
			'commitMode',
			itemIndex,
			'perScenario',
		) as BackupConfig['commitMode'],
		force: ctx.getNodeParameter('force', itemIndex, false) as boolean,
	};
	for (const key of [
		'backupHistoryLimit',
		'maxRetries',
		'maxWaitSeconds',
		'requestTimeoutMs',
		'staleAfterDays',
		'backfillMaxVersions',
	] as const) {
		if (options[key] !== undefined) config[key] = options[key] as number;
	}
	for (const key of ['auditReadme', 'dependencyInventory', 'checkDependencies', 'backfill'] as const) {
		if (options[key] !== undefined) config[key] = options[key] as boolean;
	}
	if (options.userAgent !== undefined)
		config.userAgent = requiredText(options.userAgent, 'User Agent');

	return { config, seed: (options.seed as number | undefined) ?? 0 };
}

/** A positive ID typed in or taken from an expression (a webhook body may carry it as a string). */
function expressionId(value: unknown, label: string): number {
	if (typeof value === 'string' && /^\s*\d+\s*$/.test(value))
		return positiveId(Number(value), label);
	return positiveId(value, label);
}

/** An optional ID: 0, empty or unset means "not set" (the engine's default applies). */
function optionalId(value: unknown, label: string): number | null {
	if (value === undefined || value === null || value === 0 || value === '') return null;
	return expressionId(value, label);
}

/** Reads Verify Backup's settings: the repository (and branch) to check, and the stale threshold. */
export function readVerifySettings(
	ctx: IExecuteFunctions,
	itemIndex: number,
): { source: BackupSource; staleAfterHours: number } {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const github = readRepository(ctx, itemIndex, options);
	const source: BackupSource = { owner: github.owner, repo: github.repo, gitRef: github.branch };
	if (github.apiUrl !== undefined) source.apiUrl = github.apiUrl;
	const hours = options.staleAfterHours ?? 26;
	if (typeof hours !== 'number' || !Number.isInteger(hours) || hours < 0) {
		throw new PlannerError('invalid-parameter', 'Stale After (Hours) must be a whole number of hours', {
			description: `Set "Stale After (Hours)" under Options to 0 or more (got ${JSON.stringify(hours)}).`,
		});
	}
	return { source, staleAfterHours: hours };
}

const RESTORE_MODES: RestoreMode[] = ['create', 'overwrite'];

export interface RestoreSettings {
	/** The backed-up scenario: its files are scenarios/{id}/blueprint.json and metadata.json. */
	scenarioId: number;
	/** The backup repository and the ref to read (Git Ref, else the backup Branch). */
	source: BackupSource;
	options: RestoreOptions;
}

/**
 * Reads the restore settings of item `itemIndex`. The Make API root and the repository come from the
 * same parameters Run backup reads (Make Zone / Base URL, Repository Owner / Name / Branch, the GitHub
 * API URL option); the core turns the zone into the API root exactly as it does for a backup.
 */
export function readRestoreSettings(ctx: IExecuteFunctions, itemIndex: number): RestoreSettings {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const scenarioId = expressionId(ctx.getNodeParameter('scenarioId', itemIndex), 'Scenario ID');
	const mode = ctx.getNodeParameter('restoreMode', itemIndex, 'create') as RestoreMode;
	if (!RESTORE_MODES.includes(mode)) {
		throw new PlannerError('invalid-parameter', `Mode must be "create" or "overwrite"`, {
			description: `Set "Mode" to Create New Scenario or Overwrite Existing Scenario (got ${JSON.stringify(mode)}).`,
		});
	}
	const start = ctx.getNodeParameter('startAfterRestore', itemIndex, false);
	if (typeof start !== 'boolean') {
		throw new PlannerError('invalid-parameter', 'Start After Restore must be true or false', {
			description: `An expression in "Start After Restore" must give a boolean (got ${JSON.stringify(start)}).`,
		});
	}
	const github = readRepository(ctx, itemIndex, options);
	const make = readMakeLocation(ctx, itemIndex);
	const gitRefParameter = ctx.getNodeParameter('gitRef', itemIndex, '') as unknown;
	if (
		gitRefParameter !== null &&
		gitRefParameter !== undefined &&
		typeof gitRefParameter !== 'string'
	) {
		throw new PlannerError('invalid-parameter', 'Git Ref must be text', {
			description: `Set "Git Ref" to a commit SHA, branch or tag, or leave it empty (got ${JSON.stringify(gitRefParameter)}).`,
		});
	}
	const gitRef = (gitRefParameter ?? '').trim();

	const source: BackupSource = {
		owner: github.owner,
		repo: github.repo,
		gitRef: gitRef || github.branch,
	};
	if (github.apiUrl !== undefined) source.apiUrl = github.apiUrl;
	return {
		scenarioId,
		source,
		options: {
			makeBaseUrl: makeBaseUrl({ make, github }),
			mode,
			teamId: optionalId(options.teamId, 'Team ID'),
			folderId: optionalId(options.folderId, 'Folder ID'),
			targetScenarioId:
				mode === 'overwrite'
					? optionalId(ctx.getNodeParameter('targetScenarioId', itemIndex, 0), 'Target Scenario ID')
					: null,
			start,
		},
	};
}
