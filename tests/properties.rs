//! Property tests (proptest): rendered paths, canonical JSON, and that the state never advances for a
//! scenario whose commit did not land — the engine driven through the fakes with random faults.
//! Native only (proptest's RNG needs an OS source); case counts are kept moderate so the suite stays fast.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]
mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use make_backup_planner::canonical::canonical_value;
use make_backup_planner::files::{blueprint_path, metadata_path, scenario_id_of_metadata_path};
use make_backup_planner::stages::{RenderInput, next_state_file, render_files};
use make_backup_planner::state::BackupState;
use make_backup_planner::verify::verify;
use make_backup_planner::{ErrorClass, Service, canonical_json, git_blob_sha};
use proptest::prelude::*;
use serde_json::{Value, json};

/// `^scenarios/[0-9]+/(blueprint|metadata)\.json$` or `.backup-state.json`, without a regex engine.
fn allowed_path(path: &str) -> bool {
    if [".backup-state.json", "inventory/README.md", "inventory/dependencies.json"].contains(&path) {
        return true;
    }
    let Some(rest) = path.strip_prefix("scenarios/") else { return false };
    let Some((id, file)) = rest.split_once('/') else { return false };
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) && (file == "blueprint.json" || file == "metadata.json")
}

/// Names that try to escape: slashes, dots, control characters, any Unicode.
fn hostile_name() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z ./\\\\:*?<>|\n\t-]{0,40}",
        Just("../../.backup-state.json".to_owned()),
        Just("scenarios/1/blueprint.json".to_owned()),
        Just("/etc/passwd\u{0}".to_owned()),
        Just("日本語 📄 \u{202e}txt.exe".to_owned()),
    ]
}

/// JSON number texts as Make may send them: big integers, decimals with trailing zeros, exponents.
fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        "-?(0|[1-9][0-9]{0,30})".prop_map(|s| s),
        "-?(0|[1-9][0-9]{0,5})\\.[0-9]{1,8}".prop_map(|s| s),
        "-?[1-9]\\.[0-9]{1,4}[eE][+-]?[0-9]{1,2}".prop_map(|s| s),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number_text().prop_map(|n| serde_json::from_str::<Value>(&n).unwrap()),
        any::<String>().prop_map(Value::String),
        "[{}\\[\\]\":,\\\\ a-z]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Number tokens in exponent form compare by value (canonical JSON writes `1E5` as `1e+5`).
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_value(a, b)),
        (Value::Object(x), Value::Object(y)) => x.len() == y.len() && x.iter().zip(y).all(|((ka, a), (kb, b))| ka == kb && same_value(a, b)),
        _ => a == b,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn rendered_paths_are_always_inside_the_layout(id in any::<u64>(), name in hostile_name(), now_ms in 0i64..4_000_000_000_000) {
        prop_assert!(allowed_path(&blueprint_path(id)) && allowed_path(&metadata_path(id)));
        prop_assert_eq!(scenario_id_of_metadata_path(&metadata_path(id)), Some(id));
        let listing = json!({"id": id, "name": name, "lastEdit": "2026-10-01T10:00:00.000Z", "teamId": 51, "folder": name});
        let reply = json!({"code": "OK", "response": {"blueprint": {"name": name, "flow": [{"id": 1, "module": name}]}}});
        let files = render_files(&RenderInput {
            listing: listing.to_string(),
            blueprint_reply: reply.to_string(),
            previous_metadata: None,
            state: None,
            organization_id: Some(1),
            now: iso(now_ms),
            backup_history_limit: None,
        }).unwrap();
        for file in &files {
            prop_assert!(allowed_path(&file.path), "{}", file.path);
            prop_assert_eq!(&canonical_json(&file.content).unwrap(), &file.content);
        }
        prop_assert!(allowed_path(&next_state_file(None, &[], &[id], &iso(now_ms)).path));
    }

    #[test]
    fn canonical_json_is_idempotent_and_parses_back(value in json_value(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&value).unwrap() } else { value.to_string() };
        let canonical = canonical_json(&text).unwrap();
        prop_assert_eq!(&canonical_json(&canonical).unwrap(), &canonical, "idempotent");
        prop_assert!(canonical.ends_with('\n'));
        let back: Value = serde_json::from_str(&canonical).unwrap();
        prop_assert!(same_value(&back, &value), "parses back to an equal value:\n{}\n{}", canonical, text);
        prop_assert_eq!(canonical_value(&value), canonical, "agrees with canonical_value");
    }

    #[test]
    fn canonical_json_of_number_texts(n in number_text()) {
        let canonical = canonical_json(&format!("[{n}, {{\"n\": {n}}}]")).unwrap();
        let value: Value = serde_json::from_str(&canonical).unwrap();
        let original: Value = serde_json::from_str(&n).unwrap();
        prop_assert!(same_value(&value[0], &original) && same_value(&value[1]["n"], &original));
        if !n.contains(['e', 'E']) {
            // Every digit survives exactly (no f64 rounding of big ids or trailing zeros).
            prop_assert!(canonical.contains(&format!("  {n},\n")), "{}", canonical);
        }
    }
}

// ---------------------------------------------------------------- engine with random faults

#[derive(Debug, Clone)]
enum FaultSpec {
    TreeError(u16, u32),
    CommitError(u16, u32),
    CommitTimeout(u32),
    RefRejected(u32),
    BranchMoved,
    BlueprintError(usize, u16, u32),
    ListError(u16, u32),
    BranchReadError(u32),
    SecondaryRateLimit,
    PushProtection(u32),
}

fn fault_spec() -> impl Strategy<Value = FaultSpec> {
    let status = prop::sample::select(vec![500u16, 502, 503, 504]);
    prop_oneof![
        (status.clone(), 1u32..6).prop_map(|(s, n)| FaultSpec::TreeError(s, n)),
        (status.clone(), 1u32..6).prop_map(|(s, n)| FaultSpec::CommitError(s, n)),
        (1u32..6).prop_map(FaultSpec::CommitTimeout),
        (1u32..5).prop_map(FaultSpec::RefRejected),
        Just(FaultSpec::BranchMoved),
        (0usize..6, prop::sample::select(vec![404u16, 500, 503, 200]), 1u32..6).prop_map(|(i, s, n)| FaultSpec::BlueprintError(i, s, n)),
        (status, 1u32..6).prop_map(|(s, n)| FaultSpec::ListError(s, n)),
        (1u32..5).prop_map(FaultSpec::BranchReadError),
        Just(FaultSpec::SecondaryRateLimit),
        (1u32..3).prop_map(FaultSpec::PushProtection),
    ]
}

fn install(world: &mut World, spec: &FaultSpec) {
    let ids: Vec<u64> = world.make.scenarios.keys().copied().collect();
    let fault = match spec {
        FaultSpec::TreeError(s, n) => Fault::new(Service::Github, "/git/trees", *s, "{\"message\":\"Server Error\"}").method("POST").times(*n),
        FaultSpec::CommitError(s, n) => Fault::new(Service::Github, "/git/commits", *s, "").times(*n),
        FaultSpec::CommitTimeout(n) => Fault::timeout(Service::Github, "/git/commits").times(*n),
        FaultSpec::RefRejected(n) => Fault::new(Service::Github, "/git/refs/heads/main", 422, r#"{"message":"Update is not a fast forward","status":"422"}"#).method("PATCH").times(*n),
        FaultSpec::BranchMoved => Fault::move_branch("/git/refs/heads/main"),
        FaultSpec::BlueprintError(i, s, n) => {
            let id = ids[i % ids.len()];
            let body = if *s == 200 { r#"{"code":"IM005","message":"Invalid input"}"# } else { r#"{"message":"error","code":"SC500"}"# };
            Fault::new(Service::Make, &format!("/scenarios/{id}/blueprint"), *s, body).times(*n)
        }
        FaultSpec::ListError(s, n) => Fault::new(Service::Make, "/scenarios?", *s, "Bad Gateway").times(*n),
        FaultSpec::BranchReadError(n) => Fault::new(Service::Github, "/branches/", 502, "").times(*n),
        FaultSpec::SecondaryRateLimit => Fault::new(Service::Github, "/git/trees", 403, r#"{"message":"You have exceeded a secondary rate limit."}"#).method("POST").header("retry-after", "2"),
        FaultSpec::PushProtection(n) => Fault::new(Service::Github, "/git/commits", 409, r#"{"message":"Repository rule violations found\n\nPush cannot contain secrets","status":"409"}"#).times(*n),
    };
    world.faults.push(fault);
}

fn state_of(world: &World) -> BackupState {
    world.github.files().get(".backup-state.json").map(|t| BackupState::parse(t).unwrap()).unwrap_or_default()
}

/// Commit SHAs on the branch.
fn branch_commits(world: &World) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut at = world.github.head.clone();
    while let Some(sha) = at {
        at = world.github.commits.get(&sha).and_then(|c| c.parents.first().cloned());
        out.insert(sha);
    }
    out
}

fn tree_listing(files: &BTreeMap<String, String>) -> String {
    let tree: Vec<Value> = files.iter().map(|(p, t)| json!({"path": p, "type": "blob", "mode": "100644", "sha": git_blob_sha(t.as_bytes())})).collect();
    json!({"tree": tree, "truncated": false}).to_string()
}

/// The state and the branch agree: an entry advances (new backup count or commit) only for a scenario
/// whose commit reached the branch this run (`landed`, from the summary), never for one that failed,
/// and it points at that commit and at the blobs on the branch.
fn check_run(world: &World, before: &BackupState, failed: &BTreeSet<u64>, landed_ids: &BTreeSet<u64>) -> Result<(), TestCaseError> {
    let after = state_of(world);
    let files = world.github.files();
    let landed = branch_commits(world);
    for (key, entry) in &after.scenarios {
        let id: u64 = key.parse().unwrap();
        let previous = before.scenarios.get(key);
        let advanced = match previous {
            None => entry.backup_count > 0 || entry.git_sha.is_some(),
            Some(p) => p.backup_count != entry.backup_count || p.git_sha != entry.git_sha,
        };
        if !advanced {
            continue;
        }
        prop_assert!(!failed.contains(&id), "scenario {id} failed this run but its state advanced");
        prop_assert!(landed_ids.contains(&id), "scenario {id} advanced without a landed commit");
        if let Some(commit) = &entry.git_sha {
            prop_assert!(landed.contains(commit), "scenario {id}: gitSHA {commit} is not on the branch");
        }
        for (path, sha) in [(blueprint_path(id), &entry.blueprint_sha), (metadata_path(id), &entry.metadata_sha)] {
            let on_branch = files.get(&path).map(|t| git_blob_sha(t.as_bytes()));
            prop_assert_eq!(on_branch.as_ref(), sha.as_ref(), "scenario {}: {} differs from the state", id, path);
        }
    }
    let report = verify(&tree_listing(&files), files.get(".backup-state.json").map(String::as_str), &iso(world.now), 26).unwrap();
    prop_assert!(report.missing_files.is_empty() && report.sha_mismatches.is_empty(), "{}", report.markdown);
    Ok(())
}

/// `PROPTEST_CASES` raises the count for a long local run; the default keeps the suite fast.
fn engine_cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(40)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: engine_cases(), ..ProptestConfig::default() })]

    #[test]
    fn state_never_advances_for_a_commit_that_did_not_land(
        scenarios in 1u64..6,
        edits in prop::collection::vec(any::<bool>(), 6),
        faults in prop::collection::vec(fault_spec(), 1..4),
        per_run in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let mut world = World::new(scenarios);
        let mut cfg = config();
        cfg.max_retries = 2;
        if per_run {
            cfg.commit_mode = make_backup_planner::CommitMode::PerRun;
        }
        world.run_with(cfg.clone(), seed);
        let ids: Vec<u64> = world.make.scenarios.keys().copied().collect();
        for (id, edit) in ids.iter().zip(&edits) {
            if *edit {
                world.make.edit(*id);
            }
        }
        world.make.add(9_000_001, "Added / later", 2);
        for spec in &faults {
            install(&mut world, spec);
        }
        let before = state_of(&world);
        let run = world.run_with(cfg.clone(), seed);
        let failed: BTreeSet<u64> = run.summary.errors.iter().filter(|e| e.class != ErrorClass::Skipped).filter_map(|e| e.scenario_id).collect();
        let landed: BTreeSet<u64> = run.summary.commits.iter().flat_map(|c| c.scenario_ids.iter().copied()).collect();
        check_run(&world, &before, &failed, &landed)?;

        // Without faults the next run converges: everything listed is in the state and on the branch.
        world.faults.clear();
        let before = state_of(&world);
        let again = world.run_with(cfg, seed);
        prop_assert!(again.summary.errors.is_empty(), "{}", again.report);
        let landed: BTreeSet<u64> = again.summary.commits.iter().flat_map(|c| c.scenario_ids.iter().copied()).collect();
        check_run(&world, &before, &BTreeSet::new(), &landed)?;
        let state = state_of(&world);
        for id in world.make.scenarios.keys() {
            prop_assert!(state.get(*id).is_some_and(|e| e.git_sha.is_some() || e.backup_count > 0), "scenario {id} never landed");
        }
        for path in world.github.files().keys().filter(|p| p.as_str() != "README.md" && p.as_str() != "NOTES.md") {
            prop_assert!(allowed_path(path), "{path}");
        }
    }

    #[test]
    fn engine_paths_stay_in_the_layout_whatever_the_names(
        entries in prop::collection::btree_map(1u64..u64::MAX, hostile_name(), 1..5),
    ) {
        let mut world = World::new(0);
        for (id, name) in &entries {
            world.make.add(*id, name, 2);
        }
        let run = world.run();
        prop_assert_eq!(run.summary.backed_up, entries.len() as u64, "{}", run.report);
        for path in world.github.files().keys().filter(|p| p.as_str() != "README.md") {
            prop_assert!(allowed_path(path), "{path}");
        }
        for commit in &run.summary.commits {
            prop_assert!(!commit.message.lines().next().unwrap_or("").is_empty());
        }
    }
}
