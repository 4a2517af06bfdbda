//! The Desk API and its two implementations: `Local` over the store and
//! (for clients of `desk serve`) `Remote` over the socket.

pub mod api;
pub mod casework;
pub mod clock;
pub mod identity;
pub mod ledger;
pub mod local;
pub mod need_to_know;
pub mod ops;
pub mod paths;
pub mod peer;
mod persons;
pub mod remote;
mod report_summaries;
mod routine;
pub mod trust;
mod undo;
pub mod views;
pub mod wire;

pub use api::{Desk, DeskError, DeskExt, Notice, Request, Response};
pub use local::{Caller, Local};

/// `Local` acting as one caller: the CLI's road when no server is running.
pub struct Session {
    pub local: Local,
    pub caller: Caller,
}

impl Desk for Session {
    fn call(&mut self, req: Request) -> Result<Response, DeskError> {
        self.local.handle(&self.caller, req).map(|r| r.response)
    }
}
