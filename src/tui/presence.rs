//! Presence (Zammad): the detail and the forms name who else has the same
//! case open ("王海燕正在编辑"). The desk tells the server which case is on
//! top whenever that changes (`Request::Looking`, not a write); the server
//! keeps it per connection and pushes everyone's (`ServerMsg::Presence`).

use super::app::{App, Out, Overlay, Want};
use crate::desk::api::{Looking, Request, Viewer};

impl App {
    /// The case on top of the overlays: a form on one case is editing it,
    /// a detail is reading it.
    pub fn looking(&self) -> Option<Looking> {
        self.overlays.iter().rev().find_map(|o| match o {
            Overlay::Form(f) => match f.targets.as_slice() {
                [one] if !one.id.is_empty() => Some(Some(Looking {
                    id: one.id.clone(),
                    editing: true,
                })),
                // A registration or a bulk form is on no one case.
                _ => Some(None),
            },
            Overlay::Detail(d) => Some(Some(Looking {
                id: d.id.clone(),
                editing: false,
            })),
            _ => None,
        })?
    }

    /// After each key and reply: tell the server when the case on top changed.
    pub fn tell_looking(&mut self) {
        let now = self.looking();
        if now != self.told_looking {
            self.told_looking = now.clone();
            self.out
                .push(Out::Request(Want::Looking, Request::Looking { at: now }));
        }
    }

    pub fn on_presence(&mut self, viewers: Vec<Viewer>) {
        self.viewers = viewers;
    }

    /// The server stopped saving (its check found damage): said at once,
    /// and the top line keeps saying it.
    pub fn on_damaged(&mut self, why: String) {
        self.say(&why, true);
        self.damaged = Some(why);
    }

    /// "王海燕正在编辑" for the case on top, naming others only.
    pub fn others_on_case(&self) -> Option<String> {
        let at = self.looking()?;
        let me = self.me.as_ref().map(|o| o.login.as_str());
        let words: Vec<String> = self
            .viewers
            .iter()
            .filter(|v| v.at.id == at.id && Some(v.login.as_str()) != me)
            .map(|v| {
                let doing = if v.at.editing {
                    "正在编辑"
                } else {
                    "正在查看"
                };
                format!("{}{doing}", v.name)
            })
            .collect();
        (!words.is_empty()).then(|| words.join("，"))
    }
}
