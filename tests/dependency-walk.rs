//! Dependency walk: references found in routes, if-else branches, error handlers and unconnected
//! modules; the inverse index; enrichment from list endpoints (names and types only, missing flagged);
//! `inventory/dependencies.json` as golden bytes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use make_backup_planner::canonical_json;
use make_backup_planner::dependencies::{
    DEPENDENCIES_PATH, DependencyInventory, DependencyKind, DependencyStatus, HOOK_PAGE_SIZE, list_request, parse_list, scan_scenario,
};
use make_backup_planner::{Method, Service};
use wasm_bindgen_test::wasm_bindgen_test;

const BASE: &str = "https://eu1.make.com/api/v2";
const DESK_BLUEPRINT: &str = include_str!("fixtures/make/support-desk-blueprint.json");
const DESK_METADATA: &str = include_str!("fixtures/make/support-desk-metadata.json");
const ROUTER_BLUEPRINT: &str = include_str!("golden/router-unicode/blueprint.json");
const ROUTER_METADATA: &str = include_str!("golden/router-unicode/metadata.json");
const GOLDEN_INVENTORY: &str = include_str!("golden/dependencies/dependencies.json");

const CONNECTIONS: &str = r#"{"connections":[
  {"id":4021,"name":"Slack (support)","accountName":"slack2","accountLabel":"Slack","packageName":null,"expire":null,"metadata":{"type":"email","value":"ops@example.com"},"teamId":51,"upgradeable":false,"scoped":true,"accountType":"oauth","editable":false,"uid":"U024BE7LH"},
  {"id":4022,"name":"OpenAI prod","accountName":"openai-gpt-3","accountLabel":"OpenAI","scoped":true,"accountType":"basic"},
  {"id":4099,"name":"Old Gmail","accountName":"google-email","accountLabel":"Gmail","scoped":true,"accountType":"oauth"}]}"#;
const HOOKS: &str = r#"{"hooks":[
  {"id":501,"name":"Support tickets","udid":"x7k2secretudid","type":"web","enabled":true,"gone":false,"typeName":"gateway-webhook","scenarioId":5150,"url":"https://hook.eu1.make.com/x7k2secretudid"},
  {"id":222895,"name":"Invoices DE","udid":"q9secret","type":"web","enabled":false,"gone":true,"typeName":"gateway-webhook","scenarioId":null,"url":"https://hook.eu1.make.com/q9secret"}],
  "pg":{"offset":0,"limit":500}}"#;
const DATA_STORES: &str = r#"{"dataStores":[{"id":148248,"name":"Customers","records":1200,"size":"512000","maxSize":"1048576","teamId":51,"datastructureId":7001}]}"#;
const KEYS: &str = r#"{"keys":[{"id":3301,"name":"CRM API key","typeName":"apikeyauth","packageName":null,"teamId":51}]}"#;
const STRUCTURES: &str = r#"{"dataStructures":[{"id":7001,"name":"Triage payload","teamId":51,"spec":[{"name":"ticket","type":"text"}],"strict":false}]}"#;

type Flat = Vec<(DependencyKind, String, Vec<String>, Vec<u64>)>;

fn flat(deps: &make_backup_planner::dependencies::ScenarioDependencies) -> Flat {
    deps.uses.iter().map(|u| (u.kind, u.id.clone(), u.keys.clone(), u.module_ids())).collect()
}

fn s(v: &str) -> String {
    v.to_owned()
}

#[wasm_bindgen_test(unsupported = test)]
fn every_reference_kind_is_found_in_routes_branches_and_error_handlers() {
    let deps = scan_scenario(5150, DESK_BLUEPRINT, Some(DESK_METADATA)).unwrap();
    assert_eq!((deps.scenario_id, deps.name.as_str(), deps.team_id), (5150, "Support desk triage", Some(51)));
    use DependencyKind::*;
    let expected: Flat = vec![
        (Connection, s("4021"), vec![s("__IMTCONN__")], vec![3]),
        (Connection, s("4022"), vec![s("__IMTCONN__")], vec![9]),
        (Connection, s("4023"), vec![s("makeConnectionId")], vec![10]),
        (Webhook, s("501"), vec![s("hook"), s("hookId")], vec![1]),
        (DataStore, s("148248"), vec![s("datastore")], vec![6]),
        (Key, s("3301"), vec![s("apiKeyKeychain")], vec![7]),
        (Key, s("3302"), vec![s("proxyKeychain")], vec![12]),
        (DataStructure, s("7001"), vec![s("bodyDataStructure")], vec![12]),
        (Agent, s("agt_7f3a9c"), vec![s("agent")], vec![11]),
    ];
    assert_eq!(flat(&deps), expected, "no mapper values, no null connection, no `hook` outside gateway modules");
    assert_eq!(deps.uses[0].modules[0].module, "slack:CreateMessage");
}

#[wasm_bindgen_test(unsupported = test)]
fn nested_parameters_error_handlers_orphans_and_the_device_are_walked() {
    let blueprint = r#"{"name":"Edge cases","flow":[
      {"id":1,"module":"gateway:CustomMailHook","parameters":{"hook":"88"}},
      {"id":2,"module":"builtin:BasicRouter","routes":[{"flow":[
        {"id":3,"module":"builtin:BasicIfElse","branches":[{"type":"else","flow":[
          {"id":4,"module":"http:ActionSendData","parameters":{"auth":{"__IMTKEY__":61}},
           "onerror":[{"id":5,"module":"google-sheets:addRow","parameters":{"__IMTCONN__":62,"udt":63,"oAuthAccount":"{{1.id}}"}}]}]}]}]}]},
      {"id":6,"module":"util:SetVariable2","parameters":{"basicAuthKeychain":""}}],
      "metadata":{"designer":{"orphans":[[{"id":7,"module":"datastore:GetRecord","parameters":{"datastore":64}}]]}}}"#;
    let metadata = r#"{"id":42,"name":"Edge cases","teamId":9,"listing":{"deviceId":65,"hookId":88}}"#;
    let deps = scan_scenario(42, blueprint, Some(metadata)).unwrap();
    use DependencyKind::*;
    let expected: Flat = vec![
        (Connection, s("62"), vec![s("__IMTCONN__")], vec![5]),
        (Webhook, s("88"), vec![s("hook"), s("hookId")], vec![1]),
        (DataStore, s("64"), vec![s("datastore")], vec![7]),
        (Key, s("61"), vec![s("__IMTKEY__")], vec![4]),
        (DataStructure, s("63"), vec![s("udt")], vec![5]),
        (Device, s("65"), vec![s("deviceId")], vec![]),
    ];
    assert_eq!(flat(&deps), expected, "IML and empty values are not references");
    let without_metadata = scan_scenario(42, blueprint, None).unwrap();
    assert_eq!(without_metadata.name, "Edge cases", "name from the blueprint");
    assert!(!without_metadata.uses.iter().any(|u| u.kind == Device));
}

#[wasm_bindgen_test(unsupported = test)]
fn the_inverse_index_lists_every_scenario_that_uses_a_dependency() {
    let inventory = DependencyInventory::build([
        scan_scenario(5150, DESK_BLUEPRINT, Some(DESK_METADATA)).unwrap(),
        scan_scenario(418339, ROUTER_BLUEPRINT, Some(ROUTER_METADATA)).unwrap(),
    ]);
    assert_eq!(inventory.scenario_ids(), vec![5150, 418339]);
    assert_eq!(inventory.team_ids(), vec![51]);
    assert_eq!(inventory.dependencies["connection:4021"].scenarios, vec![5150, 418339]);
    assert_eq!(inventory.dependencies["dataStore:148248"].scenarios, vec![5150, 418339]);
    assert_eq!(inventory.dependencies["webhook:222895"].scenarios, vec![418339]);
    assert!(inventory.dependencies.values().all(|d| d.status == DependencyStatus::Unchecked));
    // An update replaces one scenario's entry and drops a removed one.
    let mut updated = inventory.clone();
    updated.update([], &[5150]);
    assert_eq!(updated.dependencies["connection:4021"].scenarios, vec![418339]);
    assert!(!updated.dependencies.contains_key("agent:agt_7f3a9c"));
    let parsed = DependencyInventory::parse(&inventory.render().content).unwrap();
    assert_eq!(parsed, inventory, "the file reads back as written");
}

fn enriched() -> DependencyInventory {
    let mut inventory = DependencyInventory::build([
        scan_scenario(5150, DESK_BLUEPRINT, Some(DESK_METADATA)).unwrap(),
        scan_scenario(418339, ROUTER_BLUEPRINT, Some(ROUTER_METADATA)).unwrap(),
    ]);
    for (kind, body) in [
        (DependencyKind::Connection, CONNECTIONS),
        (DependencyKind::Webhook, HOOKS),
        (DependencyKind::DataStore, DATA_STORES),
        (DependencyKind::Key, KEYS),
        (DependencyKind::DataStructure, STRUCTURES),
    ] {
        let page = parse_list(kind, body).unwrap();
        inventory.enrich(kind, &[51], &page.items);
    }
    inventory
}

#[wasm_bindgen_test(unsupported = test)]
fn list_endpoints_add_names_and_flag_missing_dependencies() {
    let inventory = enriched();
    let d = &inventory.dependencies;
    let status = |key: &str| d[key].status;
    assert_eq!(status("connection:4021"), DependencyStatus::Present);
    assert_eq!((d["connection:4021"].name.as_deref(), d["connection:4021"].type_name.as_deref()), (Some("Slack (support)"), Some("slack2")));
    assert_eq!(status("connection:4023"), DependencyStatus::Missing, "referenced, not listed");
    assert_eq!(status("key:3302"), DependencyStatus::Missing);
    assert_eq!(status("webhook:222895"), DependencyStatus::Missing, "Make reports the hook gone");
    assert_eq!(status("agent:agt_7f3a9c"), DependencyStatus::Unchecked, "no list endpoint for agents");
    assert_eq!(d["connection:4099"].scenarios, Vec::<u64>::new(), "listed, used by no scenario");
    let missing: Vec<&str> = inventory.missing().iter().map(|e| e.id.as_str()).collect();
    assert_eq!(missing, vec!["4023", "3302", "222895"]);
    let file = inventory.render();
    assert_eq!(file.path, DEPENDENCIES_PATH);
    assert_eq!(canonical_json(&file.content).unwrap(), file.content, "canonical JSON");
    for secret in ["secretudid", "hook.eu1.make.com", "ops@example.com", "U024BE7LH", "q9secret"] {
        assert!(!file.content.contains(secret), "{secret} must never reach the repository");
    }
    if cfg!(not(target_arch = "wasm32")) && std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(format!("{}/tests/golden/dependencies/dependencies.json", env!("CARGO_MANIFEST_DIR")), &file.content).unwrap();
        return;
    }
    assert_eq!(file.content, GOLDEN_INVENTORY, "UPDATE_GOLDEN=1 to regenerate, then review");
    // Reading it back keeps the checks; a later update keeps them on dependencies still used.
    let mut parsed = DependencyInventory::parse(&file.content).unwrap();
    assert_eq!(parsed, inventory);
    parsed.update([scan_scenario(5150, DESK_BLUEPRINT, Some(DESK_METADATA)).unwrap()], &[]);
    assert_eq!(parsed, inventory, "re-scanning an unchanged scenario changes nothing");
}

#[wasm_bindgen_test(unsupported = test)]
fn lists_of_other_teams_do_not_make_references_missing() {
    let mut inventory = DependencyInventory::build([scan_scenario(5150, DESK_BLUEPRINT, Some(DESK_METADATA)).unwrap()]);
    inventory.enrich(DependencyKind::Connection, &[52], &[]);
    assert!(inventory.missing().is_empty(), "team 51's scenario is not covered by team 52's list");
    assert_eq!(inventory.checked[0].team_ids, vec![52]);
}

#[wasm_bindgen_test(unsupported = test)]
fn list_requests_are_scoped_to_a_team() {
    let connections = list_request(BASE, DependencyKind::Connection, 51, 0).unwrap().unwrap();
    assert_eq!((connections.service, connections.method), (Service::Make, Method::GET));
    assert_eq!(connections.url, "https://eu1.make.com/api/v2/connections?teamId=51");
    assert!(connections.body.is_none() && !connections.headers.contains_key("authorization"));
    let hooks = list_request(BASE, DependencyKind::Webhook, 51, 500).unwrap().unwrap();
    assert_eq!(hooks.url, format!("https://eu1.make.com/api/v2/hooks?teamId=51&pg%5Boffset%5D=500&pg%5Blimit%5D={HOOK_PAGE_SIZE}"));
    let urls: Vec<String> = [DependencyKind::DataStore, DependencyKind::DataStructure, DependencyKind::Key, DependencyKind::Device]
        .into_iter()
        .map(|k| list_request(BASE, k, 7, 0).unwrap().unwrap().url)
        .collect();
    assert_eq!(urls, [
        "https://eu1.make.com/api/v2/data-stores?teamId=7",
        "https://eu1.make.com/api/v2/data-structures?teamId=7",
        "https://eu1.make.com/api/v2/keys?teamId=7",
        "https://eu1.make.com/api/v2/devices?teamId=7",
    ]);
    assert!(list_request(BASE, DependencyKind::Agent, 7, 0).unwrap().is_none());
    assert!(list_request("not a url", DependencyKind::Key, 7, 0).is_err());
}

#[wasm_bindgen_test(unsupported = test)]
fn a_missing_scope_reads_as_an_error_that_names_the_scope() {
    let err = parse_list(DependencyKind::Key, r#"{"detail":"Access denied.","message":"Permission denied","code":"SC403"}"#).unwrap_err().to_string();
    assert!(err.contains("keys:read") && err.contains("Access denied."), "{err}");
    assert!(parse_list(DependencyKind::Connection, "<html>").is_err());
    let page = parse_list(DependencyKind::Webhook, HOOKS).unwrap();
    assert_eq!(page.entry_count, 2);
    assert!(page.items[1].gone && page.items[1].enabled == Some(false));
}

#[wasm_bindgen_test(unsupported = test)]
fn bad_files_are_named() {
    let err = scan_scenario(5150, "{", None).unwrap_err().to_string();
    assert!(err.contains("scenarios/5150/blueprint.json"), "{err}");
    let err = scan_scenario(5150, DESK_BLUEPRINT, Some("[]")).unwrap_err().to_string();
    assert!(err.contains("scenarios/5150/metadata.json"), "{err}");
    let err = DependencyInventory::parse("{\"version\":9,\"scenarios\":{},\"dependencies\":{}}").unwrap_err().to_string();
    assert!(err.contains(DEPENDENCIES_PATH) && err.contains("newer"), "{err}");
}
