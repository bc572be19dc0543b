#![no_main]
use libfuzzer_sys::fuzz_target;
use make_backup_planner::{Action, Engine, Reply};
use make_backup_planner_fuzz::common::{config, iso, T0};
use make_backup_planner_fuzz::{Cursor, fuzzed_reply};

// The engine with replies made entirely of fuzz bytes (status, headers, body, failures), time that
// jumps (also backwards), wrong request ids and parking between steps.
fuzz_target!(|data: &[u8]| {
    let mut c = Cursor::new(data);
    let mut now = T0;
    let mut engine = Engine::start(config(), &iso(now), u64::from(c.byte())).unwrap();
    for _ in 0..400 {
        let action = engine.poll(&iso(now)).unwrap();
        match action {
            Action::Request { request } => {
                if c.byte() == 0x5A {
                    let stray = Reply { request_id: request.id + 1, status: Some(200), headers: Default::default(), body: String::new(), failure: None };
                    assert_eq!(engine.handle(&iso(now), stray).unwrap_err().code(), "unexpected-reply");
                }
                let reply = fuzzed_reply(&request, None, &mut c);
                now += i64::from(c.byte()) * 37 - 500;
                engine.handle(&iso(now), reply).unwrap();
                if c.byte() & 0x0F == 0 {
                    engine = Engine::from_json(&engine.to_json().unwrap()).unwrap();
                }
            }
            Action::Wait { seconds, .. } => {
                assert!(seconds.is_finite() && seconds > 0.0, "wait of {seconds}");
                now += (seconds * 1000.0).ceil() as i64;
            }
            Action::Done { report, .. } => {
                assert!(!report.is_empty());
                assert_eq!(engine.handle(&iso(now), Reply { request_id: 1, status: Some(200), headers: Default::default(), body: String::new(), failure: None }).unwrap_err().code(), "finished");
                return;
            }
        }
        if c.is_empty() {
            return;
        }
    }
});
