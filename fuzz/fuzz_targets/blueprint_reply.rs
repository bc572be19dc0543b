#![no_main]
use libfuzzer_sys::fuzz_target;
use make_backup_planner::canonical_json;
use make_backup_planner::files::{parse_blueprint_reply, render_blueprint};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(reply) = parse_blueprint_reply(&text) {
        // blueprint.json is canonical JSON of an object.
        assert!(reply.blueprint.starts_with('{'));
        assert_eq!(canonical_json(&reply.blueprint).unwrap(), reply.blueprint);
        let file = render_blueprint(7, &reply);
        assert_eq!(file.path, "scenarios/7/blueprint.json");
    }
});
