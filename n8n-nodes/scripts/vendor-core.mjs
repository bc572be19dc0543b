#!/usr/bin/env node
// @ts-check
// Vendors the planner core (the pkg-js build, wasm inlined as base64) into this package, because a
// community node package may have no runtime `dependencies` (lint rule no-runtime-dependencies).
//
//   node scripts/vendor-core.mjs            copy pkg-js/dist/index.js and everything it requires
//                                           (+ their .d.ts) into nodes/MakeBackupPlanner/core/
//   node scripts/vendor-core.mjs --to-dist  copy those .js files into dist/ after `n8n-node build`
//
// Why two steps: `n8n-node build` is `tsc` plus a copy of png/svg files. tsc type-checks against the
// vendored .d.ts but never emits plain .js inputs (no allowJs, as in the starter's tsconfig), so the
// .js files are copied next to the compiled node afterwards. The vendored folder is generated (gitignored);
// eslint only lints *.ts, so the only vendored files it sees are the .d.ts (see lintCleanTypings).
// The core module itself is free of fs/process/globalThis/console (pkg-js checks that when it builds),
// which is what n8n's community package scanner requires of every .js in the package.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORE_DIST = path.resolve(process.env.MBP_CORE_DIST ?? path.join(PACKAGE_DIR, '..', 'pkg-js', 'dist'));
const VENDOR_DIR = path.join(PACKAGE_DIR, 'nodes', 'MakeBackupPlanner', 'core');
const DIST_VENDOR_DIR = path.join(PACKAGE_DIR, 'dist', 'nodes', 'MakeBackupPlanner', 'core');
const ENTRY = 'index.js';
const RELATIVE_REQUIRE = /\brequire\(\s*["'`](\.{1,2}\/[^"'`]+)["'`]\s*\)/g;

/** @param {string} message @returns {never} */
function fail(message) {
	console.error(`vendor-core: ${message}`);
	process.exit(1);
}

/** Files (relative to `root`) that `entry` loads through relative require calls, itself included. */
function requiredFiles(root, entry) {
	const seen = new Set([entry]);
	const queue = [entry];
	for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
		const text = readFileSync(path.join(root, file), 'utf8');
		for (const match of text.matchAll(RELATIVE_REQUIRE)) {
			const base = path.join(path.dirname(file), match[1]);
			const resolved = [base, `${base}.js`, path.join(base, 'index.js')].find(
				(candidate) => candidate.endsWith('.js') && existsSync(path.join(root, candidate)),
			);
			if (resolved === undefined) fail(`${file} requires ${match[1]}, which is not in ${root}`);
			if (!seen.has(resolved)) {
				seen.add(resolved);
				queue.push(resolved);
			}
		}
	}
	return [...seen];
}

/**
 * Makes a tsc-emitted .d.ts lint-clean for `n8n-node lint` (which lints every *.ts, and whose eslint
 * config must stay unchanged): the `#private;` marker tsc emits for classes with private fields trips
 * no-unused-private-class-members. Dropping it only loses nominal typing of the class.
 */
function lintCleanTypings(text) {
	return (
		text
			.replace(/^[ \t]*#private;\r?\n/gm, '')
			// wasm-bindgen's blanket `/* eslint-disable */` is unnecessary (the typings lint clean) and
			// only shows up as an "unused directive" warning; without it lint checks the glue typings too.
			.replace(/^\/\* (?:eslint-disable|tslint:disable) \*\/\r?\n/gm, '')
	);
}

function copyAll(fromRoot, toRoot, files) {
	rmSync(toRoot, { recursive: true, force: true });
	for (const file of files) {
		mkdirSync(path.dirname(path.join(toRoot, file)), { recursive: true });
		if (file.endsWith('.d.ts')) {
			writeFileSync(path.join(toRoot, file), lintCleanTypings(readFileSync(path.join(fromRoot, file), 'utf8')));
		} else {
			copyFileSync(path.join(fromRoot, file), path.join(toRoot, file));
		}
	}
}

if (process.argv.includes('--to-dist')) {
	if (!existsSync(path.join(VENDOR_DIR, ENTRY))) fail('run `node scripts/vendor-core.mjs` first');
	if (!existsSync(path.join(PACKAGE_DIR, 'dist'))) fail('dist/ is missing: run `n8n-node build` first');
	const files = requiredFiles(VENDOR_DIR, ENTRY);
	copyAll(VENDOR_DIR, DIST_VENDOR_DIR, files);
	console.log(`vendor-core: ${files.length} core modules → ${path.relative(PACKAGE_DIR, DIST_VENDOR_DIR)}`);
} else {
	if (!existsSync(path.join(CORE_DIST, ENTRY))) {
		fail(`${path.join(CORE_DIST, ENTRY)} is missing: build the core first (npm --prefix pkg-js run build)`);
	}
	const modules = requiredFiles(CORE_DIST, ENTRY);
	const typings = modules
		.map((file) => file.replace(/\.js$/, '.d.ts'))
		.filter((file) => existsSync(path.join(CORE_DIST, file)));
	copyAll(CORE_DIST, VENDOR_DIR, [...modules, ...typings]);
	console.log(
		`vendor-core: ${modules.length} modules + ${typings.length} typings from ${CORE_DIST} → ${path.relative(PACKAGE_DIR, VENDOR_DIR)}`,
	);
}
