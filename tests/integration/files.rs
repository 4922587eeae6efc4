//! The files guichet touches, driving the real binary: a database that is not ours, a path
//! that is no file, backups, permissions, read-only directories, the configuration file.
//!
//! CI runs these as root, who may write anything whatever the modes say. A case about what
//! a user may not do runs the binary under the `nobody` account (`as_nobody`) when the
//! tests run as root, and as the user itself otherwise: it never passes by being skipped.
//! As `nobody`, the binary runs from a link in the test's own folder, so that the cases
//! pass wherever the checkout is (under /root, in a 0700 folder).

// A child's umask and set*id, a lock probe with fcntl, the group database: libc only.
#![allow(unsafe_code)]

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
        self.cmd_of(Path::new(env!("CARGO_BIN_EXE_guichet")))
    }

    /// The binary at `program`, with this desk's environment.
    fn cmd_of(&self, program: &Path) -> Command {
        let mut c = Command::new(program);
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

/// An SQLite file of another program: a table of its own, rollback journal, a user_version.
fn foreign_db(path: &Path, user_version: i64) {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch(&format!(
        "PRAGMA journal_mode = DELETE;
         CREATE TABLE clients (id INTEGER PRIMARY KEY, nom TEXT);
         INSERT INTO clients (nom) VALUES ('Dupont');
         PRAGMA user_version = {user_version};"
    ))
    .unwrap();
}

fn journal_mode(path: &Path) -> String {
    let c = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap();
    c.query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn an_sqlite_file_of_another_program_is_refused_and_left_as_it_was() {
    let desk = Desk::new();
    for user_version in [0, 3, 99] {
        let db = desk.db();
        let _ = std::fs::remove_file(&db);
        foreign_db(&db, user_version);
        let before = std::fs::read(&db).unwrap();
        assert_eq!(journal_mode(&db), "delete");
        for args in [
            &["call", "list"][..],
            &ADD,
            &["db", "check"],
            &["report", "handover"],
            &["procedures", "search", "vpn"],
            &["--read-only", "call", "list"],
        ] {
            let (code, err) = desk.fails(args);
            assert_eq!(code, 1, "{args:?}: {err}");
            assert!(err.contains("n'est pas une base guichet"), "{err}");
            assert!(err.contains(&db.display().to_string()), "{err}");
            assert!(err.contains("rien n'a été modifié"), "{err}");
            assert_eq!(std::fs::read(&db).unwrap(), before, "{args:?}: same bytes");
            assert_eq!(journal_mode(&db), "delete", "{args:?}");
            for suffix in ["-wal", "-shm", "-journal"] {
                assert!(!exists(&side(&db, suffix)), "{args:?}: no {suffix}");
            }
        }
    }
}

#[test]
fn an_empty_file_or_a_new_path_becomes_a_guichet_database() {
    let desk = Desk::new();
    std::fs::write(desk.db(), b"").unwrap();
    assert_eq!(desk.ok(&ADD).trim(), "A-0001");
    assert_eq!(journal_mode(&desk.db()), "wal");
    let fresh = desk.path("neuf/sous-dossier/desk.db");
    let out = desk
        .cmd()
        .env("GUICHET_DB", &fresh)
        .args(ADD)
        .output()
        .unwrap();
    assert_eq!(check_ok(&ADD, out).trim(), "A-0001");
    assert_eq!(journal_mode(&fresh), "wal");
}

/// Removes what a failed run may have left beside a path it should not have touched, so
/// that one failing test does not leave files in /dev.
struct Beside(PathBuf);

impl Drop for Beside {
    fn drop(&mut self) {
        for suffix in ["-wal", "-shm", "-journal"] {
            let _ = std::fs::remove_file(side(&self.0, suffix));
        }
    }
}

#[test]
fn a_directory_or_a_device_is_no_database() {
    let desk = Desk::new();
    let folder = desk.path("un-dossier");
    std::fs::create_dir(&folder).unwrap();
    let null = PathBuf::from("/dev/null");
    let had: Vec<bool> = ["-wal", "-shm", "-journal"]
        .iter()
        .map(|s| exists(&side(&null, s)))
        .collect();
    assert!(
        !had.contains(&true),
        "leftovers in /dev before the test: {had:?}"
    );
    let _cleanup = Beside(null.clone());
    for (path, what) in [(&folder, "est un dossier"), (&null, "n'est pas un fichier")] {
        for args in [
            &["call", "list"][..],
            &ADD,
            &["db", "check"],
            &["--read-only", "call", "list"],
        ] {
            let out = desk
                .cmd()
                .env("GUICHET_DB", path)
                .args(args)
                .output()
                .unwrap();
            let (code, err) = check_fails(args, out);
            assert_eq!(code, 1, "{path:?} {args:?}: {err}");
            assert!(err.contains(what), "{err}");
            assert!(err.contains(&path.display().to_string()), "{err}");
            for suffix in ["-wal", "-shm", "-journal"] {
                assert!(
                    !exists(&side(path, suffix)),
                    "{path:?} {args:?}: {suffix} created"
                );
            }
        }
    }
    assert_eq!(
        std::fs::read_dir(&folder).unwrap().count(),
        0,
        "nothing inside the folder"
    );
    let out = desk
        .cmd()
        .args(["db", "backup", "/dev/null"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "no backup onto a device");
}

#[test]
fn an_unknown_group_is_refused_before_anything_is_created() {
    let desk = Desk::new();
    desk.config("db_group = \"pas-un-groupe-guichet\"\n");
    let db = desk.path("neuf/desk.db");
    for args in [&ADD[..], &["call", "list"]] {
        let out = desk
            .cmd()
            .env("GUICHET_DB", &db)
            .args(args)
            .output()
            .unwrap();
        let (code, err) = check_fails(args, out);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("« pas-un-groupe-guichet »"), "{err}");
        assert!(err.contains("db_group"), "{err}");
        assert!(!exists(&desk.path("neuf")), "no folder created");
    }
}

/// `cmd` with the given umask in the child, so that only an explicit mode can hold.
fn with_umask(mut cmd: Command, mask: libc::mode_t) -> Command {
    // SAFETY: umask is async-signal-safe and touches nothing but the child's own state.
    unsafe {
        cmd.pre_exec(move || {
            libc::umask(mask);
            Ok(())
        });
    }
    cmd
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path).unwrap().mode() & 0o7777
}

/// The calls a database holds, read by guichet itself.
fn calls_in(desk: &Desk, db: &Path) -> usize {
    let args = ["call", "list", "--limit", "0", "--format", "json"];
    let out = desk
        .cmd()
        .env("GUICHET_DB", db)
        .args(args)
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_str(&check_ok(&args, out)).unwrap();
    list.as_array().unwrap().len()
}

/// The names in a folder, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_backup_has_the_databases_mode_whatever_the_umask() {
    let desk = Desk::new();
    desk.ok(&ADD);
    assert_eq!(mode(&desk.db()), 0o600);
    let copy = desk.path("copie.db");
    let args = ["db", "backup", copy.to_str().unwrap()];
    check_ok(
        &args,
        with_umask(desk.cmd(), 0).args(args).output().unwrap(),
    );
    assert_eq!(
        mode(&copy),
        0o600,
        "owner-only like the database, umask 000"
    );
    assert_eq!(calls_in(&desk, &copy), 1);
    // The database's own mode, whatever it is.
    std::fs::set_permissions(desk.db(), std::fs::Permissions::from_mode(0o640)).unwrap();
    let copy2 = desk.path("copie2.db");
    let args = ["db", "backup", copy2.to_str().unwrap()];
    check_ok(
        &args,
        with_umask(desk.cmd(), 0o077).args(args).output().unwrap(),
    );
    assert_eq!(mode(&copy2), 0o640, "umask 077");
    assert_eq!(
        std::fs::metadata(&copy2).unwrap().gid(),
        std::fs::metadata(desk.db()).unwrap().gid()
    );
}

#[test]
fn a_backup_never_follows_a_link_and_replaces_a_file_only_when_forced() {
    let desk = Desk::new();
    desk.ok(&ADD);
    let victim = desk.path("victime.txt");
    std::fs::write(&victim, "à garder").unwrap();
    let link = desk.path("lien.db");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let dangling = desk.path("lien-vide.db");
    let nowhere = desk.path("cible-absente.db");
    std::os::unix::fs::symlink(&nowhere, &dangling).unwrap();
    let folder = desk.path("dossier");
    std::fs::create_dir(&folder).unwrap();
    let before = names_in(desk.dir.path());
    for (path, needle) in [
        (&link, "lien symbolique"),
        (&dangling, "lien symbolique"),
        (&folder, "dossier"),
    ] {
        for force in [false, true] {
            let mut args = vec!["db", "backup", path.to_str().unwrap()];
            if force {
                args.push("--force");
            }
            let (code, err) = desk.fails(&args);
            assert_eq!(code, 2, "{args:?}: {err}");
            assert!(err.contains(needle), "{args:?}: {err}");
            assert!(err.contains(path.to_str().unwrap()), "{err}");
        }
    }
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "à garder");
    assert!(!exists(&nowhere), "the link's target was not created");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );

    // An existing file is kept, unless --force, which replaces it whole.
    let old = desk.path("ancienne.db");
    std::fs::write(&old, "une ancienne copie").unwrap();
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, err) = desk.fails(&["db", "backup", old.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("existe déjà") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&old).unwrap(), "une ancienne copie");
    desk.ok(&["db", "backup", old.to_str().unwrap(), "--force"]);
    assert_eq!(calls_in(&desk, &old), 1);
    assert_eq!(mode(&old), 0o600, "the database's mode, not the old file's");
    // No temporary file left behind, nothing but the copy added.
    let mut expected = before.clone();
    expected.push("ancienne.db".into());
    expected.sort();
    assert_eq!(names_in(desk.dir.path()), expected);
}

/// The account a case about permissions runs the binary as. Root may write anything,
/// whatever the modes say, so when the tests run as root (as CI does) the binary runs as
/// `nobody`, and the files it must own are given to it; otherwise it runs as the user
/// running the tests. Either way the case is really run.
struct User {
    uid: u32,
    gid: u32,
    /// The tests run as root, the binary as nobody.
    switched: bool,
}

impl User {
    fn get() -> User {
        // SAFETY: geteuid and getegid cannot fail; getpwnam's result is read at once.
        unsafe {
            if libc::geteuid() != 0 {
                return User {
                    uid: libc::geteuid(),
                    gid: libc::getegid(),
                    switched: false,
                };
            }
            let pw = libc::getpwnam(c"nobody".as_ptr());
            assert!(
                !pw.is_null(),
                "the tests run as root and there is no `nobody` account to run the binary \
                 as: the permission cases cannot be checked (root may write anything)"
            );
            User {
                uid: (*pw).pw_uid,
                gid: (*pw).pw_gid,
                switched: true,
            }
        }
    }

    /// The binary, with `desk`'s environment, run as this user with `groups` as its
    /// supplementary groups when switched. Then it runs from a link (or a copy) in the
    /// desk's folder: the build's own folder may be out of this user's reach (a checkout
    /// under /root, or in any 0700 folder).
    fn command(&self, desk: &Desk, groups: &[u32]) -> Command {
        if !self.switched {
            return desk.cmd();
        }
        let built = Path::new(env!("CARGO_BIN_EXE_guichet"));
        let dir = desk.path("bin");
        let bin = dir.join("guichet");
        if !exists(&bin) {
            std::fs::create_dir(&dir).unwrap();
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
            // A link costs nothing; another file system needs a copy (which keeps 0755).
            if std::fs::hard_link(built, &bin).is_err() {
                std::fs::copy(built, &bin).unwrap();
            }
        }
        self.switch(desk.cmd_of(&bin), groups)
    }

    /// `cmd` run as this user, with `groups` as its supplementary groups when switched.
    fn switch(&self, mut cmd: Command, groups: &[u32]) -> Command {
        if self.switched {
            let (uid, gid, groups) = (self.uid, self.gid, groups.to_vec());
            // SAFETY: setgroups, setgid and setuid are async-signal-safe; the vector was
            // allocated before the fork.
            unsafe {
                cmd.pre_exec(move || {
                    if libc::setgroups(groups.len() as _, groups.as_ptr()) != 0
                        || libc::setgid(gid) != 0
                        || libc::setuid(uid) != 0
                    {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        cmd
    }

    /// Gives `path` to this user (nothing to do when the tests run as the user).
    fn own(&self, path: &Path) {
        if self.switched {
            std::os::unix::fs::chown(path, Some(self.uid), Some(self.gid)).unwrap();
        }
    }

    /// Makes `dir` a folder this user cannot write in (root's 0755, or 0555 for the user
    /// running the tests), until the guard is dropped.
    fn forbid_writing(&self, dir: &Path) -> Writable {
        if self.switched {
            std::os::unix::fs::chown(dir, Some(0), Some(0)).unwrap();
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        } else {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        }
        // The user can really not create a file there.
        let probe = self
            .switch(Command::new("touch"), &[])
            .arg(dir.join("essai"))
            .output();
        assert!(
            probe.is_ok_and(|o| !o.status.success()),
            "{dir:?} should not be writable by uid {}",
            self.uid
        );
        Writable(dir.to_path_buf(), self.switched.then_some(self.uid))
    }
}

/// Gives a folder back to its user on drop, so that the temporary folder can be removed.
struct Writable(PathBuf, Option<u32>);

impl Drop for Writable {
    fn drop(&mut self) {
        if let Some(uid) = self.1 {
            let _ = std::os::unix::fs::chown(&self.0, Some(uid), None);
        }
        let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o755));
    }
}

#[test]
fn a_database_in_a_folder_the_user_cannot_write_can_still_be_read() {
    let desk = Desk::new();
    let user = User::get();
    let dir = desk.path("lecture");
    std::fs::create_dir(&dir).unwrap();
    let db = dir.join("desk.db");
    let as_writer = |args: &[&str]| {
        let out = desk
            .cmd()
            .env("GUICHET_DB", &db)
            .args(args)
            .output()
            .unwrap();
        check_ok(args, out)
    };
    let as_user = |args: &[&str]| {
        let cmd = user.command(&desk, &[]);
        let mut cmd = cmd;
        cmd.env("GUICHET_DB", &db).args(args).output().unwrap()
    };
    as_writer(&ADD);
    as_writer(&ADD);
    assert_eq!(
        names_in(&dir),
        ["desk.db"],
        "closed cleanly: no -wal, no -shm"
    );
    user.own(&db);
    let out_dir = desk.path("sorties");
    std::fs::create_dir(&out_dir).unwrap();
    user.own(&out_dir);
    let round = std::cell::Cell::new(0);
    let reads = |expected_calls: usize| {
        round.set(round.get() + 1);
        let list = check_ok(
            &["call", "list"],
            as_user(&["call", "list", "--format", "json"]),
        );
        let list: serde_json::Value = serde_json::from_str(&list).unwrap();
        assert_eq!(list.as_array().unwrap().len(), expected_calls);
        for args in [
            &["call", "show", "A-0001"][..],
            &["report", "handover", "--format", "json"],
            &["procedures", "search", "vpn"],
            &["db", "check"],
            &["--read-only", "call", "list"],
            &["--read-only", "db", "check"],
        ] {
            check_ok(args, as_user(args));
        }
        let copy = out_dir.join(format!("copie-{}.db", round.get()));
        let args = ["db", "backup", copy.to_str().unwrap()];
        check_ok(&args, as_user(&args));
        assert_eq!(calls_in(&desk, &copy), expected_calls);
        let (code, err) = check_fails(&ADD, as_user(&ADD));
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("lecture seule"), "{err}");
    };

    // The file is the user's, the folder is not: nothing can be created beside the file.
    let guard = user.forbid_writing(&dir);
    reads(2);
    assert_eq!(
        names_in(&dir),
        ["desk.db"],
        "nothing left beside the database"
    );
    // Neither the file nor the folder can be written.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o400)).unwrap();
    reads(2);
    assert_eq!(names_in(&dir), ["desk.db"]);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o600)).unwrap();
    drop(guard);

    // A writer has the database open: its -wal holds a call not yet in the file, and the
    // user reads it through the writer's -shm.
    let writer = rusqlite::Connection::open(&db).unwrap();
    writer
        .query_row("SELECT count(*) FROM calls", [], |r| r.get::<_, i64>(0))
        .unwrap();
    as_writer(&ADD);
    assert!(std::fs::metadata(side(&db, "-wal")).unwrap().len() > 0);
    let guard = user.forbid_writing(&dir);
    reads(3);
    drop(writer);
    drop(guard);

    // A writer ended without cleaning up and its -shm is gone: the -wal holds a call the
    // file does not have. Reading the file alone would hide it, and no -shm can be made
    // to read the -wal: one sentence, nothing changed.
    let lock = SharedLock::hold(&db);
    as_writer(&ADD);
    drop(lock);
    std::fs::remove_file(side(&db, "-shm")).unwrap();
    assert!(std::fs::metadata(side(&db, "-wal")).unwrap().len() > 0);
    let wal_before = std::fs::read(side(&db, "-wal")).unwrap();
    let _guard = user.forbid_writing(&dir);
    let (code, err) = check_fails(&["call", "list"], as_user(&["call", "list"]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("écritures récentes") && err.contains("-wal"),
        "{err}"
    );
    assert_eq!(std::fs::read(side(&db, "-wal")).unwrap(), wal_before);
    assert_eq!(names_in(&dir), ["desk.db", "desk.db-wal"]);
}

#[test]
fn a_read_only_open_leaves_nothing_that_stops_a_later_writer() {
    let desk = Desk::new();
    let user = User::get();
    let dir = desk.path("base");
    std::fs::create_dir(&dir).unwrap();
    user.own(&dir);
    let db = dir.join("desk.db");
    let run = |args: &[&str]| {
        let mut cmd = user.command(&desk, &[]);
        cmd.env("GUICHET_DB", &db).args(args).output().unwrap()
    };
    check_ok(&ADD, run(&ADD));
    assert_eq!(names_in(&dir), ["desk.db"]);
    // The file cannot be written (a copy put back read-only, a supervisor's 0400): reads
    // work and leave no -shm, which would keep that mode once the file is writable again.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o400)).unwrap();
    for args in [
        &["call", "list"][..],
        &["--read-only", "call", "list"],
        &["db", "check"],
    ] {
        check_ok(args, run(args));
        assert_eq!(names_in(&dir), ["desk.db"], "{args:?}");
    }
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o600)).unwrap();
    check_ok(&ADD, run(&ADD));
    // --read-only on a file the user could write: whatever it leaves, a writer goes on.
    check_ok(
        &["--read-only", "call", "list"],
        run(&["--read-only", "call", "list"]),
    );
    for suffix in ["-wal", "-shm"] {
        if let Ok(meta) = std::fs::metadata(side(&db, suffix)) {
            assert_eq!(meta.uid(), user.uid, "{suffix}");
            assert_eq!(meta.mode() & 0o777, 0o600, "{suffix}");
        }
    }
    check_ok(&ADD, run(&ADD));
    assert_eq!(calls_in(&desk, &db), 3);
}

/// A read lock on SQLite's shared-lock bytes of a database, taken without SQLite: a
/// process closing its connection then does not see itself as the last one, so it leaves
/// its -wal and -shm in place for the test to look at.
struct SharedLock {
    /// The lock lasts as long as the descriptor is open.
    _file: std::fs::File,
}

impl SharedLock {
    fn hold(db: &Path) -> SharedLock {
        use std::os::fd::AsRawFd;
        let file = std::fs::File::open(db).unwrap();
        // SAFETY: a zeroed flock is valid; fcntl reads it and the descriptor is open.
        let taken = unsafe {
            let mut lock: libc::flock = std::mem::zeroed();
            lock.l_type = libc::F_RDLCK as _;
            lock.l_whence = libc::SEEK_SET as _;
            // SQLite's SHARED_FIRST: the pending byte (1 GiB) plus two.
            lock.l_start = 0x4000_0002;
            lock.l_len = 1;
            libc::fcntl(file.as_raw_fd(), libc::F_SETLK, &lock)
        };
        assert_eq!(taken, 0, "{}", std::io::Error::last_os_error());
        SharedLock { _file: file }
    }
}

/// A group to give the database to: one `nobody` is not in when the tests run as root
/// (the binary is then given it as a supplementary group), else the user's own.
fn desk_group(user: &User) -> (String, u32) {
    // SAFETY: getgrnam and getgrgid results are read at once and never kept.
    unsafe {
        if user.switched {
            for name in [c"users", c"daemon", c"staff", c"adm"] {
                let gr = libc::getgrnam(name.as_ptr());
                if !gr.is_null() && (*gr).gr_gid != user.gid {
                    return (name.to_str().unwrap().to_string(), (*gr).gr_gid);
                }
            }
            panic!("no group to give the database to: users, daemon, staff or adm");
        }
        let gr = libc::getgrgid(user.gid);
        assert!(!gr.is_null(), "the user's group has no name");
        eprintln!(
            "note: the tests do not run as root: the desk's group is the user's own, so only \
             the modes are checked, not the change of group"
        );
        let name = std::ffi::CStr::from_ptr((*gr).gr_name);
        (name.to_string_lossy().into_owned(), user.gid)
    }
}

#[test]
fn db_group_gives_the_group_the_database_its_wal_shm_and_backups_whatever_the_umask() {
    let desk = Desk::new();
    let user = User::get();
    let (group, gid) = desk_group(&user);
    let shared = desk.path("partage");
    std::fs::create_dir(&shared).unwrap();
    user.own(&shared);
    let db = shared.join("desk.db");
    let run = |db: &Path, args: &[&str]| {
        let mut cmd = with_umask(user.command(&desk, &[gid]), 0o077);
        cmd.env("GUICHET_DB", db).args(args).output().unwrap()
    };
    let owned = |path: &Path, mode: u32| {
        let meta = std::fs::symlink_metadata(path).unwrap();
        assert_eq!(meta.gid(), gid, "{path:?}: group {group}");
        assert_eq!(
            meta.mode() & 0o7777,
            mode,
            "{path:?}: mode {:o}",
            meta.mode()
        );
    };

    // Created owner-only without the setting; the setting gives it to the group.
    let no_config = desk.path("sans-config");
    let out = with_umask(user.command(&desk, &[gid]), 0o077)
        .env("XDG_CONFIG_HOME", &no_config)
        .env("GUICHET_DB", &db)
        .args(ADD)
        .output()
        .unwrap();
    check_ok(&ADD, out);
    assert_eq!(mode(&db), 0o600);
    desk.config(&format!("db_group = \"{group}\"\n"));
    check_ok(&ADD, run(&db, &ADD));
    owned(&db, 0o660);

    // The -wal and -shm the binary creates are the group's too (a lock of the test's keeps
    // them after the binary ends).
    let lock = SharedLock::hold(&db);
    check_ok(&ADD, run(&db, &ADD));
    for suffix in ["-wal", "-shm"] {
        let path = side(&db, suffix);
        assert!(exists(&path), "{suffix} kept by the test's lock");
        assert_eq!(std::fs::metadata(&path).unwrap().uid(), user.uid);
        owned(&path, 0o660);
    }
    drop(lock);
    // Another operator of the desk whose own config.toml lacks db_group: the -wal and -shm
    // it creates follow the database's group all the same, or the others could not use
    // them.
    check_ok(&["db", "check"], run(&db, &["db", "check"]));
    assert!(
        !exists(&side(&db, "-wal")),
        "cleaned up once the lock is gone"
    );
    let lock = SharedLock::hold(&db);
    let out = with_umask(user.command(&desk, &[gid]), 0o077)
        .env("XDG_CONFIG_HOME", &no_config)
        .env("GUICHET_DB", &db)
        .args(ADD)
        .output()
        .unwrap();
    check_ok(&ADD, out);
    for suffix in ["-wal", "-shm"] {
        owned(&side(&db, suffix), 0o660);
    }
    drop(lock);

    // Backups, and a new database in a folder guichet creates.
    let copy = shared.join("copie.db");
    let args = ["db", "backup", copy.to_str().unwrap()];
    check_ok(&args, run(&db, &args));
    owned(&copy, 0o660);
    let fresh = shared.join("nouveau").join("desk.db");
    check_ok(&ADD, run(&fresh, &ADD));
    owned(&fresh, 0o660);
    owned(fresh.parent().unwrap(), 0o2770);
    assert_eq!(calls_in(&desk, &db), 4);
}

#[test]
fn read_only_creates_nothing() {
    let desk = Desk::new();
    let args = ["--read-only", "call", "list"];
    let fresh = desk.path("absente/desk.db");
    let out = desk
        .cmd()
        .env("GUICHET_DB", &fresh)
        .args(args)
        .output()
        .unwrap();
    let (code, err) = check_fails(&args, out);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("n'existe pas"), "{err}");
    assert!(!exists(&desk.path("absente")), "no folder created");
    std::fs::write(desk.db(), b"").unwrap();
    let (code, err) = desk.fails(&args);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("est vide"), "{err}");
    assert_eq!(std::fs::read(desk.db()).unwrap().len(), 0);
    assert_eq!(names_in(desk.dir.path()), ["desk.db"]);
}
