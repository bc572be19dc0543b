//! Issue 5 §5: with `backfill: true` a scenario's first backup starts with the older versions Make
//! keeps, as commits in date order dated when each was saved; bounded, resumable, never repeated.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use make_backup_planner::secrets::SecretPolicy;
use make_backup_planner::{Config, RunStatus, Service};
use serde_json::{Value, json};
use wasm_bindgen_test::wasm_bindgen_test;

const V1: &str = "2026-09-05T08:00:00.000Z";
const V2: &str = "2026-09-20T16:30:00.000Z";

fn backfilling() -> Config {
    let mut config = config();
    config.backfill = true;
    config
}

/// Two scenarios; the first has two older versions (1 and 2 modules) before its current one (3).
fn world_with_history() -> (World, u64, u64) {
    let mut world = World::new(2);
    let ids: Vec<u64> = world.make.scenarios.keys().copied().collect();
    let (id, name) = (ids[0], world.make.scenarios[&ids[0]].listing["name"].as_str().unwrap().to_owned());
    world.make.add(id, &name, 3);
    world.make.versions.insert(id, vec![(1, V1.to_owned(), blueprint_for(id, &name, 1)), (2, V2.to_owned(), blueprint_for(id, &name, 2))]);
    (world, id, ids[1])
}

fn blueprint_at(world: &World, commit: &CommitObj, id: u64) -> Value {
    let sha = &world.github.trees[&commit.tree][&format!("scenarios/{id}/blueprint.json")];
    serde_json::from_slice(&world.github.blobs[sha]).unwrap()
}

#[wasm_bindgen_test(unsupported = test)]
fn older_versions_become_commits_in_date_order_before_the_first_backup() {
    let (mut world, id, other) = world_with_history();
    let run = world.run_with(backfilling(), 1);
    assert_eq!(run.summary.status, RunStatus::Success, "{}", run.report);
    let mine: Vec<CommitObj> = world.github.log().into_iter().rev().filter(|c| c.message.starts_with(&format!("Backup scenario {id}:"))).collect();
    assert_eq!(mine.len(), 3, "{:?}", mine.iter().map(|c| c.message.lines().next().unwrap()).collect::<Vec<_>>());
    assert!(mine[0].message.contains("(Make version 1, saved 2026-09-05T08:00:00.000Z)") && mine[0].message.contains("backfill:"), "{}", mine[0].message);
    assert_eq!(mine[0].author["date"], "2026-09-05T08:00:00Z", "dated when the version was saved");
    assert_eq!(mine[1].author["date"], "2026-09-20T16:30:00Z");
    assert!(mine[1].message.contains("Changes:\nModules: +1 added"), "{}", mine[1].message);
    assert_eq!(blueprint_at(&world, &mine[0], id)["flow"].as_array().unwrap().len(), 1);
    assert_eq!(blueprint_at(&world, &mine[1], id)["flow"].as_array().unwrap().len(), 2);
    assert_eq!(blueprint_at(&world, &mine[2], id)["flow"].as_array().unwrap().len(), 3);
    assert!(mine[2].message.contains("Changes:\nModules: +1 added"), "the current backup is diffed with the last version: {}", mine[2].message);
    // The version's metadata.json says when it was saved; restore reads it at that commit.
    let meta_sha = &world.github.trees[&mine[0].tree][&format!("scenarios/{id}/metadata.json")];
    let meta: Value = serde_json::from_slice(&world.github.blobs[meta_sha]).unwrap();
    assert_eq!((meta["lastEdit"].as_str(), meta["backupTimestamp"].as_str()), (Some(V1), Some(V1)));
    // The other scenario had no older version: Make lists only its current one, which makes no commit.
    assert_eq!(world.github.log().iter().filter(|c| c.message.starts_with(&format!("Backup scenario {other}:"))).count(), 1);
    let verdict = run.summary.verdicts.iter().find(|v| v.scenario_id == id).unwrap();
    assert!(verdict.reason.contains("2 older versions imported first (backfill)"), "{}", verdict.reason);
    // Make: list + look past it + per scenario (blueprint, version list, each listed version) + folders.
    assert_eq!(run.count(Service::Make, "GET"), 2 + (1 + 1 + 3) + (1 + 1 + 1) + 1);
    assert_eq!(run.summary.backed_up, 2, "versions are history, not backups of their own");

    // Never again for a scenario that has a backup.
    world.make.edit(id);
    let run = world.run_with(backfilling(), 1);
    assert!(!run.requests.iter().any(|r| r.url.contains("/blueprints") || r.url.contains("blueprintId")));
}

#[wasm_bindgen_test(unsupported = test)]
fn backfill_is_deterministic_and_survives_parking() {
    let (mut a, ..) = world_with_history();
    let (mut b, ..) = world_with_history();
    b.park_every_step = true;
    a.run_with(backfilling(), 9);
    b.run_with(backfilling(), 9);
    assert_eq!(a.github.head, b.github.head, "same inputs and now, same commits");
}

#[wasm_bindgen_test(unsupported = test)]
fn at_most_the_newest_versions_are_imported() {
    let (mut world, id, _) = world_with_history();
    let mut config = backfilling();
    config.backfill_max_versions = 2; // version 2 and the current one: version 1 is left out
    world.run_with(config, 1);
    let messages: Vec<String> = world.github.log().iter().map(|c| c.message.clone()).filter(|m| m.starts_with(&format!("Backup scenario {id}:"))).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("Make version 2")) && !messages.iter().any(|m| m.contains("Make version 1,")));
}

#[wasm_bindgen_test(unsupported = test)]
fn a_version_that_fails_is_skipped_and_the_backup_goes_on() {
    let (mut world, id, _) = world_with_history();
    world.faults.push(Fault::new(Service::Make, "blueprintId=1", 404, r#"{"detail":"Blueprint not found.","message":"Not Found","code":"SC404"}"#));
    world.faults.push(Fault::new(Service::Make, &format!("/scenarios/{}/blueprints", id + 7), 403, r#"{"detail":"Access denied.","message":"Permission denied","code":"SC403"}"#));
    let run = world.run_with(backfilling(), 1);
    assert_eq!((run.summary.status, run.summary.backed_up), (RunStatus::Success, 2), "{}", run.report);
    let warnings = run.summary.warnings.join("\n");
    assert!(warnings.contains(&format!("scenario {id}: version 1 was not imported")), "{warnings}");
    assert!(warnings.contains("its older versions were not imported"), "{warnings}");
    assert_eq!(world.github.log().iter().filter(|c| c.message.contains("Make version")).count(), 1);
}

#[wasm_bindgen_test(unsupported = test)]
fn a_scenario_that_is_not_backed_up_takes_its_versions_with_it_and_is_backfilled_next_time() {
    let (mut world, id, _) = world_with_history();
    // The current blueprint holds a token; the block policy refuses it after the versions were chained.
    world.make.scenarios.get_mut(&id).unwrap().blueprint["flow"][1]["mapper"]["headers"] =
        json!([{"name": "Authorization", "value": "token ghp_FAKEABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"}]);
    let mut blocking = backfilling();
    blocking.secrets = SecretPolicy::Block;
    let run = world.run_with(blocking.clone(), 1);
    assert!(run.summary.errors.iter().any(|e| e.code == "secrets-blocked" && e.scenario_id == Some(id)));
    assert!(!world.github.log().iter().any(|c| c.message.starts_with(&format!("Backup scenario {id}:"))), "no version landed without its scenario");
    assert!(!world.github.files().contains_key(&format!("scenarios/{id}/blueprint.json")));
    // Fixed in Make: the next run backfills it.
    world.make.scenarios.get_mut(&id).unwrap().blueprint["flow"][1]["mapper"]["headers"] = json!([]);
    let run = world.run_with(blocking, 1);
    assert_eq!(run.summary.status, RunStatus::Success, "{}", run.report);
    assert_eq!(world.github.log().iter().filter(|c| c.message.starts_with(&format!("Backup scenario {id}:"))).count(), 3);
}

#[wasm_bindgen_test(unsupported = test)]
fn versions_are_replayed_in_order_when_the_branch_moved() {
    let (mut world, id, _) = world_with_history();
    world.faults.push(Fault::move_branch("/git/refs/heads/main").method("PATCH"));
    let run = world.run_with(backfilling(), 1);
    assert_eq!(run.summary.status, RunStatus::Success, "{}", run.report);
    let mine: Vec<String> = world.github.log().into_iter().rev().map(|c| c.message).filter(|m| m.starts_with(&format!("Backup scenario {id}:"))).collect();
    assert_eq!(mine.len(), 3);
    assert!(mine[0].contains("Make version 1") && mine[1].contains("Make version 2") && !mine[2].contains("Make version"), "{mine:?}");
    assert!(world.github.files().contains_key("NOTES.md"), "the other writer's commit is kept");
}
