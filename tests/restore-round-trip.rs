//! Restore round trip against the in-memory fakes: back up, delete the scenario in Make, restore it
//! from the repository files with the planned create request, back up again: the restored scenario's
//! blueprint.json is byte-identical to the original one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]
mod common;

use common::*;
use make_backup_planner::restore::{RestoreInput, RestoreMode, RestoreOptions, check_reply_round_trip, check_request_round_trip, parse_scenario_reply, plan_restore};
use make_backup_planner::{Method, RunStatus};
use serde_json::{Value, json};
use wasm_bindgen_test::wasm_bindgen_test;

/// What Make does with the planned create request (make-api.md §6): a new, inactive scenario.
fn perform_create(world: &mut World, url: &str, body: &str, new_id: u64) -> String {
    assert_eq!(url, format!("{}/scenarios?confirmed=true", world.make.base));
    let body: Value = serde_json::from_str(body).unwrap();
    let blueprint: Value = serde_json::from_str(body["blueprint"].as_str().expect("blueprint string")).unwrap();
    let scheduling: Value = serde_json::from_str(body["scheduling"].as_str().expect("scheduling string")).unwrap();
    let name = blueprint["name"].as_str().unwrap().to_owned();
    world.make.add(new_id, &name, 1);
    let scenario = world.make.scenarios.get_mut(&new_id).unwrap();
    scenario.blueprint = blueprint;
    scenario.listing["teamId"] = body["teamId"].clone();
    scenario.listing["folderId"] = body.get("folderId").cloned().unwrap_or(Value::Null);
    scenario.listing["scheduling"] = scheduling;
    scenario.listing["isActive"] = json!(false);
    scenario.listing["lastEdit"] = json!("2026-11-23T03:00:00.000Z");
    json!({"scenario": scenario.listing}).to_string()
}

#[wasm_bindgen_test(unsupported = test)]
fn a_deleted_scenario_comes_back_byte_identical() {
    let mut world = World::new(4);
    assert_eq!(world.run().summary.status, RunStatus::Success);
    let original = *world.make.scenarios.keys().nth(1).unwrap();
    let files = world.github.files();
    let blueprint_json = files[&format!("scenarios/{original}/blueprint.json")].clone();
    let metadata_json = files[&format!("scenarios/{original}/metadata.json")].clone();
    world.make.scenarios.remove(&original);
    let second = world.run();
    assert_eq!(second.summary.deleted, 1);

    let options = RestoreOptions {
        mode: RestoreMode::Create,
        team_id: None,
        folder_id: None,
        target_scenario_id: None,
        start: false,
        make_base_url: world.make.base.clone(),
    };
    let input = RestoreInput { scenario_id: Some(original), blueprint: blueprint_json.clone(), metadata: Some(metadata_json), options };
    let plan = plan_restore(&input).unwrap();
    let request = &plan.requests[0];
    assert_eq!(request.method, Method::POST);
    let body = request.body.as_deref().unwrap();
    assert!(check_request_round_trip(body, &blueprint_json).unwrap().identical);
    assert!(plan.needs.iter().any(|n| n.id.as_deref() == Some("77")), "the fakes' HTTP modules use connection 77");

    let new_id = 9001;
    let reply = perform_create(&mut world, &request.url, body, new_id);
    let created = parse_scenario_reply(Some(200), &reply).unwrap();
    assert_eq!((created.id, created.is_active, created.team_id), (new_id, Some(false), Some(51)));
    assert!(check_reply_round_trip(&world.make.reply_text(new_id).unwrap(), &blueprint_json).unwrap().identical);

    let third = world.run();
    assert_eq!(third.summary.status, RunStatus::Success, "{}", third.report);
    let files = world.github.files();
    assert_eq!(files[&format!("scenarios/{new_id}/blueprint.json")], blueprint_json, "byte-identical after a backup of the restored scenario");
    let restored: Value = serde_json::from_str(&files[&format!("scenarios/{new_id}/metadata.json")]).unwrap();
    assert_eq!(restored["scheduling"], json!({"type": "indefinitely", "interval": 900}), "scheduling restored");
    assert_eq!(restored["folderId"], json!(9), "folder restored");
}
