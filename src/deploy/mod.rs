//! The packaged deployment: where the Debian and RPM packages put things,
//! the files they install (systemd units, sysusers, tmpfiles, the sshd
//! example, kept beside this module in `files/` and named by the packages'
//! metadata in Cargo.toml), `desk setup` (the first start) and `desk doctor`
//! (is the deployment right). The paths live here once: the unit files are
//! tested against them.

pub mod doctor;
pub mod setup;

use std::path::PathBuf;

/// The server's unit, as installed in /usr/lib/systemd/system.
pub const SERVICE_UNIT: &str = include_str!("files/duty-desk.service");
/// The daily backup's unit and its timer.
pub const BACKUP_UNIT: &str = include_str!("files/duty-desk-backup.service");
pub const BACKUP_TIMER: &str = include_str!("files/duty-desk-backup.timer");
/// The service account and the officers' group (systemd-sysusers).
pub const SYSUSERS: &str = include_str!("files/sysusers.conf");
/// The directories and their modes (systemd-tmpfiles).
pub const TMPFILES: &str = include_str!("files/tmpfiles.conf");
/// The sshd Match block, shipped as an example and printed by
/// `desk setup sshd`; nothing writes it into sshd's configuration.
pub const SSHD_EXAMPLE: &str = include_str!("files/sshd_config.example");

/// The server's unit name, for systemctl.
pub const SERVICE: &str = "duty-desk.service";
/// The timer of the daily backup.
pub const BACKUP_TIMER_UNIT: &str = "duty-desk-backup.timer";

/// Where a deployment keeps what: the packaged one (`Layout::packaged`), or
/// another the tests build in a temp directory.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The account the server runs as and the database belongs to; its own
    /// group of the same name holds the data.
    pub service_user: String,
    /// The officers' group: only for reaching the socket.
    pub officers_group: String,
    pub data_dir: PathBuf,
    pub backup_dir: PathBuf,
    /// The server's socket directory (systemd's RuntimeDirectory).
    pub runtime_dir: PathBuf,
    /// The installed program sshd's ForceCommand runs.
    pub program: PathBuf,
}

impl Layout {
    /// What the packages install, as the unit files say.
    pub fn packaged() -> Layout {
        Layout {
            service_user: "duty-desk".into(),
            officers_group: "desk".into(),
            data_dir: "/var/lib/duty-desk".into(),
            backup_dir: "/var/backups/duty-desk".into(),
            runtime_dir: "/run/duty-desk".into(),
            program: "/usr/bin/desk".into(),
        }
    }

    pub fn db(&self) -> PathBuf {
        self.data_dir.join("desk.redb")
    }

    pub fn socket(&self) -> PathBuf {
        self.runtime_dir.join("desk.sock")
    }

    /// The directories of the deployment, each with its owner, group and
    /// mode. The tmpfiles file and the unit's RuntimeDirectoryMode say the
    /// same (tested), and `desk doctor` holds the machine to it.
    pub fn directories(&self) -> [Expected; 3] {
        let user = &self.service_user;
        [
            // setgid: what the server creates belongs to the service group,
            // which no officer is in.
            Expected::new(&self.data_dir, Kind::Directory, user, user, 0o2750)
                .made_by(MadeBy::Tmpfiles),
            // Backups hold everything: the service account alone.
            Expected::new(&self.backup_dir, Kind::Directory, user, user, 0o700)
                .made_by(MadeBy::Tmpfiles),
            // The officers may enter and connect, never replace the socket.
            Expected::new(
                &self.runtime_dir,
                Kind::Directory,
                user,
                &self.officers_group,
                0o750,
            )
            .made_by(MadeBy::Service),
        ]
    }

    /// The socket: the officers' group may connect.
    pub fn socket_expected(&self) -> Expected {
        Expected::new(
            &self.socket(),
            Kind::Socket,
            &self.service_user,
            &self.officers_group,
            0o660,
        )
        .made_by(MadeBy::Service)
    }

    /// The database: the service account's, readable at most by its group
    /// (0640 in the setgid directory, 0600 under the unit's UMask).
    pub fn db_expected(&self) -> Expected {
        let user = &self.service_user;
        Expected::new(&self.db(), Kind::File, user, user, 0o640).made_by(MadeBy::Setup)
    }
}

/// What a path of the deployment should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub path: PathBuf,
    pub kind: Kind,
    pub owner: String,
    pub group: String,
    /// The widest mode that is right: fewer bits are fine, more are not.
    pub mode: u32,
    /// What makes it, so a missing one can be made again.
    pub made_by: MadeBy,
}

/// What creates a path of the deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MadeBy {
    /// The package's tmpfiles file, at install.
    Tmpfiles,
    /// The running server (systemd's RuntimeDirectory, the socket).
    Service,
    /// `desk setup` (the database).
    Setup,
}

impl Expected {
    fn new(path: &std::path::Path, kind: Kind, owner: &str, group: &str, mode: u32) -> Expected {
        Expected {
            path: path.to_path_buf(),
            kind,
            owner: owner.into(),
            group: group.into(),
            mode,
            made_by: MadeBy::Setup,
        }
    }

    fn made_by(mut self, by: MadeBy) -> Expected {
        self.made_by = by;
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Directory,
    File,
    Socket,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Directory => "目录",
            Kind::File => "文件",
            Kind::Socket => "套接字",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_with<'a>(file: &'a str, start: &str) -> &'a str {
        file.lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no line starting {start}"))
    }

    #[test]
    fn the_server_unit_runs_the_packaged_layout() {
        let l = Layout::packaged();
        let exec = line_with(SERVICE_UNIT, "ExecStart=");
        let want = format!(
            "ExecStart={} serve --db {} --socket {} --backup-dir {}",
            l.program.display(),
            l.db().display(),
            l.socket().display(),
            l.backup_dir.display()
        );
        assert_eq!(exec, want);
        assert_eq!(line_with(SERVICE_UNIT, "User="), "User=duty-desk");
        assert_eq!(line_with(SERVICE_UNIT, "Group="), "Group=desk");
        let runtime = l.directories()[2].clone();
        assert_eq!(
            line_with(SERVICE_UNIT, "RuntimeDirectoryMode="),
            format!("RuntimeDirectoryMode={:04o}", runtime.mode)
        );
        assert_eq!(
            line_with(SERVICE_UNIT, "RuntimeDirectory="),
            format!(
                "RuntimeDirectory={}",
                runtime.path.file_name().unwrap().to_str().unwrap()
            )
        );
        for hardening in [
            "NoNewPrivileges=yes",
            "ProtectSystem=strict",
            "ProtectHome=yes",
            "PrivateTmp=yes",
            "UMask=0077",
        ] {
            assert!(SERVICE_UNIT.lines().any(|l| l == hardening), "{hardening}");
        }
    }

    #[test]
    fn the_backup_unit_uses_the_socket_and_keeps_a_number_of_days() {
        let l = Layout::packaged();
        let exec = line_with(BACKUP_UNIT, "ExecStart=");
        assert_eq!(
            exec,
            format!(
                "ExecStart={} --socket {} backup --keep-days ${{DESK_BACKUP_KEEP_DAYS}}",
                l.program.display(),
                l.socket().display()
            )
        );
        // The backup unit must not own the runtime directory: systemd would
        // remove it, socket and all, when the backup ends.
        assert!(!BACKUP_UNIT.contains("RuntimeDirectory"));
        assert!(BACKUP_TIMER.contains("OnCalendar="));
    }

    #[test]
    fn the_tmpfiles_say_what_the_doctor_expects() {
        let l = Layout::packaged();
        let lines: Vec<Vec<&str>> = TMPFILES
            .lines()
            .filter(|l| l.starts_with("d "))
            .map(|l| l.split_whitespace().collect())
            .collect();
        assert_eq!(lines.len(), 2);
        for (line, want) in lines.iter().zip(l.directories()) {
            assert_eq!(line[1], want.path.to_str().unwrap());
            assert_eq!(line[2], format!("{:04o}", want.mode));
            assert_eq!(
                (line[3], line[4]),
                (want.owner.as_str(), want.group.as_str())
            );
        }
        assert!(SYSUSERS.lines().any(|l| l == "g desk -"));
        assert!(SYSUSERS
            .lines()
            .any(|l| l.starts_with("u duty-desk - ") && l.contains(" /var/lib/duty-desk ")));
    }

    #[test]
    fn the_sshd_example_forces_the_installed_desk_on_the_officers_group() {
        let l = Layout::packaged();
        let block: Vec<&str> = SSHD_EXAMPLE
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(str::trim)
            .collect();
        assert_eq!(block[0], format!("Match Group {}", l.officers_group));
        assert!(block.contains(&format!("ForceCommand {}", l.program.display()).as_str()));
        assert!(block.contains(
            &format!(
                "SetEnv DESK_SOCKET={} DESK_SERVER_USER={}",
                l.socket().display(),
                l.service_user
            )
            .as_str()
        ));
        for line in [
            "PermitUserRC no",
            "DisableForwarding yes",
            "PermitTunnel no",
        ] {
            assert!(block.contains(&line), "{line}");
        }
    }
}
