//! `verify`: does the backup repository agree with its `.backup-state.json`?
//!
//! [`verify`] reads a recursive tree listing (the raw body of `GET git/trees/{sha}?recursive=1`) and
//! the state file text, and reports:
//! - **missing files**: a scenario the state tracks (not deleted) whose `blueprint.json` or
//!   `metadata.json` is not in the tree — a backup was lost;
//! - **untracked files**: `scenarios/{id}/…` files of a scenario the state does not know;
//! - **SHA mismatches**: a file whose blob SHA differs from the state's `blueprintSha` / `metadataSha`
//!   (someone edited or replaced it after the backup);
//! - **stale entries**: scenarios whose last evidence of a backup is older than the threshold
//!   (default [`DEFAULT_STALE_AFTER_HOURS`] = 26 h, a daily job plus slack). The evidence is the later
//!   of the entry's `lastBackup` and the state's `lastRun`, because an unchanged scenario gets no new
//!   commit and so no new `lastBackup`. Deleted entries are never stale; an entry with neither time is;
//! - counts, and an overall [`VerifyStatus`].
//!
//! ## Status rules
//! - **critical** — the backup cannot be trusted for a restore: the state file is unreadable (corrupt
//!   or of an unknown version); the state file is missing while the tree holds scenario files; a
//!   tracked scenario lacks `blueprint.json` or `metadata.json`; or a `blueprint.json` differs from the
//!   blob the state recorded.
//! - **degraded** — nothing is lost, but something needs attention: a stale entry, a `metadata.json`
//!   that differs from the state, untracked scenario files, a truncated tree listing (not every file
//!   could be checked), or no state and no scenario files (no backup has run yet).
//! - **healthy** — none of the above. Entries without recorded blob SHAs cannot be compared; they are
//!   counted as `unverified` and do not change the status. Files outside `scenarios/` are ignored;
//!   other paths under `scenarios/` are listed as `unexpectedPaths` without changing the status.
//!
//! Pure: the host fetches the tree (and the state blob) and passes `now`; nothing here does I/O.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::clock::parse_ms;
use crate::error::Error;
use crate::files::{blueprint_path, metadata_path};
use crate::state::{BackupState, STATE_PATH, StateProblem};

/// The default age after which a backup is called stale: 26 hours.
pub const DEFAULT_STALE_AFTER_HOURS: u32 = 26;

/// Overall verdict of [`verify`] (rules in the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub enum VerifyStatus {
    /// The repository and the state agree and every backup is fresh.
    Healthy,
    /// Nothing is lost, but something needs attention (stale, untracked or edited metadata, truncated listing).
    Degraded,
    /// A backup is missing or altered, or the state cannot be read.
    Critical,
}

impl VerifyStatus {
    /// `healthy`, `degraded` or `critical`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Healthy => "healthy",
            Self::Degraded => "degraded",
            Self::Critical => "critical",
        }
    }
}

/// What was found of `.backup-state.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub enum StateFileStatus {
    /// Read and understood.
    Present,
    /// Not given (the repository has none).
    Missing,
    /// Not JSON, or JSON of the wrong shape.
    Corrupt,
    /// Written by a newer engine.
    UnknownVersion,
}

/// Counts of a [`VerifyReport`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct VerifyCounts {
    /// Entries in the state.
    pub scenarios_in_state: u64,
    /// Entries not marked deleted.
    pub active: u64,
    /// Entries marked deleted (`deletedAt`).
    pub deleted: u64,
    /// Scenario folders in the tree (`scenarios/{id}/` with a blueprint or metadata file).
    pub scenarios_in_repository: u64,
    /// `blueprint.json` files in the tree.
    pub blueprint_files: u64,
    /// `metadata.json` files in the tree.
    pub metadata_files: u64,
    /// Active entries with both files present, matching SHAs and a fresh backup.
    pub ok: u64,
    /// Files a tracked scenario lacks.
    pub missing_files: u64,
    /// Files of scenarios the state does not know.
    pub untracked_files: u64,
    /// Files whose blob SHA differs from the state.
    pub sha_mismatches: u64,
    /// Stale entries.
    pub stale: u64,
    /// Entries without a recorded blob SHA for a file that exists (could not be compared).
    pub unverified: u64,
}

/// A file a tracked scenario should have and the tree lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct MissingFile {
    /// The scenario.
    pub scenario_id: u64,
    /// Its name in the state.
    pub name: String,
    /// The missing path.
    pub path: String,
}

/// A scenario file the state does not track.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct UntrackedFile {
    /// The scenario id from the path.
    pub scenario_id: u64,
    /// The path.
    pub path: String,
}

/// A file whose blob differs from the one the state recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct ShaMismatch {
    /// The scenario.
    pub scenario_id: u64,
    /// Its name in the state.
    pub name: String,
    /// The path.
    pub path: String,
    /// Blob SHA the state recorded.
    pub expected: String,
    /// Blob SHA in the tree.
    pub actual: String,
}

/// An entry whose last backup is older than the threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct StaleEntry {
    /// The scenario.
    pub scenario_id: u64,
    /// Its name in the state.
    pub name: String,
    /// Its `lastBackup`, if any.
    pub last_backup: Option<String>,
    /// Whole hours since the later of `lastBackup` and the state's `lastRun`; None when neither is known.
    pub age_hours: Option<u64>,
}

/// The result of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct VerifyReport {
    /// Overall verdict.
    pub status: VerifyStatus,
    /// The `now` passed in.
    pub checked_at: String,
    /// The threshold used.
    pub stale_after_hours: u32,
    /// What was found of the state file.
    pub state_file: StateFileStatus,
    /// Why the state file could not be used, if so.
    pub state_problem: Option<String>,
    /// The state's `lastRun`.
    pub last_run: Option<String>,
    /// GitHub truncated the tree listing: files past the cut were not checked.
    pub tree_truncated: bool,
    /// Counts.
    pub counts: VerifyCounts,
    /// Files tracked scenarios lack.
    pub missing_files: Vec<MissingFile>,
    /// Scenario files the state does not know.
    pub untracked_files: Vec<UntrackedFile>,
    /// Files that differ from the state.
    pub sha_mismatches: Vec<ShaMismatch>,
    /// Stale entries.
    pub stale: Vec<StaleEntry>,
    /// Paths under `scenarios/` that are not `scenarios/{digits}/blueprint.json|metadata.json`.
    pub unexpected_paths: Vec<String>,
    /// One line per problem, most severe first (empty when healthy).
    pub problems: Vec<String>,
    /// A short Markdown rendering of this report.
    pub markdown: String,
}

/// Which of the two files of a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum FileKind {
    Blueprint,
    Metadata,
}

/// Parses `scenarios/{digits}/blueprint.json|metadata.json`.
fn scenario_file(path: &str) -> Option<(u64, FileKind)> {
    let rest = path.strip_prefix("scenarios/")?;
    let (id, file) = rest.split_once('/')?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let kind = match file {
        "blueprint.json" => FileKind::Blueprint,
        "metadata.json" => FileKind::Metadata,
        _ => return None,
    };
    Some((id.parse().ok()?, kind))
}

/// Checks a repository tree against its state (see the module docs for what and how).
///
/// `tree_listing_body` is the raw reply of `GET git/trees/{sha}?recursive=1`; `state_text` the text of
/// `.backup-state.json` (None when the repository has none); `now` RFC 3339; `stale_after_hours` the
/// threshold ([`DEFAULT_STALE_AFTER_HOURS`] is the usual). Errors only for an unusable tree reply or `now`.
pub fn verify(tree_listing_body: &str, state_text: Option<&str>, now: &str, stale_after_hours: u32) -> Result<VerifyReport, Error> {
    parse_ms(now)?;
    let tree = crate::github::parse_tree(tree_listing_body)
        .map_err(|e| Error::input("tree listing", format!("{e}; pass the body of GET git/trees/{{sha}}?recursive=1")))?;
    verify_blobs(&tree.blobs, tree.truncated, state_text, now, stale_after_hours)
}

/// The two reads [`verify`] needs for a repository at a ref (branch, tag or commit; required): the
/// recursive tree (`GET git/trees/{ref}?recursive=1`, which takes a ref name too) and the raw
/// `.backup-state.json` at that ref (404 = no state). Both can be sent at once; neither carries a credential.
pub fn verify_requests(source: &crate::restore::BackupSource) -> Result<[crate::protocol::Request; 2], Error> {
    let repo = source.repo_url()?;
    let Some(git_ref) = source.git_ref() else {
        return Err(Error::config("source.gitRef", "set the branch (or tag, or commit) to verify, e.g. main"));
    };
    let mut tree = source.get(
        1,
        format!("{repo}/git/trees/{}?recursive=1", crate::github::encode_segments(git_ref)),
        format!("list the tree of {git_ref}"),
        None,
    );
    // The tree is JSON, not a file's raw bytes.
    tree.headers.insert("accept".to_owned(), "application/vnd.github+json".to_owned());
    let state = source.get(2, format!("{repo}/contents/.backup-state.json{}", source.ref_query()), format!("read .backup-state.json at {git_ref}"), None);
    Ok([tree, state])
}

/// [`verify`] over a tree already parsed: blob SHA by path (blobs only), and whether the listing was
/// truncated. For a host (or the engine) that holds the tree it just wrote, e.g. to check a run at its end.
pub fn verify_blobs(
    blobs: &BTreeMap<String, String>,
    truncated: bool,
    state_text: Option<&str>,
    now: &str,
    stale_after_hours: u32,
) -> Result<VerifyReport, Error> {
    let now_ms = parse_ms(now)?;

    let mut files: BTreeMap<u64, BTreeMap<FileKind, (String, String)>> = BTreeMap::new();
    let mut unexpected_paths = Vec::new();
    for (path, sha) in blobs {
        match scenario_file(path) {
            Some((id, kind)) => {
                files.entry(id).or_default().insert(kind, (path.clone(), sha.clone()));
            }
            None if path.starts_with("scenarios/") => unexpected_paths.push(path.clone()),
            None => {}
        }
    }

    let (state, state_file, state_problem) = match state_text.map(BackupState::parse) {
        None => (None, StateFileStatus::Missing, None),
        Some(Ok(state)) => (Some(state), StateFileStatus::Present, None),
        Some(Err(problem @ StateProblem::UnknownVersion(_))) => (None, StateFileStatus::UnknownVersion, Some(problem.to_string())),
        Some(Err(problem)) => (None, StateFileStatus::Corrupt, Some(problem.to_string())),
    };

    let mut counts = VerifyCounts {
        scenarios_in_repository: files.len() as u64,
        blueprint_files: files.values().filter(|f| f.contains_key(&FileKind::Blueprint)).count() as u64,
        metadata_files: files.values().filter(|f| f.contains_key(&FileKind::Metadata)).count() as u64,
        ..VerifyCounts::default()
    };
    let mut missing_files = Vec::new();
    let mut untracked_files = Vec::new();
    let mut sha_mismatches = Vec::new();
    let mut stale = Vec::new();
    let threshold_ms = i64::from(stale_after_hours).saturating_mul(3_600_000);
    let last_run_ms = state.as_ref().and_then(|s| s.last_run.as_deref()).and_then(|t| parse_ms(t).ok());
    let mut tracked = BTreeSet::new();

    if let Some(state) = &state {
        counts.scenarios_in_state = state.scenarios.len() as u64;
        for (key, entry) in &state.scenarios {
            let Ok(id) = key.parse::<u64>() else { continue };
            tracked.insert(id);
            let deleted = entry.deleted_at.is_some();
            if deleted {
                counts.deleted += 1;
            } else {
                counts.active += 1;
            }
            let present = files.get(&id);
            let mut ok = !deleted;
            for (kind, recorded, path) in [
                (FileKind::Blueprint, &entry.blueprint_sha, blueprint_path(id)),
                (FileKind::Metadata, &entry.metadata_sha, metadata_path(id)),
            ] {
                match (present.and_then(|f| f.get(&kind)), recorded) {
                    (None, _) if !deleted => {
                        ok = false;
                        missing_files.push(MissingFile { scenario_id: id, name: entry.name.clone(), path });
                    }
                    (None, _) => {}
                    (Some((_, actual)), Some(expected)) if !actual.eq_ignore_ascii_case(expected) => {
                        ok = false;
                        sha_mismatches.push(ShaMismatch {
                            scenario_id: id,
                            name: entry.name.clone(),
                            path,
                            expected: expected.clone(),
                            actual: actual.clone(),
                        });
                    }
                    (Some(_), Some(_)) => {}
                    (Some(_), None) => counts.unverified += 1,
                }
            }
            if deleted {
                continue;
            }
            let backup_ms = entry.last_backup.as_deref().and_then(|t| parse_ms(t).ok());
            let freshest = backup_ms.max(last_run_ms);
            let age_ms = freshest.map(|t| now_ms.saturating_sub(t).max(0));
            if age_ms.is_none_or(|age| age > threshold_ms) {
                ok = false;
                stale.push(StaleEntry {
                    scenario_id: id,
                    name: entry.name.clone(),
                    last_backup: entry.last_backup.clone(),
                    age_hours: age_ms.map(|a| u64::try_from(a / 3_600_000).unwrap_or(0)),
                });
            }
            if ok {
                counts.ok += 1;
            }
        }
        for (id, kinds) in &files {
            if !tracked.contains(id) {
                for (path, _) in kinds.values() {
                    untracked_files.push(UntrackedFile { scenario_id: *id, path: path.clone() });
                }
            }
        }
    }
    counts.missing_files = missing_files.len() as u64;
    counts.untracked_files = untracked_files.len() as u64;
    counts.sha_mismatches = sha_mismatches.len() as u64;
    counts.stale = stale.len() as u64;

    // Problems, most severe first, and the status they imply.
    let mut critical = Vec::new();
    let mut degraded = Vec::new();
    match (state_file, files.is_empty()) {
        (StateFileStatus::Present, _) => {}
        (StateFileStatus::Missing, true) => degraded.push(format!("no {STATE_PATH} and no scenario files: no backup has run yet")),
        (StateFileStatus::Missing, false) => critical.push(format!(
            "no {STATE_PATH} although {} scenario folders exist: the next run rebuilds it from the metadata.json files",
            files.len()
        )),
        (_, _) => critical.push(format!(
            "{}: the next run rebuilds it from the metadata.json files",
            state_problem.as_deref().unwrap_or("the state file is unusable")
        )),
    }
    for m in &missing_files {
        critical.push(format!("scenario {} ({}): {} is missing — its backup is lost; run a forced backup", m.scenario_id, m.name, m.path));
    }
    for m in &sha_mismatches {
        let line = format!(
            "scenario {} ({}): {} is blob {} but the state recorded {} — it was changed after the backup",
            m.scenario_id, m.name, m.path, m.actual, m.expected
        );
        if m.path.ends_with("/blueprint.json") { critical.push(line) } else { degraded.push(line) }
    }
    if !stale.is_empty() {
        let ids: Vec<String> = stale.iter().take(10).map(|s| s.scenario_id.to_string()).collect();
        let more = if stale.len() > 10 { format!(" and {} more", stale.len() - 10) } else { String::new() };
        degraded.push(format!(
            "{} scenario(s) have no backup in the last {stale_after_hours} h ({}{more}): backup is stale — check that the backup job runs",
            stale.len(),
            ids.join(", ")
        ));
    }
    if !untracked_files.is_empty() {
        let ids: BTreeSet<u64> = untracked_files.iter().map(|u| u.scenario_id).collect();
        degraded.push(format!(
            "{} file(s) of {} scenario(s) unknown to the state ({}): written by hand or by a run whose state commit was lost",
            untracked_files.len(),
            ids.len(),
            ids.iter().take(10).map(u64::to_string).collect::<Vec<_>>().join(", ")
        ));
    }
    if truncated {
        degraded.push("GitHub truncated the tree listing: files past the cut were not checked".to_owned());
    }
    let status = if !critical.is_empty() {
        VerifyStatus::Critical
    } else if !degraded.is_empty() {
        VerifyStatus::Degraded
    } else {
        VerifyStatus::Healthy
    };
    let mut problems = critical;
    problems.extend(degraded);

    let mut report = VerifyReport {
        status,
        checked_at: now.to_owned(),
        stale_after_hours,
        state_file,
        state_problem,
        last_run: state.as_ref().and_then(|s| s.last_run.clone()),
        tree_truncated: truncated,
        counts,
        missing_files,
        untracked_files,
        sha_mismatches,
        stale,
        unexpected_paths,
        problems,
        markdown: String::new(),
    };
    report.markdown = render_markdown(&report);
    Ok(report)
}

fn render_markdown(r: &VerifyReport) -> String {
    let c = &r.counts;
    let mut out = format!("# Backup verification: {}\n\n", r.status.as_str());
    out.push_str(&format!(
        "Checked {} against `{STATE_PATH}` ({}); stale after {} h.\n\n",
        r.checked_at,
        match r.state_file {
            StateFileStatus::Present => "present",
            StateFileStatus::Missing => "missing",
            StateFileStatus::Corrupt => "corrupt",
            StateFileStatus::UnknownVersion => "unknown version",
        },
        r.stale_after_hours
    ));
    out.push_str("| | |\n|---|---:|\n");
    for (label, value) in [
        ("Scenarios in state (active / deleted)", format!("{} ({} / {})", c.scenarios_in_state, c.active, c.deleted)),
        ("Scenario folders in repository", c.scenarios_in_repository.to_string()),
        ("OK", c.ok.to_string()),
        ("Missing files", c.missing_files.to_string()),
        ("Files unknown to the state", c.untracked_files.to_string()),
        ("SHA mismatches", c.sha_mismatches.to_string()),
        ("Stale", c.stale.to_string()),
        ("Unverified (no SHA recorded)", c.unverified.to_string()),
    ] {
        out.push_str(&format!("| {label} | {value} |\n"));
    }
    if r.problems.is_empty() {
        out.push_str("\nNo problems found.\n");
    } else {
        out.push_str("\n## Problems\n\n");
        for p in r.problems.iter().take(50) {
            out.push_str(&format!("- {}\n", p.replace('\n', " ")));
        }
        if r.problems.len() > 50 {
            out.push_str(&format!("- … and {} more\n", r.problems.len() - 50));
        }
    }
    out
}
