//! Restore planner: the exact Make requests for create / overwrite / start, what the restored scenario
//! still needs, round-trip checks, and errors that name the file and what to do.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use make_backup_planner::canonical_json;
use make_backup_planner::restore::{
    RestoreInput, RestoreMode, RestoreNeedKind, RestoreOptions, blueprint_request, check_reply_round_trip, check_request_round_trip,
    parse_scenario_reply, plan_restore, start_request,
};
use make_backup_planner::{Method, Service};
use serde_json::{Value, json};
use wasm_bindgen_test::wasm_bindgen_test;

const BASE: &str = "https://eu1.make.com/api/v2";
const DESK_BLUEPRINT: &str = include_str!("fixtures/make/support-desk-blueprint.json");
const DESK_METADATA: &str = include_str!("fixtures/make/support-desk-metadata.json");
const ROUTER_BLUEPRINT: &str = include_str!("golden/router-unicode/blueprint.json");
const ROUTER_METADATA: &str = include_str!("golden/router-unicode/metadata.json");
const NUMBERS_BLUEPRINT: &str = include_str!("golden/exact-numbers/blueprint.json");
const NUMBERS_METADATA: &str = include_str!("golden/exact-numbers/metadata.json");
const ROUTER_REPLY: &str = include_str!("fixtures/make/blueprint-router-unicode.json");
const GOLDEN_CREATE: &str = include_str!("golden/restore/support-desk-create.json");
const GOLDEN_OVERWRITE: &str = include_str!("golden/restore/router-unicode-overwrite.json");

fn options(mode: RestoreMode) -> RestoreOptions {
    RestoreOptions { mode, team_id: None, folder_id: None, target_scenario_id: None, start: false, make_base_url: BASE.to_owned() }
}

fn input(id: Option<u64>, blueprint: &str, metadata: Option<&str>, options: RestoreOptions) -> RestoreInput {
    RestoreInput { scenario_id: id, blueprint: blueprint.to_owned(), metadata: metadata.map(str::to_owned), options }
}

fn body_of(request: &make_backup_planner::Request) -> Value {
    serde_json::from_str(request.body.as_deref().unwrap()).unwrap()
}

/// Compares with a golden file (regenerate with UPDATE_GOLDEN=1, then review the diff).
fn golden(path: &str, expected: &str, actual: &str) {
    if cfg!(not(target_arch = "wasm32")) && std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(format!("{}/tests/golden/{path}", env!("CARGO_MANIFEST_DIR")), actual).unwrap();
        return;
    }
    assert_eq!(actual, expected, "{path} differs from the golden file (UPDATE_GOLDEN=1 to regenerate, then review)");
}

#[wasm_bindgen_test(unsupported = test)]
fn create_posts_blueprint_and_scheduling_as_json_strings() {
    let plan = plan_restore(&input(Some(5150), DESK_BLUEPRINT, Some(DESK_METADATA), options(RestoreMode::Create))).unwrap();
    assert_eq!(plan.requests.len(), 1);
    let request = &plan.requests[0];
    assert_eq!((request.service, request.method), (Service::Make, Method::POST));
    assert_eq!(request.url, "https://eu1.make.com/api/v2/scenarios?confirmed=true");
    assert!(!request.headers.keys().any(|k| k.eq_ignore_ascii_case("authorization")), "never a credential");
    assert_eq!(request.headers["content-type"], "application/json");
    assert_eq!(request.scenario_id, Some(5150));
    let body = body_of(request);
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["blueprint", "folderId", "metadata", "scheduling", "teamId"]);
    let blueprint = body["blueprint"].as_str().expect("blueprint is a JSON string");
    assert!(!blueprint.contains('\n') && blueprint.starts_with("{\"flow\":["), "compact text");
    assert_eq!(canonical_json(blueprint).unwrap(), DESK_BLUEPRINT, "canonical(sent) == blueprint.json");
    assert_eq!(body["scheduling"], json!("{\"type\":\"immediately\"}"), "scheduling is a JSON string too");
    assert_eq!((body["teamId"].as_u64(), body["folderId"].as_u64()), (Some(51), Some(12)));
    assert_eq!(body["metadata"], json!({"input_spec": [{"name": "ticket", "required": true, "type": "text"}], "output_spec": []}));
    assert_eq!((plan.team_id, plan.folder_id, plan.target_scenario_id), (Some(51), Some(12), None));
    assert_eq!(plan.name, "Support desk triage");
    assert!(!plan.start_after_create);
    assert_eq!(plan.blueprint_sha, make_backup_planner::git_blob_sha(DESK_BLUEPRINT.as_bytes()));
    let text = serde_json::to_string(&plan).unwrap();
    assert!(text.contains("\"startAfterCreate\"") && text.contains("\"blueprintSha\""), "camelCase");
    golden("restore/support-desk-create.json", GOLDEN_CREATE, &canonical_json(&text).unwrap());
}

#[wasm_bindgen_test(unsupported = test)]
fn the_plan_says_what_the_new_scenario_still_needs() {
    let plan = plan_restore(&input(Some(5150), DESK_BLUEPRINT, Some(DESK_METADATA), options(RestoreMode::Create))).unwrap();
    let needs: Vec<(RestoreNeedKind, Option<&str>, Vec<u64>)> =
        plan.needs.iter().map(|n| (n.kind, n.id.as_deref(), n.module_ids.clone())).collect();
    assert_eq!(
        needs,
        vec![
            (RestoreNeedKind::Activation, None, vec![]),
            (RestoreNeedKind::Connection, Some("4021"), vec![3]),
            (RestoreNeedKind::Connection, Some("4022"), vec![9]),
            (RestoreNeedKind::Connection, Some("4023"), vec![10]),
            (RestoreNeedKind::Webhook, Some("501"), vec![1]),
            (RestoreNeedKind::DataStore, Some("148248"), vec![6]),
            (RestoreNeedKind::Key, Some("3301"), vec![7]),
            (RestoreNeedKind::Key, Some("3302"), vec![12]),
            (RestoreNeedKind::DataStructure, Some("7001"), vec![12]),
            (RestoreNeedKind::Agent, Some("agt_7f3a9c"), vec![11]),
        ]
    );
    let message = |kind| plan.needs.iter().find(|n| n.kind == kind).unwrap().message.clone();
    assert!(message(RestoreNeedKind::Activation).contains("inactive"));
    assert!(message(RestoreNeedKind::Webhook).contains("new URL"), "a new hook changes the URL callers use");
    assert!(message(RestoreNeedKind::DataStore).contains("records are not in the backup"));
    assert!(message(RestoreNeedKind::Connection).contains("team 51"));
}

#[wasm_bindgen_test(unsupported = test)]
fn numbers_survive_digit_for_digit_and_empty_parts_are_left_out() {
    let plan = plan_restore(&input(Some(7), NUMBERS_BLUEPRINT, Some(NUMBERS_METADATA), options(RestoreMode::Create))).unwrap();
    let request = &plan.requests[0];
    let raw = request.body.as_deref().unwrap();
    for digits in ["12345678901234567890", "1.10", "1e+5", "-0.0"] {
        assert!(raw.contains(digits), "{digits} kept");
    }
    let body = body_of(request);
    assert!(body.get("folderId").is_none(), "no folder in the backup: none sent");
    assert!(body.get("metadata").is_none(), "no inputs/outputs: no metadata field");
    assert_eq!(body["teamId"], json!(52));
    assert_eq!(body["scheduling"], json!("{\"interval\":86400,\"time\":\"02:00\",\"type\":\"daily\"}"));
    let check = check_request_round_trip(raw, NUMBERS_BLUEPRINT).unwrap();
    assert!(check.identical, "{check:?}");
    assert_eq!(check.restored_sha, check.backup_sha);
}

#[wasm_bindgen_test(unsupported = test)]
fn overwrite_patches_the_scenario_and_starts_it_when_asked() {
    let mut opts = options(RestoreMode::Overwrite);
    opts.start = true;
    let plan = plan_restore(&input(Some(418339), ROUTER_BLUEPRINT, Some(ROUTER_METADATA), opts)).unwrap();
    assert_eq!(plan.requests.len(), 2);
    let (patch, start) = (&plan.requests[0], &plan.requests[1]);
    assert_eq!((patch.method, patch.url.as_str()), (Method::PATCH, "https://eu1.make.com/api/v2/scenarios/418339?confirmed=true"));
    let body = body_of(patch);
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["blueprint", "name", "scheduling"], "no team on an update; folder only when asked");
    assert_eq!(body["name"], "Rechnungen prüfen 📄 — 日本語");
    assert_eq!(canonical_json(body["blueprint"].as_str().unwrap()).unwrap(), ROUTER_BLUEPRINT);
    assert_eq!((start.method, start.url.as_str(), start.body.as_deref()), (Method::POST, "https://eu1.make.com/api/v2/scenarios/418339/start", None));
    assert!(start.id > patch.id);
    assert_eq!(plan.target_scenario_id, Some(418339));
    assert!(!plan.needs.iter().any(|n| n.kind == RestoreNeedKind::Activation), "starting: no activation need");
    let interface = plan.needs.iter().find(|n| n.kind == RestoreNeedKind::Interface).expect("inputs are not sent by PATCH");
    assert!(interface.message.contains("scenarios/418339/metadata.json"));
    let hook = plan.needs.iter().find(|n| n.kind == RestoreNeedKind::Webhook).unwrap();
    assert!(hook.message.contains("stays attached"), "same scenario keeps its hook: {}", hook.message);
    golden("restore/router-unicode-overwrite.json", GOLDEN_OVERWRITE, &canonical_json(&serde_json::to_string(&plan).unwrap()).unwrap());
}

#[wasm_bindgen_test(unsupported = test)]
fn overwrite_another_scenario_and_move_it_to_a_folder() {
    let mut opts = options(RestoreMode::Overwrite);
    opts.target_scenario_id = Some(9001);
    opts.folder_id = Some(12);
    let plan = plan_restore(&input(Some(418339), ROUTER_BLUEPRINT, Some(ROUTER_METADATA), opts)).unwrap();
    assert_eq!(plan.requests.len(), 1, "no start unless asked");
    assert!(plan.requests[0].url.ends_with("/scenarios/9001?confirmed=true"));
    assert_eq!(body_of(&plan.requests[0])["folderId"], json!(12));
    let hook = plan.needs.iter().find(|n| n.kind == RestoreNeedKind::Webhook).unwrap();
    assert!(hook.message.contains("new URL"), "another scenario: the hook may belong to the original");
}

#[wasm_bindgen_test(unsupported = test)]
fn create_in_another_team_drops_the_original_folder_unless_one_is_given() {
    let mut opts = options(RestoreMode::Create);
    opts.team_id = Some(77);
    let plan = plan_restore(&input(Some(5150), DESK_BLUEPRINT, Some(DESK_METADATA), opts.clone())).unwrap();
    let body = body_of(&plan.requests[0]);
    assert_eq!((body["teamId"].as_u64(), body.get("folderId")), (Some(77), None));
    assert!(plan.warnings.iter().any(|w| w.contains("folder 12 belongs to team 51")), "{:?}", plan.warnings);
    opts.folder_id = Some(300);
    let plan = plan_restore(&input(Some(5150), DESK_BLUEPRINT, Some(DESK_METADATA), opts)).unwrap();
    assert_eq!(body_of(&plan.requests[0])["folderId"], json!(300));
    assert!(plan.warnings.is_empty());
}

#[wasm_bindgen_test(unsupported = test)]
fn create_and_start_uses_the_id_from_the_create_reply() {
    let mut opts = options(RestoreMode::Create);
    opts.start = true;
    let plan = plan_restore(&input(Some(5150), DESK_BLUEPRINT, Some(DESK_METADATA), opts)).unwrap();
    assert!(plan.start_after_create);
    assert_eq!(plan.requests.len(), 1, "the id is known only after the create");
    assert!(!plan.needs.iter().any(|n| n.kind == RestoreNeedKind::Activation));
    let reply = r#"{"scenario":{"id":9001,"name":"Support desk triage","teamId":51,"folderId":12,"isActive":false,"hookId":null}}"#;
    let created = parse_scenario_reply(Some(200), reply).unwrap();
    assert_eq!((created.id, created.team_id, created.folder_id, created.is_active), (9001, Some(51), Some(12), Some(false)));
    let start = start_request(BASE, created.id).unwrap();
    assert_eq!((start.method, start.url.as_str()), (Method::POST, "https://eu1.make.com/api/v2/scenarios/9001/start"));
    let read_back = blueprint_request(&format!("{BASE}/"), created.id).unwrap();
    assert_eq!((read_back.method, read_back.url.as_str()), (Method::GET, "https://eu1.make.com/api/v2/scenarios/9001/blueprint"));
}

#[wasm_bindgen_test(unsupported = test)]
fn error_replies_quote_make_and_say_what_to_do() {
    let denied = parse_scenario_reply(Some(403), r#"{"detail":"Access denied.","message":"Permission denied","code":"SC403"}"#).unwrap_err();
    assert_eq!(denied.code(), "invalid-input");
    let text = denied.to_string();
    assert!(text.contains("Access denied. (SC403)") && text.contains("scenarios:write"), "{text}");
    let missing = parse_scenario_reply(Some(404), r#"{"message":"Not Found","code":"SC404"}"#).unwrap_err().to_string();
    assert!(missing.contains("mode create"), "{missing}");
    assert!(parse_scenario_reply(Some(200), "{\"scenario\":{\"name\":\"x\"}}").is_err(), "no id");
    assert!(parse_scenario_reply(Some(502), "<html>bad gateway</html>").unwrap_err().to_string().contains("HTTP 502"));
}

#[wasm_bindgen_test(unsupported = test)]
fn without_metadata_a_team_is_required_and_scheduling_defaults_safely() {
    let err = plan_restore(&input(Some(5150), DESK_BLUEPRINT, None, options(RestoreMode::Create))).unwrap_err();
    assert_eq!(err.code(), "invalid-config");
    assert!(err.to_string().contains("restore.teamId") && err.to_string().contains("scenarios/5150/blueprint.json"), "{err}");
    let mut opts = options(RestoreMode::Create);
    opts.team_id = Some(51);
    let plan = plan_restore(&input(Some(5150), DESK_BLUEPRINT, None, opts)).unwrap();
    assert_eq!(body_of(&plan.requests[0])["scheduling"], json!("{\"type\":\"immediately\"}"), "instant trigger");
    assert!(plan.warnings.iter().any(|w| w.contains("no metadata.json")));
    let plain = r#"{"name":"Nightly","flow":[{"id":1,"module":"util:SetVariable2","mapper":{"name":"a","value":"1"}}],"metadata":{"version":1}}"#;
    let mut opts = options(RestoreMode::Create);
    opts.team_id = Some(51);
    let plan = plan_restore(&input(None, plain, None, opts)).unwrap();
    assert_eq!(body_of(&plan.requests[0])["scheduling"], json!("{\"type\":\"on-demand\"}"), "never runs by itself");
    let err = plan_restore(&input(None, plain, None, options(RestoreMode::Overwrite))).unwrap_err();
    assert!(err.to_string().contains("restore.targetScenarioId"), "{err}");
}

#[wasm_bindgen_test(unsupported = test)]
fn unusable_files_are_named_with_what_to_do() {
    let cases: [(&str, &str); 4] = [
        ("{\"name\":", "not JSON"),
        ("[1,2]", "not a JSON object"),
        ("{\"code\":\"OK\",\"response\":{\"blueprint\":{\"flow\":[]}}}", "response.blueprint"),
        ("{\"name\":\"x\",\"metadata\":{}}", "no \"flow\" array"),
    ];
    for (text, expected) in cases {
        let err = plan_restore(&input(Some(5150), text, Some(DESK_METADATA), options(RestoreMode::Create))).unwrap_err().to_string();
        assert!(err.contains("scenarios/5150/blueprint.json") && err.contains(expected), "{err}");
    }
    let err = plan_restore(&input(Some(5150), DESK_BLUEPRINT, Some("{oops"), options(RestoreMode::Create))).unwrap_err().to_string();
    assert!(err.contains("scenarios/5150/metadata.json"), "{err}");
    let mut opts = options(RestoreMode::Create);
    opts.make_base_url = "eu1.make.com".to_owned();
    let err = plan_restore(&input(Some(5150), DESK_BLUEPRINT, Some(DESK_METADATA), opts)).unwrap_err();
    assert!(err.to_string().contains("restore.makeBaseUrl"), "{err}");
}

#[wasm_bindgen_test(unsupported = test)]
fn round_trip_checks_compare_canonical_texts() {
    let plan = plan_restore(&input(Some(5150), DESK_BLUEPRINT, Some(DESK_METADATA), options(RestoreMode::Create))).unwrap();
    let body = plan.requests[0].body.clone().unwrap();
    assert!(check_request_round_trip(&body, DESK_BLUEPRINT).unwrap().identical);
    let tampered = body.replace("New ticket", "Old ticket");
    let check = check_request_round_trip(&tampered, DESK_BLUEPRINT).unwrap();
    assert!(!check.identical);
    assert!(check.first_difference.as_deref().unwrap().contains("Old ticket"), "{check:?}");
    // What Make serves afterwards (GET /scenarios/{id}/blueprint) against the backed-up file.
    let served = check_reply_round_trip(ROUTER_REPLY, ROUTER_BLUEPRINT).unwrap();
    assert!(served.identical, "{served:?}");
    assert!(!check_reply_round_trip(ROUTER_REPLY, DESK_BLUEPRINT).unwrap().identical);
    assert!(check_request_round_trip("{}", DESK_BLUEPRINT).is_err(), "no blueprint string");
}

#[wasm_bindgen_test(unsupported = test)]
fn backup_files_are_read_raw_at_the_chosen_ref_without_credentials() {
    use make_backup_planner::restore::{BackupSource, backup_file_requests};
    let source: BackupSource = serde_json::from_value(serde_json::json!({"owner": "acme", "repo": "make-backup", "gitRef": "backups/2026 11"})).unwrap();
    let [blueprint, metadata] = backup_file_requests(&source, 4242).unwrap();
    assert_eq!(blueprint.url, "https://api.github.com/repos/acme/make-backup/contents/scenarios/4242/blueprint.json?ref=backups%2F2026%2011");
    assert_eq!(metadata.url, "https://api.github.com/repos/acme/make-backup/contents/scenarios/4242/metadata.json?ref=backups%2F2026%2011");
    assert_eq!(blueprint.headers["accept"], "application/vnd.github.raw+json");
    assert!(blueprint.headers.keys().all(|h| h != "authorization"));
    assert_eq!((blueprint.id, metadata.id), (1, 2));
    let latest: BackupSource = serde_json::from_value(serde_json::json!({"apiUrl": "http://127.0.0.1:9/", "owner": "o", "repo": "r"})).unwrap();
    assert_eq!(backup_file_requests(&latest, 1).unwrap()[0].url, "http://127.0.0.1:9/repos/o/r/contents/scenarios/1/blueprint.json");
    let bad: BackupSource = serde_json::from_value(serde_json::json!({"owner": "o/x", "repo": "r"})).unwrap();
    let error = backup_file_requests(&bad, 1).unwrap_err();
    assert_eq!(error.code(), "invalid-config");
}
