//! # Make Backup Planner — the core
//!
//! Backs up every Make.com scenario of a team or organization into a GitHub repository, incrementally,
//! as exact, diffable files with a complete audit trail. This crate decides everything; it performs
//! **no I/O**: no network, no clock, no randomness, no environment. The host passes `now` and HTTP
//! replies in, and gets back requests to perform, waits, and finally a summary. Same inputs and `now`
//! give byte-identical outputs.
//!
//! ## The request/response loop
//!
//! ```
//! use make_backup_planner::{Action, Config, Engine, Reply};
//!
//! let config: Config = serde_json::from_str(r#"{
//!     "make": { "zone": "eu1", "organizationId": 4101 },
//!     "github": { "owner": "acme", "repo": "make-backup" }
//! }"#).unwrap();
//! let mut engine = Engine::start(config, "2026-11-23T02:00:00.000Z", 7).unwrap();
//! match engine.poll("2026-11-23T02:00:00.000Z").unwrap() {
//!     Action::Request { request } => {
//!         // The host performs it (adding the credential of `request.service`) …
//!         assert_eq!(request.url, "https://api.github.com/repos/acme/make-backup/branches/main");
//!         // … and hands the reply back:
//!         let reply = Reply { request_id: request.id, status: Some(401), headers: Default::default(),
//!                             body: r#"{"message":"Bad credentials"}"#.into(), failure: None };
//!         engine.handle("2026-11-23T02:00:00.100Z", reply).unwrap();
//!     }
//!     other => panic!("unexpected {other:?}"),
//! }
//! // A 401 from GitHub is fatal: the next poll is the summary.
//! let Action::Done { summary, .. } = engine.poll("2026-11-23T02:00:00.100Z").unwrap() else { panic!() };
//! assert_eq!(summary.fatal.unwrap().code, "github-unauthorized");
//! ```
//!
//! [`Engine::poll`] returns an [`Action`]: a [`Request`] to perform, a wait, or the final [`Summary`].
//! [`Engine::handle`] takes the [`Reply`]. The engine serializes to JSON between steps
//! ([`Engine::to_json`]), so a host can park it (e.g. in n8n static data). The wire format is described
//! in [`protocol`].
//!
//! ## What one run does
//!
//! 1. **Repository** — `GET branches/{b}` and the recursive tree; `.backup-state.json` is read by blob
//!    SHA. A missing or corrupt state is rebuilt from the `scenarios/*/metadata.json` files; an empty
//!    repository is bootstrapped with one contents-API `PUT`. ([`github`](crate) module, [`state`])
//! 2. **Inventory** — `GET /scenarios` page by page until a short page (then one look past it, to
//!    confirm the list ended), ids de-duplicated; a failed or cut-short list marks the inventory
//!    incomplete, which never yields "deleted". ([`inventory`])
//! 3. **Selection** — a verdict per scenario: new, changed, metadata-only, forced, unchanged, deleted.
//!    ([`selection`])
//! 4. **Files** — canonical `blueprint.json` of `response.blueprint` and `metadata.json`; git blob
//!    SHA-1s computed locally, so files already in the repository are never written again. ([`files`],
//!    [`canonical`], [`githash`])
//! 5. **Commits** — per scenario one tree + one commit (`Backup scenario {id}: {name}`; a changed
//!    blueprint's previous version is read so the body carries a module-level [`diff`]), chained, then a
//!    state commit, then a single fast-forward `PATCH` of the branch; a moved branch is re-read and the
//!    chain replayed from blob SHAs. `commitMode: "perRun"` makes one commit for all scenarios.
//!    With `backfill`, a scenario backed up for the first time starts with the older versions Make keeps,
//!    one dated commit each (`engine/backfill.rs`).
//! 6. **Insight files** — before the state commit: the audit `README.md` (per folder, coverage; a
//!    person's README.md is left alone) and `inventory/dependencies.json` (optionally checked against
//!    Make's list endpoints), written with the state only when their bytes change (`engine/insight.rs`,
//!    [`audit`], [`dependencies`]).
//! 7. **Failures** — 429/5xx/timeouts retried (1 s, 2 s, 4 s with seeded jitter; `Retry-After` and
//!    `x-ratelimit-reset` honoured); 401/403 on the list stop the run (a first 401 after 3 retries);
//!    a 404 blueprint skips that scenario; one failing scenario never stops the others; GitHub push
//!    protection lands the commits one by one so only the scenario holding the secret fails. Requests
//!    are paced to per-minute budgets.
//! 8. **Summary** — counts, errors (scenario, class, request, what to do), commits, API calls, what was
//!    retried, coverage ([`audit`]), a Markdown report. ([`summary`])
//!
//! The stages are also exposed as pure functions in [`stages`] for hosts that build their own flow.
//!
//! ## Restore and insight (pure functions over backup files)
//!
//! - [`restore`] — the requests that read a scenario's backup files at any ref and bring it back in Make
//!   (create or overwrite, optionally start), and the read-back check.
//! - [`dependencies`] — connections, webhooks, data stores, keys, data structures per scenario; `inventory/dependencies.json`.
//! - [`diff`] — module-level change summary of two blueprints, for commit messages and the run summary.
//! - [`audit`] — the generated `README.md` of the backup repository: per folder, coverage, stale entries.
//!
//! Checks beside a run:
//! - [`secrets`] — scans a rendered blueprint for credentials typed into modules; warn, redact or block.
//! - [`verify`] — checks a repository tree against `.backup-state.json`: healthy, degraded or critical.

pub mod audit;
pub mod canonical;
mod clock;
pub mod config;
pub mod dependencies;
pub mod diff;
mod engine;
mod error;
mod failure;
pub mod files;
pub mod githash;
mod github;
pub mod inventory;
mod make;
pub mod protocol;
pub mod restore;
pub mod secrets;
pub mod selection;
pub mod stages;
pub mod state;
pub mod summary;
pub mod verify;

pub use canonical::canonical_json;
pub use config::{BackupConfig, CommitMode, Committer, Config, GithubConfig, MakeConfig};
pub use engine::Engine;
pub use error::Error;
pub use githash::git_blob_sha;
pub use protocol::{Action, Failure, FailureKind, Method, Reply, Request, Service};
pub use selection::{Verdict, VerdictKind};
pub use summary::{ApiCalls, CommitRecord, ErrorClass, RunError, RunStatus, Summary};

/// The crate version, e.g. for `version()` in the JS package.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
