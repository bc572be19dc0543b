//! Selection: which scenarios to back up, each with a verdict and its reason (PRD FR-2).

use serde::{Deserialize, Serialize};

use crate::inventory::ScenarioListing;
use crate::state::BackupState;

/// The decision for one scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "kebab-case")]
pub enum VerdictKind {
    /// Not in the state: back up.
    New,
    /// `lastEdit` differs from the state: back up.
    Changed,
    /// Listed fields that go into metadata.json changed while `lastEdit` did not: rewrite metadata.json only.
    MetadataOnly,
    /// `force` is on: back up (identical files are still not rewritten).
    Forced,
    /// Nothing to do.
    Unchanged,
    /// In the state but not in a complete inventory: marked deleted in the state; files are kept.
    Deleted,
}

impl VerdictKind {
    /// Whether the scenario needs work this run.
    pub fn needs_backup(self) -> bool {
        matches!(self, Self::New | Self::Changed | Self::MetadataOnly | Self::Forced)
    }
}

/// A verdict with the reason a person can read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    /// Scenario id.
    pub scenario_id: u64,
    /// Scenario name (from the list, or from the state for deleted ones).
    pub name: String,
    /// The decision.
    pub verdict: VerdictKind,
    /// Why.
    pub reason: String,
}

/// Decides every scenario's verdict, sorted by id. `inventory_complete = false` never yields `deleted`.
pub fn select(listings: &[ScenarioListing], state: &BackupState, inventory_complete: bool, force: bool) -> Vec<Verdict> {
    let mut verdicts: Vec<Verdict> = listings.iter().map(|listing| verdict_for(listing, state, force)).collect();
    if inventory_complete {
        let listed: std::collections::HashSet<u64> = listings.iter().map(|l| l.id).collect();
        for (key, entry) in &state.scenarios {
            let Ok(id) = key.parse::<u64>() else { continue };
            if entry.deleted_at.is_none() && !listed.contains(&id) {
                verdicts.push(Verdict {
                    scenario_id: id,
                    name: entry.name.clone(),
                    verdict: VerdictKind::Deleted,
                    reason: "no longer listed by Make (complete inventory); files kept".to_owned(),
                });
            }
        }
    }
    verdicts.sort_by_key(|v| v.scenario_id);
    verdicts.dedup_by_key(|v| v.scenario_id);
    verdicts
}

fn verdict_for(listing: &ScenarioListing, state: &BackupState, force: bool) -> Verdict {
    let make = |verdict, reason: String| Verdict { scenario_id: listing.id, name: listing.name.clone(), verdict, reason };
    let Some(entry) = state.get(listing.id) else {
        return make(VerdictKind::New, "not in the backup state".to_owned());
    };
    if entry.deleted_at.is_some() {
        return make(VerdictKind::New, "listed again after it was marked deleted".to_owned());
    }
    if force {
        return make(VerdictKind::Forced, "force is on".to_owned());
    }
    if entry.last_edit != listing.last_edit {
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".to_owned());
        return make(VerdictKind::Changed, format!("lastEdit {} → {}", show(&entry.last_edit), show(&listing.last_edit)));
    }
    if entry.fingerprint.as_deref() != Some(listing.fingerprint.as_str()) {
        let what = if entry.name != listing.name {
            format!("name {:?} → {:?} and possibly other listed fields", entry.name, listing.name)
        } else {
            "listed fields (folder, activity, scheduling, …)".to_owned()
        };
        return make(VerdictKind::MetadataOnly, format!("{what} changed while lastEdit did not"));
    }
    make(VerdictKind::Unchanged, "lastEdit and listed fields unchanged".to_owned())
}
