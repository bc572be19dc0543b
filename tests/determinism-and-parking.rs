//! Same inputs and `now` → byte-identical outputs; parking the engine as JSON between every step
//! (as the n8n node does between loop turns) changes nothing; the parked state stays small.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod common;

use common::*;
use make_backup_planner::{Action, Config, Engine, Error, Reply, Service};
use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;

fn full_story(park: bool) -> (Vec<String>, std::collections::BTreeMap<String, String>, String) {
    let mut world = World::new(6);
    world.park_every_step = park;
    world.faults.push(Fault::new(Service::Make, "/blueprint", 503, "").times(2));
    world.faults.push(Fault::move_branch("/git/refs/heads/main"));
    let first = world.run();
    let id = *world.make.scenarios.keys().nth(3).unwrap();
    world.make.edit(id);
    let second = world.run();
    let requests: Vec<String> = first.requests.iter().chain(&second.requests).map(|r| format!("{} {}", r.describe(), r.body.clone().unwrap_or_default())).collect();
    let summaries = serde_json::to_string(&(first.summary, second.summary)).unwrap();
    (requests, world.github.files(), summaries)
}

#[wasm_bindgen_test(unsupported = test)]
fn identical_inputs_give_identical_requests_files_and_summaries() {
    assert_eq!(full_story(false), full_story(false));
}

#[wasm_bindgen_test(unsupported = test)]
fn parking_between_every_step_changes_nothing() {
    assert_eq!(full_story(true), full_story(false));
}

#[wasm_bindgen_test(unsupported = test)]
fn the_parked_engine_holds_no_blueprints() {
    let mut world = World::new(40);
    let big = *world.make.scenarios.keys().next().unwrap();
    world.make.scenarios.get_mut(&big).unwrap().blueprint["flow"][0]["mapper"] = json!({"table": "x".repeat(200_000)});
    let mut engine = Engine::start(config(), &iso(world.now), 0).unwrap();
    let mut largest_between_scenarios = 0;
    loop {
        match engine.poll(&iso(world.now)).unwrap() {
            Action::Request { request } => {
                // Between scenarios (a blueprint about to be read), nothing of earlier blueprints remains.
                if request.url.contains("/blueprint") {
                    largest_between_scenarios = largest_between_scenarios.max(engine.to_json().unwrap().len());
                }
                let (status, body) = world.run_one(&request);
                engine.handle(&iso(world.now), Reply { request_id: request.id, status: Some(status), headers: Default::default(), body, failure: None }).unwrap();
            }
            Action::Wait { .. } => world.now += 60_000,
            Action::Done { summary, .. } => {
                assert_eq!(summary.backed_up, 40);
                break;
            }
        }
    }
    assert!(largest_between_scenarios < 150_000, "parked engine is {largest_between_scenarios} bytes with a 200 KB blueprint seen");
}

#[wasm_bindgen_test(unsupported = test)]
fn large_files_are_uploaded_as_blobs_not_inline() {
    let mut world = World::new(2);
    let big = *world.make.scenarios.keys().next().unwrap();
    world.make.scenarios.get_mut(&big).unwrap().blueprint["flow"][0]["mapper"] = json!({"table": "é".repeat(600_000)});
    let run = world.run();
    assert_eq!(run.summary.backed_up, 2);
    let blobs: Vec<_> = run.requests.iter().filter(|r| r.url.ends_with("/git/blobs") && r.method.as_str() == "POST").collect();
    assert_eq!(blobs.len(), 1, "one blob upload for the 1.2 MB blueprint");
    assert!(blobs[0].body.as_ref().unwrap().contains("\"encoding\":\"base64\""));
    let tree = run.requests.iter().find(|r| r.url.ends_with("/git/trees") && r.scenario_id == Some(big)).unwrap();
    assert!(tree.body.as_ref().unwrap().len() < 10_000, "the tree references the blob by sha");
    assert!(world.github.files()[&format!("scenarios/{big}/blueprint.json")].len() > 1_200_000);
}

#[wasm_bindgen_test(unsupported = test)]
fn the_call_contract_is_enforced() {
    let mut engine = Engine::start(config(), "2026-11-23T02:00:00Z", 0).unwrap();
    let Action::Request { request } = engine.poll("2026-11-23T02:00:00Z").unwrap() else { panic!() };
    let stray = Reply { request_id: request.id + 5, status: Some(200), headers: Default::default(), body: String::new(), failure: None };
    let err = engine.handle("2026-11-23T02:00:00Z", stray).unwrap_err();
    assert_eq!(err.code(), "unexpected-reply");
    assert!(err.to_string().contains("call poll()"));
    assert_eq!(engine.poll("yesterday").unwrap_err(), Error::InvalidTimestamp { value: "yesterday".into() });
    assert_eq!(Engine::from_json("{").unwrap_err().code(), "invalid-input");
}

#[wasm_bindgen_test(unsupported = test)]
fn bad_configuration_is_rejected_with_the_field_and_the_fix() {
    let base = json!({"make": {"zone": "eu1", "teamId": 1}, "github": {"owner": "acme", "repo": "r"}});
    let cases = [
        (json!({"make": {"zone": "eu1", "teamId": 1, "organizationId": 2}}), "make.teamId", "not both"),
        (json!({"make": {"zone": "eu1"}}), "make.teamId", "set teamId or organizationId"),
        (json!({"make": {"zone": "mars1", "teamId": 1}}), "make.zone", "unknown zone"),
        (json!({"make": {"zone": "eu1", "baseUrl": "https://x", "teamId": 1}}), "make.zone", "not both"),
        (json!({"make": {"baseUrl": "ftp://x", "teamId": 1}}), "make.baseUrl", "http(s)"),
        (json!({"make": {"zone": "eu1", "teamId": 1, "pageSize": 0}}), "make.pageSize", "between 1 and 10000"),
        (json!({"github": {"owner": "a b", "repo": "r"}}), "github.owner", "not a GitHub name"),
        (json!({"github": {"owner": "a", "repo": "r", "branch": "bad..name"}}), "github.branch", "not a valid branch"),
        (json!({"github": {"owner": "a", "repo": "r", "committer": {"name": "x", "email": "nope"}}}), "github.committer", "e-mail"),
    ];
    for (patch, field, words) in cases {
        let mut value = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            value[k] = v.clone();
        }
        let config: Config = serde_json::from_value(value).unwrap();
        let err = Engine::start(config, "2026-11-23T02:00:00Z", 0).unwrap_err();
        assert_eq!(err.code(), "invalid-config");
        let text = err.to_string();
        assert!(text.contains(field) && text.contains(words), "{text}");
    }
    let typo: Result<Config, _> = serde_json::from_value(json!({"make": {"zone": "eu1", "teamID": 1}, "github": {"owner": "a", "repo": "r"}}));
    assert!(typo.unwrap_err().to_string().contains("unknown field `teamID`"));
}

#[wasm_bindgen_test(unsupported = test)]
fn arbitrary_replies_never_panic() {
    // Every kind of garbage for every request of a run: the engine must end with a summary.
    let bodies = ["", "null", "[]", "{}", "{\"sha\":\"zz\"}", "\u{0}\u{1}", "{\"tree\":5}", "{\"scenarios\":[{\"id\":-1}]}", "{\"commit\":{\"sha\":1}}"];
    for (i, body) in bodies.iter().enumerate() {
        for status in [200_u16, 201, 204, 301, 400, 404, 409, 422, 500] {
            let mut engine = Engine::start(config(), "2026-11-23T02:00:00Z", i as u64).unwrap();
            let mut steps = 0;
            loop {
                steps += 1;
                assert!(steps < 500, "no progress with {status} {body:?}");
                match engine.poll("2026-11-23T03:00:00Z").unwrap() {
                    Action::Request { request } => {
                        let reply = Reply { request_id: request.id, status: Some(status), headers: Default::default(), body: (*body).to_owned(), failure: None };
                        engine.handle("2026-11-23T03:00:00Z", reply).unwrap();
                    }
                    Action::Wait { .. } => {
                        let Action::Done { .. } = engine.poll("2026-11-24T03:00:00Z").unwrap() else { continue };
                        break;
                    }
                    Action::Done { .. } => break,
                }
            }
        }
    }
}
