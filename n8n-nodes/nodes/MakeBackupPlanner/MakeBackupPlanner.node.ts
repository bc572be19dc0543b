import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { continueRun, startRun } from './actions/loop';
import { restoreScenario } from './actions/restore';
import { verifyBackup } from './actions/verify';
import { runBackup } from './actions/runBackup';
import { STAGE_OPERATIONS, stageProperties, runStage } from './actions/stages';
import {
	continueRunProperties,
	operationProperty,
	restoreOptionsProperty,
	restoreProperties,
	verifyOptionsProperty,
	runSettingsProperties,
} from './description';
import { errorItemJson, toNodeOperationError } from './errors';

export class MakeBackupPlanner implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Make Backup Planner',
		name: 'makeBackupPlanner',
		icon: { light: 'file:makeBackupPlanner.svg', dark: 'file:makeBackupPlanner.dark.svg' },
		group: ['transform'],
		version: [1],
		subtitle: '={{ $parameter["operation"] }}',
		description:
			'Plans incremental backups of Make.com scenarios into a GitHub repository (the HTTP Request nodes perform the requests it plans) and restores scenarios from them',
		defaults: {
			name: 'Make Backup Planner',
		},
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [
			{
				name: 'makeApi',
				required: true,
				displayOptions: { show: { operation: ['runBackup', 'restoreScenario'] } },
			},
			{
				name: 'makeBackupGithubApi',
				required: true,
				displayOptions: { show: { operation: ['runBackup', 'restoreScenario', 'verifyBackup'] } },
			},
		],
		properties: [
			operationProperty,
			...restoreProperties,
			...runSettingsProperties,
			restoreOptionsProperty,
			verifyOptionsProperty,
			...continueRunProperties,
			...stageProperties,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const returnData: INodeExecutionData[] = [];

		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const operation = this.getNodeParameter('operation', itemIndex) as string;
			try {
				let outputs: IDataObject[];
				if (operation === 'startRun') {
					outputs = [(await startRun.call(this, itemIndex)).json];
				} else if (operation === 'continueRun') {
					outputs = [(await continueRun.call(this, itemIndex, items[itemIndex])).json];
				} else if (operation === 'runBackup') {
					outputs = [(await runBackup.call(this, itemIndex)).json];
				} else if (operation === 'restoreScenario') {
					outputs = [(await restoreScenario.call(this, itemIndex)).json];
				} else if (operation === 'verifyBackup') {
					outputs = [(await verifyBackup.call(this, itemIndex)).json];
				} else if (STAGE_OPERATIONS.includes(operation)) {
					outputs = await runStage.call(this, operation, itemIndex, items[itemIndex]);
				} else {
					throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`, {
						itemIndex,
					});
				}
				for (const json of outputs) returnData.push({ json, pairedItem: { item: itemIndex } });
			} catch (error) {
				if (this.continueOnFail()) {
					returnData.push({ json: errorItemJson(error), pairedItem: { item: itemIndex } });
					continue;
				}
				throw toNodeOperationError(this.getNode(), error, itemIndex);
			}
		}

		return [returnData];
	}
}
