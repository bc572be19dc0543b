//! The run's closing reads for the repository's insight files: `inventory/dependencies.json` and the
//! generated audit `README.md`, both committed with the state commit and only when their bytes change.
//!
//! Between the last scenario and the state commit the engine may need, in this order:
//! 1. the previous `inventory/dependencies.json` (1 GitHub GET, when the file exists);
//! 2. the blueprints of backed-up scenarios the inventory does not cover yet (1 GitHub GET each, at
//!    most [`BACKLOG_PER_RUN`] per run: a repository backed up before the inventory existed);
//! 3. with `checkDependencies`, Make's list endpoints (1 Make GET per kind and team; a list the token
//!    has no scope for leaves that kind `unchecked`);
//! 4. for the README, folder names (`GET /scenarios-folders?teamId=`, 1 Make GET per team with folders);
//! 5. the repository's `README.md` once, when its blob SHA is neither ours nor the report's: a README
//!    without the generated marker belongs to a person and is left alone (the report then goes to
//!    `inventory/README.md`).
//!
//! None of these reads can fail the run: a failure leaves a warning and an older or partial file.
//! Reports and inventories are refreshed only on runs that change the state (a backup landed, a
//! deletion was recorded), so a run with nothing new still writes nothing (PRD scenario 2);
//! `checkDependencies` refreshes the inventory on every run.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Engine, Phase, Spec};
use crate::audit::{AuditScenario, Coverage, Folder, GENERATED_MARKER, README_PATH, audit_state, folders_request, is_generated_readme, parse_folders};
use crate::dependencies::{
    DEPENDENCIES_PATH, DependencyInventory, DependencyKind, HOOK_PAGE_SIZE, ListedDependency, ScenarioDependencies, list_request, parse_list,
    uses_of,
};
use crate::files::{RenderedFile, blueprint_path};
use crate::github;
use crate::inventory::ScenarioListing;
use crate::protocol::{Method, Reply, Request, Service};
use crate::state::{BackupState, ReportRecord};

/// Where the report goes when the repository's own README.md belongs to a person.
pub(crate) const FALLBACK_README_PATH: &str = "inventory/README.md";

/// Blueprints of not-yet-inventoried scenarios read per run (the rest follow on later runs).
pub(crate) const BACKLOG_PER_RUN: usize = 500;

/// Kinds Make has a list endpoint for, in the order they are checked.
const LISTED_KINDS: [DependencyKind; 6] = [
    DependencyKind::Connection,
    DependencyKind::Webhook,
    DependencyKind::DataStore,
    DependencyKind::DataStructure,
    DependencyKind::Key,
    DependencyKind::Device,
];

/// One read of the closing stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub(super) enum InsightStep {
    Inventory { sha: String },
    Backlog { pending: VecDeque<(u64, String)> },
    Lists { pending: VecDeque<ListCall> },
    Folders { pending: VecDeque<u64> },
    Readme { sha: String },
}

/// One page of one list endpoint for one team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ListCall {
    kind: DependencyKind,
    team_id: u64,
    offset: u64,
}

/// Whose `README.md` the repository holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum ReadmeOwner {
    Generated,
    Person,
}

/// What the closing stage gathered. Serializable with the engine; no blueprint is kept.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Insight {
    /// Dependencies of the blueprints handled this run, by scenario id.
    scanned: BTreeMap<u64, ScenarioDependencies>,
    /// The inventory being refreshed (None until the stage starts, or when it is off).
    inventory: Option<DependencyInventory>,
    /// Blob SHA of the `inventory/dependencies.json` it was read from.
    inventory_sha: Option<String>,
    /// Items listed by Make, per kind (while the lists are read).
    listed: BTreeMap<DependencyKind, Vec<ListedDependency>>,
    /// Kinds whose list could not be read this run.
    unchecked: BTreeSet<DependencyKind>,
    lists_done: bool,
    folders: Vec<Folder>,
    folders_done: bool,
    readme_owner: Option<ReadmeOwner>,
    /// Whether the state this run settles on differs from the repository's (set when the stage starts).
    state_changes: bool,
}

/// The order of the reads; `begin_insight` walks it from the start, skipping what is done or not needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Start,
    Inventory,
    Backlog,
    Lists,
    Folders,
    Readme,
}

impl Insight {
    /// Records the dependencies of a blueprint about to be committed (its final, possibly redacted text).
    pub(super) fn scan(&mut self, listing: &ScenarioListing, blueprint: &str) -> Result<(), String> {
        let value: Value = serde_json::from_str(blueprint).map_err(|e| format!("blueprint.json is not JSON ({e})"))?;
        self.scanned.insert(listing.id, dependencies_of(listing, &value));
        Ok(())
    }
}

fn dependencies_of(listing: &ScenarioListing, blueprint: &Value) -> ScenarioDependencies {
    ScenarioDependencies {
        scenario_id: listing.id,
        name: listing.name.clone(),
        team_id: listing.field("teamId").and_then(Value::as_u64),
        uses: uses_of(blueprint, &listing.fields),
    }
}

impl Engine {
    /// Starts (or, after the chain was replayed on a moved branch, resumes) the closing reads.
    pub(super) fn begin_insight(&mut self) {
        // Another writer may have refreshed the inventory since it was read: read theirs again.
        if let Some(read) = &self.insight.inventory_sha {
            if self.tree.blobs.get(crate::dependencies::DEPENDENCIES_PATH) != Some(read) {
                self.insight.inventory = None;
                self.insight.inventory_sha = None;
            }
        }
        // Rendering a large state is the costly part: once per start, not once per read.
        let next = self.next_state();
        self.insight.state_changes =
            Some(crate::githash::git_blob_sha(next.render().as_bytes())) != self.tree.blobs.get(crate::state::STATE_PATH).cloned();
        self.phase = self.insight_after(Stage::Start);
    }

    fn inventory_wanted(&self) -> bool {
        self.config.dependency_inventory && (self.config.check_dependencies || self.insight.state_changes)
    }

    /// The first read after `done` that is needed, else the state tree.
    fn insight_after(&mut self, done: Stage) -> Phase {
        if self.fatal.is_some() {
            return Phase::StateTree;
        }
        if done < Stage::Inventory && self.inventory_wanted() && self.insight.inventory.is_none() {
            match self.tree.blobs.get(DEPENDENCIES_PATH).cloned() {
                Some(sha) => return Phase::Insight { read: InsightStep::Inventory { sha } },
                None => self.insight.inventory = Some(DependencyInventory::default()),
            }
        }
        if done < Stage::Backlog && self.insight.inventory.is_some() {
            let pending = self.merge_scanned();
            if !pending.is_empty() {
                return Phase::Insight { read: InsightStep::Backlog { pending } };
            }
        }
        if done < Stage::Lists && self.config.check_dependencies && self.insight.inventory.is_some() && !self.insight.lists_done {
            let teams = self.teams();
            let pending: VecDeque<ListCall> = LISTED_KINDS
                .iter()
                .flat_map(|kind| teams.iter().map(move |team| ListCall { kind: *kind, team_id: *team, offset: 0 }))
                .collect();
            self.insight.listed.clear();
            if !pending.is_empty() {
                return Phase::Insight { read: InsightStep::Lists { pending } };
            }
            self.insight.lists_done = true;
        }
        let report_wanted = self.config.audit_readme && self.insight.state_changes;
        if done < Stage::Folders && report_wanted && !self.insight.folders_done {
            let teams: BTreeSet<u64> = self
                .inventory
                .scenarios
                .values()
                .filter(|l| l.field("folderId").and_then(Value::as_u64).is_some())
                .filter_map(|l| l.field("teamId").and_then(Value::as_u64))
                .collect();
            self.insight.folders_done = true;
            if !teams.is_empty() {
                return Phase::Insight { read: InsightStep::Folders { pending: teams.into_iter().collect() } };
            }
        }
        if done < Stage::Readme && report_wanted && self.insight.readme_owner.is_none() {
            let record = self.state.report.clone();
            let on_readme = record.as_ref().is_none_or(|r| r.path == README_PATH);
            if let (true, Some(sha)) = (on_readme, self.tree.blobs.get(README_PATH).cloned()) {
                let ours = record.as_ref().is_some_and(|r| r.blob_sha == sha);
                let (_, report) = self.render_report(&self.next_state());
                if !ours && report.blob_sha != sha {
                    return Phase::Insight { read: InsightStep::Readme { sha } };
                }
            }
        }
        Phase::StateTree
    }

    /// Folds this run's scans and deletions into the inventory; returns the backlog to read.
    fn merge_scanned(&mut self) -> VecDeque<(u64, String)> {
        let next = self.next_state();
        let live: BTreeSet<u64> = next
            .scenarios
            .iter()
            .filter(|(_, entry)| entry.deleted_at.is_none())
            .filter_map(|(id, _)| id.parse::<u64>().ok())
            .collect();
        // Only blueprints that are (or already were) in the repository count: a scenario whose commit
        // failed keeps its previous entry.
        let settled: BTreeSet<u64> =
            self.planned.iter().flat_map(|p| p.advances.iter()).chain(self.noop_advances.iter()).map(|a| a.scenario_id).collect();
        let Some(inventory) = self.insight.inventory.as_mut() else { return VecDeque::new() };
        let removed: Vec<u64> = inventory.scenario_ids().into_iter().filter(|id| !live.contains(id)).collect();
        // Kept (not taken): after a moved branch the other writer's inventory is read and merged again.
        let scanned: Vec<ScenarioDependencies> = self
            .insight
            .scanned
            .values()
            .filter(|s| live.contains(&s.scenario_id) && settled.contains(&s.scenario_id))
            .cloned()
            .collect();
        inventory.update(scanned, &removed);
        // Names and teams follow the current list even when the blueprint was not read.
        for listing in self.inventory.scenarios.values() {
            if let Some(entry) = inventory.scenarios.get_mut(&listing.id.to_string()) {
                entry.name.clone_from(&listing.name);
                entry.team_id = listing.field("teamId").and_then(Value::as_u64).or(entry.team_id);
            }
        }
        let covered: BTreeSet<u64> = inventory.scenario_ids().into_iter().collect();
        let missing: Vec<(u64, String)> = live
            .iter()
            .filter(|id| !covered.contains(id))
            .filter_map(|id| self.tree.blobs.get(&blueprint_path(*id)).map(|sha| (*id, sha.clone())))
            .collect();
        if missing.len() > BACKLOG_PER_RUN {
            self.warnings.push(format!(
                "{DEPENDENCIES_PATH}: {} backed-up scenarios are not in it yet; this run read {BACKLOG_PER_RUN} of their blueprints, later runs read the rest",
                missing.len()
            ));
        }
        missing.into_iter().take(BACKLOG_PER_RUN).collect()
    }

    /// Teams whose lists are compared: the configured team, and the teams of the listed scenarios.
    fn teams(&self) -> Vec<u64> {
        let mut teams: BTreeSet<u64> = self.inventory.scenarios.values().filter_map(|l| l.field("teamId").and_then(Value::as_u64)).collect();
        if let Some(inventory) = &self.insight.inventory {
            teams.extend(inventory.team_ids());
        }
        if let crate::config::MakeScope::Team(team) = self.scope {
            teams.insert(team);
        }
        teams.into_iter().collect()
    }

    /// The request of the current read.
    pub(super) fn insight_spec(&self, step: &InsightStep) -> Option<Spec> {
        let from_request = |request: Request, scenario_id: Option<u64>| Spec {
            service: Service::Make,
            method: Method::GET,
            url: request.url,
            body: None,
            purpose: request.purpose,
            scenario_id,
        };
        match step {
            InsightStep::Inventory { sha } => {
                Some(self.gh(Method::GET, &format!("/git/blobs/{sha}"), None, format!("read {DEPENDENCIES_PATH}"), None))
            }
            InsightStep::Backlog { pending } => pending.front().map(|(id, sha)| {
                let purpose = format!("read the blueprint.json of scenario {id} for {DEPENDENCIES_PATH}");
                self.gh(Method::GET, &format!("/git/blobs/{sha}"), None, purpose, Some(*id))
            }),
            InsightStep::Lists { pending } => pending.front().and_then(|call| {
                list_request(&self.make_base, call.kind, call.team_id, call.offset).ok().flatten().map(|r| from_request(r, None))
            }),
            InsightStep::Folders { pending } => {
                pending.front().and_then(|team| folders_request(&self.make_base, *team).ok()).map(|r| from_request(r, None))
            }
            InsightStep::Readme { sha } => Some(self.gh(
                Method::GET,
                &format!("/git/blobs/{sha}"),
                None,
                format!("read {README_PATH} (is it the generated report?)"),
                None,
            )),
        }
    }

    /// A reply to a closing read: `ok` when it succeeded. Failures leave a warning, never an error.
    pub(super) fn insight_reply(&mut self, step: InsightStep, request: &Request, reply: &Reply, ok: bool) {
        let failure = || match (&reply.failure, reply.status) {
            (Some(f), _) => format!("{f:?}"),
            (None, Some(status)) => format!("HTTP {status}"),
            (None, None) => "no reply".to_owned(),
        };
        let next = match step {
            InsightStep::Inventory { sha } => {
                let parsed = if ok {
                    github::parse_blob_text(&reply.body).map_err(|e| e.to_string()).and_then(|t| DependencyInventory::parse(&t).map_err(|e| e.to_string()))
                } else {
                    Err(failure())
                };
                match parsed {
                    Ok(inventory) => {
                        self.insight.inventory = Some(inventory);
                        self.insight.inventory_sha = Some(sha);
                    }
                    Err(why) => {
                        self.warnings.push(format!(
                            "could not read {DEPENDENCIES_PATH} ({why}); it is written again from the blueprints in the repository"
                        ));
                        self.insight.inventory = Some(DependencyInventory::default());
                        self.insight.inventory_sha = Some(sha);
                    }
                }
                Stage::Inventory
            }
            InsightStep::Backlog { mut pending } => {
                if let Some((id, _)) = pending.pop_front() {
                    let text = if ok { github::parse_blob_text(&reply.body) } else { Err(failure()) };
                    let scanned = text.and_then(|t| serde_json::from_str::<Value>(&t).map_err(|e| format!("not JSON ({e})")));
                    match (scanned, self.inventory.scenarios.get(&id).cloned()) {
                        (Ok(blueprint), listing) => {
                            let entry = self.state.get(id);
                            let listing = listing.unwrap_or_else(|| ScenarioListing {
                                id,
                                name: entry.map(|e| e.name.clone()).unwrap_or_default(),
                                last_edit: None,
                                fields: entry.and_then(|e| e.team_id).map(|t| ("teamId".to_owned(), Value::from(t))).into_iter().collect(),
                                fingerprint: String::new(),
                            });
                            if let Some(inventory) = self.insight.inventory.as_mut() {
                                inventory.update([dependencies_of(&listing, &blueprint)], &[]);
                            }
                        }
                        (Err(why), _) => self.warnings.push(format!(
                            "scenario {id}: could not read its blueprint.json for {DEPENDENCIES_PATH} ({why}); a later run tries again"
                        )),
                    }
                }
                if !pending.is_empty() {
                    self.phase = Phase::Insight { read: InsightStep::Backlog { pending } };
                    return;
                }
                Stage::Backlog
            }
            InsightStep::Lists { mut pending } => {
                if let Some(call) = pending.pop_front() {
                    let page = if ok { parse_list(call.kind, &reply.body).map_err(|e| e.to_string()) } else { Err(self.list_failure(call.kind, reply, failure())) };
                    match page {
                        Ok(page) => {
                            if call.kind == DependencyKind::Webhook && page.entry_count >= u64::from(HOOK_PAGE_SIZE) {
                                pending.push_front(ListCall { offset: call.offset + u64::from(HOOK_PAGE_SIZE), ..call.clone() });
                            }
                            self.insight.listed.entry(call.kind).or_default().extend(page.items);
                        }
                        Err(why) => {
                            self.warnings.push(format!("{}s were not checked against Make: {why}", call.kind.label()));
                            self.insight.unchecked.insert(call.kind);
                            pending.retain(|c| c.kind != call.kind);
                        }
                    }
                }
                if !pending.is_empty() {
                    self.phase = Phase::Insight { read: InsightStep::Lists { pending } };
                    return;
                }
                self.enrich_inventory();
                Stage::Lists
            }
            InsightStep::Folders { mut pending } => {
                if let Some(team) = pending.pop_front() {
                    let folders = if ok { parse_folders(team, &reply.body).map_err(|e| e.to_string()) } else { Err(failure()) };
                    match folders {
                        Ok(folders) => self.insight.folders.extend(folders),
                        Err(why) => self.warnings.push(format!(
                            "could not read the folder names of team {team} ({why} on {}); the report shows folder ids",
                            request.describe()
                        )),
                    }
                }
                if !pending.is_empty() {
                    self.phase = Phase::Insight { read: InsightStep::Folders { pending } };
                    return;
                }
                Stage::Folders
            }
            InsightStep::Readme { .. } => {
                let owner = if ok {
                    github::parse_blob_text(&reply.body).map(|t| if is_generated_readme(&t) { ReadmeOwner::Generated } else { ReadmeOwner::Person })
                } else {
                    Err(failure())
                };
                match owner {
                    Ok(owner) => self.insight.readme_owner = Some(owner),
                    Err(why) => {
                        // Unknown: treat it as a person's, so nothing of theirs can be overwritten.
                        self.warnings.push(format!("could not read {README_PATH} ({why}); it was left alone"));
                        self.insight.readme_owner = Some(ReadmeOwner::Person);
                    }
                }
                Stage::Readme
            }
        };
        self.phase = self.insight_after(next);
    }

    fn list_failure(&self, kind: DependencyKind, reply: &Reply, why: String) -> String {
        let scope = kind.list_scope().unwrap_or("the matching read scope");
        match reply.status {
            Some(401 | 403) => format!("Make denied the list ({why}); give the token the {scope} scope to check them"),
            _ => format!("the list failed ({why}: {}); the next run checks again", Self::make_message(&reply.body)),
        }
    }

    /// Compares the references with every list read completely this run.
    fn enrich_inventory(&mut self) {
        let teams = self.teams();
        let listed = std::mem::take(&mut self.insight.listed);
        let unchecked = self.insight.unchecked.clone();
        if let Some(inventory) = self.insight.inventory.as_mut() {
            for kind in LISTED_KINDS.iter().filter(|k| !unchecked.contains(k)) {
                inventory.enrich(*kind, &teams, listed.get(kind).map(Vec::as_slice).unwrap_or_default());
            }
            let missing = inventory.missing();
            if !missing.is_empty() {
                let shown: Vec<String> = missing
                    .iter()
                    .take(10)
                    .map(|d| {
                        let used: Vec<String> = d.scenarios.iter().map(u64::to_string).collect();
                        format!("{} {} (used by scenario {})", d.kind.label(), d.id, used.join(", "))
                    })
                    .collect();
                let more = if missing.len() > 10 { format!(" and {} more", missing.len() - 10) } else { String::new() };
                self.warnings.push(format!(
                    "{} dependencies are missing in Make (deleted, or in another team): {}{more}; see {DEPENDENCIES_PATH} — restoring those scenarios needs them recreated",
                    missing.len(),
                    shown.join("; ")
                ));
            }
        }
        self.insight.lists_done = true;
    }

    /// The audit report of a state (the numbers go into the summary too).
    pub(super) fn render_report(&self, state: &BackupState) -> (Coverage, RenderedFile) {
        let scenarios: Vec<AuditScenario> = self.inventory.scenarios.values().map(AuditScenario::from_listing).collect();
        let complete = !self.inventory.incomplete && self.inventory.finished;
        let listed: Option<Vec<u64>> = complete.then(|| self.inventory.scenarios.keys().copied().collect());
        let report = audit_state(state, &scenarios, listed.as_deref(), &self.insight.folders, self.started_ms, self.config.stale_after_days);
        let file = report.render();
        (report.coverage, file)
    }

    /// The insight files to commit with the state (path, content), given the next state; sets where the
    /// report went in `next.report`.
    pub(super) fn insight_files(&mut self, next: &mut BackupState, state_changed: bool) -> Vec<(String, String)> {
        let mut files = Vec::new();
        if self.config.audit_readme && state_changed {
            let (_, report) = self.render_report(next);
            let record = next.report.clone();
            let mut path = match &record {
                Some(r) if r.path == FALLBACK_README_PATH => FALLBACK_README_PATH,
                _ => README_PATH,
            };
            if path == README_PATH {
                let in_tree = self.tree.blobs.get(README_PATH);
                let ours = in_tree.is_some_and(|sha| record.as_ref().is_some_and(|r| &r.blob_sha == sha));
                let persons = in_tree.is_some_and(|sha| *sha != report.blob_sha) && !ours && self.insight.readme_owner != Some(ReadmeOwner::Generated);
                if persons {
                    self.warn_once(format!(
                        "{README_PATH} in the repository is not the generated report (it has no \"{}\" first line): it was left alone, and the report is kept in {FALLBACK_README_PATH}",
                        GENERATED_MARKER.chars().take(40).collect::<String>()
                    ));
                    path = FALLBACK_README_PATH;
                }
            }
            if self.tree.blobs.get(path) != Some(&report.blob_sha) {
                files.push((path.to_owned(), report.content));
            }
            next.report = Some(ReportRecord { path: path.to_owned(), blob_sha: report.blob_sha });
        }
        if let Some(inventory) = &self.insight.inventory {
            let file = inventory.render();
            if self.tree.blobs.get(DEPENDENCIES_PATH) != Some(&file.blob_sha) {
                files.push((file.path, file.content));
            }
        }
        files
    }
}
