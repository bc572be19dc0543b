import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { BackupConfig } from './core';
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

/** Reads the run settings of item `itemIndex` into an engine Config. */
export function readRunSettings(ctx: IExecuteFunctions, itemIndex: number): RunSettings {
	const scope = ctx.getNodeParameter('scope', itemIndex) as string;
	const zone = ctx.getNodeParameter('makeZone', itemIndex) as string;
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
	if (zone === 'custom') {
		make.baseUrl = requiredText(ctx.getNodeParameter('makeBaseUrl', itemIndex), 'Make Base URL');
	} else {
		make.zone = zone;
	}
	// Advanced options: only those the user added, so the engine's documented defaults apply otherwise.
	if (options.pageSize !== undefined) make.pageSize = options.pageSize as number;
	if (options.requestsPerMinute !== undefined) {
		make.requestsPerMinute = options.requestsPerMinute as number;
	}

	const github: BackupConfig['github'] = {
		owner: requiredText(ctx.getNodeParameter('githubOwner', itemIndex), 'Repository Owner'),
		repo: requiredText(ctx.getNodeParameter('githubRepo', itemIndex), 'Repository Name'),
		branch: requiredText(ctx.getNodeParameter('githubBranch', itemIndex, 'main'), 'Branch'),
	};
	if (options.githubApiUrl !== undefined) {
		github.apiUrl = requiredText(options.githubApiUrl, 'GitHub API URL');
	}
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
	] as const) {
		if (options[key] !== undefined) config[key] = options[key] as number;
	}
	if (options.userAgent !== undefined)
		config.userAgent = requiredText(options.userAgent, 'User Agent');

	return { config, seed: (options.seed as number | undefined) ?? 0 };
}
