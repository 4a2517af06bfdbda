//! duty-desk: the township 综治中心 duty desk.
//!
//! One direction of dependence: `desk` uses `domain` and `store`; `domain`
//! uses nothing of ours.

pub mod domain;
pub mod store;
pub mod desk;
