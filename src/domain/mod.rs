//! The pure core: types and rules, no I/O. Nothing here knows about redb,
//! sockets or terminals.

pub mod access;
pub mod alert;
pub mod assign_hint;
pub mod casework;
pub mod deadline;
pub mod dispute;
pub mod escalation;
pub mod iso_time;
pub mod ledger;
pub mod limits;
pub mod lists;
pub mod mine;
pub mod names;
pub mod officer;
pub mod period;
pub mod person;
pub mod person_rules;
pub mod reading;
pub mod record;
pub mod reports;
pub mod risk;
pub mod rollcall;
pub mod screens;
pub mod settings;
pub mod summary;
pub mod text;
pub mod workflow;

/// A rule said no. The message is for the officer, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum DomainError {
    /// Bad or missing input.
    #[error("{0}")]
    Invalid(String),
    /// The case is not in a state that allows this.
    #[error("{0}")]
    Refused(String),
    /// The officer's role does not allow this.
    #[error("{0}")]
    Forbidden(String),
}

impl DomainError {
    pub fn invalid(msg: String) -> Self {
        DomainError::Invalid(msg)
    }
    pub fn refused(msg: String) -> Self {
        DomainError::Refused(msg)
    }
    pub fn forbidden(msg: String) -> Self {
        DomainError::Forbidden(msg)
    }
}
