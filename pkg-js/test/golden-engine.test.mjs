// The golden render cases of tests/golden (shared with the Rust tests) through the whole JS stack:
// Engine in wasm + runBackup + fetch transport + the GitHub double. Make is scripted with the cases'
// fixture texts; the files that land in the repository must equal the golden files byte for byte.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { REPO_DIR, SAMPLE_TOKENS, driver, fetchTransport, readFile, startGithubDouble, tempDir } from "./support/harness.mjs";

const GOLDEN_DIR = path.join(REPO_DIR, "tests", "golden");
const FIXTURE_DIR = path.join(REPO_DIR, "tests", "fixtures", "make");
const { cases } = JSON.parse(readFileSync(path.join(GOLDEN_DIR, "cases.json"), "utf8"));
const fixture = (name) => readFileSync(path.join(FIXTURE_DIR, name), "utf8");

/** Answers the engine's Make requests from fixture texts (exact bytes, numbers JS cannot hold included). */
function scriptedMake(listingText, blueprintText) {
  return (request) => {
    const url = new URL(request.url);
    const json = { "content-type": "application/json; charset=utf-8" };
    if (/\/scenarios\/\d+\/blueprint$/.test(url.pathname)) return { requestId: request.id, status: 200, headers: json, body: blueprintText };
    // Folder names for the audit report (these cases have none).
    if (url.pathname.endsWith("/scenarios-folders")) return { requestId: request.id, status: 200, headers: json, body: '{"scenariosFolders":[]}' };
    if (url.pathname.endsWith("/scenarios")) {
      const limit = Number(url.searchParams.get("pg[limit]"));
      const page = `{"scenarios":[${listingText.trim()}],"pg":{"sortBy":"id","sortDir":"asc","offset":0,"limit":${limit}}}`;
      return { requestId: request.id, status: 200, headers: json, body: page };
    }
    throw new Error(`unexpected Make request ${request.method} ${request.url}`);
  };
}

for (const goldenCase of cases) {
  test(`golden case ${goldenCase.name}: the backup writes the golden files`, async (t) => {
    const temp = tempDir("golden");
    const github = await startGithubDouble({ owner: "acme", repo: "make-backup", branch: "main", token: SAMPLE_TOKENS.github, dir: path.join(temp.dir, "repo.git") });
    t.after(async () => {
      await github.close();
      temp.remove();
    });
    const listingText = fixture(goldenCase.listing);
    const scenarioId = JSON.parse(listingText).id;
    // What an earlier backup left in the repository.
    if (goldenCase.previousMetadata) await github.commitAsHuman({ path: `scenarios/${scenarioId}/metadata.json`, content: fixture(goldenCase.previousMetadata), message: "earlier backup" });
    if (goldenCase.state) await github.commitAsHuman({ path: ".backup-state.json", content: fixture(goldenCase.state), message: "earlier state" });

    const answerMake = scriptedMake(listingText, fixture(goldenCase.blueprintReply));
    const toGithub = fetchTransport.createFetchTransport({ makeToken: "unused", githubToken: SAMPLE_TOKENS.github });
    const owner = goldenCase.organizationId === null ? { teamId: JSON.parse(listingText).teamId } : { organizationId: goldenCase.organizationId };
    const config = {
      make: { baseUrl: "http://make.invalid/api/v2", ...owner, requestsPerMinute: 6000 },
      github: { apiUrl: github.url, owner: "acme", repo: "make-backup", writesPerMinute: 6000 },
      ...(goldenCase.backupHistoryLimit === undefined ? {} : { backupHistoryLimit: goldenCase.backupHistoryLimit }),
    };
    // The clock stands still at the case's `now` (no waits happen at these budgets).
    const clock = { now: () => goldenCase.now, sleep: async () => assert.fail("no wait expected") };
    const { summary } = await driver.runBackup({ config, clock, transport: async (request) => (request.service === "make" ? answerMake(request) : toGithub(request)) });
    assert.equal(summary.status, "success", JSON.stringify(summary.errors));
    assert.equal(summary.backedUp, 1);

    for (const file of ["blueprint.json", "metadata.json"]) {
      const written = readFile(github.gitDir, `scenarios/${scenarioId}/${file}`);
      const golden = readFileSync(path.join(GOLDEN_DIR, goldenCase.name, file), "utf8");
      assert.equal(written, golden, `${goldenCase.name}/${file} differs from the golden file`);
    }
  });
}
