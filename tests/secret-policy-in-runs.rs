//! Issue 4: a run applies the secret policy to every rendered blueprint: warn (default), redact, block.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod common;

use common::*;
use make_backup_planner::secrets::SecretPolicy;
use make_backup_planner::{ErrorClass, RunStatus};
use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;

/// Shaped like a GitHub token, made of an alphabet run: not, and never was, a credential.
const FAKE_TOKEN: &str = "ghp_FAKEABCDEFGHIJKLMNOPQRSTUVWXYZabcdef";

fn world_with_secret() -> (World, u64) {
    let mut world = World::new(3);
    let id = *world.make.scenarios.keys().nth(1).unwrap();
    world.make.scenarios.get_mut(&id).unwrap().blueprint["flow"][1]["mapper"]["headers"] =
        json!([{"name": "Authorization", "value": format!("token {FAKE_TOKEN}")}]);
    (world, id)
}

fn run_with(world: &mut World, policy: SecretPolicy) -> RunResult {
    let mut config = config();
    config.secrets = policy;
    world.run_with(config, 0)
}

#[wasm_bindgen_test(unsupported = test)]
fn warn_commits_and_names_scenario_module_and_kind_but_never_the_value() {
    let (mut world, id) = world_with_secret();
    let run = run_with(&mut world, SecretPolicy::Warn);
    assert_eq!((run.summary.status, run.summary.backed_up), (RunStatus::Success, 3));
    assert_eq!(run.summary.secrets.len(), 1);
    assert_eq!(run.summary.secrets[0].scenario_id, id);
    assert!(world.github.files()[&format!("scenarios/{id}/blueprint.json")].contains(FAKE_TOKEN), "warn keeps the backup exact");
    let warning = run.summary.warnings.iter().find(|w| w.contains(&format!("scenario {id}"))).unwrap();
    assert!(warning.contains("module 2") && warning.contains("GitHub"), "{warning}");
    let commit = world.github.log().into_iter().find(|c| c.message.starts_with(&format!("Backup scenario {id}:"))).unwrap();
    assert!(commit.message.contains("Possible secrets committed"), "{}", commit.message);
    for text in [serde_json::to_string(&run.summary).unwrap(), run.report.clone(), commit.message.clone()] {
        assert!(!text.contains(FAKE_TOKEN), "the value never leaves the file");
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn redact_replaces_the_value_with_a_placeholder() {
    let (mut world, id) = world_with_secret();
    let run = run_with(&mut world, SecretPolicy::Redact);
    assert_eq!(run.summary.backed_up, 3);
    let file = &world.github.files()[&format!("scenarios/{id}/blueprint.json")];
    assert!(!file.contains(FAKE_TOKEN) && file.contains("[redacted:"), "{file}");
    assert_eq!(&make_backup_planner::canonical_json(file).unwrap(), file, "still canonical JSON");
}

#[wasm_bindgen_test(unsupported = test)]
fn block_skips_that_scenario_and_lands_the_others() {
    let (mut world, id) = world_with_secret();
    let run = run_with(&mut world, SecretPolicy::Block);
    assert_eq!((run.summary.status, run.summary.backed_up), (RunStatus::Partial, 2));
    let error = run.summary.errors.iter().find(|e| e.code == "secrets-blocked").unwrap();
    assert_eq!((error.scenario_id, error.class), (Some(id), ErrorClass::Scenario));
    assert!(!world.github.files().contains_key(&format!("scenarios/{id}/blueprint.json")));
    assert!(!error.message.contains(FAKE_TOKEN));
}

#[wasm_bindgen_test(unsupported = test)]
fn a_push_protection_rejection_fails_only_the_scenario_with_the_secret() {
    for mode in [make_backup_planner::CommitMode::PerScenario] {
        let (mut world, id) = world_with_secret();
        world.github.push_protect = Some(FAKE_TOKEN.to_owned());
        let mut first = config();
        first.commit_mode = mode;
        let run = world.run_with(first, 0);
        let s = &run.summary;
        assert_eq!((s.status, s.backed_up), (RunStatus::Partial, 2), "{}", run.report);
        let error = s.errors.iter().find(|e| e.code == "push-protection").unwrap();
        assert_eq!(error.scenario_id, Some(id));
        assert!(error.message.contains("push protection") && error.message.contains("redact"), "{}", error.message);
        let files = world.github.files();
        assert!(!files.contains_key(&format!("scenarios/{id}/blueprint.json")));
        assert_eq!(files.keys().filter(|p| p.ends_with("blueprint.json")).count(), 2);
        let state: serde_json::Value = serde_json::from_str(&files[".backup-state.json"]).unwrap();
        assert!(state["scenarios"].get(id.to_string()).is_none(), "the state does not claim the rejected scenario");
        for entry in state["scenarios"].as_object().unwrap().values() {
            assert!(s.commits.iter().any(|c| c.sha == entry["gitSHA"].as_str().unwrap()), "gitSHA is a landed commit");
        }
        assert_eq!(world.github.log().iter().filter(|c| c.message.starts_with("Backup scenario")).count(), 2);
        // Redacting lets the next run land it.
        world.github.push_protect = Some(FAKE_TOKEN.to_owned());
        let mut redacting = config();
        redacting.secrets = SecretPolicy::Redact;
        let next = world.run_with(redacting, 0);
        assert_eq!((next.summary.status, next.summary.backed_up), (RunStatus::Success, 1), "{}", next.report);
    }
}
