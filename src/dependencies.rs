//! Dependency inventory: which connections, webhooks, data stores, keys, data structures, AI agents
//! and devices each scenario references by id, and the inverse (which scenarios use each of them).
//!
//! The walk covers `flow[]` and, recursively, `routes[].flow`, `branches[].flow`, `onerror[]` and the
//! unconnected modules of `metadata.designer.orphans` (make-api.md §3.3). In each module's
//! `parameters` (nested objects and arrays included) these keys are references (make-api.md §7.1):
//!
//! | Kind | Keys |
//! |---|---|
//! | `connection` | `__IMTCONN__`, `makeConnectionId`, `account`, `oAuthAccount` |
//! | `webhook` | `hook` (only on `gateway:*` modules such as `gateway:CustomWebHook` / `CustomMailHook`), `__IMTHOOK__`; scenario field `hookId` |
//! | `dataStore` | `datastore` |
//! | `key` | `__IMTKEY__`, `apiKeyKeychain`, `basicAuthKeychain`, `proxyKeychain` |
//! | `dataStructure` | `bodyDataStructure`, `udt` |
//! | `agent` | `agent` |
//! | `device` | scenario field `deviceId` |
//!
//! A reference is an integer or an id-like string (letters, digits, `-`, `_`); `null`, empty values and
//! IML expressions (`{{…}}`) are not references. The scenario fields come from `metadata.json`
//! (`listing.hookId`, `listing.deviceId`).
//!
//! ## `inventory/dependencies.json` (schema version 1, canonical JSON)
//!
//! ```jsonc
//! {
//!   "version": 1,
//!   "scenarios": {                        // per scenario id: what it uses
//!     "418339": { "scenarioId": 418339, "name": "…", "teamId": 51,
//!       "uses": [ { "kind": "connection", "id": "4021", "keys": ["__IMTCONN__"],
//!                   "modules": [ { "id": 3, "module": "http:ActionSendData" } ] },
//!                 { "kind": "webhook", "id": "222895", "keys": ["hook", "hookId"], "modules": [ … ] } ] } },
//!   "dependencies": {                     // per "kind:id": who uses it, and what the list endpoints say
//!     "connection:4021": { "kind": "connection", "id": "4021", "scenarios": [418339],
//!       "status": "present",              // "unchecked" | "present" | "missing"
//!       "name": "My HTTP connection", "typeName": "http", "note": null } },
//!   "checked": [ { "kind": "connection", "teamIds": [51] } ]   // lists compared this run
//! }
//! ```
//!
//! Ids are strings (Make uses integers; a few references may be strings). `uses` is sorted by kind then
//! id, `modules` by id. Entries with `"scenarios": []` are listed by Make but used by no scenario.
//! Enrichment from the list endpoints (`GET /connections`, `/hooks`, `/data-stores`,
//! `/data-structures`, `/keys`, `/devices`, each `?teamId=`) keeps names and types only — never
//! connection data, key material, webhook URLs or records. A referenced id that a list of its team does
//! not contain is `"missing"` (deleted, or in another team); a hook the list reports as `gone` is
//! `"missing"` too. The file holds no timestamp, so it changes only when a dependency does.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::canonical::canonical_value;
use crate::error::Error;
use crate::files::{RenderedFile, parse_metadata};
use crate::make::{base_url, make_request, module_id, module_type, walk_blueprint};
use crate::protocol::{Method, Request};

/// Path of the inventory in the backup repository.
pub const DEPENDENCIES_PATH: &str = "inventory/dependencies.json";

/// Schema version of `inventory/dependencies.json`.
pub const INVENTORY_VERSION: u64 = 1;

/// `pg[limit]` sent with `GET /hooks` (Make's default page there is 50).
pub const HOOK_PAGE_SIZE: u32 = 500;

/// What a reference points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub enum DependencyKind {
    /// A connection (credentials of an app account).
    Connection,
    /// A webhook or mailhook.
    Webhook,
    /// A data store.
    DataStore,
    /// A key (keychain entry).
    Key,
    /// A data structure (UDT).
    DataStructure,
    /// An AI agent.
    Agent,
    /// A device (scenario field `deviceId`).
    Device,
}

impl DependencyKind {
    /// Every kind, in output order.
    pub const ALL: [Self; 7] =
        [Self::Connection, Self::Webhook, Self::DataStore, Self::Key, Self::DataStructure, Self::Agent, Self::Device];

    /// The JSON name (`dataStore`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connection => "connection",
            Self::Webhook => "webhook",
            Self::DataStore => "dataStore",
            Self::Key => "key",
            Self::DataStructure => "dataStructure",
            Self::Agent => "agent",
            Self::Device => "device",
        }
    }

    /// The name people read (`data store`).
    pub fn label(self) -> &'static str {
        match self {
            Self::Connection => "connection",
            Self::Webhook => "webhook",
            Self::DataStore => "data store",
            Self::Key => "key",
            Self::DataStructure => "data structure",
            Self::Agent => "AI agent",
            Self::Device => "device",
        }
    }

    /// The list endpoint (path, reply array key) that names objects of this kind, if Make has one.
    pub fn list_endpoint(self) -> Option<(&'static str, &'static str)> {
        match self {
            Self::Connection => Some(("/connections", "connections")),
            Self::Webhook => Some(("/hooks", "hooks")),
            Self::DataStore => Some(("/data-stores", "dataStores")),
            Self::Key => Some(("/keys", "keys")),
            Self::DataStructure => Some(("/data-structures", "dataStructures")),
            Self::Device => Some(("/devices", "devices")),
            Self::Agent => None,
        }
    }

    /// The token scope the list endpoint needs.
    pub fn list_scope(self) -> Option<&'static str> {
        match self {
            Self::Connection => Some("connections:read"),
            Self::Webhook => Some("hooks:read"),
            Self::DataStore => Some("datastores:read"),
            Self::Key => Some("keys:read"),
            Self::DataStructure => Some("udts:read"),
            Self::Device => Some("devices:read"),
            Self::Agent => None,
        }
    }
}

/// Parameter keys that hold references (see the module docs).
const PARAMETER_KEYS: [(&str, DependencyKind); 14] = [
    ("__IMTCONN__", DependencyKind::Connection),
    ("makeConnectionId", DependencyKind::Connection),
    ("account", DependencyKind::Connection),
    ("oAuthAccount", DependencyKind::Connection),
    ("__IMTHOOK__", DependencyKind::Webhook),
    ("hook", DependencyKind::Webhook),
    ("datastore", DependencyKind::DataStore),
    ("__IMTKEY__", DependencyKind::Key),
    ("apiKeyKeychain", DependencyKind::Key),
    ("basicAuthKeychain", DependencyKind::Key),
    ("proxyKeychain", DependencyKind::Key),
    ("bodyDataStructure", DependencyKind::DataStructure),
    ("udt", DependencyKind::DataStructure),
    ("agent", DependencyKind::Agent),
];

/// A module, as named in the inventory.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct ModuleRef {
    /// Module id within the blueprint (None when the module has none).
    pub id: Option<u64>,
    /// Module type, e.g. `http:ActionSendData`.
    pub module: String,
}

/// One dependency of one scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct DependencyUse {
    /// What it is.
    pub kind: DependencyKind,
    /// Its Make id, as text.
    pub id: String,
    /// Where it was found: parameter keys (`__IMTCONN__`) or scenario fields (`hookId`), sorted.
    pub keys: Vec<String>,
    /// Modules that reference it, sorted (empty for a scenario field only).
    pub modules: Vec<ModuleRef>,
}

impl DependencyUse {
    /// `connection:4021`: the key of the dependency in the inverse index.
    pub fn key(&self) -> String {
        dependency_key(self.kind, &self.id)
    }

    /// The module ids that reference it.
    pub fn module_ids(&self) -> Vec<u64> {
        self.modules.iter().filter_map(|m| m.id).collect()
    }
}

/// `kind:id`.
pub fn dependency_key(kind: DependencyKind, id: &str) -> String {
    format!("{}:{id}", kind.as_str())
}

/// Everything one scenario references.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct ScenarioDependencies {
    /// Scenario id.
    pub scenario_id: u64,
    /// Scenario name (from metadata.json, else the blueprint).
    pub name: String,
    /// Team of the scenario (from metadata.json), used to scope list checks.
    #[serde(default)]
    pub team_id: Option<u64>,
    /// Its dependencies, sorted by kind then id.
    pub uses: Vec<DependencyUse>,
}

/// Whether a list endpoint confirmed a dependency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub enum DependencyStatus {
    /// Not compared with a list this run (no scope, or no list endpoint for the kind).
    Unchecked,
    /// Listed by Make.
    Present,
    /// Not in its team's list, or a hook Make reports as gone: deleted, or in another team.
    Missing,
}

/// One dependency and the scenarios that use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct DependencyEntry {
    /// What it is.
    pub kind: DependencyKind,
    /// Its Make id, as text.
    pub id: String,
    /// Scenarios that reference it, sorted (empty: listed by Make, used by none).
    pub scenarios: Vec<u64>,
    /// What the list endpoints said.
    pub status: DependencyStatus,
    /// Name, from the list endpoint.
    #[serde(default)]
    pub name: Option<String>,
    /// Type (app or hook/key type), from the list endpoint.
    #[serde(default)]
    pub type_name: Option<String>,
    /// Anything else worth knowing (`hook is disabled`, `hook is gone`).
    #[serde(default)]
    pub note: Option<String>,
}

/// A list that was compared with the references.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct CheckedList {
    /// Which kind.
    pub kind: DependencyKind,
    /// The teams whose lists were read, sorted.
    pub team_ids: Vec<u64>,
}

/// The content of `inventory/dependencies.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct DependencyInventory {
    /// Schema version (1).
    pub version: u64,
    /// Per scenario id (decimal string): what it uses.
    pub scenarios: BTreeMap<String, ScenarioDependencies>,
    /// Per `kind:id`: who uses it, and what the lists said.
    pub dependencies: BTreeMap<String, DependencyEntry>,
    /// The lists compared in this inventory.
    #[serde(default)]
    pub checked: Vec<CheckedList>,
}

impl Default for DependencyInventory {
    fn default() -> Self {
        Self { version: INVENTORY_VERSION, scenarios: BTreeMap::new(), dependencies: BTreeMap::new(), checked: Vec::new() }
    }
}

/// The id text of a reference value, if it is one.
fn reference_id(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => {
            let text = n.to_string();
            text.bytes().all(|b| b.is_ascii_digit()).then_some(text)
        }
        Value::String(s) => {
            let s = s.trim();
            let ok = !s.is_empty() && s.len() <= 100 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            ok.then(|| s.to_owned())
        }
        _ => None,
    }
}

type Found = BTreeMap<(DependencyKind, String), (BTreeSet<String>, BTreeSet<ModuleRef>)>;

fn scan_parameters(value: &Value, gateway: bool, module: &ModuleRef, found: &mut Found) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let kind = PARAMETER_KEYS.iter().find(|(k, _)| k == key).map(|(_, kind)| *kind);
                let kind = if key == "hook" && !gateway { None } else { kind };
                match (kind, reference_id(inner)) {
                    (Some(kind), Some(id)) => {
                        let entry = found.entry((kind, id)).or_default();
                        entry.0.insert(key.clone());
                        entry.1.insert(module.clone());
                    }
                    _ => scan_parameters(inner, gateway, module, found),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                scan_parameters(item, gateway, module, found);
            }
        }
        _ => {}
    }
}

/// The dependencies of a parsed blueprint, plus the scenario fields `hookId` / `deviceId` if given.
pub(crate) fn uses_of(blueprint: &Value, scenario_fields: &BTreeMap<String, Value>) -> Vec<DependencyUse> {
    let mut found = Found::new();
    walk_blueprint(blueprint, &mut |module: &Map<String, Value>, _| {
        let kind = module_type(module);
        let reference = ModuleRef { id: module_id(module), module: kind.to_owned() };
        if let Some(parameters) = module.get("parameters") {
            scan_parameters(parameters, kind.starts_with("gateway:"), &reference, &mut found);
        }
    });
    for (field, kind) in [("hookId", DependencyKind::Webhook), ("deviceId", DependencyKind::Device)] {
        if let Some(id) = scenario_fields.get(field).and_then(reference_id) {
            found.entry((kind, id)).or_default().0.insert(field.to_owned());
        }
    }
    found
        .into_iter()
        .map(|((kind, id), (keys, modules))| DependencyUse { kind, id, keys: keys.into_iter().collect(), modules: modules.into_iter().collect() })
        .collect()
}

/// Scans one scenario: the text of its `blueprint.json` and, if available, of its `metadata.json`
/// (name, team, `hookId`, `deviceId`).
pub fn scan_scenario(scenario_id: u64, blueprint: &str, metadata: Option<&str>) -> Result<ScenarioDependencies, Error> {
    let blueprint_file = format!("scenarios/{scenario_id}/blueprint.json");
    let value: Value = serde_json::from_str(blueprint)
        .map_err(|e| Error::input(&blueprint_file, format!("not JSON ({e}); back the scenario up again or fix the file")))?;
    if !value.is_object() {
        return Err(Error::input(&blueprint_file, "not a JSON object; it should hold a Make blueprint ({\"name\",\"flow\",\"metadata\"})"));
    }
    let metadata = match metadata {
        Some(text) => Some(parse_metadata(text).map_err(|e| {
            Error::input(&format!("scenarios/{scenario_id}/metadata.json"), format!("{e}; back the scenario up again or pass no metadata"))
        })?),
        None => None,
    };
    let fields = metadata.as_ref().map(|m| m.listed_fields.clone()).unwrap_or_default();
    let name = fields
        .get("name")
        .and_then(Value::as_str)
        .or_else(|| value.get("name").and_then(Value::as_str))
        .unwrap_or_default()
        .to_owned();
    let team_id = metadata.as_ref().and_then(|m| m.team_id);
    Ok(ScenarioDependencies { scenario_id, name, team_id, uses: uses_of(&value, &fields) })
}

impl DependencyInventory {
    /// An inventory of these scenarios (the inverse index is derived; nothing is checked yet).
    pub fn build(scenarios: impl IntoIterator<Item = ScenarioDependencies>) -> Self {
        let mut inventory = Self::default();
        for scenario in scenarios {
            inventory.scenarios.insert(scenario.scenario_id.to_string(), scenario);
        }
        inventory.reindex();
        inventory
    }

    /// Parses a previous `inventory/dependencies.json`. The inverse index is derived again from
    /// `scenarios`; names, types and statuses from earlier list checks are kept.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let mut inventory: Self = serde_json::from_str(text).map_err(|e| {
            Error::input(DEPENDENCIES_PATH, format!("{e}; delete the file and the next run writes it again from the blueprints"))
        })?;
        if inventory.version > INVENTORY_VERSION {
            return Err(Error::input(
                DEPENDENCIES_PATH,
                format!("schema version {} is newer than this engine's {INVENTORY_VERSION}; update make-backup-planner", inventory.version),
            ));
        }
        inventory.version = INVENTORY_VERSION;
        inventory.reindex();
        Ok(inventory)
    }

    /// Replaces the entries of re-scanned scenarios, drops removed ones, and derives the index again.
    /// Results of earlier list checks stay on the dependencies still referenced (a dependency new to
    /// the inventory is `unchecked` until [`Self::enrich`] runs for its kind).
    pub fn update(&mut self, changed: impl IntoIterator<Item = ScenarioDependencies>, removed: &[u64]) {
        for id in removed {
            self.scenarios.remove(&id.to_string());
        }
        for scenario in changed {
            self.scenarios.insert(scenario.scenario_id.to_string(), scenario);
        }
        self.reindex();
    }

    /// Scenario ids in the inventory, ascending.
    pub fn scenario_ids(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self.scenarios.values().map(|s| s.scenario_id).collect();
        ids.sort_unstable();
        ids
    }

    /// Teams of the scenarios (for the `?teamId=` list requests), ascending.
    pub fn team_ids(&self) -> Vec<u64> {
        let teams: BTreeSet<u64> = self.scenarios.values().filter_map(|s| s.team_id).collect();
        teams.into_iter().collect()
    }

    /// Entries whose status is `missing`.
    pub fn missing(&self) -> Vec<&DependencyEntry> {
        self.dependencies.values().filter(|d| d.status == DependencyStatus::Missing).collect()
    }

    /// Derives the inverse index from `scenarios`. Names, types and statuses of dependencies that are
    /// still referenced are kept, as are listed-but-unused ones that were `present`.
    fn reindex(&mut self) {
        let previous = std::mem::take(&mut self.dependencies);
        let mut dependencies: BTreeMap<String, DependencyEntry> = BTreeMap::new();
        for scenario in self.scenarios.values() {
            for used in &scenario.uses {
                let entry = dependencies.entry(used.key()).or_insert_with(|| DependencyEntry {
                    kind: used.kind,
                    id: used.id.clone(),
                    scenarios: Vec::new(),
                    status: DependencyStatus::Unchecked,
                    name: None,
                    type_name: None,
                    note: None,
                });
                entry.scenarios.push(scenario.scenario_id);
            }
        }
        for (key, entry) in &mut dependencies {
            entry.scenarios.sort_unstable();
            entry.scenarios.dedup();
            if let Some(old) = previous.get(key) {
                entry.status = old.status;
                entry.name.clone_from(&old.name);
                entry.type_name.clone_from(&old.type_name);
                entry.note.clone_from(&old.note);
            }
        }
        for (key, mut old) in previous {
            if old.status == DependencyStatus::Present && !dependencies.contains_key(&key) {
                old.scenarios.clear();
                dependencies.insert(key, old);
            }
        }
        self.dependencies = dependencies;
    }

    /// Compares references of one kind with what that kind's list endpoint returned for `team_ids`
    /// (all pages, every team given). Listed objects get their name and type and `present`; a
    /// referenced id of a scenario in one of those teams (or of unknown team) that is not listed is
    /// `missing`; listed objects nobody uses are added with no scenarios.
    pub fn enrich(&mut self, kind: DependencyKind, team_ids: &[u64], listed: &[ListedDependency]) {
        let teams: BTreeSet<u64> = team_ids.iter().copied().collect();
        let covered: BTreeSet<u64> = self
            .scenarios
            .values()
            .filter(|s| s.team_id.is_none_or(|t| teams.contains(&t)))
            .map(|s| s.scenario_id)
            .collect();
        let by_id: BTreeMap<&str, &ListedDependency> = listed.iter().filter(|l| l.kind == kind).map(|l| (l.id.as_str(), l)).collect();
        // Unused entries come from an earlier list of this kind: this list replaces them.
        self.dependencies.retain(|_, e| e.kind != kind || !e.scenarios.is_empty());
        for entry in self.dependencies.values_mut().filter(|e| e.kind == kind) {
            match by_id.get(entry.id.as_str()) {
                Some(item) => apply_listing(entry, item),
                None if entry.scenarios.iter().any(|s| covered.contains(s)) => {
                    entry.status = DependencyStatus::Missing;
                    let teams = if team_ids.len() == 1 { "team" } else { "teams" };
                    entry.note = Some(format!("not in the {} list of {teams} {}", kind.label(), join(team_ids)));
                }
                None => {}
            }
        }
        for item in by_id.values() {
            if let std::collections::btree_map::Entry::Vacant(slot) = self.dependencies.entry(dependency_key(kind, &item.id)) {
                let mut entry = DependencyEntry {
                    kind,
                    id: item.id.clone(),
                    scenarios: Vec::new(),
                    status: DependencyStatus::Unchecked,
                    name: None,
                    type_name: None,
                    note: None,
                };
                apply_listing(&mut entry, item);
                slot.insert(entry);
            }
        }
        let mut all_teams: BTreeSet<u64> = self.checked.iter().filter(|c| c.kind == kind).flat_map(|c| c.team_ids.clone()).collect();
        all_teams.extend(teams);
        self.checked.retain(|c| c.kind != kind);
        self.checked.push(CheckedList { kind, team_ids: all_teams.into_iter().collect() });
        self.checked.sort_by_key(|c| c.kind);
    }

    /// The canonical `inventory/dependencies.json`.
    pub fn render(&self) -> RenderedFile {
        let content = match serde_json::to_value(self) {
            Ok(value) => canonical_value(&value),
            Err(_) => String::from("{}\n"),
        };
        RenderedFile::new(DEPENDENCIES_PATH.to_owned(), content)
    }
}

fn apply_listing(entry: &mut DependencyEntry, item: &ListedDependency) {
    entry.name.clone_from(&item.name);
    entry.type_name.clone_from(&item.type_name);
    if item.gone {
        entry.status = DependencyStatus::Missing;
        entry.note = Some("Make reports this hook as gone".to_owned());
    } else {
        entry.status = DependencyStatus::Present;
        entry.note = (item.enabled == Some(false)).then(|| format!("{} is disabled", entry.kind.label()));
    }
}

fn join(ids: &[u64]) -> String {
    ids.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
}

/// One object as a list endpoint names it (names and types only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct ListedDependency {
    /// Which kind.
    pub kind: DependencyKind,
    /// Its id, as text.
    pub id: String,
    /// `name`.
    pub name: Option<String>,
    /// Connections: `accountName` (the app); hooks and keys: `typeName`; others: none.
    pub type_name: Option<String>,
    /// Hooks: `enabled`.
    pub enabled: Option<bool>,
    /// Hooks: `gone` (deleted).
    pub gone: bool,
}

/// One parsed page of a list endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct ListPage {
    /// The objects.
    pub items: Vec<ListedDependency>,
    /// Entries in the reply array: for `/hooks`, a page of [`HOOK_PAGE_SIZE`] entries means ask for
    /// the next page (`offset + HOOK_PAGE_SIZE`).
    pub entry_count: u64,
}

/// The request that lists one kind for one team: `GET {base}/connections?teamId=51` (hooks also
/// `pg[offset]`/`pg[limit]`). `offset` is used for hooks only. `None` for kinds without a list
/// endpoint (agents).
pub fn list_request(make_base_url: &str, kind: DependencyKind, team_id: u64, offset: u64) -> Result<Option<Request>, Error> {
    let base = base_url("makeBaseUrl", make_base_url)?;
    let Some((path, _)) = kind.list_endpoint() else { return Ok(None) };
    let query = if kind == DependencyKind::Webhook {
        format!("teamId={team_id}&pg%5Boffset%5D={offset}&pg%5Blimit%5D={HOOK_PAGE_SIZE}")
    } else {
        format!("teamId={team_id}")
    };
    let purpose = format!("list {}s of team {team_id} (names and types only)", kind.label());
    Ok(Some(make_request(1, Method::GET, format!("{base}{path}?{query}"), None, purpose, None)))
}

/// Parses a list reply. A 403 or an error body means the token lacks the kind's scope
/// ([`DependencyKind::list_scope`]): leave that kind unchecked.
pub fn parse_list(kind: DependencyKind, body: &str) -> Result<ListPage, Error> {
    let what = format!("{} list", kind.label());
    let scope = kind.list_scope().unwrap_or("the matching read scope");
    let value: Value = serde_json::from_str(body).map_err(|e| Error::input(&what, format!("not JSON ({e})")))?;
    let Some((path, key)) = kind.list_endpoint() else {
        return Err(Error::input(&what, "Make has no list endpoint for this kind"));
    };
    let Some(Value::Array(entries)) = value.get(key) else {
        let detail = crate::inventory::error_text(&value).unwrap_or_else(|| format!("no \"{key}\" array"));
        return Err(Error::input(
            &what,
            format!("GET {path}: {detail}; give the token the {scope} scope, or leave {}s unchecked", kind.label()),
        ));
    };
    let text = |entry: &Value, field: &str| entry.get(field).and_then(Value::as_str).map(str::to_owned);
    let items = entries
        .iter()
        .filter_map(|entry| {
            let id = entry.get("id").and_then(reference_id)?;
            let type_name = match kind {
                DependencyKind::Connection => text(entry, "accountName"),
                DependencyKind::Webhook | DependencyKind::Key => text(entry, "typeName"),
                _ => None,
            };
            Some(ListedDependency {
                kind,
                id,
                name: text(entry, "name"),
                type_name,
                enabled: if kind == DependencyKind::Webhook { entry.get("enabled").and_then(Value::as_bool) } else { None },
                gone: kind == DependencyKind::Webhook && entry.get("gone").and_then(Value::as_bool).unwrap_or(false),
            })
        })
        .collect();
    Ok(ListPage { items, entry_count: entries.len() as u64 })
}
