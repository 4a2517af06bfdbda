//! Login names from uids: the OS account is the officer's identity.

use nix::unistd::{geteuid, Uid, User};

/// The login name of `uid`, from the password database.
pub fn login_of_uid(uid: u32) -> Option<String> {
    User::from_uid(Uid::from_raw(uid))
        .ok()
        .flatten()
        .map(|u| u.name)
}

pub fn current_uid() -> u32 {
    geteuid().as_raw()
}

/// The caller as this process: its effective uid and that uid's login.
pub fn current_caller() -> super::local::Caller {
    let uid = current_uid();
    let login = login_of_uid(uid).unwrap_or_else(|| format!("uid{uid}"));
    super::local::Caller { login, uid }
}
