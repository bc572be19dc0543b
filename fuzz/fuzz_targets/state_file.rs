#![no_main]
use libfuzzer_sys::fuzz_target;
use make_backup_planner::state::BackupState;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(state) = BackupState::parse(&text) {
        // What we write we can read back, with the same content.
        let rendered = state.render();
        let again = BackupState::parse(&rendered).unwrap_or_else(|e| panic!("rendered state does not parse: {e}\n{rendered}"));
        assert!(again.same_content(&state), "state changed across render/parse");
        assert_eq!(again.render(), rendered);
    }
});
