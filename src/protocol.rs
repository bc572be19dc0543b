#![doc = include_str!("protocol.md")]

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::summary::Summary;

/// What the host must do next. Returned by [`Engine::poll`](crate::Engine::poll).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(tag = "type", rename_all = "camelCase")]
#[must_use]
pub enum Action {
    /// Perform this HTTP request and pass the reply to `handle`.
    Request {
        /// The request.
        request: Request,
    },
    /// Sleep, then poll again.
    Wait {
        /// Seconds to wait (fractional).
        seconds: f64,
        /// The moment the wait ends (RFC 3339).
        until: String,
        /// Why (rate budget, retry after an error, `Retry-After`).
        reason: String,
    },
    /// The run is over.
    Done {
        /// Counts, errors, commits and timings of the run.
        summary: Box<Summary>,
        /// A short Markdown report of the same.
        report: String,
    },
}

/// The service a request goes to; the host adds that service's credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub enum Service {
    /// Make.com API (`Authorization: Token …`).
    Make,
    /// GitHub REST API (`Authorization: Bearer …`).
    Github,
}

/// HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
pub enum Method {
    /// Read.
    GET,
    /// Create.
    POST,
    /// Update a ref.
    PATCH,
    /// Create or update a file (contents API).
    PUT,
}

impl Method {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GET => "GET",
            Self::POST => "POST",
            Self::PATCH => "PATCH",
            Self::PUT => "PUT",
        }
    }
}

/// An HTTP request the host performs. Carries no credentials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct Request {
    /// Echo this as `Reply.requestId`.
    pub id: u64,
    /// Which credential to add.
    pub service: Service,
    /// HTTP method.
    pub method: Method,
    /// Absolute URL, query already encoded.
    pub url: String,
    /// Lower-case header names. Never `authorization`.
    pub headers: BTreeMap<String, String>,
    /// JSON text to send as the body (`content-type: application/json`), or null.
    pub body: Option<String>,
    /// Timeout the host should apply.
    pub timeout_ms: u64,
    /// What the request is for, for logs.
    pub purpose: String,
    /// The scenario the request is about, if any.
    pub scenario_id: Option<u64>,
}

impl Request {
    /// `METHOD url`, as errors and logs show it.
    pub fn describe(&self) -> String {
        format!("{} {}", self.method.as_str(), self.url)
    }
}

/// The outcome of a request, passed to [`Engine::handle`](crate::Engine::handle).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Reply {
    /// The `id` of the request this answers.
    pub request_id: u64,
    /// HTTP status, when a response arrived.
    #[serde(default)]
    pub status: Option<u16>,
    /// Response headers (any case).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The exact response body text.
    #[serde(default)]
    pub body: String,
    /// Set when no response arrived (timeout, refused connection).
    #[serde(default)]
    pub failure: Option<Failure>,
}

/// Why no response arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Failure {
    /// `timeout` or `network`.
    pub kind: FailureKind,
    /// The host's error message (must not contain credentials).
    #[serde(default)]
    pub message: String,
}

/// Kinds of transport failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub enum FailureKind {
    /// The request timed out.
    Timeout,
    /// Connection refused, reset, DNS failure.
    Network,
}

impl Reply {
    /// A header value by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}
