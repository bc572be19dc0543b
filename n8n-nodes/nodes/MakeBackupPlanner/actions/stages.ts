import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { RenderedFile, StateAdvance } from '../core';
import { nextStateFile, planCommit, renderFiles, selectScenarios } from '../core';
import { PlannerError } from '../errors';

/**
 * The stages of a run as separate operations, for people who build their own flow: each one is a pure
 * function of the core (the same code the engine runs), fed from node parameters, per item.
 */
export const STAGE_OPERATIONS = ['selectScenarios', 'renderFiles', 'planCommit', 'updateState'];

const show = (...operation: string[]) => ({ show: { operation } });

export const stageProperties: INodeProperties[] = [
	{
		displayName: 'Scenario List Pages',
		name: 'scenarioPages',
		type: 'string',
		required: true,
		default: '',
		placeholder: '={{ $json.pages }}',
		description:
			'Body of GET /scenarios (one page), or a list of page bodies. Pass the text exactly as received.',
		displayOptions: show('selectScenarios'),
	},
	{
		displayName: 'Backup State',
		name: 'backupState',
		type: 'string',
		default: '',
		description:
			"Text of the repository's backup state file; empty when there is none yet. An unreadable state counts as empty.",
		displayOptions: show('selectScenarios', 'renderFiles', 'updateState'),
	},
	{
		displayName: 'Inventory Complete',
		name: 'inventoryComplete',
		type: 'boolean',
		default: true,
		description:
			'Whether every list page was read; only then are scenarios missing from the list marked deleted',
		displayOptions: show('selectScenarios'),
	},
	{
		displayName: 'Force Full Backup',
		name: 'forceAll',
		type: 'boolean',
		default: false,
		description: 'Whether to select every listed scenario even when it is unchanged',
		displayOptions: show('selectScenarios'),
	},
	{
		displayName: 'Scenario Listing',
		name: 'scenarioListing',
		type: 'string',
		required: true,
		default: '',
		placeholder: '={{ $json.scenario }}',
		description: 'The scenario as GET /scenarios listed it (JSON text or object)',
		displayOptions: show('renderFiles'),
	},
	{
		displayName: 'Blueprint Source',
		name: 'blueprintSource',
		type: 'options',
		options: [
			{
				name: 'Binary Property',
				value: 'binary',
				description: 'The HTTP Request output with Response Format = File (byte-exact)',
			},
			{ name: 'Text', value: 'text', description: 'The body as a text parameter' },
		],
		default: 'binary',
		displayOptions: show('renderFiles'),
	},
	{
		displayName: 'Blueprint Binary Property',
		name: 'blueprintBinaryProperty',
		type: 'string',
		default: 'data',
		description: 'Binary property holding the body of GET /scenarios/{ID}/blueprint',
		displayOptions: { show: { operation: ['renderFiles'], blueprintSource: ['binary'] } },
	},
	{
		displayName: 'Blueprint Reply',
		name: 'blueprintReply',
		type: 'string',
		default: '',
		description: 'Body of GET /scenarios/{ID}/blueprint, exactly as received',
		displayOptions: { show: { operation: ['renderFiles'], blueprintSource: ['text'] } },
	},
	{
		displayName: 'Previous Metadata',
		name: 'previousMetadata',
		type: 'string',
		default: '',
		description:
			"Text of the scenario's current metadata file in the repository (its backup history carries forward); empty for a new scenario",
		displayOptions: show('renderFiles'),
	},
	{
		displayName: 'Organization ID',
		name: 'metadataOrganizationId',
		type: 'number',
		default: 0,
		description: 'Organization ID written to the metadata file (0 = unknown)',
		displayOptions: show('renderFiles'),
	},
	{
		displayName: 'Backup History Limit',
		name: 'historyLimit',
		type: 'number',
		default: 100,
		description: 'Entries kept in the backup history of the metadata file',
		displayOptions: show('renderFiles'),
	},
	{
		displayName: 'Scenario ID',
		name: 'planScenarioId',
		type: 'number',
		required: true,
		default: 0,
		displayOptions: show('planCommit'),
	},
	{
		displayName: 'Scenario Name',
		name: 'planScenarioName',
		type: 'string',
		default: '',
		description: 'Goes into the commit message "Backup scenario {ID}: {name}"',
		displayOptions: show('planCommit'),
	},
	{
		displayName: 'Files',
		name: 'planFiles',
		type: 'json',
		required: true,
		default: '[]',
		placeholder: '={{ $json.files }}',
		description: 'The files of Render Files: [{ path, content, blobSha, size }]',
		displayOptions: show('planCommit'),
	},
	{
		displayName: 'Tree Listing',
		name: 'treeListing',
		type: 'string',
		default: '',
		description:
			'Body of GET git/trees/{SHA}?recursive=1 of the branch head; files with the same blob are dropped. Empty = write all.',
		displayOptions: show('planCommit'),
	},
	{
		displayName: 'Base Tree SHA',
		name: 'baseTree',
		type: 'string',
		required: true,
		default: '',
		description: 'Tree SHA of the commit the new commit builds on',
		displayOptions: show('planCommit'),
	},
	{
		displayName: 'State Advances',
		name: 'stateAdvances',
		type: 'json',
		default: '[]',
		description:
			'Backups that landed: [{ scenarioId, name, lastEdit, teamId, blueprintSha, metadataSha, fingerprint, commit }]',
		displayOptions: show('updateState'),
	},
	{
		displayName: 'Deleted Scenario IDs',
		name: 'deletedScenarioIds',
		type: 'json',
		default: '[]',
		description: 'Scenarios to mark deleted in the state, e.g. [12, 34]',
		displayOptions: show('updateState'),
	},
	{
		displayName: 'Backup Timestamp',
		name: 'backupTimestamp',
		type: 'string',
		default: '',
		placeholder: '2026-11-23T02:00:00.000Z',
		description: 'RFC 3339 time of this backup; empty = now',
		displayOptions: show('renderFiles', 'updateState'),
	},
];

/** A JSON parameter: parsed when it arrives as text, taken as is when an expression produced a value. */
function jsonParameter(
	ctx: IExecuteFunctions,
	name: string,
	label: string,
	itemIndex: number,
): unknown {
	const value = ctx.getNodeParameter(name, itemIndex);
	if (typeof value !== 'string') return value;
	let problem: string | undefined;
	let parsed: unknown;
	try {
		parsed = JSON.parse(value) as unknown;
	} catch (error) {
		problem = (error as Error).message;
	}
	if (problem !== undefined) {
		throw new PlannerError('invalid-parameter', `${label} is not valid JSON`, {
			description: `Set "${label}" to JSON text or to an expression that returns the value (${problem}).`,
		});
	}
	return parsed;
}

/** A text parameter; objects (e.g. from a JSON-parsing node) are turned back into JSON text. */
function textParameter(ctx: IExecuteFunctions, name: string, itemIndex: number): string {
	const value = ctx.getNodeParameter(name, itemIndex, '') as unknown;
	if (value === null || value === undefined) return '';
	return typeof value === 'string' ? value : JSON.stringify(value);
}

const optionalText = (text: string): string | null => (text.trim() === '' ? null : text);

function timestamp(ctx: IExecuteFunctions, itemIndex: number): string {
	const text = textParameter(ctx, 'backupTimestamp', itemIndex).trim();
	if (text === '') return new Date().toISOString();
	if (Number.isNaN(Date.parse(text))) {
		throw new PlannerError('invalid-parameter', `Backup Timestamp "${text}" is not a date`, {
			description:
				'Use an RFC 3339 timestamp such as 2026-11-23T02:00:00.000Z, or leave it empty for now.',
		});
	}
	return text;
}

/** Files as the engine renders them, plus base64 (for the contents API or a binary download). */
function withBase64(file: RenderedFile): IDataObject {
	return { ...file, base64: Buffer.from(file.content, 'utf8').toString('base64') };
}

/** Runs one stage for item `itemIndex`; returns the JSON of the output items (all paired with it). */
export async function runStage(
	this: IExecuteFunctions,
	operation: string,
	itemIndex: number,
	item: INodeExecutionData,
): Promise<IDataObject[]> {
	switch (operation) {
		case 'selectScenarios': {
			const pages = this.getNodeParameter('scenarioPages', itemIndex) as unknown;
			const list = (Array.isArray(pages) ? pages : [pages]).map((page) =>
				typeof page === 'string' ? page : JSON.stringify(page),
			);
			const verdicts = selectScenarios({
				pages: list,
				state: optionalText(textParameter(this, 'backupState', itemIndex)),
				inventoryComplete: this.getNodeParameter('inventoryComplete', itemIndex, true) as boolean,
				force: this.getNodeParameter('forceAll', itemIndex, false) as boolean,
			});
			return verdicts.map((verdict) => ({ ...verdict }));
		}
		case 'renderFiles': {
			const source = this.getNodeParameter('blueprintSource', itemIndex, 'binary') as string;
			let blueprintReply: string;
			if (source === 'binary') {
				const property = this.getNodeParameter(
					'blueprintBinaryProperty',
					itemIndex,
					'data',
				) as string;
				if (item.binary?.[property] === undefined) {
					throw new PlannerError(
						'missing-binary',
						`The item has no binary property "${property}"`,
						{
							description:
								'Feed the output of an HTTP Request node with Response Format = File, or switch Blueprint Source to Text.',
						},
					);
				}
				blueprintReply = (await this.helpers.getBinaryDataBuffer(itemIndex, property)).toString(
					'utf8',
				);
			} else {
				blueprintReply = textParameter(this, 'blueprintReply', itemIndex);
			}
			const organizationId = this.getNodeParameter(
				'metadataOrganizationId',
				itemIndex,
				0,
			) as number;
			const files = renderFiles({
				listing: textParameter(this, 'scenarioListing', itemIndex),
				blueprintReply,
				previousMetadata: optionalText(textParameter(this, 'previousMetadata', itemIndex)),
				state: optionalText(textParameter(this, 'backupState', itemIndex)),
				organizationId: organizationId > 0 ? organizationId : null,
				now: timestamp(this, itemIndex),
				backupHistoryLimit: this.getNodeParameter('historyLimit', itemIndex, 100) as number,
			});
			const scenarioId = Number(/^scenarios\/(\d+)\//.exec(files[0]?.path ?? '')?.[1]);
			return [{ scenarioId, files: files.map(withBase64) }];
		}
		case 'planCommit': {
			const files = jsonParameter(this, 'planFiles', 'Files', itemIndex);
			if (!Array.isArray(files)) {
				throw new PlannerError('invalid-parameter', 'Files must be a list of rendered files', {
					description: 'Use the "files" of a Render Files item, e.g. {{ $json.files }}.',
				});
			}
			const plan = planCommit({
				scenarioId: this.getNodeParameter('planScenarioId', itemIndex) as number,
				name: textParameter(this, 'planScenarioName', itemIndex),
				// base64 is this node's addition; the core takes the rendered file fields.
				files: (files as IDataObject[]).map(({ path, content, blobSha, size }) => ({
					path,
					content,
					blobSha,
					size,
				})) as RenderedFile[],
				treeListing: optionalText(textParameter(this, 'treeListing', itemIndex)),
				baseTree: textParameter(this, 'baseTree', itemIndex).trim(),
			});
			return [{ ...plan, files: plan.files.map(withBase64) }];
		}
		default: {
			const advances = jsonParameter(this, 'stateAdvances', 'State Advances', itemIndex);
			const deleted = jsonParameter(this, 'deletedScenarioIds', 'Deleted Scenario IDs', itemIndex);
			if (!Array.isArray(advances) || !Array.isArray(deleted)) {
				throw new PlannerError(
					'invalid-parameter',
					'State Advances and Deleted Scenario IDs must be lists',
					{
						description: 'Use JSON arrays, e.g. [] when nothing was deleted.',
					},
				);
			}
			const file = nextStateFile({
				state: optionalText(textParameter(this, 'backupState', itemIndex)),
				advances: advances as StateAdvance[],
				deleted: deleted as number[],
				now: timestamp(this, itemIndex),
			});
			return [withBase64(file)];
		}
	}
}
