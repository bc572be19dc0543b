// The two gates a community package has to pass: `n8n-node lint` on the source, and the checks of
// n8n's community package scanner (@n8n/scan-community-package) run locally, as its CLI runs them
// after fetching from npm: the source leg (package.json + nodes/credentials sources) and the tarball
// leg (compiled .js + package.json of what `npm pack` ships). The CLI's network steps (npm provenance,
// download) are skipped; the lint steps are the same calls.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'n8n-nodes-make-backup-scan-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function runIn(cwd, command, args) {
	return spawnSync(command, args, {
		cwd,
		encoding: 'utf8',
		env: { ...process.env, FORCE_COLOR: '0' },
	});
}

describe('package gates', () => {
	it('n8n-node lint passes (default eslint config, strict mode)', () => {
		const result = runIn(PACKAGE_DIR, path.join(PACKAGE_DIR, 'node_modules', '.bin', 'n8n-node'), [
			'lint',
		]);
		assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
	});

	it('the community package scanner passes on the packed tarball and on the source', async () => {
		const { analyzePackage, SOURCE_FILE_PATTERNS } = await import(
			'@n8n/scan-community-package/scanner/scanner.mjs'
		);

		const packed = runIn(PACKAGE_DIR, 'npm', ['pack', '--pack-destination', scratch]);
		assert.equal(packed.status, 0, packed.stderr);
		const tarball = path.join(scratch, packed.stdout.trim().split('\n').pop());
		const unpacked = path.join(scratch, 'package');
		mkdirSync(unpacked);
		assert.equal(
			runIn(scratch, 'tar', ['xzf', tarball, '-C', unpacked, '--strip-components=1']).status,
			0,
		);
		assert.ok(
			readdirSync(path.join(unpacked, 'dist', 'nodes', 'MakeBackupPlanner', 'core')).includes(
				'index.js',
			),
			'the core is vendored into the tarball',
		);
		// The scanner CLI lints the tarball's compiled .js + package.json (its .d.ts files would only
		// trip filename rules written for .ts sources).
		const tarballResult = await analyzePackage(unpacked, ['**/*.js', 'package.json']);
		assert.equal(tarballResult.passed, true, tarballResult.details ?? tarballResult.message);

		// Source leg: what a checkout of the repository holds (tracked + new files, not the generated core).
		const source = path.join(scratch, 'source');
		const listed = runIn(PACKAGE_DIR, 'git', [
			'ls-files',
			'--cached',
			'--others',
			'--exclude-standard',
			'.',
		]);
		assert.equal(listed.status, 0, listed.stderr);
		for (const file of listed.stdout.split('\n').filter(Boolean)) {
			mkdirSync(path.dirname(path.join(source, file)), { recursive: true });
			copyFileSync(path.join(PACKAGE_DIR, file), path.join(source, file));
		}
		const sourceResult = await analyzePackage(source, SOURCE_FILE_PATTERNS);
		assert.equal(sourceResult.passed, true, sourceResult.details ?? sourceResult.message);
	});
});
