//! duty-desk: the township 综治中心 duty desk.
//!
//! One direction of dependence: `tui`, `cli`, `files` (ledger import and
//! export), `connect` and `server` use `desk`; `desk` uses `domain` and
//! `store`; `domain` uses nothing of ours; nor do `private_fs` (the modes
//! of files desk creates) and `timing`, which any of them may use. `print`
//! (how records read as text and JSON) sits beneath both `cli` and `tui`.
//! `deploy` (the packaged deployment: `desk setup`, `desk doctor`) uses
//! `desk` and `store` like `cli`, which calls it.

pub mod cli;
pub mod connect;
pub mod demo;
pub mod deploy;
pub mod desk;
pub mod domain;
pub mod files;
pub mod memory;
pub mod print;
pub mod private_fs;
pub mod search;
pub mod server;
pub mod store;
pub mod timing;
pub mod tui;
