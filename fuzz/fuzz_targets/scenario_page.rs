#![no_main]
use libfuzzer_sys::fuzz_target;
use make_backup_planner::inventory::parse_scenario_page;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(page) = parse_scenario_page(&text) {
        assert_eq!(page.entry_count, page.listings.len() + page.rejected.len());
        for listing in &page.listings {
            assert_eq!(listing.fingerprint, make_backup_planner::inventory::fingerprint_of(&listing.fields));
        }
    }
});
