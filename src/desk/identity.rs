//! Login names from uids: the OS account is the officer's identity.

use std::ffi::CStr;

/// The login name of `uid`, from the password database.
pub fn login_of_uid(uid: u32) -> Option<String> {
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: getpwuid_r writes only into `pwd` and `buf`, both live and sized as given.
    let rc = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
    if rc != 0 || result.is_null() {
        return None;
    }
    // SAFETY: on success pw_name points to a NUL-terminated string inside `buf`.
    let name = unsafe { CStr::from_ptr(pwd.pw_name) };
    Some(name.to_string_lossy().into_owned())
}

pub fn current_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// The caller as this process: its effective uid and that uid's login.
pub fn current_caller() -> super::local::Caller {
    let uid = current_uid();
    let login = login_of_uid(uid).unwrap_or_else(|| format!("uid{uid}"));
    super::local::Caller { login, uid }
}
