//! History backfill: with `backfill: true`, a scenario backed up for the first time (no files in the
//! repository yet) first gets the older versions Make keeps (`GET /scenarios/{id}/blueprints`, the
//! last 60 days) as commits in date order, each dated when the version was saved, then its current
//! backup on top — so `git log scenarios/{id}/blueprint.json` starts with real history.
//!
//! Per scenario: the current blueprint, the version list (1 Make GET), then per older version 1 Make
//! GET (`?blueprintId=`) and a tree and a commit on GitHub. Drafts are skipped, at most
//! `backfillMaxVersions` (the newest) are imported, and a version whose blueprint equals the one
//! before it (or the current one) makes no commit. All requests go through the same per-minute
//! budgets as the rest of the run.
//!
//! Resumable: the version commits sit in the same chain as the scenario's own backup and land with it.
//! A scenario whose backup fails drops its version commits from the chain, so it is still "new" on the
//! next run and is backfilled then; a scenario that landed is never backfilled again.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Engine, PlannedCommit, TreeEntry, Work, WorkStep};
use crate::files::{BackupStamp, BlueprintReply, ReplySource, blueprint_path, metadata_path, parse_blueprint_reply, parse_metadata, render_metadata};
use crate::github::Branch;
use crate::inventory::ScenarioListing;
use crate::secrets::screen;

/// One older version of a scenario as Make lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VersionRef {
    /// `version`, passed back as `blueprintId`.
    pub(crate) version: u64,
    /// When it was saved (`created`).
    pub(crate) created: String,
}

/// The backfill of the scenario in work.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Backfill {
    /// Versions still to import, oldest first.
    pub(super) pending: VecDeque<VersionRef>,
    /// The version whose files are on their way into a commit.
    pub(super) committing: Option<VersionRef>,
    /// Blob SHA of the current blueprint as Make serves it (a version equal to it makes no commit).
    pub(super) current_sha: Option<String>,
    /// Blob SHA and text of the last version committed (the next one is compared and diffed with it).
    pub(super) last_sha: Option<String>,
    pub(super) last_text: Option<String>,
    /// Its metadata.json text (the current backup's previous metadata).
    pub(super) last_metadata: Option<String>,
    /// The chain before the first version commit, to drop them if the scenario fails.
    pub(super) chain_before: Option<Branch>,
    pub(super) planned_before: usize,
    /// Versions committed.
    pub(super) committed: u32,
}

/// Parses `{"scenariosBlueprints":[{"created","version","scenarioId","draft"}]}`: the non-draft
/// versions, oldest first, the newest `max` of them.
pub(crate) fn parse_versions(body: &str, max: u32) -> Result<Vec<VersionRef>, String> {
    let value: Value = serde_json::from_str(body).map_err(|e| format!("not JSON ({e})"))?;
    let Some(Value::Array(entries)) = value.get("scenariosBlueprints") else {
        let detail = crate::inventory::error_text(&value).unwrap_or_else(|| "no \"scenariosBlueprints\" array".to_owned());
        return Err(detail);
    };
    let mut versions: Vec<VersionRef> = entries
        .iter()
        .filter(|e| !e.get("draft").and_then(Value::as_bool).unwrap_or(false))
        .filter_map(|e| {
            let version = e.get("version").and_then(Value::as_u64)?;
            let created = e.get("created").and_then(Value::as_str)?;
            crate::clock::parse_ms(created).ok()?;
            Some(VersionRef { version, created: created.to_owned() })
        })
        .collect();
    versions.sort_by_key(|v| (crate::clock::parse_ms(&v.created).unwrap_or(0), v.version));
    versions.dedup_by_key(|v| v.version);
    let excess = versions.len().saturating_sub(max as usize);
    versions.drain(..excess);
    Ok(versions)
}

impl Engine {
    /// Whether a scenario starting now is backfilled: the option is on, one commit per scenario, and the
    /// repository holds no file of it yet.
    pub(super) fn wants_backfill(&self, id: u64) -> bool {
        self.config.backfill
            && self.config.commit_mode == crate::config::CommitMode::PerScenario
            && !self.tree.blobs.contains_key(&blueprint_path(id))
            && !self.tree.blobs.contains_key(&metadata_path(id))
    }

    /// The version list arrived (or failed: `Err` with why).
    pub(super) fn versions_listed(&mut self, mut work: Work, listed: Result<Vec<VersionRef>, String>) {
        match listed {
            Ok(versions) => {
                if let Some(backfill) = work.backfill.as_mut() {
                    backfill.pending = versions.into();
                    backfill.chain_before.clone_from(&self.chain);
                    backfill.planned_before = self.planned.len();
                }
            }
            Err(why) => {
                self.warn_once(format!("scenario {}: its older versions were not imported ({why}); backed up as it is now", work.id));
                work.backfill = None;
            }
        }
        self.next_version(work);
    }

    /// Fetches the next version, or goes on with the current backup.
    pub(super) fn next_version(&mut self, mut work: Work) {
        let next = work.backfill.as_mut().and_then(|b| b.pending.pop_front());
        match next {
            Some(version) => {
                work.step = WorkStep::FetchVersion { version: version.version, created: version.created };
                self.current = Some(work);
            }
            None => {
                if let Some(backfill) = work.backfill.as_mut() {
                    // The last version is the current backup's predecessor: its metadata and blueprint.
                    if let Some(text) = backfill.last_metadata.take() {
                        work.previous = parse_metadata(&text).ok().map(Into::into);
                        work.previous_metadata_text = Some(text);
                    }
                    work.previous_blueprint_text = backfill.last_text.take();
                }
                self.render(work);
            }
        }
    }

    /// One older version arrived: render its files, or skip it.
    pub(super) fn version_fetched(&mut self, mut work: Work, version: VersionRef, body: &str) {
        let id = work.id;
        let reply = match parse_blueprint_reply(body) {
            Ok(reply) => reply,
            Err(e) => {
                self.warn_once(format!("scenario {id}: version {} was not imported ({e})", version.version));
                return self.next_version(work);
            }
        };
        let raw_sha = crate::githash::git_blob_sha(reply.blueprint.as_bytes());
        let Some(backfill) = work.backfill.as_ref() else { return self.next_version(work) };
        if backfill.current_sha.as_ref() == Some(&raw_sha) || backfill.last_sha.as_ref() == Some(&raw_sha) {
            return self.next_version(work);
        }
        let text = match screen(&reply.blueprint, self.config.secrets) {
            Ok(screening) if screening.blocked => return self.next_version(work),
            Ok(screening) => screening.redacted.unwrap_or_else(|| reply.blueprint.clone()),
            Err(_) => reply.blueprint.clone(),
        };
        let Some(listing) = self.inventory.scenarios.get(&id).cloned() else { return self.next_version(work) };
        let metadata = self.version_metadata(&listing, &reply, &version.created);
        let blueprint = crate::files::RenderedFile::new(blueprint_path(id), text);
        let summary = backfill.last_text.as_deref().and_then(|previous| {
            let diff = crate::diff::diff_texts(id, Some(previous), &blueprint.content, backfill.last_metadata.as_deref(), Some(&metadata.content)).ok()?;
            (!diff.is_empty()).then(|| diff.render_text(crate::diff::COMMIT_BODY_LINES))
        });
        if let Some(backfill) = work.backfill.as_mut() {
            backfill.last_sha = Some(raw_sha);
            backfill.last_text = Some(blueprint.content.clone());
            backfill.last_metadata = Some(metadata.content.clone());
            backfill.committing = Some(version);
        }
        work.change_summary = summary;
        work.files = vec![
            (blueprint.path, TreeEntry { blob_sha: blueprint.blob_sha, inline: Some(blueprint.content) }),
            (metadata.path, TreeEntry { blob_sha: metadata.blob_sha, inline: Some(metadata.content) }),
        ];
        work.step = WorkStep::CreateTree;
        self.current = Some(work);
    }

    /// `metadata.json` of an older version: the current listing with `lastEdit` set to the version's
    /// save time, the version's scheduling and interface, and the save time as `backupTimestamp`.
    fn version_metadata(&self, listing: &ScenarioListing, reply: &BlueprintReply, created: &str) -> crate::files::RenderedFile {
        let mut listing = listing.clone();
        listing.last_edit = Some(created.to_owned());
        listing.fields.insert("lastEdit".to_owned(), Value::String(created.to_owned()));
        let organization_id = match self.scope {
            crate::config::MakeScope::Organization(org) => Some(org),
            crate::config::MakeScope::Team(_) => None,
        };
        let stamp = BackupStamp { timestamp: created.to_owned(), history: Vec::new() };
        render_metadata(&listing, organization_id, ReplySource::Reply(reply), &stamp)
    }

    /// The commit message of a version commit.
    pub(super) fn version_message(&self, work: &Work, version: &VersionRef) -> String {
        let name = self.name_of(Some(work.id)).unwrap_or_default();
        let mut message = format!(
            "Backup scenario {}: {} (Make version {}, saved {})\n\nbackfill: an older version Make kept, imported before the first backup\nfiles: blueprint.json, metadata.json\n",
            work.id,
            super::one_line(&name),
            version.version,
            version.created
        );
        if let Some(changes) = &work.change_summary {
            message.push_str("\nChanges:\n");
            message.push_str(changes);
        }
        message
    }

    /// A version commit was created: record it and go on with the next version.
    pub(super) fn version_committed(&mut self, mut work: Work, version: VersionRef, sha: String, tree: String) {
        let message = self.version_message(&work, &version);
        self.planned.push(PlannedCommit {
            sha: sha.clone(),
            message,
            files: work.files.iter().map(|(p, e)| (p.clone(), e.blob_sha.clone())).collect(),
            advances: Vec::new(),
            landed: false,
            backfill_of: Some(work.id),
        });
        self.chain = Some(Branch { commit: sha, tree });
        if let Some(backfill) = work.backfill.as_mut() {
            backfill.committed += 1;
        }
        work.files.clear();
        work.change_summary = None;
        self.next_version(work);
    }

    /// The scenario failed: its version commits leave the chain (and the tree view), so it is
    /// backfilled again by the run that backs it up.
    pub(super) fn abandon_backfill(&mut self, work: &Work) {
        let Some(backfill) = work.backfill.as_ref() else { return };
        if backfill.committed == 0 {
            return;
        }
        self.planned.truncate(backfill.planned_before);
        self.chain.clone_from(&backfill.chain_before);
        self.tree.blobs.remove(&blueprint_path(work.id));
        self.tree.blobs.remove(&metadata_path(work.id));
    }
}
