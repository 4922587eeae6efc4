//! A child in a pseudo-terminal, with libc only: a terminal pair, fork/exec with exactly
//! the given environment, reads with a timeout, writes, signals, a hang-up, processor time
//! and peak memory from /proc, reaping. The child is killed and reaped when its guard
//! drops, a failing assertion or a panic included; the master side is closed with it.
//!
//! Shared by `tests/integration/pty_hostile.rs` (`use crate::common::pty;`) and the
//! terminal benches (`#[path = "../tests/integration/common/pty.rs"] mod pty;`).

// A pseudo-terminal harness: openpty, fork and exec, signals, waitpid; libc only.
#![allow(unsafe_code)]
// Each user takes the part it needs.
#![allow(dead_code)]

use std::ffi::{CString, c_char, c_int};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::ptr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Taken around each spawn by the users of this module (a terminal's child here, a command
/// run by `pty_hostile.rs` and by the benches): their spawns happen one at a time. The
/// terminal's descriptors do not rely on it: the other test modules of the executable
/// spawn processes without it, so the descriptors are born close-on-exec (see `spawn`).
pub static SPAWN: Mutex<()> = Mutex::new(());

pub struct Child {
    /// None once the terminal was hung up.
    master: Option<OwnedFd>,
    pid: libc::pid_t,
    status: Option<c_int>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// This many bytes were appended.
    Data(usize),
    Timeout,
    /// The terminal's other side is closed (the program and its children are gone), or
    /// this side was hung up.
    Eof,
}

fn check(r: c_int) -> io::Result<c_int> {
    if r == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

fn cstring(bytes: &[u8]) -> io::Result<CString> {
    CString::new(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
}

fn poll_ms(timeout: Duration) -> c_int {
    timeout.as_millis().min(i32::MAX as u128) as c_int
}

impl Child {
    /// Runs `program` with `args` and exactly `env` on a new terminal of `cols` x `rows`,
    /// as the leader of its own session with that terminal as its controlling one.
    pub fn spawn(
        program: &Path,
        args: &[&str],
        env: &[(String, String)],
        cols: u16,
        rows: u16,
    ) -> io::Result<Child> {
        // Everything the child needs is allocated before fork: after it, only
        // async-signal-safe calls.
        let path = cstring(program.as_os_str().as_bytes())?;
        let mut argv_owned = vec![path.clone()];
        for a in args {
            argv_owned.push(cstring(a.as_bytes())?);
        }
        let env_owned = env
            .iter()
            .map(|(k, v)| cstring(format!("{k}={v}").as_bytes()))
            .collect::<io::Result<Vec<_>>>()?;
        let argv: Vec<*const c_char> = argv_owned
            .iter()
            .map(|c| c.as_ptr())
            .chain([ptr::null()])
            .collect();
        let envp: Vec<*const c_char> = env_owned
            .iter()
            .map(|c| c.as_ptr())
            .chain([ptr::null()])
            .collect();

        let size = libc::winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        let _spawning = SPAWN.lock().unwrap_or_else(|e| e.into_inner());
        // Both sides opened close-on-exec at once (openpty, then fcntl, left a moment where a
        // process spawned by another test's thread inherited them and kept the terminal
        // open: no hang-up, no end of output, until that process ended).
        let flags = libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC;
        // SAFETY: a valid C string; open returns a new descriptor or -1.
        let m = check(unsafe { libc::open(c"/dev/ptmx".as_ptr(), flags) })?;
        // SAFETY: open just returned it; nothing else owns it.
        let master = unsafe { OwnedFd::from_raw_fd(m) };
        // SAFETY: grantpt and unlockpt on the master we own.
        check(unsafe { libc::grantpt(m) })?;
        check(unsafe { libc::unlockpt(m) })?;
        // SAFETY: TIOCGPTPEER opens the master's other side with these flags (Linux 4.13).
        let s = check(unsafe { libc::ioctl(m, libc::TIOCGPTPEER, flags) })?;
        // SAFETY: the ioctl just returned it; nothing else owns it.
        let slave = unsafe { OwnedFd::from_raw_fd(s) };
        // SAFETY: TIOCSWINSZ reads a winsize, which `size` is.
        check(unsafe { libc::ioctl(m, libc::TIOCSWINSZ, &size) })?;

        // SAFETY: the child branch below only calls async-signal-safe functions and ends
        // in execve or _exit.
        let pid = unsafe { libc::fork() };
        if pid == -1 {
            return Err(io::Error::last_os_error());
        }
        if pid == 0 {
            // SAFETY: async-signal-safe calls on descriptors and memory prepared above.
            unsafe {
                libc::setsid();
                libc::ioctl(s, libc::TIOCSCTTY, 0);
                libc::dup2(s, 0);
                libc::dup2(s, 1);
                libc::dup2(s, 2);
                // A terminal program starts with default signals, whatever the test
                // runner or the bench had.
                for sig in [
                    libc::SIGHUP,
                    libc::SIGINT,
                    libc::SIGQUIT,
                    libc::SIGTERM,
                    libc::SIGPIPE,
                ] {
                    libc::signal(sig, libc::SIG_DFL);
                }
                let mut set: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut set);
                libc::sigprocmask(libc::SIG_SETMASK, &set, ptr::null_mut());
                // m and s are close-on-exec; 0, 1 and 2 are not.
                libc::execve(path.as_ptr(), argv.as_ptr(), envp.as_ptr());
                libc::_exit(127);
            }
        }
        drop(slave);
        // SAFETY: fcntl on the master we own.
        unsafe {
            let flags = check(libc::fcntl(m, libc::F_GETFL))?;
            check(libc::fcntl(m, libc::F_SETFL, flags | libc::O_NONBLOCK))?;
        }
        Ok(Child {
            master: Some(master),
            pid,
            status: None,
        })
    }

    pub fn pid(&self) -> libc::pid_t {
        self.pid
    }

    /// Waits up to `timeout` for output and appends what is there (one read) to `out`.
    pub fn read(&mut self, timeout: Duration, out: &mut Vec<u8>) -> io::Result<Read> {
        let Some(fd) = self.master.as_ref().map(AsRawFd::as_raw_fd) else {
            std::thread::sleep(timeout);
            return Ok(Read::Eof);
        };
        let mut pfd = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            // SAFETY: one valid pollfd.
            let r = unsafe { libc::poll(&mut pfd, 1, poll_ms(left)) };
            if r == 0 {
                return Ok(Read::Timeout);
            }
            if r > 0 {
                break;
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
        let mut buf = [0u8; 65536];
        loop {
            // SAFETY: reading into a buffer of the given length.
            let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
            if n > 0 {
                out.extend_from_slice(&buf[..n as usize]);
                return Ok(Read::Data(n as usize));
            }
            if n == 0 {
                return Ok(Read::Eof);
            }
            let e = io::Error::last_os_error();
            match e.raw_os_error() {
                Some(libc::EINTR) => continue,
                Some(libc::EAGAIN) => return Ok(Read::Timeout),
                // Linux: the slave side has no process left.
                Some(libc::EIO) => return Ok(Read::Eof),
                _ => return Err(e),
            }
        }
    }

    /// Writes every byte, waiting (up to 2 s in all) while the terminal's input is full.
    /// Nothing of the program's output is read meanwhile: whoever reads it keeps it whole.
    pub fn write_all(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        let Some(fd) = self.master.as_ref().map(AsRawFd::as_raw_fd) else {
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the terminal was hung up",
            ));
        };
        let deadline = Instant::now() + Duration::from_secs(2);
        while !bytes.is_empty() {
            // SAFETY: writing from a valid slice.
            let n = unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
            if n >= 0 {
                bytes = &bytes[n as usize..];
                continue;
            }
            let e = io::Error::last_os_error();
            match e.raw_os_error() {
                Some(libc::EINTR) => {}
                Some(libc::EAGAIN) if Instant::now() < deadline => {
                    let mut pfd = libc::pollfd {
                        fd,
                        events: libc::POLLOUT,
                        revents: 0,
                    };
                    // SAFETY: one valid pollfd.
                    unsafe { libc::poll(&mut pfd, 1, 5) };
                }
                _ => return Err(e),
            }
        }
        Ok(())
    }

    /// Closes the terminal as a dropped SSH link or a closed window does: the kernel sends
    /// SIGHUP to the program and its reads of the terminal fail.
    pub fn hang_up(&mut self) {
        self.master = None;
    }

    /// Processor time used so far (user + system), from /proc: a program spinning on a
    /// dead terminal shows here.
    pub fn cpu_time(&self) -> Option<Duration> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)).ok()?;
        // Fields after the command name, which is in parentheses.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ticks: u64 =
            fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
        // SAFETY: sysconf has no memory-safety requirement.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
        (hz > 0).then(|| Duration::from_millis(ticks * 1000 / hz as u64))
    }

    /// A `kB` line of /proc/PID/status (`VmHWM`, `VmRSS`…) in bytes, while the child runs.
    pub fn status_bytes(&self, field: &str) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).ok()?;
        status.lines().find_map(|line| {
            let rest = line.strip_prefix(field)?.strip_prefix(':')?;
            let kb: u64 = rest.trim().strip_suffix("kB")?.trim().parse().ok()?;
            Some(kb * 1024)
        })
    }

    /// The child's peak resident memory so far (VmHWM).
    pub fn peak_memory(&self) -> Option<u64> {
        self.status_bytes("VmHWM")
    }

    pub fn signal(&self, sig: c_int) {
        if self.status.is_none() {
            // SAFETY: our own unreaped child: the pid cannot have been reused.
            unsafe {
                libc::kill(self.pid, sig);
            }
        }
    }

    pub fn try_wait(&mut self) -> Option<c_int> {
        if self.status.is_none() {
            let mut st = 0;
            // SAFETY: waitpid on our own child.
            if unsafe { libc::waitpid(self.pid, &mut st, libc::WNOHANG) } == self.pid {
                self.status = Some(st);
            }
        }
        self.status
    }

    /// Waits up to `limit` for the exit, reading (and dropping) the output meanwhile so
    /// that the program never blocks on a full terminal.
    pub fn wait_draining(&mut self, limit: Duration) -> Option<c_int> {
        let start = Instant::now();
        let mut sink = Vec::new();
        while start.elapsed() < limit {
            if let Some(st) = self.try_wait() {
                return Some(st);
            }
            sink.clear();
            match self.read(Duration::from_millis(10), &mut sink) {
                Ok(Read::Eof) | Err(_) => std::thread::sleep(Duration::from_millis(5)),
                _ => {}
            }
        }
        self.try_wait()
    }

    /// Waits for the exit, however long it takes.
    pub fn wait_blocking(&mut self) -> c_int {
        if let Some(st) = self.status {
            return st;
        }
        let mut st = 0;
        loop {
            // SAFETY: waitpid on our own child.
            let r = unsafe { libc::waitpid(self.pid, &mut st, 0) };
            if r == self.pid || io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
                break;
            }
        }
        self.status = Some(st);
        st
    }

    /// How the child ended so far: `running`, `exit N` or `signal N`.
    pub fn describe(&mut self) -> String {
        self.try_wait()
            .map_or_else(|| "running".to_string(), describe)
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if self.try_wait().is_none() {
            self.signal(libc::SIGKILL);
            self.wait_blocking();
        }
    }
}

/// `exit N` or `signal N`.
pub fn describe(status: c_int) -> String {
    if libc::WIFEXITED(status) {
        format!("exit {}", libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        format!("signal {}", libc::WTERMSIG(status))
    } else {
        format!("status {status:#x}")
    }
}
