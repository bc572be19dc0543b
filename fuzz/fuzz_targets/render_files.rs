#![no_main]
use libfuzzer_sys::fuzz_target;
use make_backup_planner::canonical_json;
use make_backup_planner::stages::{RenderInput, next_state_file, render_files};

fuzz_target!(|data: &[u8]| {
    let p = make_backup_planner_fuzz::parts(data, 5);
    let input = RenderInput {
        listing: p[0].clone(),
        blueprint_reply: p[1].clone(),
        previous_metadata: (!p[2].is_empty()).then(|| p[2].clone()),
        state: (!p[3].is_empty()).then(|| p[3].clone()),
        organization_id: Some(4101),
        now: if p[4].is_empty() { "2026-11-23T02:00:00.000Z".to_owned() } else { p[4].clone() },
        backup_history_limit: Some(3),
    };
    if let Ok(files) = render_files(&input) {
        for f in &files {
            let (dir, name) = f.path.rsplit_once('/').unwrap();
            let id = dir.strip_prefix("scenarios/").unwrap();
            assert!(!id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()), "path {}", f.path);
            assert!(name == "blueprint.json" || name == "metadata.json");
            assert_eq!(canonical_json(&f.content).unwrap(), f.content);
        }
    }
    let state = next_state_file(input.state.as_deref(), &[], &[1, 2], "2026-11-23T02:00:00.000Z");
    assert_eq!(state.path, ".backup-state.json");
});
