//! The stages of a run as pure functions, for hosts that build their own flow
//! (inventory → selection → file rendering → commit plan → state update → summary).
//! The [`Engine`](crate::Engine) is built on the same functions.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::files::{
    BackupStamp, RenderedFile, ReplySource, next_stamp, parse_blueprint_reply, parse_metadata, render_blueprint,
    render_metadata,
};
use crate::inventory::{ScenarioListing, parse_scenario_page};
use crate::selection::{Verdict, select};
use crate::state::{BackupState, STATE_PATH, StateAdvance, update_state};

/// Input of [`select_scenarios_for`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SelectInput {
    /// Raw bodies of every `GET /scenarios` page.
    pub pages: Vec<String>,
    /// Text of `.backup-state.json`, if the repository has one.
    #[serde(default)]
    pub state: Option<String>,
    /// False when a page failed: then nothing is called deleted.
    #[serde(default = "yes")]
    pub inventory_complete: bool,
    /// Back up every listed scenario.
    #[serde(default)]
    pub force: bool,
}

fn yes() -> bool {
    true
}

/// Selection from raw list pages and the state text.
pub fn select_scenarios_for(input: &SelectInput) -> Result<Vec<Verdict>, Error> {
    select_scenarios(&input.pages, input.state.as_deref(), input.inventory_complete, input.force)
}

/// Renders `blueprint.json` alone from a raw blueprint reply (the hot path, e.g. for benchmarks).
pub fn render_blueprint_file(scenario_id: u64, blueprint_reply: &str) -> Result<RenderedFile, Error> {
    let reply = parse_blueprint_reply(blueprint_reply)?;
    Ok(RenderedFile::new(crate::files::blueprint_path(scenario_id), reply.blueprint))
}

/// Parses list pages (raw `GET /scenarios` bodies) into de-duplicated listings, sorted by id.
pub fn parse_list_pages(pages: &[String]) -> Result<Vec<ScenarioListing>, Error> {
    let mut all = std::collections::BTreeMap::new();
    for page in pages {
        for listing in parse_scenario_page(page)?.listings {
            all.insert(listing.id, listing);
        }
    }
    Ok(all.into_values().collect())
}

/// Parses a state file; missing (`None`) or unusable text gives an empty state and the reason.
pub fn read_state(text: Option<&str>) -> (BackupState, Option<String>) {
    match text.map(BackupState::parse) {
        None => (BackupState::default(), None),
        Some(Ok(state)) => (state, None),
        Some(Err(problem)) => (BackupState::default(), Some(problem.to_string())),
    }
}

/// Selection over listings and a state text (see [`crate::selection::select`]).
pub fn select_scenarios(pages: &[String], state: Option<&str>, inventory_complete: bool, force: bool) -> Result<Vec<Verdict>, Error> {
    let listings = parse_list_pages(pages)?;
    let (state, _) = read_state(state);
    Ok(select(&listings, &state, inventory_complete, force))
}

/// Input of [`render_files`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RenderInput {
    /// The scenario object as listed (JSON text of one element of `scenarios`).
    pub listing: String,
    /// Raw body of `GET /scenarios/{id}/blueprint`.
    pub blueprint_reply: String,
    /// Text of the scenario's current `metadata.json`, if any (carries `backupHistory` forward).
    #[serde(default)]
    pub previous_metadata: Option<String>,
    /// Text of `.backup-state.json`, if any (its entry for the scenario joins `backupHistory`).
    #[serde(default)]
    pub state: Option<String>,
    /// Organization id written to metadata.json, if known.
    #[serde(default)]
    pub organization_id: Option<u64>,
    /// The backup timestamp (RFC 3339).
    pub now: String,
    /// `backupHistory` cap (default 100).
    #[serde(default)]
    pub backup_history_limit: Option<u32>,
}

/// Renders `blueprint.json` and `metadata.json` of one scenario, exactly as the engine would.
pub fn render_files(input: &RenderInput) -> Result<Vec<RenderedFile>, Error> {
    let value: serde_json::Value = serde_json::from_str(&input.listing).map_err(|e| Error::input("listing", e))?;
    let listing = ScenarioListing::from_value(&value).map_err(|e| Error::input("listing", e))?;
    let reply = parse_blueprint_reply(&input.blueprint_reply)?;
    let previous = input.previous_metadata.as_deref().map(parse_metadata).transpose()?;
    let (state, _) = read_state(input.state.as_deref());
    let stamp: BackupStamp = next_stamp(&input.now, previous.as_ref(), state.get(listing.id), input.backup_history_limit.unwrap_or(100));
    Ok(vec![
        render_blueprint(listing.id, &reply),
        render_metadata(&listing, input.organization_id, ReplySource::Reply(&reply), &stamp),
    ])
}

/// A commit to make: files that differ from the repository tree, and the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct CommitPlan {
    /// Files to write (unchanged ones dropped).
    pub files: Vec<RenderedFile>,
    /// Paths dropped because the repository already holds the same blob.
    pub unchanged: Vec<String>,
    /// Commit message.
    pub message: String,
    /// `POST git/trees` body (inline contents) on `baseTree`, or None when nothing changed.
    pub tree_request_body: Option<String>,
}

/// Input of [`plan_commit_for`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlanInput {
    /// Scenario id.
    pub scenario_id: u64,
    /// Scenario name (for the message).
    pub name: String,
    /// The rendered files.
    pub files: Vec<RenderedFile>,
    /// Raw `GET git/trees/{sha}?recursive=1` body of the base tree, if any.
    #[serde(default)]
    pub tree_listing: Option<String>,
    /// SHA of the base tree.
    pub base_tree: String,
}

/// [`plan_commit`] over one input value.
pub fn plan_commit_for(input: &PlanInput) -> Result<CommitPlan, Error> {
    plan_commit(input.scenario_id, &input.name, input.files.clone(), input.tree_listing.as_deref(), &input.base_tree)
}

/// Plans the commit of one scenario's files against a recursive tree listing (raw `GET git/trees` body).
pub fn plan_commit(scenario_id: u64, name: &str, files: Vec<RenderedFile>, tree_listing: Option<&str>, base_tree: &str) -> Result<CommitPlan, Error> {
    let tree = match tree_listing {
        Some(body) => crate::github::parse_tree(body).map_err(|e| Error::input("tree listing", e))?.blobs,
        None => Default::default(),
    };
    let (unchanged, files): (Vec<RenderedFile>, Vec<RenderedFile>) = files.into_iter().partition(|f| tree.get(&f.path) == Some(&f.blob_sha));
    let message = format!("Backup scenario {scenario_id}: {}", name.split_whitespace().collect::<Vec<_>>().join(" "));
    let tree_request_body = (!files.is_empty()).then(|| {
        let entries: Vec<(String, crate::github::TreeContent)> =
            files.iter().map(|f| (f.path.clone(), crate::github::TreeContent::Inline(f.content.clone()))).collect();
        crate::github::tree_body(base_tree, &entries)
    });
    Ok(CommitPlan { files, unchanged: unchanged.into_iter().map(|f| f.path).collect(), message, tree_request_body })
}

/// Input of [`next_state_file_for`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StateUpdateInput {
    /// Current `.backup-state.json` text, if any.
    #[serde(default)]
    pub state: Option<String>,
    /// Scenarios whose backup landed (with `commit`) or that were found identical (without).
    pub advances: Vec<StateAdvance>,
    /// Scenarios to mark deleted.
    #[serde(default)]
    pub deleted: Vec<u64>,
    /// The run's timestamp (RFC 3339).
    pub now: String,
}

/// [`next_state_file`] over one input value.
pub fn next_state_file_for(input: &StateUpdateInput) -> RenderedFile {
    next_state_file(input.state.as_deref(), &input.advances, &input.deleted, &input.now)
}

/// Applies landed backups and deletions to a state text and renders the new `.backup-state.json`.
pub fn next_state_file(state: Option<&str>, advances: &[StateAdvance], deleted: &[u64], now: &str) -> RenderedFile {
    let (state, _) = read_state(state);
    let mut next = update_state(&state, advances, deleted, now);
    next.last_run = Some(now.to_owned());
    RenderedFile::new(STATE_PATH.to_owned(), next.render())
}
