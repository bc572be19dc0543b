//! The repository side: empty repository bootstrap, moved branch (another writer), lost or corrupt state.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod common;

use common::*;
use make_backup_planner::{RunStatus, Service};
use serde_json::Value;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test(unsupported = test)]
fn an_empty_repository_is_bootstrapped_with_one_contents_put() {
    let mut world = World::new(2);
    world.github = FakeGithub::empty();
    let run = world.run();
    assert_eq!(run.summary.status, RunStatus::Success, "{}", run.report);
    assert_eq!(run.count(Service::Github, "PUT"), 1);
    assert_eq!(run.summary.backed_up, 2);
    let log = world.github.log();
    assert_eq!(log.last().unwrap().message, "Initialize Make.com scenario backup");
    assert_eq!(log.len(), 1 + 2 + 1);
    assert_eq!(run.summary.commits_made, 4, "bootstrap + 2 scenarios + state");
}

#[wasm_bindgen_test(unsupported = test)]
fn a_moved_branch_is_reread_and_the_chain_replayed_without_losing_anything() {
    let mut world = World::new(3);
    world.faults.push(Fault::move_branch("/git/refs/heads/main"));
    let run = world.run();
    let s = &run.summary;
    assert_eq!(s.status, RunStatus::Success, "{}", run.report);
    assert_eq!(s.backed_up, 3);
    assert_eq!(run.count(Service::Github, "PATCH"), 2, "first PATCH rejected (422), second lands");
    assert!(s.warnings.iter().any(|w| w.contains("branch moved")));
    let files = world.github.files();
    assert!(files.contains_key("NOTES.md"), "the other writer's commit is kept");
    assert_eq!(files.keys().filter(|p| p.starts_with("scenarios/")).count(), 6);
    let log = world.github.log();
    assert_eq!(log.iter().filter(|c| c.message.starts_with("Backup scenario")).count(), 3, "no duplicate commits");
    // The state names commits that are on the branch.
    let state: Value = serde_json::from_str(&files[".backup-state.json"]).unwrap();
    for entry in state["scenarios"].as_object().unwrap().values() {
        let sha = entry["gitSHA"].as_str().unwrap();
        assert!(s.commits.iter().any(|c| c.sha == sha), "gitSHA {sha} is a landed commit");
    }
    let again = world.run();
    assert_eq!(again.github_writes(), 0);
}

#[wasm_bindgen_test(unsupported = test)]
fn two_runs_backing_up_the_same_scenarios_do_not_duplicate_commits() {
    // Run A plans everything; before its PATCH, run B (identical) lands. A must drop its duplicates.
    let mut world = World::new(3);
    let mut engine_a = make_backup_planner::Engine::start(config(), &iso(T0), 1).unwrap();
    // Drive A until it is about to PATCH.
    let patch = loop {
        match engine_a.poll(&iso(world.now)).unwrap() {
            make_backup_planner::Action::Request { request } if request.method.as_str() == "PATCH" => break request,
            make_backup_planner::Action::Request { request } => {
                world.now += 10;
                let reply = world_perform(&mut world, &request);
                engine_a.handle(&iso(world.now), reply).unwrap();
            }
            other => panic!("{other:?}"),
        }
    };
    // B runs completely on the same repository.
    let b = world.run();
    assert_eq!(b.summary.backed_up, 3);
    let head_after_b = world.github.log().len();
    // A's PATCH is now not a fast-forward.
    let reply = world_perform(&mut world, &patch);
    assert_eq!(reply.status, Some(422));
    engine_a.handle(&iso(world.now), reply).unwrap();
    let summary = loop {
        match engine_a.poll(&iso(world.now)).unwrap() {
            make_backup_planner::Action::Request { request } => {
                let reply = world_perform(&mut world, &request);
                engine_a.handle(&iso(world.now), reply).unwrap();
            }
            make_backup_planner::Action::Done { summary, .. } => break summary,
            make_backup_planner::Action::Wait { .. } => world.now += 60_000,
        }
    };
    assert_eq!(summary.status, RunStatus::Success);
    assert_eq!(summary.backed_up, 0, "B already backed everything up at the same version");
    assert_eq!(world.github.log().len(), head_after_b, "A added no commit");
}

fn world_perform(world: &mut World, request: &make_backup_planner::Request) -> make_backup_planner::Reply {
    let (status, body) = world.run_one(request);
    make_backup_planner::Reply { request_id: request.id, status: Some(status), headers: Default::default(), body, failure: None }
}

#[wasm_bindgen_test(unsupported = test)]
fn a_lost_state_is_rebuilt_from_metadata_files_without_backing_up_again() {
    let mut world = World::new(4);
    world.run();
    world.github.commit_as_human(".backup-state.json", "{\"version\": 1, \"scenarios\": {\"12\": {\"lastEdit\": ");
    let run = world.run();
    let s = &run.summary;
    assert_eq!(s.status, RunStatus::Success, "{}", run.report);
    assert!(s.warnings.iter().any(|w| w.contains("corrupt") && w.contains("rebuilt the state from 4 metadata.json files")), "{:?}", s.warnings);
    assert_eq!(s.backed_up, 0, "nothing re-backed up");
    assert_eq!(run.count(Service::Make, "GET"), 3, "the list page, the look past it, folder names for the report; no blueprint reads");
    assert_eq!(s.commits_made, 1, "only the repaired state");
    let state: Value = serde_json::from_str(&world.github.files()[".backup-state.json"]).unwrap();
    assert_eq!(state["scenarios"].as_object().unwrap().len(), 4);
    for bad in ["[]", "{\"version\": 99, \"scenarios\": {}}", "{\"scenarios\": {\"abc\": {}}}", "{\"scenarios\": 5}"] {
        world.github.commit_as_human(".backup-state.json", bad);
        let run = world.run();
        assert_eq!((run.summary.backed_up, run.summary.commits_made), (0, 1), "{bad}: {}", run.report);
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn unknown_state_fields_are_preserved() {
    let mut world = World::new(2);
    world.run();
    let text = world.github.files()[".backup-state.json"].clone();
    let mut state: Value = serde_json::from_str(&text).unwrap();
    state["owner"] = Value::from("platform-team");
    let first = state["scenarios"].as_object().unwrap().keys().next().unwrap().clone();
    state["scenarios"][&first]["note"] = Value::from("keep me");
    world.github.commit_as_human(".backup-state.json", &make_backup_planner::canonical::canonical_value(&state));
    let id: u64 = first.parse().unwrap();
    world.make.edit(id);
    world.run();
    let after: Value = serde_json::from_str(&world.github.files()[".backup-state.json"]).unwrap();
    assert_eq!(after["owner"], "platform-team");
    assert_eq!(after["scenarios"][&first]["note"], "keep me");
    assert_eq!(after["scenarios"][&first]["backupCount"], 2);
}
