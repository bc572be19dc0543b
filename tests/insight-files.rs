//! Issue 5 §2 and §4 through the engine: the audit `README.md` and `inventory/dependencies.json` ride
//! in the state commit, only when their bytes change; a person's README.md is never replaced; the
//! dependency checks against Make's list endpoints flag what is gone.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use make_backup_planner::audit::GENERATED_MARKER;
use make_backup_planner::{RunStatus, Service};
use serde_json::{Value, json};
use wasm_bindgen_test::wasm_bindgen_test;

fn inventory(world: &World) -> Value {
    serde_json::from_str(&world.github.files()["inventory/dependencies.json"]).unwrap()
}

fn state(world: &World) -> Value {
    serde_json::from_str(&world.github.files()[".backup-state.json"]).unwrap()
}

/// A repository whose only file is not a README.
fn world_without_readme(n: u64) -> World {
    let mut world = World::new(n);
    world.github.commit_as_human("NOTES.md", "notes\n");
    world.github.remove_as_human("README.md");
    world
}

#[wasm_bindgen_test(unsupported = test)]
fn the_first_backup_writes_the_report_and_the_inventory_with_the_state() {
    let mut world = world_without_readme(4);
    let run = world.run();
    assert_eq!(run.summary.status, RunStatus::Success, "{}", run.report);
    let files = world.github.files();
    let readme = &files["README.md"];
    assert!(readme.starts_with(GENERATED_MARKER), "{readme}");
    assert!(readme.contains("Coverage: 100.0 %") && readme.contains("Finance"), "folder names come from Make: {readme}");
    for scenario in world.make.scenarios.values() {
        assert!(readme.contains(&scenario.listing["id"].to_string()), "{readme}");
    }
    // Every scenario's webhook, and the HTTP connection of those with more than one module.
    let inv = inventory(&world);
    assert_eq!(inv["scenarios"].as_object().unwrap().len(), 4);
    let users_of_77: Vec<u64> = inv["dependencies"]["connection:77"]["scenarios"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    let expected: Vec<u64> = world.make.scenarios.iter().filter(|(_, s)| s.blueprint["flow"].as_array().unwrap().len() > 1).map(|(id, _)| *id).collect();
    assert_eq!(users_of_77, expected);
    for id in world.make.scenarios.keys() {
        let hook = &inv["dependencies"][format!("webhook:{}", 1000 + id)];
        assert_eq!(hook["scenarios"], json!([id]), "{hook}");
        assert_eq!(hook["status"], "unchecked", "lists are read only with checkDependencies");
    }
    // One state commit carries all three; the state remembers where the report is.
    let state_commit = &world.github.log()[0];
    assert!(state_commit.message.contains("files: .backup-state.json, README.md, inventory/dependencies.json"), "{}", state_commit.message);
    assert_eq!(state(&world)["report"]["path"], "README.md");
    assert_eq!(run.count(Service::Github, "GET"), 2, "no README.md to read, no inventory to read");
    assert_eq!(run.summary.commits_made, 5);

    // Nothing changed: nothing read, nothing written.
    let again = world.run();
    assert_eq!((again.count(Service::Github, "GET"), again.github_writes(), again.count(Service::Make, "GET")), (3, 0, 2));
}

#[wasm_bindgen_test(unsupported = test)]
fn an_edit_refreshes_the_report_and_leaves_an_unchanged_inventory_alone() {
    let mut world = world_without_readme(3);
    world.run();
    let inventory_before = world.github.files()["inventory/dependencies.json"].clone();
    let readme_before = world.github.files()["README.md"].clone();
    let id = *world.make.scenarios.keys().next().unwrap();
    world.make.edit(id); // adds a module without references
    let run = world.run();
    let files = world.github.files();
    assert_ne!(files["README.md"], readme_before, "the last edit and last backup of the edited scenario changed");
    assert_eq!(files["inventory/dependencies.json"], inventory_before);
    assert!(world.github.log()[0].message.contains("files: .backup-state.json, README.md\n"), "{}", world.github.log()[0].message);
    // branch + tree + state + previous metadata + previous blueprint + inventory; the README is ours by SHA.
    assert_eq!(run.count(Service::Github, "GET"), 6);
}

#[wasm_bindgen_test(unsupported = test)]
fn a_persons_readme_is_left_alone_and_read_only_once() {
    let mut world = World::new(2); // its README.md was written by a person
    let person = world.github.files()["README.md"].clone();
    let run = world.run();
    assert_eq!(world.github.files()["README.md"], person);
    assert!(world.github.files()["inventory/README.md"].starts_with(GENERATED_MARKER));
    assert!(run.summary.warnings.iter().any(|w| w.contains("left alone") && w.contains("inventory/README.md")), "{:?}", run.summary.warnings);
    assert_eq!(state(&world)["report"]["path"], "inventory/README.md");
    let id = *world.make.scenarios.keys().next().unwrap();
    world.make.edit(id);
    let run = world.run();
    assert!(!run.requests.iter().any(|r| r.purpose.contains("is it the generated report")), "the state says where the report lives");
    assert!(run.requests.iter().any(|r| r.purpose.contains("inventory/README.md")), "the report is refreshed there");
    assert_eq!(world.github.files()["README.md"], person);
}

#[wasm_bindgen_test(unsupported = test)]
fn an_edited_generated_readme_is_overwritten_as_its_first_line_says() {
    let mut world = world_without_readme(2);
    world.run();
    let edited = format!("{}\n# mine now\n", world.github.files()["README.md"]);
    world.github.commit_as_human("README.md", &edited);
    let id = *world.make.scenarios.keys().next().unwrap();
    world.make.edit(id);
    let run = world.run();
    assert_eq!(run.requests.iter().filter(|r| r.purpose.contains("is it the generated report")).count(), 1);
    let readme = &world.github.files()["README.md"];
    assert!(readme.starts_with(GENERATED_MARKER) && !readme.contains("# mine now"), "{readme}");
    assert!(!world.github.files().contains_key("inventory/README.md"));
}

#[wasm_bindgen_test(unsupported = test)]
fn a_scenario_deleted_in_make_leaves_the_inventory_and_shows_in_the_report() {
    let mut world = world_without_readme(3);
    world.run();
    let gone = *world.make.scenarios.keys().nth(1).unwrap();
    world.make.scenarios.remove(&gone);
    let run = world.run();
    assert_eq!(run.summary.deleted, 1);
    let inv = inventory(&world);
    assert!(inv["scenarios"].get(gone.to_string()).is_none(), "{inv}");
    assert!(inv["dependencies"].get(format!("webhook:{}", 1000 + gone)).is_none());
    let readme = &world.github.files()["README.md"];
    assert!(readme.contains("deleted in Make") || readme.contains("Deleted"), "{readme}");
}

#[wasm_bindgen_test(unsupported = test)]
fn a_repository_backed_up_before_the_inventory_existed_gets_it_from_its_blueprints() {
    let mut world = world_without_readme(4);
    let mut off = config();
    off.dependency_inventory = false;
    world.run_with(off, 1);
    assert!(!world.github.files().contains_key("inventory/dependencies.json"));
    let id = *world.make.scenarios.keys().next().unwrap();
    world.make.edit(id);
    let run = world.run();
    let backlog = run.requests.iter().filter(|r| r.purpose.contains("for inventory/dependencies.json")).count();
    assert_eq!(backlog, 3, "the three unchanged scenarios' blueprints are read from the repository once");
    assert_eq!(inventory(&world)["scenarios"].as_object().unwrap().len(), 4);
    world.make.edit(id);
    let run = world.run();
    assert_eq!(run.requests.iter().filter(|r| r.purpose.contains("for inventory/dependencies.json")).count(), 0);
}

fn lists(world: &mut World, hooks: &[u64]) {
    let items = |key: &str, values: Vec<Value>| (key.to_owned(), values);
    world.make.lists.insert("/connections".into(), items("connections", vec![json!({"id": 77, "name": "HTTP (acme)", "accountName": "http", "teamId": 51, "scopes": 0})]));
    world.make.lists.insert(
        "/hooks".into(),
        items("hooks", hooks.iter().map(|h| json!({"id": h, "name": format!("Hook {h}"), "typeName": "gateway-webhook", "teamId": 51, "enabled": true, "gone": false})).collect()),
    );
    for (path, key) in [("/data-stores", "dataStores"), ("/data-structures", "dataStructures"), ("/devices", "devices")] {
        world.make.lists.insert(path.into(), items(key, vec![]));
    }
    world.make.denied_lists = vec!["/keys".into()];
}

#[wasm_bindgen_test(unsupported = test)]
fn dependency_checks_flag_what_is_gone_and_leave_denied_lists_unchecked() {
    let mut world = world_without_readme(3);
    let ids: Vec<u64> = world.make.scenarios.keys().copied().collect();
    lists(&mut world, &[1000 + ids[0], 1000 + ids[1]]); // the third scenario's webhook was deleted
    let mut checking = config();
    checking.check_dependencies = true;
    let run = world.run_with(checking.clone(), 1);
    assert_eq!(run.summary.status, RunStatus::Success, "{}", run.report);
    let inv = inventory(&world);
    assert_eq!(inv["dependencies"]["connection:77"]["status"], "present");
    assert_eq!(inv["dependencies"]["connection:77"]["name"], "HTTP (acme)");
    let gone = &inv["dependencies"][format!("webhook:{}", 1000 + ids[2])];
    assert_eq!(gone["status"], "missing", "{gone}");
    let checked: Vec<&str> = inv["checked"].as_array().unwrap().iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert!(!checked.contains(&"key"), "the token may not list keys: {checked:?}");
    let warnings = run.summary.warnings.join("\n");
    assert!(warnings.contains(&format!("webhook {} (used by scenario {})", 1000 + ids[2], ids[2])), "{warnings}");
    assert!(warnings.contains("keys:read"), "{warnings}");
    // Six kinds for team 51 (keys denied), plus list, look past it, 3 blueprints and the folders.
    assert_eq!(run.count(Service::Make, "GET"), 2 + 3 + 1 + 6);

    // A later run with nothing new still checks, and commits only the inventory when a hook disappears.
    lists(&mut world, &[1000 + ids[0]]);
    let state_before = world.github.files()[".backup-state.json"].clone();
    let run = world.run_with(checking, 1);
    assert_eq!(run.summary.commits_made, 1);
    assert_eq!(world.github.log()[0].message.lines().next().unwrap(), "Update dependency inventory");
    assert_eq!(world.github.files()[".backup-state.json"], state_before);
    assert_eq!(inventory(&world)["dependencies"][format!("webhook:{}", 1000 + ids[1])]["status"], "missing");
}

#[wasm_bindgen_test(unsupported = test)]
fn the_files_can_be_switched_off() {
    let mut world = world_without_readme(2);
    let mut off = config();
    off.audit_readme = false;
    off.dependency_inventory = false;
    let run = world.run_with(off, 1);
    let files = world.github.files();
    assert!(!files.contains_key("README.md") && !files.contains_key("inventory/dependencies.json"), "{:?}", files.keys());
    assert_eq!(run.count(Service::Make, "GET"), 2 + 2, "no folder names without the report");
    assert!(run.summary.coverage.is_some(), "the numbers are in the summary either way");
}

#[wasm_bindgen_test(unsupported = test)]
fn a_scenario_whose_files_did_not_land_is_not_in_the_inventory_until_they_do() {
    let mut world = world_without_readme(3);
    let first = *world.make.scenarios.keys().next().unwrap();
    world.faults.push(Fault::new(Service::Github, "/git/trees", 422, r#"{"message":"Invalid tree info","status":"422"}"#).method("POST").times(1));
    let run = world.run();
    assert_eq!(run.summary.status, RunStatus::Partial, "{}", run.report);
    assert!(run.summary.errors.iter().any(|e| e.scenario_id == Some(first) && e.code == "github-write-failed"));
    let inv = inventory(&world);
    assert!(inv["scenarios"].get(first.to_string()).is_none(), "{inv}");
    assert_eq!(inv["scenarios"].as_object().unwrap().len(), 2);
    world.run();
    assert_eq!(inventory(&world)["scenarios"].as_object().unwrap().len(), 3);
}
