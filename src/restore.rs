//! Restore planner: the exact Make requests that bring a backed-up scenario back (make-api.md §6).
//!
//! Input: the texts of a scenario's `blueprint.json` and `metadata.json` from any commit, and
//! [`RestoreOptions`]. Output: a [`RestorePlan`] with the request to perform (as a [`Request`], so a host
//! can hand it to the same transport it uses for backups; it carries no credential), what the restored
//! scenario will still need, and warnings.
//!
//! - **create** — `POST {base}/scenarios?confirmed=true` with `blueprint` and `scheduling` as compact
//!   JSON *strings*, `teamId`, `folderId` (when known), and `metadata: {input_spec, output_spec}` when
//!   the backup has scenario inputs or outputs. `confirmed=true` lets a blueprint use apps new to the
//!   organization. `metadata` is undocumented, but Make's own SDK sends it on create
//!   (`@makehq/sdk` `normalizePayload`, make-api.md §6) and the inputs/outputs live outside the
//!   blueprint (§3.1), so without it a restore silently loses them; it is sent only when non-empty.
//!   The new scenario's id comes from the reply: [`parse_scenario_reply`].
//! - **overwrite** — `PATCH {base}/scenarios/{id}?confirmed=true` with `blueprint`, `scheduling` (when
//!   the backup has it), `name` (the blueprint's, so a renamed scenario gets its name back) and
//!   `folderId` (only when given in the options). The scenario keeps its activation state.
//! - **start**, only when asked: `POST {base}/scenarios/{id}/start` ([`start_request`]); in overwrite
//!   mode it is already in the plan.
//!
//! The blueprint string is `blueprint.json` with whitespace removed (key order, number digits and string
//! escapes kept byte for byte), so `canonical(blueprint sent) == canonical(blueprint.json)`:
//! [`check_request_round_trip`] checks the request, [`check_reply_round_trip`] checks what Make serves
//! afterwards (`GET /scenarios/{id}/blueprint`, [`blueprint_request`]).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::canonical::canonical_json;
use crate::dependencies::{DependencyKind, DependencyUse, uses_of};
use crate::error::Error;
use crate::files::{PreviousMetadata, parse_blueprint_reply, parse_metadata};
use crate::githash::git_blob_sha;
use crate::make::{base_url, compact_json, compact_value, make_request};
use crate::protocol::{Method, Request};

/// Create a new scenario or overwrite an existing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub enum RestoreMode {
    /// `POST /scenarios`: a new scenario (new id); the original may be deleted or still exist.
    #[default]
    Create,
    /// `PATCH /scenarios/{id}`: replace the blueprint of an existing scenario (same id, same webhooks).
    Overwrite,
}

/// How to restore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RestoreOptions {
    /// `create` (default) or `overwrite`.
    #[serde(default)]
    pub mode: RestoreMode,
    /// Team of the new scenario (create); default: `teamId` of metadata.json.
    #[serde(default)]
    pub team_id: Option<u64>,
    /// Folder of the new scenario, or the folder to move an overwritten one to; default on create:
    /// `folderId` of metadata.json when the team is the original one.
    #[serde(default)]
    pub folder_id: Option<u64>,
    /// Scenario to overwrite; default: the backed-up scenario's own id.
    #[serde(default)]
    pub target_scenario_id: Option<u64>,
    /// Also start (activate) the scenario afterwards.
    #[serde(default)]
    pub start: bool,
    /// Make API root, e.g. `https://eu1.make.com/api/v2` (`Config::make_base_url`).
    pub make_base_url: String,
}

/// Input of [`plan_restore`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RestoreInput {
    /// The backed-up scenario's id (from the path `scenarios/{id}/`); default: `id` of metadata.json.
    #[serde(default)]
    pub scenario_id: Option<u64>,
    /// Text of `scenarios/{id}/blueprint.json`.
    pub blueprint: String,
    /// Text of `scenarios/{id}/metadata.json` (scheduling, team, folder, inputs/outputs), if available.
    #[serde(default)]
    pub metadata: Option<String>,
    /// How to restore.
    pub options: RestoreOptions,
}

/// What a restored scenario still needs, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub enum RestoreNeedKind {
    /// A connection referenced by id.
    Connection,
    /// A webhook or mailhook referenced by id.
    Webhook,
    /// A data store referenced by id.
    DataStore,
    /// A key referenced by id.
    Key,
    /// A data structure referenced by id.
    DataStructure,
    /// An AI agent referenced by id.
    Agent,
    /// A device referenced by the scenario.
    Device,
    /// The scenario is inactive until started.
    Activation,
    /// Scenario inputs/outputs not sent by this request.
    Interface,
}

impl From<DependencyKind> for RestoreNeedKind {
    fn from(kind: DependencyKind) -> Self {
        match kind {
            DependencyKind::Connection => Self::Connection,
            DependencyKind::Webhook => Self::Webhook,
            DependencyKind::DataStore => Self::DataStore,
            DependencyKind::Key => Self::Key,
            DependencyKind::DataStructure => Self::DataStructure,
            DependencyKind::Agent => Self::Agent,
            DependencyKind::Device => Self::Device,
        }
    }
}

/// One thing to check or do after the restore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct RestoreNeed {
    /// What kind of thing.
    pub kind: RestoreNeedKind,
    /// Its Make id, for dependencies.
    pub id: Option<String>,
    /// Modules that reference it.
    pub module_ids: Vec<u64>,
    /// What to check or do, for people.
    pub message: String,
}

/// The requests of a restore and what it leaves to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct RestorePlan {
    /// The mode planned.
    pub mode: RestoreMode,
    /// The backed-up scenario's id, if known.
    pub source_scenario_id: Option<u64>,
    /// The scenario overwritten (overwrite mode).
    pub target_scenario_id: Option<u64>,
    /// Team of the new scenario (create mode).
    pub team_id: Option<u64>,
    /// Folder sent, if any.
    pub folder_id: Option<u64>,
    /// The blueprint's `name`.
    pub name: String,
    /// Requests to perform in order: create → `[POST /scenarios]`; overwrite → `[PATCH]` plus
    /// `[POST …/start]` when asked. Each carries no credential (add the Make token).
    pub requests: Vec<Request>,
    /// Create mode with `start`: after the create reply, perform
    /// `start_request(base, parse_scenario_reply(reply).id)`.
    pub start_after_create: bool,
    /// Git blob SHA of the canonical blueprint (what `blueprint.json` of a backup of the restored
    /// scenario will hash to).
    pub blueprint_sha: String,
    /// What the restored scenario still needs (dependencies by id, activation, inputs/outputs).
    pub needs: Vec<RestoreNeed>,
    /// Things to know that are not needs (defaults applied, folder dropped).
    pub warnings: Vec<String>,
}

/// The scenario in a create, update or start reply (`{"scenario":{…}}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct RestoredScenario {
    /// Its id (new on create).
    pub id: u64,
    /// Its name.
    pub name: Option<String>,
    /// Its team.
    pub team_id: Option<u64>,
    /// Its folder.
    pub folder_id: Option<u64>,
    /// Whether it is active.
    pub is_active: Option<bool>,
}

/// Result of a round-trip check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct RoundTrip {
    /// Canonical texts are byte-identical.
    pub identical: bool,
    /// Git blob SHA of the canonical blueprint sent or served.
    pub restored_sha: String,
    /// Git blob SHA of the canonical `blueprint.json`.
    pub backup_sha: String,
    /// First differing line (1-based) with both sides, when not identical.
    pub first_difference: Option<String>,
}

/// Plans a restore (see the module docs). Errors name the file or option and what to do.
pub fn plan_restore(input: &RestoreInput) -> Result<RestorePlan, Error> {
    let options = &input.options;
    let base = base_url("restore.makeBaseUrl", &options.make_base_url)?;
    let metadata = match &input.metadata {
        Some(text) => Some(parse_metadata(text).map_err(|e| {
            let file = input.scenario_id.map_or_else(|| "metadata.json".to_owned(), |id| format!("scenarios/{id}/metadata.json"));
            Error::input(&file, format!("{e}; pass the metadata.json of the same commit, or none (then give teamId)"))
        })?),
        None => None,
    };
    let source_id = input.scenario_id.or_else(|| metadata.as_ref().and_then(|m| m.listed_fields.get("id")).and_then(Value::as_u64));
    let blueprint_file = source_id.map_or_else(|| "blueprint.json".to_owned(), |id| format!("scenarios/{id}/blueprint.json"));
    let blueprint = check_blueprint(&input.blueprint, &blueprint_file)?;
    let blueprint_text = compact_json(&input.blueprint);
    let canonical = canonical_json(&input.blueprint).map_err(|e| Error::input(&blueprint_file, e))?;
    let name = blueprint.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
    let fields = metadata.as_ref().map(|m| m.listed_fields.clone()).unwrap_or_default();
    let mut warnings = Vec::new();
    let scheduling = scheduling_of(metadata.as_ref());
    let instant = blueprint.get("metadata").and_then(|m| m.get("instant")).and_then(Value::as_bool).unwrap_or(false);
    let scheduling_type = scheduling.as_ref().and_then(|s| s.get("type")).and_then(Value::as_str).unwrap_or_default().to_owned();
    if instant && scheduling_type != "immediately" && !scheduling_type.is_empty() {
        warnings.push(format!(
            "the blueprint starts with an instant trigger but scheduling is {scheduling_type:?}; Make expects {{\"type\":\"immediately\"}} for webhook scenarios and may refuse to start it"
        ));
    }
    let input_spec = metadata.as_ref().and_then(|m| m.reply_parts.get("inputSpec")).filter(|v| is_non_empty(v)).cloned();
    let output_spec = metadata.as_ref().and_then(|m| m.reply_parts.get("outputSpec")).filter(|v| is_non_empty(v)).cloned();

    let mut body = Map::new();
    body.insert("blueprint".to_owned(), Value::String(blueprint_text));
    let mut requests = Vec::new();
    let mut needs = Vec::new();
    let (team_id, folder_id, target_id);
    match options.mode {
        RestoreMode::Create => {
            let original_team = metadata.as_ref().and_then(|m| m.team_id);
            let team = options.team_id.or(original_team).ok_or_else(|| {
                Error::config("restore.teamId", format!("{blueprint_file}: no teamId in metadata.json; set the team to restore into"))
            })?;
            let folder = match options.folder_id {
                Some(folder) => Some(folder),
                None => {
                    let original_folder = fields.get("folderId").and_then(Value::as_u64);
                    if original_folder.is_some() && original_team.is_some_and(|t| t != team) {
                        warnings.push(format!(
                            "folder {} belongs to team {}; the scenario is created outside any folder of team {team} (set folderId to choose one)",
                            original_folder.unwrap_or_default(),
                            original_team.unwrap_or_default()
                        ));
                        None
                    } else {
                        original_folder
                    }
                }
            };
            body.insert("teamId".to_owned(), Value::from(team));
            if let Some(folder) = folder {
                body.insert("folderId".to_owned(), Value::from(folder));
            }
            let scheduling_text = match &scheduling {
                Some(scheduling) => compact_value(scheduling),
                None => default_scheduling(instant, metadata.is_some(), &mut warnings),
            };
            body.insert("scheduling".to_owned(), Value::String(scheduling_text));
            if input_spec.is_some() || output_spec.is_some() {
                let mut interface = Map::new();
                interface.insert("input_spec".to_owned(), input_spec.clone().unwrap_or(Value::Array(Vec::new())));
                interface.insert("output_spec".to_owned(), output_spec.clone().unwrap_or(Value::Array(Vec::new())));
                body.insert("metadata".to_owned(), Value::Object(interface));
            }
            let url = format!("{base}/scenarios?confirmed=true");
            let from = source_id.map_or_else(String::new, |id| format!(" from the backup of scenario {id}"));
            let purpose = format!("restore {name:?}{from} as a new scenario in team {team}");
            requests.push(make_request(1, Method::POST, url, Some(compact_value(&Value::Object(body))), purpose, source_id));
            (team_id, folder_id, target_id) = (Some(team), folder, None);
            if !options.start {
                needs.push(RestoreNeed {
                    kind: RestoreNeedKind::Activation,
                    id: None,
                    module_ids: Vec::new(),
                    message: "the new scenario is created inactive: start it in Make, or restore with start: true (POST /scenarios/{id}/start)".to_owned(),
                });
            }
        }
        RestoreMode::Overwrite => {
            let target = options.target_scenario_id.or(source_id).ok_or_else(|| {
                Error::config("restore.targetScenarioId", format!("{blueprint_file}: no scenario id known; set the scenario to overwrite"))
            })?;
            match &scheduling {
                Some(scheduling) => {
                    body.insert("scheduling".to_owned(), Value::String(compact_value(scheduling)));
                }
                None => warnings.push("no scheduling in the backup: the scenario keeps its current scheduling".to_owned()),
            }
            if !name.is_empty() {
                body.insert("name".to_owned(), Value::String(name.clone()));
            }
            if let Some(folder) = options.folder_id {
                body.insert("folderId".to_owned(), Value::from(folder));
            }
            let url = format!("{base}/scenarios/{target}?confirmed=true");
            let from = match source_id {
                Some(id) if id != target => format!(" with the backup of scenario {id}"),
                _ => " with its backup".to_owned(),
            };
            let purpose = format!("overwrite scenario {target}{from}");
            requests.push(make_request(1, Method::PATCH, url, Some(compact_value(&Value::Object(body))), purpose, Some(target)));
            if options.start {
                requests.push(start_request_with_id(&base, target, 2));
            }
            if input_spec.is_some() || output_spec.is_some() {
                needs.push(RestoreNeed {
                    kind: RestoreNeedKind::Interface,
                    id: None,
                    module_ids: Vec::new(),
                    message: format!(
                        "scenario inputs/outputs are not part of an update: compare them with inputSpec/outputSpec of {} and set them in Make (scenario inputs) if they differ",
                        source_id.map_or_else(|| "metadata.json".to_owned(), |id| format!("scenarios/{id}/metadata.json"))
                    ),
                });
            }
            (team_id, folder_id, target_id) = (None, options.folder_id, Some(target));
        }
    }
    let same_scenario = options.mode == RestoreMode::Overwrite && target_id == source_id;
    for used in uses_of(&blueprint, &fields) {
        needs.push(need_of(&used, same_scenario, team_id.or(metadata.as_ref().and_then(|m| m.team_id))));
    }
    Ok(RestorePlan {
        mode: options.mode,
        source_scenario_id: source_id,
        target_scenario_id: target_id,
        team_id,
        folder_id,
        name,
        requests,
        start_after_create: options.mode == RestoreMode::Create && options.start,
        blueprint_sha: git_blob_sha(canonical.as_bytes()),
        needs,
        warnings,
    })
}

fn is_non_empty(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Array(items) => !items.is_empty(),
        Value::Object(map) => !map.is_empty(),
        _ => true,
    }
}

/// Parses and checks the blueprint text: a JSON object with a `flow` array, not a reply wrapper.
fn check_blueprint(text: &str, file: &str) -> Result<Value, Error> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| Error::input(file, format!("not JSON ({e}); restore from another commit, or fix the file")))?;
    let Value::Object(object) = &value else {
        return Err(Error::input(file, "not a JSON object; pass the text of a scenario's blueprint.json"));
    };
    if object.contains_key("response") && !object.contains_key("flow") {
        return Err(Error::input(
            file,
            "holds a {\"code\",\"response\"} API reply, not a blueprint; pass the value of response.blueprint",
        ));
    }
    if !matches!(object.get("flow"), Some(Value::Array(_))) {
        return Err(Error::input(file, "has no \"flow\" array, so it is not a Make blueprint; pass the text of a scenario's blueprint.json"));
    }
    Ok(value)
}

/// Scheduling from metadata.json, if it has one.
fn scheduling_of(metadata: Option<&PreviousMetadata>) -> Option<Value> {
    metadata
        .and_then(|m| m.reply_parts.get("scheduling").or_else(|| m.listed_fields.get("scheduling")))
        .filter(|v| v.is_object())
        .cloned()
}

/// Scheduling for a new scenario without one in metadata.json: `immediately` for an instant trigger,
/// else `on-demand` (never runs by itself).
fn default_scheduling(instant: bool, has_metadata: bool, warnings: &mut Vec<String>) -> String {
    let fallback = if instant { r#"{"type":"immediately"}"# } else { r#"{"type":"on-demand"}"# };
    let why = if has_metadata { "metadata.json has no scheduling" } else { "no metadata.json given" };
    warnings.push(format!("{why}; scheduling {fallback} is used (change it in Make before starting)"));
    fallback.to_owned()
}

fn need_of(used: &DependencyUse, same_scenario: bool, team: Option<u64>) -> RestoreNeed {
    let module_ids = used.module_ids();
    let modules = match module_ids.as_slice() {
        [] => "the scenario's trigger".to_owned(),
        [one] => format!("module {one}"),
        many => format!("modules {}", many.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")),
    };
    let id = &used.id;
    let team = team.map_or_else(|| "the target team".to_owned(), |t| format!("team {t}"));
    let message = match used.kind {
        DependencyKind::Connection => format!(
            "connection {id} ({modules}) must exist in {team}; if it was deleted or you restore into another team, create the connection and select it in {modules}"
        ),
        DependencyKind::Webhook if same_scenario => format!(
            "webhook {id} ({modules}) stays attached; if it was deleted, add a new webhook in {modules} and give callers its new URL"
        ),
        DependencyKind::Webhook => format!(
            "webhook {id} ({modules}) belongs to one scenario; if the original scenario still uses it, or it was deleted, add a new webhook in {modules} — a new hook has a new URL, so update every caller"
        ),
        DependencyKind::DataStore => format!(
            "data store {id} ({modules}) must exist in {team}; its records are not in the backup"
        ),
        DependencyKind::Key => format!("key {id} ({modules}) must exist in {team}; key material is never backed up, so re-create it if it is gone"),
        DependencyKind::DataStructure => format!("data structure {id} ({modules}) must exist in {team}; re-create it and select it in {modules} if it is gone"),
        DependencyKind::Agent => format!("AI agent {id} ({modules}) must exist in {team}; select another agent in {modules} if it is gone"),
        DependencyKind::Device => format!("device {id} ({modules}) must still be registered; re-pair the device if it is gone"),
    };
    RestoreNeed { kind: used.kind.into(), id: Some(used.id.clone()), module_ids, message }
}

fn start_request_with_id(base: &str, scenario_id: u64, id: u64) -> Request {
    let url = format!("{base}/scenarios/{scenario_id}/start");
    make_request(id, Method::POST, url, None, format!("start restored scenario {scenario_id}"), Some(scenario_id))
}

/// `POST {base}/scenarios/{id}/start`: activates the scenario (an interval scenario also runs once).
pub fn start_request(make_base_url: &str, scenario_id: u64) -> Result<Request, Error> {
    let base = base_url("restore.makeBaseUrl", make_base_url)?;
    Ok(start_request_with_id(&base, scenario_id, 1))
}

/// Where the backup files of a restore are read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BackupSource {
    /// GitHub REST root (`https://api.github.com`, or `https://HOST/api/v3`).
    #[serde(default = "default_github_api_url")]
    pub api_url: String,
    /// Owner of the backup repository.
    pub owner: String,
    /// Name of the backup repository.
    pub repo: String,
    /// Commit SHA, branch or tag to restore from; default: the repository's default branch.
    #[serde(default)]
    pub git_ref: Option<String>,
}

fn default_github_api_url() -> String {
    "https://api.github.com".to_owned()
}

/// The two `GET contents` requests (raw media type: the body is the file's exact bytes, up to 100 MB)
/// that read `scenarios/{id}/blueprint.json` and `metadata.json` from the backup repository. A 404 on
/// blueprint.json means the scenario was never backed up at that ref; metadata.json is optional.
pub fn backup_file_requests(source: &BackupSource, scenario_id: u64) -> Result<[Request; 2], Error> {
    let repo = source.repo_url()?;
    let at = source.ref_query();
    let request = |id: u64, file: &str| {
        source.get(
            id,
            format!("{repo}/contents/scenarios/{scenario_id}/{file}{at}"),
            format!("read scenarios/{scenario_id}/{file} of the backup"),
            Some(scenario_id),
        )
    };
    Ok([request(1, "blueprint.json"), request(2, "metadata.json")])
}

impl BackupSource {
    /// `{apiUrl}/repos/{owner}/{repo}`, checked.
    pub(crate) fn repo_url(&self) -> Result<String, Error> {
        let api = base_url("source.apiUrl", &self.api_url)?;
        for (field, value) in [("source.owner", &self.owner), ("source.repo", &self.repo)] {
            if value.is_empty() || value.contains(['/', '?', '#', ' ']) {
                return Err(Error::config(field, format!("{value:?} is not a GitHub owner or repository name")));
            }
        }
        Ok(format!("{api}/repos/{}/{}", self.owner, self.repo))
    }

    /// The ref, trimmed; None for the repository's default branch.
    pub(crate) fn git_ref(&self) -> Option<&str> {
        self.git_ref.as_deref().map(str::trim).filter(|r| !r.is_empty())
    }

    /// `?ref=…` (encoded, `/` too), or nothing.
    pub(crate) fn ref_query(&self) -> String {
        self.git_ref().map(|r| format!("?ref={}", crate::github::encode_segments(r).replace('/', "%2F"))).unwrap_or_default()
    }

    /// A GitHub GET of file contents in the raw media type (the exact bytes), without credentials.
    pub(crate) fn get(&self, id: u64, url: String, purpose: String, scenario_id: Option<u64>) -> Request {
        let mut headers = std::collections::BTreeMap::new();
        headers.insert("accept".to_owned(), "application/vnd.github.raw+json".to_owned());
        headers.insert("user-agent".to_owned(), crate::make::USER_AGENT.to_owned());
        headers.insert("x-github-api-version".to_owned(), "2022-11-28".to_owned());
        Request {
            id,
            service: crate::protocol::Service::Github,
            method: Method::GET,
            url,
            headers,
            body: None,
            timeout_ms: crate::make::TIMEOUT_MS,
            purpose,
            scenario_id,
        }
    }
}

/// `GET {base}/scenarios/{id}/blueprint`: read back what Make stored, for [`check_reply_round_trip`].
pub fn blueprint_request(make_base_url: &str, scenario_id: u64) -> Result<Request, Error> {
    let base = base_url("restore.makeBaseUrl", make_base_url)?;
    let url = format!("{base}/scenarios/{scenario_id}/blueprint");
    Ok(make_request(1, Method::GET, url, None, format!("read back the blueprint of restored scenario {scenario_id}"), Some(scenario_id)))
}

/// Parses the reply of a create, update or start request: `{"scenario":{"id":…,…}}`. An error body
/// (`{"detail","message","code"}`) becomes an error that quotes Make and says what to do.
pub fn parse_scenario_reply(status: Option<u16>, body: &str) -> Result<RestoredScenario, Error> {
    let value: Value = serde_json::from_str(body).ok().unwrap_or(Value::Null);
    let hint = match status {
        Some(401) => "; check the Make token and its zone",
        Some(403) => "; the token needs scenarios:write and access to the team",
        Some(404) => "; the scenario to overwrite does not exist (restore with mode create)",
        Some(400) => "; fix the request (team, folder, scheduling) or the blueprint of that commit",
        _ => "",
    };
    let scenario = value.get("scenario").and_then(Value::as_object);
    let ok = status.is_none_or(|s| (200..300).contains(&s));
    let Some(scenario) = scenario.filter(|_| ok) else {
        let detail = crate::inventory::error_text(&value)
            .or_else(|| status.map(|s| format!("HTTP {s}")))
            .unwrap_or_else(|| "no \"scenario\" object".to_owned());
        return Err(Error::input("restore reply", format!("{detail}{hint}")));
    };
    let id = scenario
        .get("id")
        .and_then(Value::as_u64)
        .ok_or_else(|| Error::input("restore reply", "the scenario has no numeric id; look the scenario up in Make"))?;
    Ok(RestoredScenario {
        id,
        name: scenario.get("name").and_then(Value::as_str).map(str::to_owned),
        team_id: scenario.get("teamId").and_then(Value::as_u64),
        folder_id: scenario.get("folderId").and_then(Value::as_u64),
        is_active: scenario.get("isActive").and_then(Value::as_bool),
    })
}

/// Checks a create or update request body: `canonical(body.blueprint) == canonical(blueprint.json)`.
pub fn check_request_round_trip(request_body: &str, blueprint_json: &str) -> Result<RoundTrip, Error> {
    let body: Value = serde_json::from_str(request_body).map_err(|e| Error::input("restore request body", e))?;
    let sent = body
        .get("blueprint")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::input("restore request body", "no \"blueprint\" string; pass the body of the planned request"))?;
    let sent = canonical_json(sent).map_err(|e| Error::input("blueprint sent", e))?;
    compare(&sent, blueprint_json)
}

/// Checks what Make serves after the restore (`GET /scenarios/{id}/blueprint` body):
/// `canonical(response.blueprint) == canonical(blueprint.json)`.
pub fn check_reply_round_trip(blueprint_reply: &str, blueprint_json: &str) -> Result<RoundTrip, Error> {
    let served = parse_blueprint_reply(blueprint_reply)?;
    compare(&served.blueprint, blueprint_json)
}

fn compare(restored_canonical: &str, blueprint_json: &str) -> Result<RoundTrip, Error> {
    let backup = canonical_json(blueprint_json).map_err(|e| Error::input("blueprint.json", e))?;
    let identical = restored_canonical == backup;
    let first_difference = (!identical).then(|| {
        let mut restored = restored_canonical.lines();
        let mut backed_up = backup.lines();
        let mut line = 1;
        loop {
            match (restored.next(), backed_up.next()) {
                (Some(a), Some(b)) if a == b => line += 1,
                (a, b) => {
                    let show = |s: Option<&str>| s.map_or_else(|| "(end)".to_owned(), |s| s.trim().chars().take(120).collect());
                    break format!("line {line}: restored {} · backup {}", show(a), show(b));
                }
            }
        }
    });
    Ok(RoundTrip {
        identical,
        restored_sha: git_blob_sha(restored_canonical.as_bytes()),
        backup_sha: git_blob_sha(backup.as_bytes()),
        first_difference,
    })
}
