//! Errors the core returns to its host.

use thiserror::Error as ThisError;

/// Everything that can go wrong when a host calls the core.
///
/// These are errors of the *call* (bad configuration, a reply that does not belong to the outstanding
/// request, unparsable input to a stage function). Failures of the backup itself — an HTTP 500 from
/// Make, a scenario whose blueprint is invalid — are not errors of the call: the engine records them
/// in the run's [`Summary`](crate::Summary) and carries on.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum Error {
    /// The configuration is missing a field or has a value out of range.
    #[error("invalid configuration: {field}: {message}")]
    InvalidConfig {
        /// Dotted path of the offending field, e.g. `make.teamId`.
        field: String,
        /// What is wrong and what to set instead.
        message: String,
    },
    /// A timestamp passed in (`now`, a date in a file) is not RFC 3339.
    #[error("invalid timestamp {value:?}: expected RFC 3339 such as 2026-11-23T02:00:00.000Z")]
    InvalidTimestamp {
        /// The text that was passed.
        value: String,
    },
    /// `handle` got a reply for a request that is not the one outstanding.
    #[error(
        "unexpected reply for request {got}: {expected}; call poll() and answer the request it returns"
    )]
    UnexpectedReply {
        /// What the engine was waiting for.
        expected: String,
        /// The `requestId` of the reply.
        got: u64,
    },
    /// Input text that must be JSON of a given shape is not.
    #[error("invalid {what}: {message}")]
    InvalidInput {
        /// Which input (e.g. "scenario list page", "engine state").
        what: String,
        /// The parser's message, with position.
        message: String,
    },
    /// The run is over; `handle` was called after `done`.
    #[error("the run is finished; start a new engine for another run")]
    Finished,
}

impl Error {
    /// A stable, kebab-case code a host can branch on (the message text may change).
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidConfig { .. } => "invalid-config",
            Self::InvalidTimestamp { .. } => "invalid-timestamp",
            Self::UnexpectedReply { .. } => "unexpected-reply",
            Self::InvalidInput { .. } => "invalid-input",
            Self::Finished => "finished",
        }
    }

    pub(crate) fn config(field: &str, message: impl Into<String>) -> Self {
        Self::InvalidConfig { field: field.to_owned(), message: message.into() }
    }

    pub(crate) fn input(what: &str, message: impl std::fmt::Display) -> Self {
        Self::InvalidInput { what: what.to_owned(), message: message.to_string() }
    }
}
