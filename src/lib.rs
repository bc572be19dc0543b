//! Make Backup Planner core (being written).
