import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/**
 * Make API token. n8n adds `Authorization: Token …` to every request of a node that uses this
 * credential (the HTTP Request node, or Make Backup Planner's Run Backup and Restore Scenario); the
 * planner never sees it.
 */
export class MakeApi implements ICredentialType {
	name = 'makeApi';

	displayName = 'Make API';

	icon: Icon = { light: 'file:../icons/make.svg', dark: 'file:../icons/make.dark.svg' };

	documentationUrl = 'https://developers.make.com/api-documentation/authentication/api-tokens';

	properties: INodeProperties[] = [
		{
			displayName: 'API Token',
			name: 'apiToken',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description:
				'Make → Profile → API access → Add token, with the scopes scenarios:read (and teams:read for an organization-wide backup, scenarios:write to restore scenarios)',
		},
		{
			displayName: 'Zone',
			name: 'zone',
			type: 'options',
			options: [
				{ name: 'Custom Base URL', value: 'custom' },
				{ name: 'EU1 (Eu1.make.com)', value: 'eu1' },
				{ name: 'EU2 (Eu2.make.com)', value: 'eu2' },
				{ name: 'US1 (Us1.make.com)', value: 'us1' },
				{ name: 'US2 (Us2.make.com)', value: 'us2' },
			],
			default: 'eu1',
			description: 'Zone of the Make organization the token belongs to (the host in the Make URL)',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://eu1.make.com/api/v2',
			description: 'Make API base URL including /api/v2, for a private zone or a test double',
			displayOptions: { show: { zone: ['custom'] } },
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Token {{$credentials.apiToken}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{ $credentials.zone === "custom" ? $credentials.baseUrl.replace(/\\/+$/, "") : "https://" + $credentials.zone + ".make.com/api/v2" }}',
			url: '/users/me',
			method: 'GET',
		},
	};
}
