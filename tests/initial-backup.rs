//! PRD test scenario 1: the first run backs up every scenario, one commit each, then the state.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod common;

use common::*;
use make_backup_planner::{RunStatus, Service, canonical_json, git_blob_sha};
use serde_json::Value;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test(unsupported = test)]
fn first_run_commits_each_scenario_then_the_state() {
    let mut world = World::new(5);
    let run = world.run();
    let s = &run.summary;
    assert_eq!(s.status, RunStatus::Success, "{}", run.report);
    assert_eq!((s.total, s.backed_up, s.unchanged, s.errors.len()), (5, 5, 0, 0));
    // 5 scenario commits + 1 state commit, landed with a single ref update.
    assert_eq!(s.commits_made, 6);
    assert_eq!(run.count(Service::Github, "PATCH"), 1);
    let log = world.github.log();
    assert_eq!(log.len(), 7, "initial commit + 6");
    assert!(log[0].message.starts_with("Update backup state (5 scenarios backed up)"));
    let ids: Vec<u64> = world.make.scenarios.keys().copied().collect();
    for (i, id) in ids.iter().enumerate() {
        let commit = &log[5 - i];
        let name = world.make.scenarios[id].listing["name"].as_str().unwrap();
        assert_eq!(commit.message.lines().next().unwrap(), format!("Backup scenario {id}: {name}"));
        assert_eq!(commit.committer["name"], "Make.com Backup Bot");
        assert_eq!(commit.committer["email"], "bot@example.com");
        assert_eq!(commit.author, commit.committer);
    }
    // Calls: 1 list page + 5 blueprints; branch + tree + (no state) then 2 writes per scenario + 2 + PATCH.
    assert_eq!(s.api_calls.make, 8, "two list requests (the page and the look past it), 5 blueprints, folder names");
    // branch + tree + the repository's README.md, read once: it has no generated marker, so it is a
    // person's and the report goes to inventory/README.md.
    assert_eq!(run.count(Service::Github, "GET"), 3);
    assert_eq!(run.github_writes(), 5 * 2 + 2 + 1);
    assert!(world.github.files()["inventory/README.md"].starts_with(make_backup_planner::audit::GENERATED_MARKER));
    assert!(s.warnings.iter().any(|w| w.contains("README.md in the repository is not the generated report")), "{:?}", s.warnings);
}

#[wasm_bindgen_test(unsupported = test)]
fn files_are_canonical_and_carry_no_volatile_fields() {
    let mut world = World::new(3);
    world.run();
    let files = world.github.files();
    let paths: Vec<&String> = files.keys().collect();
    assert_eq!(paths.len(), 1 + 3 * 2 + 1 + 2);
    for (path, text) in &files {
        if path.ends_with("README.md") {
            continue;
        }
        assert!(path == ".backup-state.json" || path == "inventory/dependencies.json" || regex_like(path), "unexpected path {path}");
        assert_eq!(&canonical_json(text).unwrap(), text, "{path} is canonical");
    }
    for (id, scenario) in &world.make.scenarios {
        let blueprint = &files[&format!("scenarios/{id}/blueprint.json")];
        let stored: Value = serde_json::from_str(blueprint).unwrap();
        assert_eq!(stored, scenario.blueprint, "blueprint.json is response.blueprint, not the wrapper");
        let metadata: Value = serde_json::from_str(&files[&format!("scenarios/{id}/metadata.json")]).unwrap();
        for volatile in ["nextExec", "dlqCount", "iswaiting", "operations", "transfer"] {
            assert!(!files[&format!("scenarios/{id}/metadata.json")].contains(&format!("\"{volatile}\"")), "{volatile} leaked");
        }
        assert_eq!(metadata["id"], Value::from(*id));
        assert_eq!(metadata["organizationId"], 4101);
        assert_eq!(metadata["teamId"], 51);
        assert_eq!(metadata["scheduling"]["type"], "indefinitely");
        assert_eq!(metadata["inputSpec"][0]["name"], "email");
        assert_eq!(metadata["backupTimestamp"], "2026-11-23T02:00:00.000Z");
        assert_eq!(metadata["backupHistory"], serde_json::json!([]));
        assert_eq!(metadata["listing"]["hookId"], Value::from(1000 + id));
    }
    let state: Value = serde_json::from_str(&files[".backup-state.json"]).unwrap();
    assert_eq!(state["version"], 1);
    assert_eq!(state["lastRun"], "2026-11-23T02:00:00.000Z");
    let log = world.github.log();
    for id in world.make.scenarios.keys() {
        let entry = &state["scenarios"][id.to_string()];
        assert_eq!(entry["backupCount"], 1);
        assert_eq!(entry["lastEdit"], "2026-10-01T10:00:00.000Z");
        assert_eq!(entry["blueprintSha"], git_blob_sha(files[&format!("scenarios/{id}/blueprint.json")].as_bytes()));
        // gitSHA is the commit that backed the scenario up, which is on the branch.
        let sha = entry["gitSHA"].as_str().unwrap();
        assert!(world.github.commits.contains_key(sha));
        assert!(log.iter().any(|c| c.message.starts_with(&format!("Backup scenario {id}:"))));
    }
}

fn regex_like(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("scenarios/") else { return false };
    let Some((id, file)) = rest.split_once('/') else { return false };
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) && (file == "blueprint.json" || file == "metadata.json")
}
