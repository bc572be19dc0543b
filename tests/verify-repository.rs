//! `verify`: real repositories produced by the engine against the fakes, then corrupted.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod common;

use std::collections::BTreeMap;

use common::*;
use make_backup_planner::verify::{DEFAULT_STALE_AFTER_HOURS, StateFileStatus, VerifyReport, VerifyStatus, verify};
use make_backup_planner::{RunStatus, Service, git_blob_sha};
use serde_json::{Value, json};
use wasm_bindgen_test::wasm_bindgen_test;

const HOUR: i64 = 3_600_000;

/// The `GET git/trees/{sha}?recursive=1` body GitHub would send for these files.
fn listing(files: &BTreeMap<String, String>, truncated: bool) -> String {
    let mut tree = Vec::new();
    let mut dirs = std::collections::BTreeSet::new();
    for (path, text) in files {
        let parts: Vec<&str> = path.split('/').collect();
        for i in 1..parts.len() {
            dirs.insert(parts[..i].join("/"));
        }
        tree.push(json!({"path": path, "mode": "100644", "type": "blob", "sha": git_blob_sha(text.as_bytes()), "size": text.len()}));
    }
    for dir in dirs {
        tree.push(json!({"path": dir, "mode": "040000", "type": "tree", "sha": "4b825dc642cb6eb9a060e54bf8d69288fbee4904"}));
    }
    json!({"sha": "0123456789abcdef0123456789abcdef01234567", "url": "https://api.github.com/…", "tree": tree, "truncated": truncated}).to_string()
}

fn check(files: &BTreeMap<String, String>, now_ms: i64) -> VerifyReport {
    verify(&listing(files, false), files.get(".backup-state.json").map(String::as_str), &iso(now_ms), DEFAULT_STALE_AFTER_HOURS).unwrap()
}

fn backed_up(n: u64) -> World {
    let mut world = World::new(n);
    let run = world.run();
    assert_eq!(run.summary.status, RunStatus::Success, "{}", run.report);
    world
}

#[wasm_bindgen_test(unsupported = test)]
fn a_fresh_backup_is_healthy() {
    let world = backed_up(4);
    let report = check(&world.github.files(), world.now);
    assert_eq!(report.status, VerifyStatus::Healthy, "{}", report.markdown);
    assert_eq!(report.state_file, StateFileStatus::Present);
    let c = &report.counts;
    assert_eq!((c.scenarios_in_state, c.active, c.deleted, c.scenarios_in_repository), (4, 4, 0, 4));
    assert_eq!((c.blueprint_files, c.metadata_files, c.ok), (4, 4, 4));
    assert_eq!((c.missing_files, c.untracked_files, c.sha_mismatches, c.stale, c.unverified), (0, 0, 0, 0, 0));
    assert!(report.problems.is_empty());
    assert!(report.markdown.starts_with("# Backup verification: healthy\n"), "{}", report.markdown);
    assert!(report.markdown.contains("No problems found."));
    // Serialized camelCase, as hosts read it.
    let value = serde_json::to_value(&report).unwrap();
    assert_eq!(value["status"], "healthy");
    assert_eq!(value["counts"]["scenariosInState"], 4);
    assert_eq!(value["stateFile"], "present");
}

#[wasm_bindgen_test(unsupported = test)]
fn a_lost_blueprint_is_critical() {
    let world = backed_up(3);
    let id = *world.make.scenarios.keys().nth(1).unwrap();
    let mut files = world.github.files();
    files.remove(&format!("scenarios/{id}/blueprint.json"));
    let report = check(&files, world.now);
    assert_eq!(report.status, VerifyStatus::Critical);
    assert_eq!(report.missing_files.len(), 1);
    assert_eq!(report.missing_files[0].scenario_id, id);
    assert_eq!(report.missing_files[0].path, format!("scenarios/{id}/blueprint.json"));
    assert_eq!(report.counts.ok, 2);
    assert!(report.problems[0].contains("is missing — its backup is lost"), "{:?}", report.problems);
    assert!(report.markdown.contains("## Problems"));
}

#[wasm_bindgen_test(unsupported = test)]
fn an_edited_blueprint_is_critical_and_edited_metadata_degraded() {
    let mut world = backed_up(3);
    let ids: Vec<u64> = world.make.scenarios.keys().copied().collect();
    let blueprint = format!("scenarios/{}/blueprint.json", ids[0]);
    world.github.commit_as_human(&blueprint, "{\"edited\": \"by hand\"}\n");
    let report = check(&world.github.files(), world.now);
    assert_eq!(report.status, VerifyStatus::Critical, "{}", report.markdown);
    assert_eq!(report.sha_mismatches.len(), 1);
    let m = &report.sha_mismatches[0];
    assert_eq!((m.scenario_id, m.path.as_str()), (ids[0], blueprint.as_str()));
    assert_eq!(m.actual, git_blob_sha(b"{\"edited\": \"by hand\"}\n"));
    assert_ne!(m.expected, m.actual);

    let mut world = backed_up(3);
    let metadata = format!("scenarios/{}/metadata.json", ids[2]);
    world.github.commit_as_human(&metadata, "{}\n");
    let report = check(&world.github.files(), world.now);
    assert_eq!(report.status, VerifyStatus::Degraded, "{}", report.markdown);
    assert_eq!(report.counts.sha_mismatches, 1);
}

#[wasm_bindgen_test(unsupported = test)]
fn files_without_state_entries_are_degraded() {
    let world = backed_up(2);
    let mut files = world.github.files();
    files.insert("scenarios/999/blueprint.json".into(), "{}\n".into());
    files.insert("scenarios/999/metadata.json".into(), "{}\n".into());
    files.insert("scenarios/notes.txt".into(), "hello\n".into());
    files.insert("docs/README.md".into(), "outside scenarios/: ignored\n".into());
    let report = check(&files, world.now);
    assert_eq!(report.status, VerifyStatus::Degraded);
    assert_eq!(report.untracked_files.iter().map(|u| (u.scenario_id, u.path.as_str())).collect::<Vec<_>>(), vec![
        (999, "scenarios/999/blueprint.json"),
        (999, "scenarios/999/metadata.json")
    ]);
    assert_eq!(report.unexpected_paths, vec!["scenarios/notes.txt".to_owned()]);
    assert_eq!(report.counts.scenarios_in_repository, 3);
}

#[wasm_bindgen_test(unsupported = test)]
fn backups_older_than_the_threshold_are_stale_but_deleted_entries_never() {
    let mut world = backed_up(3);
    let gone = *world.make.scenarios.keys().last().unwrap();
    world.make.scenarios.remove(&gone);
    let run = world.run();
    assert_eq!(run.summary.deleted, 1);
    let files = world.github.files();
    let within = check(&files, world.now + 25 * HOUR);
    assert_eq!(within.status, VerifyStatus::Healthy, "{}", within.markdown);
    let late = check(&files, world.now + 27 * HOUR);
    assert_eq!(late.status, VerifyStatus::Degraded);
    assert_eq!(late.counts.deleted, 1);
    assert_eq!(late.stale.len(), 2, "the deleted entry is not stale");
    assert!(late.stale.iter().all(|s| s.scenario_id != gone && s.age_hours >= Some(27)));
    assert!(late.problems[0].contains("backup is stale"), "{:?}", late.problems);
    // A custom threshold.
    let strict = verify(&listing(&files, false), files.get(".backup-state.json").map(String::as_str), &iso(world.now + 2 * HOUR), 1).unwrap();
    assert_eq!((strict.status, strict.stale_after_hours, strict.stale.len()), (VerifyStatus::Degraded, 1, 2));
}

#[wasm_bindgen_test(unsupported = test)]
fn an_unchanged_scenario_is_fresh_while_the_state_was_written_recently() {
    // Scenario A is backed up, then only B changes for two days: A's lastBackup is old, but lastRun is recent.
    let mut world = backed_up(2);
    let ids: Vec<u64> = world.make.scenarios.keys().copied().collect();
    world.now += 30 * HOUR;
    world.make.edit(ids[1]);
    world.run();
    let files = world.github.files();
    let state: Value = serde_json::from_str(&files[".backup-state.json"]).unwrap();
    assert_ne!(state["scenarios"][ids[0].to_string()]["lastBackup"], state["lastRun"]);
    let report = check(&files, world.now);
    assert_eq!(report.status, VerifyStatus::Healthy, "{}", report.markdown);
}

#[wasm_bindgen_test(unsupported = test)]
fn unusable_or_missing_state() {
    let world = backed_up(2);
    let mut files = world.github.files();
    let state = files[".backup-state.json"].clone();

    files.insert(".backup-state.json".into(), state[..state.len() / 2].to_owned());
    let truncated = check(&files, world.now);
    assert_eq!((truncated.status, truncated.state_file), (VerifyStatus::Critical, StateFileStatus::Corrupt));
    assert!(truncated.state_problem.as_deref().unwrap().contains("corrupt"));

    files.insert(".backup-state.json".into(), r#"{"version": 99, "scenarios": {}}"#.into());
    let newer = check(&files, world.now);
    assert_eq!((newer.status, newer.state_file), (VerifyStatus::Critical, StateFileStatus::UnknownVersion));

    files.insert(".backup-state.json".into(), r#"{"scenarios": {"12": {"backupCount": "many"}}}"#.into());
    assert_eq!(check(&files, world.now).state_file, StateFileStatus::Corrupt, "wrong types");

    files.remove(".backup-state.json");
    let missing = check(&files, world.now);
    assert_eq!((missing.status, missing.state_file), (VerifyStatus::Critical, StateFileStatus::Missing));
    assert!(missing.problems[0].contains("rebuilds it from the metadata.json files"));

    let empty = verify(r#"{"sha":"x","tree":[],"truncated":false}"#, None, &iso(T0), 26).unwrap();
    assert_eq!(empty.status, VerifyStatus::Degraded, "no backup has run yet");
    let no_scenarios = verify(r#"{"tree":[]}"#, Some(r#"{"version":1,"scenarios":{}}"#), &iso(T0), 26).unwrap();
    assert_eq!(no_scenarios.status, VerifyStatus::Healthy, "an organization without scenarios");
}

#[wasm_bindgen_test(unsupported = test)]
fn the_next_run_heals_a_deleted_state() {
    let mut world = backed_up(3);
    world.github.commit_as_human(".backup-state.json", "{\"truncat");
    assert_eq!(check(&world.github.files(), world.now).status, VerifyStatus::Critical);
    let run = world.run();
    assert!(run.summary.warnings.iter().any(|w| w.contains("rebuilt the state")), "{}", run.report);
    let report = check(&world.github.files(), world.now);
    assert_eq!(report.status, VerifyStatus::Healthy, "{}", report.markdown);
}

#[wasm_bindgen_test(unsupported = test)]
fn a_failed_scenario_leaves_a_consistent_repository() {
    let mut world = World::new(4);
    let bad = *world.make.scenarios.keys().nth(2).unwrap();
    world.faults.push(Fault::new(Service::Make, &format!("/scenarios/{bad}/blueprint"), 500, "{}").times(10));
    let run = world.run();
    assert_eq!(run.summary.status, RunStatus::Partial);
    let report = check(&world.github.files(), world.now);
    assert_eq!(report.status, VerifyStatus::Healthy, "{}", report.markdown);
    assert_eq!(report.counts.scenarios_in_state, 3, "the failed scenario is neither in the state nor in the tree");
    // A failed ref update (another writer moved the branch) then converges on the next run.
    let mut world = backed_up(2);
    world.make.edit(*world.make.scenarios.keys().next().unwrap());
    world.faults.push(Fault::move_branch("/git/refs/heads/main"));
    let run = world.run();
    assert_eq!(run.summary.backed_up, 1, "{}", run.report);
    assert_eq!(check(&world.github.files(), world.now).status, VerifyStatus::Healthy);
}

#[wasm_bindgen_test(unsupported = test)]
fn a_truncated_listing_is_degraded() {
    let world = backed_up(1);
    let files = world.github.files();
    let report = verify(&listing(&files, true), files.get(".backup-state.json").map(String::as_str), &iso(world.now), 26).unwrap();
    assert_eq!((report.status, report.tree_truncated), (VerifyStatus::Degraded, true));
}

#[wasm_bindgen_test(unsupported = test)]
fn bad_inputs_are_errors() {
    let e = verify("not json", None, &iso(T0), 26).unwrap_err();
    assert_eq!(e.code(), "invalid-input");
    assert!(e.to_string().contains("GET git/trees/{sha}?recursive=1"), "{e}");
    assert_eq!(verify(r#"{"tree":[]}"#, None, "yesterday", 26).unwrap_err().code(), "invalid-timestamp");
}

#[wasm_bindgen_test(unsupported = test)]
fn verify_blobs_matches_verify_on_the_listing() {
    use make_backup_planner::verify::verify_blobs;
    let world = backed_up(3);
    let files = world.github.files();
    let blobs: BTreeMap<String, String> = files.iter().map(|(p, t)| (p.clone(), git_blob_sha(t.as_bytes()))).collect();
    let state = files.get(".backup-state.json").map(String::as_str);
    let direct = verify_blobs(&blobs, false, state, &iso(world.now), 26).unwrap();
    assert_eq!(direct, verify(&listing(&files, false), state, &iso(world.now), 26).unwrap());
    assert_eq!(direct.status, VerifyStatus::Healthy);
}

#[wasm_bindgen_test(unsupported = test)]
fn the_two_reads_of_verify_are_planned_without_credentials() {
    let source: make_backup_planner::restore::BackupSource =
        serde_json::from_value(serde_json::json!({"apiUrl": "https://ghe.example.com/api/v3/", "owner": "acme", "repo": "make-backup", "gitRef": "backups/main"})).unwrap();
    let [tree, state] = make_backup_planner::verify::verify_requests(&source).unwrap();
    assert_eq!(tree.url, "https://ghe.example.com/api/v3/repos/acme/make-backup/git/trees/backups/main?recursive=1");
    assert_eq!(tree.headers["accept"], "application/vnd.github+json");
    assert_eq!(state.url, "https://ghe.example.com/api/v3/repos/acme/make-backup/contents/.backup-state.json?ref=backups%2Fmain");
    assert_eq!(state.headers["accept"], "application/vnd.github.raw+json");
    assert!(tree.headers.keys().chain(state.headers.keys()).all(|h| h != "authorization"));
    let no_branch: make_backup_planner::restore::BackupSource = serde_json::from_value(serde_json::json!({"owner": "acme", "repo": "make-backup"})).unwrap();
    let error = make_backup_planner::verify::verify_requests(&no_branch).unwrap_err();
    assert_eq!(error.code(), "invalid-config");
    assert!(error.to_string().contains("source.gitRef"), "{error}");
}
