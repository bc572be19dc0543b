//! PRD test scenarios 2 and 3: no change → no writes; one change → exactly one scenario commit.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod common;

use common::*;
use make_backup_planner::{RunStatus, Service, VerdictKind};
use serde_json::{Value, json};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test(unsupported = test)]
fn unchanged_run_writes_nothing() {
    let mut world = World::new(6);
    world.run();
    let before = world.github.head.clone();
    let run = world.run();
    assert_eq!(run.summary.status, RunStatus::Success);
    assert_eq!(run.github_writes(), 0, "no GitHub writes when nothing changed");
    assert_eq!(run.summary.commits_made, 0);
    assert_eq!(run.summary.unchanged, 6);
    assert_eq!(run.count(Service::Make, "GET"), 2, "only the list page and the look past it; no blueprint reads");
    assert_eq!(world.github.head, before);
}

#[wasm_bindgen_test(unsupported = test)]
fn one_edit_makes_exactly_one_scenario_commit() {
    let mut world = World::new(6);
    world.run();
    let id = *world.make.scenarios.keys().nth(2).unwrap();
    world.make.edit(id);
    let run = world.run();
    let s = &run.summary;
    assert_eq!((s.backed_up, s.unchanged, s.commits_made), (1, 5, 2), "{}", run.report);
    assert_eq!(s.commits[0].scenario_ids, vec![id]);
    let verdict = s.verdicts.iter().find(|v| v.scenario_id == id).unwrap();
    assert_eq!(verdict.verdict, VerdictKind::Changed);
    assert!(verdict.reason.contains("lastEdit 2026-10-01T10:00:00.000Z → 2026-11-21T09:00:00.000Z"), "{}", verdict.reason);
    assert_eq!(run.count(Service::Make, "GET"), 4, "list page, look past it, one blueprint, folder names for the report");
    // branch + tree + state blob + previous metadata blob + previous blueprint blob (change summary)
    // + inventory/dependencies.json
    assert_eq!(run.count(Service::Github, "GET"), 6);
    assert_eq!(run.github_writes(), 2 + 2 + 1);
    // The change is summarized module by module in the commit body, and in one line in the verdict.
    let messages: Vec<String> = world.github.log().iter().filter(|c| c.message.starts_with(&format!("Backup scenario {id}:"))).map(|c| c.message.clone()).collect();
    assert_eq!(messages.len(), 2);
    let summarized: Vec<&String> = messages.iter().filter(|m| m.contains("Changes:")).collect();
    assert_eq!(summarized.len(), 1, "only the backup of the edit has a change summary: {messages:?}");
    let last = summarized[0];
    assert!(last.contains("\nChanges:\nModules: +1 added, -0 removed, ~0 changed; 3 → 4 modules\n+ 91 util:SetVariable2 (main flow)\n"), "{last}");
    assert!(verdict.reason.ends_with("; Modules: +1 added, -0 removed, ~0 changed; 3 → 4 modules"), "{}", verdict.reason);
    assert!(run.report.contains("Modules: +1 added"), "{}", run.report);
    // metadata.json now carries the first backup in its history; the state the second.
    let files = world.github.files();
    let metadata: Value = serde_json::from_str(&files[&format!("scenarios/{id}/metadata.json")]).unwrap();
    let history = metadata["backupHistory"].as_array().unwrap();
    assert_eq!(history.len(), 1);
    let state: Value = serde_json::from_str(&files[".backup-state.json"]).unwrap();
    let entry = &state["scenarios"][id.to_string()];
    assert_eq!(entry["backupCount"], 2);
    assert_ne!(history[0]["gitCommit"], entry["gitSHA"]);
    assert!(world.github.commits.contains_key(history[0]["gitCommit"].as_str().unwrap()));
    assert_eq!(world.github.log()[1].message.lines().next().unwrap(), format!("Backup scenario {id}: {}", world.make.scenarios[&id].listing["name"].as_str().unwrap()));
}

#[wasm_bindgen_test(unsupported = test)]
fn metadata_only_change_rewrites_metadata_without_reading_the_blueprint() {
    let mut world = World::new(4);
    world.run();
    let id = *world.make.scenarios.keys().next().unwrap();
    world.make.scenarios.get_mut(&id).unwrap().listing["isActive"] = json!(false);
    let blueprint_before = world.github.files()[&format!("scenarios/{id}/blueprint.json")].clone();
    let run = world.run();
    let verdict = run.summary.verdicts.iter().find(|v| v.scenario_id == id).unwrap();
    assert_eq!(verdict.verdict, VerdictKind::MetadataOnly, "{}", run.report);
    assert_eq!(run.count(Service::Make, "GET"), 3, "list page, the look past it, folder names for the report; no blueprint read for a metadata-only change");
    assert_eq!(run.summary.backed_up, 1);
    let files = world.github.files();
    assert_eq!(files[&format!("scenarios/{id}/blueprint.json")], blueprint_before);
    let metadata: Value = serde_json::from_str(&files[&format!("scenarios/{id}/metadata.json")]).unwrap();
    assert_eq!(metadata["isActive"], false);
    assert_eq!(metadata["inputSpec"][0]["name"], "email", "carried over from the previous metadata.json");
}

#[wasm_bindgen_test(unsupported = test)]
fn volatile_fields_changing_is_not_a_change() {
    let mut world = World::new(3);
    world.run();
    for s in world.make.scenarios.values_mut() {
        s.listing["nextExec"] = json!("2026-11-24T00:00:00.000Z");
        s.listing["dlqCount"] = json!(4);
    }
    let run = world.run();
    assert_eq!(run.github_writes(), 0);
}

#[wasm_bindgen_test(unsupported = test)]
fn force_rewrites_nothing_that_is_identical() {
    let mut world = World::new(3);
    world.run();
    let mut config = config();
    config.force = true;
    let run = world.run_with(config, 1);
    assert_eq!(run.count(Service::Make, "GET"), 5, "force reads every blueprint");
    assert_eq!(run.github_writes(), 0, "identical files are never committed");
    assert!(run.summary.verdicts.iter().all(|v| v.verdict == VerdictKind::Unchanged), "{}", run.report);
}

#[wasm_bindgen_test(unsupported = test)]
fn per_run_mode_makes_one_commit_for_all_scenarios() {
    let mut world = World::new(4);
    let mut config = config();
    config.commit_mode = make_backup_planner::CommitMode::PerRun;
    let run = world.run_with(config, 1);
    assert_eq!(run.summary.backed_up, 4);
    assert_eq!(run.summary.commits_made, 2, "one backup commit + the state commit");
    let log = world.github.log();
    assert_eq!(log[1].message.lines().next().unwrap(), "Backup 4 scenarios");
    assert_eq!(world.github.files().len(), 1 + 8 + 1 + 2, "README.md (a person's), 8 scenario files, state, inventory/README.md and dependencies.json");
}

#[wasm_bindgen_test(unsupported = test)]
fn deleted_scenarios_are_marked_in_the_state_and_files_kept() {
    let mut world = World::new(4);
    world.run();
    let id = *world.make.scenarios.keys().last().unwrap();
    world.make.scenarios.remove(&id);
    let run = world.run();
    assert_eq!(run.summary.deleted, 1, "{}", run.report);
    assert_eq!(run.summary.commits_made, 1, "only the state commit");
    let files = world.github.files();
    assert!(files.contains_key(&format!("scenarios/{id}/blueprint.json")), "files of deleted scenarios are kept");
    let state: Value = serde_json::from_str(&files[".backup-state.json"]).unwrap();
    assert_eq!(state["scenarios"][id.to_string()]["deletedAt"], state["lastRun"]);
    // A third run neither re-deletes nor commits.
    let again = world.run();
    assert_eq!((again.summary.deleted, again.github_writes()), (0, 0));
}

#[wasm_bindgen_test(unsupported = test)]
fn an_unreadable_previous_blueprint_only_costs_the_change_summary() {
    let mut world = World::new(3);
    world.run();
    let id = *world.make.scenarios.keys().next().unwrap();
    let previous_sha = make_backup_planner::git_blob_sha(world.github.files()[&format!("scenarios/{id}/blueprint.json")].as_bytes());
    world.make.edit(id);
    world.faults.push(Fault::new(Service::Github, &format!("/git/blobs/{previous_sha}"), 404, r#"{"message":"Not Found","status":"404"}"#));
    let run = world.run();
    assert_eq!((run.summary.status, run.summary.backed_up), (RunStatus::Success, 1), "{}", run.report);
    assert!(run.summary.warnings.iter().any(|w| w.contains(&format!("scenario {id}: could not read its previous blueprint.json")) && w.contains("no change summary")), "{:?}", run.summary.warnings);
    let message = world.github.log().iter().filter(|c| c.message.starts_with(&format!("Backup scenario {id}:"))).map(|c| c.message.clone()).find(|m| m.contains("lastEdit")).unwrap();
    assert!(!message.contains("Changes:"), "{message}");
}
