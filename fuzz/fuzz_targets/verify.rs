#![no_main]
use libfuzzer_sys::fuzz_target;
use make_backup_planner::verify::{VerifyStatus, verify};

fuzz_target!(|data: &[u8]| {
    let p = make_backup_planner_fuzz::parts(data, 4);
    let now = if p[2].is_empty() { "2026-11-23T02:00:00.000Z" } else { p[2].as_str() };
    let hours = p[3].bytes().next().map_or(26, u32::from);
    let state = (!p[1].is_empty()).then_some(p[1].as_str());
    if let Ok(report) = verify(&p[0], state, now, hours) {
        assert_eq!(report.status == VerifyStatus::Healthy, report.problems.is_empty());
        assert!(report.markdown.starts_with("# Backup verification: "));
    }
});
