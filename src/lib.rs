//! duty-desk: the township 综治中心 duty desk.
//!
//! One direction of dependence: `connect`, `server`, `output`, `report` and
//! `bench` use `desk`;
//! `desk` uses `domain` and `store`; `domain` uses nothing of ours.

pub mod bench;
pub mod connect;
pub mod demo;
pub mod desk;
pub mod domain;
pub mod output;
pub mod report;
pub mod search;
pub mod server;
pub mod store;
pub mod timing;
pub mod tui;
