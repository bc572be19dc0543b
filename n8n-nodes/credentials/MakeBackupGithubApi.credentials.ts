import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/**
 * GitHub token for the Run Backup and Restore Scenario operations of Make Backup Planner.
 *
 * The loop workflow uses n8n's built-in GitHub API credential in its HTTP Request node. A community
 * node itself may only use credentials of its own package (lint rule no-credential-reuse, enforced by
 * n8n's community package scanner), so the all-in-one operations bring this one.
 */
export class MakeBackupGithubApi implements ICredentialType {
	name = 'makeBackupGithubApi';

	displayName = 'Make Backup GitHub API';

	icon: Icon = { light: 'file:../icons/github.svg', dark: 'file:../icons/github.dark.svg' };

	documentationUrl =
		'https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/managing-your-personal-access-tokens';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description:
				'Fine-grained token with Contents: read and write on the backup repository (or a classic token with the repo scope)',
		},
		{
			displayName: 'GitHub Server',
			name: 'server',
			type: 'string',
			default: 'https://api.github.com',
			description:
				'API root used to test the credential; for GitHub Enterprise Server https://HOST/api/v3. Make Backup Planner sends its requests to its own GitHub API URL option, which must match.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.accessToken}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ $credentials.server.replace(/\\/+$/, "") }}',
			url: '/user',
			method: 'GET',
		},
	};
}
