// SPDX-License-Identifier: GPL-2.0
//! Helpers shared by the integration tests.
//!
//! Every test runs on [`Backend::Native`], and on [`Backend::Module`] when `/dev/pidfd_open`
//! opens. With `PIDFD_OPEN_REQUIRE_MODULE=1` a module-backend test fails when the device does
//! not open; without it, it passes without running, and the binary says so once on stderr.
#![allow(dead_code)]

use std::fmt::Debug;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::process::{Child, Command, Stdio};
use std::sync::Once;

use pidfd_open::Backend;
use rustix::fs::{Mode, OFlags};

pub const EPERM: i32 = 1;
pub const ENOENT: i32 = 2;
pub const ESRCH: i32 = 3;
pub const EBADF: i32 = 9;
pub const EINVAL: i32 = 22;
pub const ENOTTY: i32 = 25;
pub const EXDEV: i32 = 18;
pub const EREMOTE: i32 = 66;

/// The errno's name, for messages.
pub fn errno_name(errno: i32) -> &'static str {
    match errno {
        EPERM => "EPERM",
        ENOENT => "ENOENT",
        ESRCH => "ESRCH",
        EBADF => "EBADF",
        EINVAL => "EINVAL",
        ENOTTY => "ENOTTY",
        EXDEV => "EXDEV",
        EREMOTE => "EREMOTE",
        _ => "errno",
    }
}

/// Defines each test twice: `native::NAME` and `module::NAME`, calling `NAME(backend)`.
#[macro_export]
macro_rules! backend_tests {
    ($($(#[$attr:meta])* fn $name:ident($b:ident: $t:ty) $body:block)*) => {
        $($(#[$attr])* fn $name($b: $t) $body)*

        mod native {
            $(#[test]
            fn $name() {
                super::$name(pidfd_open::Backend::Native)
            })*
        }

        mod module {
            $(#[test]
            fn $name() {
                if $crate::common::module_available() {
                    super::$name(pidfd_open::Backend::Module)
                }
            })*
        }
    };
}

/// Whether the module-backend tests run: true if `/dev/pidfd_open` opens; else a panic when
/// `PIDFD_OPEN_REQUIRE_MODULE=1`, or false after a note on stderr (once per binary).
pub fn module_available() -> bool {
    static NOTE: Once = Once::new();
    let err = match File::options()
        .read(true)
        .write(true)
        .open(pidfd_open::DEVICE_PATH)
    {
        Ok(_) => return true,
        Err(e) => e,
    };
    if std::env::var_os("PIDFD_OPEN_REQUIRE_MODULE").is_some_and(|v| v == "1") {
        panic!(
            "PIDFD_OPEN_REQUIRE_MODULE=1 but {} does not open: {err}",
            pidfd_open::DEVICE_PATH
        );
    }
    NOTE.call_once(|| {
        // Straight to fd 2, in one write: libtest captures only print!/eprint!.
        let note = format!(
            "\nnote: {} does not open ({err}): the module-backend tests pass without running \
             (set PIDFD_OPEN_REQUIRE_MODULE=1 to make them fail instead)\n",
            pidfd_open::DEVICE_PATH
        );
        let _ = io::stderr().write_all(note.as_bytes());
    });
    eprintln!("skipped: {} does not open: {err}", pidfd_open::DEVICE_PATH);
    false
}

/// Asserts that `result` is the error `errno`, saying what was done and what came instead.
#[track_caller]
pub fn expect_errno<T: Debug>(what: &str, result: io::Result<T>, errno: i32) {
    match result {
        Err(e) if e.raw_os_error() == Some(errno) => {}
        Err(e) => panic!(
            "{what}: expected {} ({errno}), got error {e:?} ({})",
            errno_name(errno),
            errno_name(e.raw_os_error().unwrap_or(0))
        ),
        Ok(v) => panic!(
            "{what}: expected {} ({errno}), got success: {v:?}",
            errno_name(errno)
        ),
    }
}

/// Unwraps `result`, saying what was done if it is an error.
#[track_caller]
pub fn ok<T>(what: &str, result: io::Result<T>) -> T {
    result.unwrap_or_else(|e| {
        panic!(
            "{what}: unexpected error {e:?} ({})",
            errno_name(e.raw_os_error().unwrap_or(0))
        )
    })
}

/// A child process (`sleep`), killed and reaped on drop if the test has not.
pub struct Sleeper {
    pub child: Child,
    reaped: bool,
}

impl Sleeper {
    /// Starts `sleep SECONDS`.
    pub fn start_for(seconds: u32) -> Sleeper {
        let child = Command::new("sleep")
            .arg(seconds.to_string())
            .stdin(Stdio::null())
            .spawn()
            .expect("spawn sleep (it must be on PATH)");
        Sleeper {
            child,
            reaped: false,
        }
    }

    /// Starts a `sleep` that outlives any test.
    pub fn start() -> Sleeper {
        Sleeper::start_for(1000)
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// SIGKILL without reaping: it becomes a zombie.
    pub fn kill(&mut self) {
        self.child.kill().expect("kill child");
    }

    /// Kills and reaps it.
    pub fn kill_and_reap(&mut self) {
        if !self.reaped {
            let _ = self.child.kill();
            self.child.wait().expect("wait for child");
            self.reaped = true;
        }
    }
}

impl Drop for Sleeper {
    fn drop(&mut self) {
        self.kill_and_reap();
    }
}

/// Opens `path` with `O_RDONLY | O_CLOEXEC` and `extra` flags.
#[track_caller]
pub fn open_path(path: &str, extra: OFlags) -> OwnedFd {
    ok(
        &format!("open {path}"),
        rustix::fs::open(
            path,
            OFlags::RDONLY | OFlags::CLOEXEC | extra,
            Mode::empty(),
        )
        .map_err(io::Error::from),
    )
}

/// The root of the procfs mount at `/proc`.
pub fn proc_root() -> OwnedFd {
    open_path("/proc", OFlags::DIRECTORY)
}

/// Reads the file `name` in the directory `dir`.
pub fn read_at(dir: impl AsFd, name: &str) -> io::Result<String> {
    let fd = rustix::fs::openat(dir, name, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty())?;
    let mut text = String::new();
    File::from(fd).read_to_string(&mut text)?;
    Ok(text)
}

/// The first field of `<dir>/stat`: the pid of the process the directory is of.
#[track_caller]
pub fn stat_pid(dir: impl AsFd) -> i32 {
    let text = ok("read <dir>/stat", read_at(dir, "stat"));
    text.split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no pid in stat: {text:?}"))
}

/// A pid number that no process uses now: the highest free one below `pid_max`.
pub fn unused_pid() -> i32 {
    let max: i32 = std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(32768);
    (2..max)
        .rev()
        .find(|&n| !std::path::Path::new(&format!("/proc/{n}")).exists())
        .expect("a free pid")
}

/// A thread of this process that waits until the returned sender is dropped: its tid is not
/// a thread-group leader's.
pub fn start_thread() -> (
    i32,
    std::sync::mpsc::Sender<()>,
    std::thread::JoinHandle<()>,
) {
    let (tid_tx, tid_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let handle = std::thread::spawn(move || {
        tid_tx
            .send(rustix::thread::gettid().as_raw_nonzero().get())
            .unwrap();
        let _ = stop_rx.recv();
    });
    (tid_rx.recv().unwrap(), stop_tx, handle)
}

/// Runs `f` on a thread of its own in a mount namespace of its own, with every mount private,
/// so that what `f` mounts is seen by it alone and goes away with the thread. Needs root
/// (`CAP_SYS_ADMIN`); the test fails saying so otherwise.
pub fn in_private_mounts<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    use rustix::mount::{mount_change, MountPropagationFlags};
    use rustix::thread::{unshare_unsafe, UnshareFlags};

    std::thread::scope(|scope| {
        let thread = scope.spawn(|| {
            // SAFETY: Only the mount namespace (and the fs_struct it implies) is unshared: no fd
            // table, so every thread still sees every fd.
            let unshared = unsafe { unshare_unsafe(UnshareFlags::NEWNS) };
            ok(
                "unshare(CLONE_NEWNS) (this test needs root)",
                unshared.map_err(Into::into),
            );
            let private = MountPropagationFlags::PRIVATE | MountPropagationFlags::REC;
            ok(
                "mount --make-rprivate /",
                mount_change("/", private).map_err(Into::into),
            );
            f()
        });
        thread
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// The name of the backend, for messages.
pub fn name(b: Backend) -> &'static str {
    match b {
        Backend::Module => "module",
        Backend::Native => "native",
    }
}
