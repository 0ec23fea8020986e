// SPDX-License-Identifier: GPL-2.0
//! Helpers shared by the integration tests, and their harness ([`harness`]).
//!
//! Every test runs on [`Backend::Native`], and on [`Backend::Module`] when `/dev/pidfd_open`
//! opens. Without the device the module-backend tests are reported as ignored, with the
//! reason; with `PIDFD_OPEN_REQUIRE_MODULE=1` they run and fail instead.
#![allow(dead_code)]

pub mod harness;

use std::fmt::Debug;
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsFd, OwnedFd};
use std::process::{Child, Command, Stdio};

use pidfd_open::Backend;
use rustix::fs::{Mode, OFlags};

pub use harness::Test;

pub const EPERM: i32 = 1;
pub const ENOENT: i32 = 2;
pub const ESRCH: i32 = 3;
pub const ENXIO: i32 = 6;
pub const EBADF: i32 = 9;
pub const ECHILD: i32 = 10;
pub const ENODEV: i32 = 19;
pub const EISDIR: i32 = 21;
pub const EINVAL: i32 = 22;
pub const ENOTTY: i32 = 25;
pub const EXDEV: i32 = 18;
pub const EREMOTE: i32 = 66;
pub const EOPNOTSUPP: i32 = 95;

/// The errno's name, for messages.
pub fn errno_name(errno: i32) -> &'static str {
    match errno {
        EPERM => "EPERM",
        ENOENT => "ENOENT",
        ESRCH => "ESRCH",
        ENXIO => "ENXIO",
        EBADF => "EBADF",
        ECHILD => "ECHILD",
        ENODEV => "ENODEV",
        EISDIR => "EISDIR",
        EINVAL => "EINVAL",
        ENOTTY => "ENOTTY",
        EXDEV => "EXDEV",
        EREMOTE => "EREMOTE",
        EOPNOTSUPP => "EOPNOTSUPP",
        _ => "errno",
    }
}

/// Defines each test twice, `native::NAME` and `module::NAME`, calling `NAME(backend)`, and
/// `fn backend_tests() -> Vec<Test>` that lists them for the harness: the module ones ignored,
/// with the reason, where they cannot run ([`module_skip`]).
#[macro_export]
macro_rules! backend_tests {
    ($($(#[$attr:meta])* fn $name:ident($b:ident: $t:ty) $body:block)*) => {
        $($(#[$attr])* fn $name($b: $t) $body)*

        fn backend_tests() -> Vec<$crate::common::Test> {
            let skip = $crate::common::module_skip();
            vec![
                $($crate::common::Test::new(
                    concat!("native::", stringify!($name)),
                    || $name(pidfd_open::Backend::Native),
                ),)*
                $($crate::common::Test::new(
                    concat!("module::", stringify!($name)),
                    || {
                        $crate::common::assert_module_opens();
                        $name(pidfd_open::Backend::Module)
                    },
                ).skip_if(skip.clone()),)*
            ]
        }
    };
}

/// Whether `PIDFD_OPEN_REQUIRE_MODULE=1`: the module-backend tests must run.
pub fn module_required() -> bool {
    std::env::var_os("PIDFD_OPEN_REQUIRE_MODULE").is_some_and(|v| v == "1")
}

/// Why the module-backend tests cannot run here: `Some(reason)` when `/dev/pidfd_open` does
/// not open, unless `PIDFD_OPEN_REQUIRE_MODULE=1` (then they run, and fail).
pub fn module_skip() -> Option<String> {
    let err = File::options()
        .read(true)
        .write(true)
        .open(pidfd_open::DEVICE_PATH)
        .err()?;
    if module_required() {
        return None;
    }
    Some(format!(
        "{} does not open ({err}); PIDFD_OPEN_REQUIRE_MODULE=1 makes these tests run and fail",
        pidfd_open::DEVICE_PATH
    ))
}

/// Fails the test when `/dev/pidfd_open` does not open: a module-backend test runs without
/// the device only with `PIDFD_OPEN_REQUIRE_MODULE=1`, which makes that a failure, even for
/// a test whose errors the crate would give without asking the module.
pub fn assert_module_opens() {
    if let Err(err) = File::options()
        .read(true)
        .write(true)
        .open(pidfd_open::DEVICE_PATH)
    {
        panic!(
            "PIDFD_OPEN_REQUIRE_MODULE=1 but {} does not open: {err}",
            pidfd_open::DEVICE_PATH
        );
    }
}

/// Why a test that needs root cannot run here, if it cannot.
pub fn root_skip() -> Option<String> {
    (!rustix::process::geteuid().is_root()).then(|| "needs root".to_string())
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

    /// Spawns `command` (a `sleep`, say, with a process group of its own).
    pub fn spawn(command: &mut Command) -> Sleeper {
        let child = command
            .stdin(Stdio::null())
            .spawn()
            .expect("spawn the child (its program must be on PATH)");
        Sleeper {
            child,
            reaped: false,
        }
    }

    /// Starts a `sleep` that outlives any test.
    pub fn start() -> Sleeper {
        Sleeper::start_for(1000)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL without reaping: it becomes a zombie.
    pub fn kill(&mut self) {
        self.child.kill().expect("kill child");
    }

    /// Kills and reaps it.
    pub fn kill_and_reap(&mut self) {
        if !self.reaped {
            // Marked first: a failed wait panics once, not again in `drop` while unwinding.
            self.reaped = true;
            let _ = self.child.kill();
            self.child.wait().expect("wait for child");
        }
    }
}

impl Drop for Sleeper {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // The test has failed already; a second panic here would abort the binary.
            self.reaped = true;
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
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
pub fn stat_pid(dir: impl AsFd) -> u32 {
    let text = ok("read <dir>/stat", read_at(dir, "stat"));
    text.split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no pid in stat: {text:?}"))
}

/// A pid number that no process uses now: the highest free one below `pid_max`.
pub fn unused_pid() -> u32 {
    let max: u32 = std::fs::read_to_string("/proc/sys/kernel/pid_max")
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
    u32,
    std::sync::mpsc::Sender<()>,
    std::thread::JoinHandle<()>,
) {
    let (tid_tx, tid_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let handle = std::thread::spawn(move || {
        tid_tx
            .send(rustix::thread::gettid().as_raw_nonzero().get() as u32)
            .unwrap();
        let _ = stop_rx.recv();
    });
    (tid_rx.recv().unwrap(), stop_tx, handle)
}

/// Ends a thread of [`start_thread`] and waits until the kernel has released it: its
/// `/proc/self/task/<tid>` is gone (at most 5 s, then the test fails).
pub fn end_thread(
    tid: u32,
    stop: std::sync::mpsc::Sender<()>,
    handle: std::thread::JoinHandle<()>,
) {
    drop(stop);
    handle.join().expect("join the thread");
    let path = format!("/proc/self/task/{tid}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while std::path::Path::new(&path).exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "thread {tid} not released 5 s after it ended"
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

/// Runs `f` in a child process in a user and mount namespace of its own, with every mount
/// private: what `f` mounts is seen by it alone and goes away with the child. Any user can
/// make such namespaces (`unshare -Urm`), so `f` has the power over mounts that every caller
/// of the module has. The child is forked because `unshare(CLONE_NEWUSER)` refuses a
/// multi-threaded caller, and the harness runs each test on a thread. A panic in `f`, or a
/// failure to make the namespaces, fails the test with its message.
///
/// `f` must not print and must not take a lock that another thread may hold (the parent's
/// other threads do not exist in the child): the crate's device fd is opened before the
/// fork by opening a pidfd on the backend under test.
pub fn in_private_mounts(f: impl FnOnce()) {
    use rustix::mount::{mount_change, MountPropagationFlags};
    use rustix::process::{waitpid, WaitOptions};
    use rustix::thread::{unshare_unsafe, UnshareFlags};
    use std::io::Write;

    // Close-on-exec: a process that another test spawns meanwhile must not hold the
    // write end, or the read below would wait for it.
    let (report_rx, report_tx) = ok(
        "pipe",
        rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC).map_err(Into::into),
    );
    // SAFETY: The child is single-threaded and calls only what cannot wait on the parent's
    // other threads: glibc's fork() leaves malloc usable in the child, `f` prints nothing
    // (the harness's panic hook keeps a test's message in a thread-local), and the child
    // leaves with `_exit`, running no destructor or atexit handler of the parent's.
    let child = unsafe { libc::fork() };
    assert!(child >= 0, "fork: {}", io::Error::last_os_error());
    if child == 0 {
        drop(report_rx);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            // SAFETY: The child is single-threaded: no other thread shares its fs_struct
            // or sees its mounts change.
            let unshared = unsafe { unshare_unsafe(UnshareFlags::NEWUSER | UnshareFlags::NEWNS) };
            ok(
                "unshare(CLONE_NEWUSER | CLONE_NEWNS)",
                unshared.map_err(Into::into),
            );
            let private = MountPropagationFlags::PRIVATE | MountPropagationFlags::REC;
            ok(
                "mount --make-rprivate /",
                mount_change("/", private).map_err(Into::into),
            );
            f();
        }));
        let code = match result {
            Ok(()) => 0,
            Err(payload) => {
                let what = harness::panic_message(payload.as_ref());
                let _ = File::from(report_tx).write_all(what.as_bytes());
                1
            }
        };
        // SAFETY: `_exit` ends the child at once; nothing of the parent's runs in it.
        unsafe { libc::_exit(code) };
    }
    drop(report_tx);
    let mut report = String::new();
    let read = File::from(report_rx).read_to_string(&mut report);
    let pid = rustix::process::Pid::from_raw(child).expect("fork gave a positive pid");
    let status = ok(
        "waitpid(the child in its own namespaces)",
        waitpid(Some(pid), WaitOptions::empty()).map_err(Into::into),
    )
    .map(|(_, status)| status);
    ok("read the child's report", read);
    let exited_ok = status.is_some_and(|s| s.exit_status() == Some(0));
    assert!(
        exited_ok && report.is_empty(),
        "in a user and mount namespace of its own (child {child}, {status:?}): {report}"
    );
}

/// The name of the backend, for messages.
pub fn name(b: Backend) -> &'static str {
    match b {
        Backend::Module => "module",
        Backend::Native => "native",
    }
}
