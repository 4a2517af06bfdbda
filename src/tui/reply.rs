//! What a reply from the desk does to the model. Each reply comes back with
//! the `Want` it was asked with.

use super::app::{App, Overlay, Record, Want};
use crate::desk::api::{DeskError, Response};

impl App {
    pub fn on_reply(&mut self, want: Want, result: Result<Response, DeskError>) {
        match (want, result) {
            (Want::Whoami, Ok(Response::Officer(o))) => self.me = Some(o),
            (Want::Officers, Ok(Response::Officers(list))) => {
                self.data.officers = list.into_iter().map(|o| (o.login.clone(), o)).collect();
            }
            (Want::Summaries, Ok(Response::Summaries { revision, items })) => {
                self.set_summaries(revision, items)
            }
            (Want::SummariesOf(asked), Ok(Response::Summaries { revision, items })) => {
                self.data.revision = self.data.revision.max(revision);
                self.merge_summaries(&asked, items);
            }
            (Want::Lists, Ok(Response::Lists(l))) => self.data.lists = l,
            (Want::Draft, Ok(Response::Draft(d))) => {
                if !self.overlays.iter().any(|o| matches!(o, Overlay::Form(_))) {
                    self.on_draft(d)
                }
            }
            (Want::SaveDraft, Ok(_)) => {}
            (Want::LastAction, Ok(Response::Undoable(info))) => self.on_last_action(info),
            (Want::Undo, Ok(Response::Undone(i))) => {
                self.say(format!("已撤销「{}」{}", i.action, i.target), false)
            }
            (Want::Flow(kind, target), result) => self.on_flow(kind, target, result),
            (Want::RiskSetup, Ok(Response::RiskSetup(setup))) => self.set_setup(*setup),
            (Want::Rollcall, Ok(Response::Rollcall(sheet))) => self.set_rollcall(*sheet),
            (Want::Report, Ok(Response::Report(r))) => self.show_report(*r),
            (Want::ShiftMark, Ok(Response::Draft(mark))) => self.on_shift_mark(mark),
            (Want::Direct(id), result) => self.on_direct(id, result),
            (Want::Persons, Ok(Response::Persons(p))) => self.set_persons(p),
            (Want::Record(id), Ok(Response::Dispute(d))) => {
                self.fill_detail(&id, Ok(Record::Dispute(d)))
            }
            (Want::Record(id), Ok(Response::Person(p))) => {
                self.fill_detail(&id, Ok(Record::Person(p)))
            }
            (Want::Record(id), Err(e)) => self.fill_detail(&id, Err(e.to_string())),
            (_, Err(e)) => self.say(e.to_string(), true),
            (_, Ok(_)) => self.say("服务端应答异常", true),
        }
    }
}
