//! The files guichet touches, driving the real binary: a database that is not ours, a path
//! that is no file, backups, permissions, read-only directories, the configuration file.
//!
//! CI runs these as root, who may write anything whatever the modes say. A case about what
//! a user may not do runs the binary under the `nobody` account (`as_nobody`) when the
//! tests run as root, and as the user itself otherwise: it never passes by being skipped.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Desk {
    dir: tempfile::TempDir,
}

impl Desk {
    fn new() -> Desk {
        let dir = tempfile::tempdir().unwrap();
        // Another account (nobody) must be able to reach the files of the tests that run
        // the binary as that account; each test sets the modes of what is inside.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        Desk { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn db(&self) -> PathBuf {
        self.path("desk.db")
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_guichet"));
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.path("data"))
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("USER", "loginname")
            .env("GUICHET_DB", self.db());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        check_ok(args, self.run(args))
    }

    fn fails(&self, args: &[&str]) -> (i32, String) {
        check_fails(args, self.run(args))
    }

    fn config(&self, text: &str) -> PathBuf {
        let dir = self.path("config").join("guichet");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config.toml");
        std::fs::write(&path, text).unwrap();
        path
    }
}

fn check_ok(args: &[&str], out: Output) -> String {
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Checks a failure and returns (exit code, stderr): nothing on stdout, one line on stderr.
fn check_fails(args: &[&str], out: Output) -> (i32, String) {
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!out.status.success(), "{args:?} should fail");
    assert!(
        out.stdout.is_empty(),
        "{args:?}: nothing on stdout when failing"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "one sentence: {err}");
    (out.status.code().unwrap(), err)
}

const ADD: [&str; 10] = [
    "call",
    "add",
    "--service",
    "mi",
    "--device",
    "noemi",
    "--caller",
    "Zoé",
    "--summary",
    "x",
];

fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

fn side(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

#[test]
fn configuration_errors_name_the_file_the_line_and_the_key() {
    let desk = Desk::new();
    for (text, needles) in [
        (
            "desk = 3\n",
            vec!["ligne 1", "« desk »", "attend du texte", "l'entier 3"],
        ),
        (
            "desk = \"Hotline\"\ndb_groupe = \"hotline\"\n",
            vec!["ligne 2", "clé inconnue « db_groupe »", "db_group"],
        ),
        (
            "[[shifts]]\nname = \"matin\"\nstart = 8\nend = \"16:00\"\n",
            vec!["ligne 3", "« shifts.start »", "attend du texte"],
        ),
        ("desk = \"Hotline\n", vec!["ligne 1", "TOML invalide"]),
    ] {
        let path = desk.config(text);
        for args in [&ADD[..], &["call", "list"], &["report", "handover"]] {
            let (code, err) = desk.fails(args);
            assert_eq!(code, 1, "{text:?}: {err}");
            assert!(err.contains(&path.display().to_string()), "{err}");
            for needle in &needles {
                assert!(err.contains(needle), "{text:?}: {needle:?} in {err}");
            }
        }
        assert!(
            !exists(&desk.db()),
            "nothing created with a broken configuration"
        );
    }
}
