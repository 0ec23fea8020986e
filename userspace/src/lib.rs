// SPDX-License-Identifier: GPL-2.0
//! Safe pidfds for Rust programs, and race-free translations between pidfds and
//! `/proc/<pid>` directory fds.
//!
//! Two backends give the same results and the same errno for the same case (see the
//! project's contract, `Documentation/contract.md`):
//!
//! - [`Backend::Module`] goes through `/dev/pidfd_open`, the misc device of the `pidfd_open`
//!   kernel module: `PIDFD_IOC_OPEN` opens pidfds and translates them both ways, and the
//!   module's pidfds take `PIDFD_IOC_SEND_SIGNAL` and `PIDFD_IOC_GET_INFO`.
//! - [`Backend::Native`] uses the kernel's own pidfds (`pidfd_open(2)`,
//!   `pidfd_send_signal(2)`, `PIDFD_GET_INFO`) and translates by the race-free userspace
//!   idioms: read the number, open, then check that the process it was read from is still
//!   unreaped. It needs the caller to be visible in the procfs mount it is given (see
//!   [`PidFd::to_proc_dir`]).
//!
//! Every error is an [`std::io::Error`] whose [`raw_os_error()`](std::io::Error::raw_os_error)
//! is the errno of the case.
//!
//! With the feature `tokio`, [`PidFd::into_exit`] turns a pidfd into an owned, `'static`,
//! `Send` future of the process's exit status ([`Exit`]), which `tokio::spawn` takes.
//!
//! Pids are `u32`, as [`std::process::id`] and [`std::process::Child::id`] give them (0.1.0
//! took and gave `i32`): [`PidFd::open`] takes a `u32` (`EINVAL` for 0 and numbers above
//! `i32::MAX`, which no process has), and [`PidInfo`]'s `pid`, `tgid` and `ppid` are `u32`.
//!
//! Thread pidfds ([`OpenOptions::thread`], [`PidFd::open_thread`]: one thread, any thread,
//! as `pidfd_open(2)`'s `PIDFD_THREAD` gives them) and nonblocking ones
//! ([`OpenOptions::nonblocking`]) open on both backends. Signals take a scope
//! ([`PidFd::send_signal_to`] with a [`SignalScope`]): the thread group and the process group
//! on both backends, one thread natively only (the module answers `EOPNOTSUPP`: no exported
//! kernel function checks the caller's permission for it).
//!
//! Minimum supported Rust version: 1.85.
//!
//! # Examples
//!
//! ```no_run
//! use std::fs::File;
//! use std::time::Duration;
//!
//! use pidfd_open::PidFd;
//!
//! # fn main() -> std::io::Result<()> {
//! let child = std::process::Command::new("sleep").arg("60").spawn()?;
//! let pidfd = PidFd::from_child(&child)?;
//!
//! // Its /proc directory: never another process's, even if the pid is reused meanwhile.
//! let dir = pidfd.to_proc_dir(File::open("/proc")?)?;
//!
//! // Signal exactly that process, then wait for it to exit.
//! pidfd.send_signal(15)?;
//! assert!(pidfd.wait_exit(Some(Duration::from_secs(5)))?);
//! # drop(dir);
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]
#![deny(unsafe_code)]

#[cfg(feature = "tokio")]
mod exit;
mod module;
mod native;
#[expect(
    unsafe_code,
    reason = "the one module of the crate that makes unsafe calls"
)]
mod sys;
pub mod uapi;

use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, IntoRawFd, OwnedFd, RawFd};
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::str::FromStr;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec};
use rustix::fs::OFlags;
use rustix::io::Errno;
use rustix::process::{Pid, PidfdFlags, WaitId, WaitIdOptions, WaitIdStatus};

#[cfg(feature = "tokio")]
pub use exit::Exit;
pub use module::DEVICE_PATH;

/// Which kind of pidfd a [`PidFd`] holds, and how the translations are done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// `/dev/pidfd_open`: the `pidfd_open` module's ioctls and pidfds.
    Module,
    /// The kernel's native pidfds and the race-free `/proc` idioms.
    Native,
}

impl Backend {
    /// [`Backend::Module`] if `/dev/pidfd_open` opens (read-write) and is the `pidfd_open`
    /// misc device, else [`Backend::Native`], whatever the error was.
    ///
    /// [`try_detect`](Backend::try_detect) tells an absent module from a device that is there
    /// but does not open (`EACCES`, `EMFILE`, ...).
    pub fn detect() -> Backend {
        Backend::try_detect().unwrap_or(Backend::Native)
    }

    /// [`Backend::Module`] if `/dev/pidfd_open` opens (read-write) and is the `pidfd_open`
    /// misc device; [`Backend::Native`] if the module is absent: the open or the check fails
    /// with `ENOENT`, `ENODEV` or `ENXIO`.
    ///
    /// The device is opened once, checked, and kept open for the life of the process, which
    /// keeps the module loaded meanwhile; until it has opened, each call tries again.
    ///
    /// # Errors
    ///
    /// Any other error of opening the device: `EACCES`, `EMFILE`, ...
    pub fn try_detect() -> io::Result<Backend> {
        match module::device() {
            Ok(_) => Ok(Backend::Module),
            Err(e) if module::is_absent(&e) => Ok(Backend::Native),
            Err(e) => Err(e),
        }
    }
}

/// The error of parsing a [`Backend`] from a string other than `module` or `native`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseBackendError(String);

impl fmt::Display for ParseBackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown backend '{}' (module or native)", self.0)
    }
}

impl std::error::Error for ParseBackendError {}

impl FromStr for Backend {
    type Err = ParseBackendError;

    /// `module` or `native`, as [`Display`](fmt::Display) writes them.
    fn from_str(s: &str) -> Result<Backend, ParseBackendError> {
        match s {
            "module" => Ok(Backend::Module),
            "native" => Ok(Backend::Native),
            other => Err(ParseBackendError(other.to_string())),
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Module => "module",
            Backend::Native => "native",
        })
    }
}

/// What `PIDFD_GET_INFO` (or the module's `PIDFD_IOC_GET_INFO`) tells about a process.
///
/// The pids are numbers in the caller's pid namespace (`ppid` is 0 when the parent is not
/// visible there); the credentials are mapped into the caller's user namespace. The pids are
/// `u32`, as `std::process` has them (0.1.0 had `i32`).
///
/// New fields may be added: it is `#[non_exhaustive]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PidInfo {
    /// The process's pid; for a thread pidfd, the thread's id.
    pub pid: u32,
    /// Its thread-group id: equal to `pid` for a process pidfd, the id of the thread's
    /// process for a thread pidfd.
    pub tgid: u32,
    /// Its parent's pid, 0 if the parent is not visible.
    pub ppid: u32,
    /// Real user id.
    pub ruid: u32,
    /// Real group id.
    pub rgid: u32,
    /// Effective user id.
    pub euid: u32,
    /// Effective group id.
    pub egid: u32,
    /// Saved set-user-id.
    pub suid: u32,
    /// Saved set-group-id.
    pub sgid: u32,
    /// Filesystem user id.
    pub fsuid: u32,
    /// Filesystem group id.
    pub fsgid: u32,
    /// The id of its cgroup (v2), when the kernel reported one.
    pub cgroupid: Option<u64>,
}

impl From<uapi::PidfdOpenInfo> for PidInfo {
    fn from(info: uapi::PidfdOpenInfo) -> PidInfo {
        PidInfo {
            pid: info.pid,
            tgid: info.tgid,
            ppid: info.ppid,
            ruid: info.ruid,
            rgid: info.rgid,
            euid: info.euid,
            egid: info.egid,
            suid: info.suid,
            sgid: info.sgid,
            fsuid: info.fsuid,
            fsgid: info.fsgid,
            cgroupid: (info.mask & uapi::PIDFD_OPEN_INFO_CGROUPID != 0).then_some(info.cgroupid),
        }
    }
}

/// Where [`PidFd::send_signal_to`] sends a signal: the `flags` of `pidfd_send_signal(2)`
/// (`PIDFD_SIGNAL_*`, Linux 6.9) and of the module's `PIDFD_IOC_SEND_SIGNAL`
/// (`PIDFD_OPEN_SIGNAL_*`, the same values).
///
/// | scope | native | module |
/// |---|---|---|
/// | [`Default`](SignalScope::Default) | the thread group of a process pidfd, the thread of a thread pidfd | the thread group of a process pidfd; `EOPNOTSUPP` on a thread pidfd |
/// | [`Thread`](SignalScope::Thread) | the pidfd's thread (a process pidfd's: its leader) | `EOPNOTSUPP` |
/// | [`ThreadGroup`](SignalScope::ThreadGroup) | the pidfd's thread group (a thread's process) | the same |
/// | [`ProcessGroup`](SignalScope::ProcessGroup) | every process of the group that the process leads (`ESRCH` if it leads none) | the same |
///
/// The module has no thread scope because the one exported kernel function that signals a
/// single thread checks no permission (contract, section 9). To signal one thread where the
/// module's pidfds are used, open a native thread pidfd of it:
/// [`PidFd::options()`](PidFd::options)`.thread(true).backend(Backend::Native).open(tid)`
/// (Linux 6.9). Kernels before 6.9 know no scope: natively every scope but `Default` is
/// `EINVAL` there.
///
/// New scopes may be added: it is `#[non_exhaustive]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignalScope {
    /// Flags 0: the pidfd's own scope, its thread group for a process pidfd, its thread for
    /// a thread pidfd (which the module refuses with `EOPNOTSUPP`).
    #[default]
    Default,
    /// `PIDFD_SIGNAL_THREAD`: the pidfd's thread. Native pidfds only; `EOPNOTSUPP` on the
    /// module's.
    Thread,
    /// `PIDFD_SIGNAL_THREAD_GROUP`: the thread group, also of a thread pidfd's thread.
    ThreadGroup,
    /// `PIDFD_SIGNAL_PROCESS_GROUP`: every process of the process group that the pidfd's
    /// process leads, as `kill(-pgid)`, each one's permission checked.
    ProcessGroup,
}

impl SignalScope {
    /// The `flags` word: 0 or one `PIDFD_SIGNAL_*` (= `uapi::PIDFD_OPEN_SIGNAL_*`) value.
    pub fn flags(self) -> u32 {
        match self {
            SignalScope::Default => 0,
            SignalScope::Thread => uapi::PIDFD_OPEN_SIGNAL_THREAD,
            SignalScope::ThreadGroup => uapi::PIDFD_OPEN_SIGNAL_THREAD_GROUP,
            SignalScope::ProcessGroup => uapi::PIDFD_OPEN_SIGNAL_PROCESS_GROUP,
        }
    }
}

/// How to open a [`PidFd`]: of a process or of one thread, blocking or not, with which
/// backend. [`PidFd::options()`](PidFd::options) makes one; as `std::fs::OpenOptions`, each
/// setter returns `&mut Self` and [`open`](OpenOptions::open) opens.
///
/// # Examples
///
/// A pidfd of one thread of this process, nonblocking:
///
/// ```
/// use pidfd_open::PidFd;
///
/// # fn main() -> std::io::Result<()> {
/// let (tx, rx) = std::sync::mpsc::channel();
/// let (stop, wait) = std::sync::mpsc::channel::<()>();
/// let thread = std::thread::spawn(move || {
///     // This thread's id: /proc/thread-self links to "<pid>/task/<tid>".
///     tx.send(std::fs::read_link("/proc/thread-self").unwrap()).unwrap();
///     let _ = wait.recv();
/// });
/// let link = rx.recv().unwrap();
/// let tid: u32 = link.file_name().unwrap().to_str().unwrap().parse().unwrap();
///
/// let pidfd = PidFd::options().thread(true).nonblocking(true).open(tid)?;
/// assert!(pidfd.is_thread()? && pidfd.is_nonblocking()?);
/// assert_eq!(pidfd.info()?.pid, tid);
/// assert_eq!(pidfd.info()?.tgid, std::process::id());
///
/// // Without the thread flag a thread that is not its process's leader does not open.
/// let err = PidFd::open(tid).unwrap_err();
/// assert_eq!(err.raw_os_error(), Some(2)); // ENOENT
/// drop(stop);
/// thread.join().unwrap();
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenOptions {
    thread: bool,
    nonblocking: bool,
    backend: Option<Backend>,
}

impl OpenOptions {
    /// A process pidfd, blocking, with the module if `/dev/pidfd_open` opens, else natively:
    /// what [`PidFd::open`] opens.
    pub fn new() -> OpenOptions {
        OpenOptions::default()
    }

    /// A pidfd of the thread `pid` (which may be any thread, not only a thread-group
    /// leader) instead of its process: native `PIDFD_THREAD`, the module's
    /// `PIDFD_OPEN_THREAD` (both `O_EXCL`, which [`PidFd::is_thread`] reads back).
    ///
    /// It polls readable ([`PidFd::wait_exit`]) once that thread has exited, whatever the
    /// rest of the process does, [`PidFd::info`] names the thread (`pid` its id, `tgid` its
    /// process's), and [`PidFd::exit_status`] gives the thread's status once it is released.
    /// Its default signal scope is the thread, which only native pidfds offer (see
    /// [`SignalScope`]).
    pub fn thread(&mut self, thread: bool) -> &mut OpenOptions {
        self.thread = thread;
        self
    }

    /// `O_NONBLOCK` on the new pidfd: native `PIDFD_NONBLOCK`, the module's
    /// `PIDFD_OPEN_NONBLOCK`. Natively it makes `waitid(P_PIDFD)` on the fd fail with
    /// `EAGAIN` instead of blocking; nothing of the module's pidfds blocks, so there it only
    /// shows in `F_GETFL` ([`PidFd::is_nonblocking`]). It changes none of this crate's calls,
    /// which wait with `poll(2)` and ask `waitid(2)` with `WNOHANG`.
    pub fn nonblocking(&mut self, nonblocking: bool) -> &mut OpenOptions {
        self.nonblocking = nonblocking;
        self
    }

    /// Opens with `backend`, instead of the module if `/dev/pidfd_open` opens and natively
    /// otherwise.
    pub fn backend(&mut self, backend: Backend) -> &mut OpenOptions {
        self.backend = Some(backend);
        self
    }

    /// Opens a pidfd for the process (or with [`thread`](OpenOptions::thread), the thread)
    /// `pid`, a number in the caller's pid namespace.
    ///
    /// # Errors
    ///
    /// `EINVAL` if `pid` is 0 or above `i32::MAX`; `ESRCH` if no process (thread) has that
    /// number; `ENOENT`, without [`thread`](OpenOptions::thread), if it is a thread that is
    /// not a thread-group leader. Zombies can be opened. Natively before Linux 6.9, and with a
    /// module older than the flags, [`thread`](OpenOptions::thread) is `EINVAL` (and natively
    /// before 5.10, [`nonblocking`](OpenOptions::nonblocking)). Without a backend given, the
    /// error of opening `/dev/pidfd_open` other than the module's absence (see
    /// [`Backend::try_detect`]), e.g. `EACCES`; with [`Backend::Module`], any error of opening
    /// it (`ENOENT` when the module is not loaded, `ENODEV` when what opens there is not the
    /// `pidfd_open` device).
    pub fn open(&self, pid: u32) -> io::Result<PidFd> {
        let pid = i32::try_from(pid)
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| native::err(Errno::INVAL))?;
        let backend = match self.backend {
            Some(backend) => backend,
            None => Backend::try_detect()?,
        };
        let fd = match backend {
            Backend::Module => {
                let mut flags = 0;
                if self.thread {
                    flags |= uapi::PIDFD_OPEN_THREAD;
                }
                if self.nonblocking {
                    flags |= uapi::PIDFD_OPEN_NONBLOCK;
                }
                module::open(pid, flags)?
            }
            Backend::Native => {
                let mut flags = PidfdFlags::empty();
                if self.thread {
                    // PIDFD_THREAD, which rustix does not name: O_EXCL.
                    flags |= PidfdFlags::from_bits_retain(uapi::PIDFD_OPEN_THREAD);
                }
                if self.nonblocking {
                    flags |= PidfdFlags::NONBLOCK;
                }
                native::open(pid, flags)?
            }
        };
        PidFd::new(fd, backend)
    }
}

/// An owned pidfd: a file descriptor that refers to one process for as long as it is open,
/// whatever happens to the process's pid number.
///
/// It is either a pidfd of the `pidfd_open` module ([`Backend::Module`]) or a native one
/// ([`Backend::Native`]); [`backend()`](PidFd::backend) tells which, and every method uses
/// the calls that fit it. The fd is close-on-exec, and closed on drop.
///
/// # Examples
///
/// Find the `/proc` directory of a child, and get a pidfd back from it:
///
/// ```
/// use std::fs::File;
/// use std::io::Read;
/// use std::time::Duration;
///
/// use pidfd_open::PidFd;
///
/// # fn main() -> std::io::Result<()> {
/// let mut child = std::process::Command::new("sleep").arg("60").spawn()?;
/// let pid = child.id();
/// let pidfd = PidFd::open(pid)?;
///
/// let dir = pidfd.to_proc_dir(File::open("/proc")?)?;
/// let again = PidFd::from_proc_dir(&dir)?;
/// assert_eq!(again.info()?.pid, pid);
///
/// assert!(!pidfd.wait_exit(Some(Duration::from_millis(10)))?);
/// pidfd.send_signal(9)?;
/// assert!(pidfd.wait_exit(None)?);
/// child.wait()?;
///
/// // Reaped: the pidfd still refers to that process, which is gone.
/// let err = pidfd.info().unwrap_err();
/// assert_eq!(err.raw_os_error(), Some(3)); // ESRCH
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct PidFd {
    fd: OwnedFd,
    backend: Backend,
}

impl PidFd {
    /// Opens a pidfd for the process `pid` (a number in the caller's pid namespace), with the
    /// module if `/dev/pidfd_open` opens, else natively (see [`Backend::detect`]).
    ///
    /// # Errors
    ///
    /// `EINVAL` if `pid` is 0 or above `i32::MAX`; `ESRCH` if no process has that number;
    /// `ENOENT` if it is a thread that is not a thread-group leader. Zombies can be opened.
    /// The error of opening `/dev/pidfd_open` other than the module's absence (see
    /// [`Backend::try_detect`]), e.g. `EACCES`.
    pub fn open(pid: u32) -> io::Result<PidFd> {
        PidFd::open_with(pid, Backend::try_detect()?)
    }

    /// As [`open`](PidFd::open), with the given backend.
    ///
    /// # Errors
    ///
    /// As [`open`](PidFd::open); with [`Backend::Module`], also the error of opening
    /// `/dev/pidfd_open` (`ENOENT` when the module is not loaded, `ENODEV` when what opens
    /// there is not the `pidfd_open` device).
    pub fn open_with(pid: u32, backend: Backend) -> io::Result<PidFd> {
        PidFd::options().backend(backend).open(pid)
    }

    /// Opens a pidfd of the thread `tid` (any thread, not only a thread-group leader), with
    /// the module if `/dev/pidfd_open` opens, else natively: as
    /// [`options()`](PidFd::options)`.thread(true).open(tid)`, which see.
    ///
    /// Its default signal scope is the thread, which the module does not offer: to signal
    /// one thread, open it with [`Backend::Native`] (see [`SignalScope`]).
    ///
    /// # Errors
    ///
    /// As [`OpenOptions::open`]: `ESRCH` once the thread has been released; natively before
    /// Linux 6.9, `EINVAL`.
    pub fn open_thread(tid: u32) -> io::Result<PidFd> {
        PidFd::options().thread(true).open(tid)
    }

    /// An [`OpenOptions`] that opens what [`open`](PidFd::open) does, until told otherwise:
    /// a thread pidfd, a nonblocking one, one of a given backend.
    pub fn options() -> OpenOptions {
        OpenOptions::new()
    }

    /// A pidfd for the child process `child`, with the module if `/dev/pidfd_open` opens,
    /// else natively, as [`open`](PidFd::open)`(child.id())`, checked to be an unreaped child
    /// of the caller (`waitid(P_PID, WNOHANG | WNOWAIT)`, which reaps nothing).
    ///
    /// An unreaped child keeps its number, so the pidfd is that child's, unless `child` has
    /// already been waited for ([`Child::wait`](std::process::Child::wait), a `try_wait` that
    /// returned its status, `wait_with_output`): std keeps the number after that, and it may
    /// belong to another process by then, a child of the caller's too.
    ///
    /// # Errors
    ///
    /// As [`open`](PidFd::open): `ESRCH` once the child has been reaped; `ECHILD` if the
    /// process with that number is not a child of the caller.
    pub fn from_child(child: &std::process::Child) -> io::Result<PidFd> {
        let pidfd = PidFd::open(child.id())?;
        // `open` checked the number: positive, at most i32::MAX.
        let pid = Pid::from_raw(child.id() as i32).ok_or_else(|| native::err(Errno::INVAL))?;
        rustix::process::waitid(
            WaitId::Pid(pid),
            WaitIdOptions::EXITED | WaitIdOptions::NOHANG | WaitIdOptions::NOWAIT,
        )?;
        Ok(pidfd)
    }

    /// A pidfd for exactly the process that the `/proc/<pid>` directory `dir` was opened for
    /// (`PROCFD_TO_PIDFD`), with the module if `/dev/pidfd_open` opens, else natively.
    ///
    /// # Errors
    ///
    /// `EBADF` if `dir` is an `O_PATH` fd or not a `/proc/<pid>` directory (the proc root,
    /// `/proc/<pid>/task/<tid>`, any other file); `ESRCH` if that process has been reaped,
    /// even if its number now belongs to another process; `ENOENT` if the directory is a
    /// thread's that is not a thread-group leader. The native backend's limits are in
    /// [`to_proc_dir`](PidFd::to_proc_dir).
    ///
    /// The error of opening `/dev/pidfd_open` other than the module's absence (see
    /// [`Backend::try_detect`]).
    pub fn from_proc_dir(dir: impl AsFd) -> io::Result<PidFd> {
        PidFd::from_proc_dir_with(dir, Backend::try_detect()?)
    }

    /// As [`from_proc_dir`](PidFd::from_proc_dir), with the given backend: the pidfd is of
    /// that backend.
    ///
    /// # Errors
    ///
    /// As [`from_proc_dir`](PidFd::from_proc_dir).
    pub fn from_proc_dir_with(dir: impl AsFd, backend: Backend) -> io::Result<PidFd> {
        let fd = match backend {
            Backend::Module => module::from_proc_dir(dir.as_fd())?,
            Backend::Native => native::from_proc_dir(dir.as_fd())?,
        };
        PidFd::new(fd, backend)
    }

    /// The `/proc/<n>` directory of this pidfd's process in the procfs mount whose root is
    /// `proc_root` (`PIDFD_TO_PROCFD`), `n` being its number in that mount's pid namespace.
    /// Opened `O_RDONLY | O_DIRECTORY | O_CLOEXEC`, as [`backend()`](PidFd::backend) does it.
    ///
    /// # Errors
    ///
    /// `EBADF` if `proc_root` is an `O_PATH` fd; `EINVAL` if it is not the root directory of a
    /// procfs mount; `ESRCH` if the process has been reaped or has no number in that mount's
    /// pid namespace — never the directory of a process that got the number later; else the
    /// error of opening `/proc/<n>` (e.g. `ENOENT` under `hidepid`).
    ///
    /// [`Backend::Native`] reads the number through `<proc_root>/self`, so it needs the
    /// calling process to be visible in the mount's pid namespace (its own or an ancestor's);
    /// through any other mount it fails with `EREMOTE`. The module has no such limit.
    pub fn to_proc_dir(&self, proc_root: impl AsFd) -> io::Result<OwnedFd> {
        self.to_proc_dir_with(proc_root, self.backend)
    }

    /// As [`to_proc_dir`](PidFd::to_proc_dir), translating with the given backend whatever
    /// kind of pidfd this is: the module takes native pidfds too, and the native idiom works
    /// on module pidfds.
    ///
    /// # Errors
    ///
    /// As [`to_proc_dir`](PidFd::to_proc_dir); with [`Backend::Module`], also the error of
    /// opening `/dev/pidfd_open`.
    pub fn to_proc_dir_with(&self, proc_root: impl AsFd, backend: Backend) -> io::Result<OwnedFd> {
        let pidfd = self.fd.as_fd();
        match backend {
            Backend::Module => module::to_proc_dir(pidfd, proc_root.as_fd()),
            Backend::Native => {
                native::to_proc_dir(pidfd, || probe(pidfd, self.backend), proc_root.as_fd())
            }
        }
    }

    /// Sends signal `sig` to the process, as `pidfd_send_signal(pidfd, sig, NULL, 0)`: it can
    /// only reach this process, never one that reused its number. `sig` 0 sends nothing and
    /// checks that the process is unreaped and may be signalled.
    ///
    /// Like `kill(2)`, it sends any number it is given: signals that the C library keeps for
    /// itself are the caller's to avoid.
    ///
    /// It is [`send_signal_to`](PidFd::send_signal_to)`(sig, SignalScope::Default)`: on a
    /// thread pidfd, to its thread, which the module does not offer (`EOPNOTSUPP`; see
    /// [`SignalScope`]).
    ///
    /// # Errors
    ///
    /// `ESRCH` once the process has been reaped; `EINVAL` for an invalid signal number or a
    /// process outside the caller's pid namespace and its descendants; `EPERM` if the caller
    /// may not signal it; `EOPNOTSUPP` on a thread pidfd of the module.
    pub fn send_signal(&self, sig: i32) -> io::Result<()> {
        self.send_signal_to(sig, SignalScope::Default)
    }

    /// Sends signal `sig` to `scope`: the pidfd's thread, its thread group or the process
    /// group its process leads, as `pidfd_send_signal(pidfd, sig, NULL, scope.flags())`, or
    /// the module's `PIDFD_IOC_SEND_SIGNAL` with the same flags. `sig` 0 sends nothing and
    /// checks what a signal would.
    ///
    /// ```no_run
    /// use pidfd_open::{PidFd, SignalScope};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// # let tid = 0;
    /// // One thread: natively (Linux 6.9), the module has no thread scope.
    /// let thread = PidFd::options().thread(true).backend(pidfd_open::Backend::Native).open(tid)?;
    /// thread.send_signal_to(10, SignalScope::Thread)?; // SIGUSR1 to that thread alone
    /// // Its whole process, on either backend.
    /// thread.send_signal_to(15, SignalScope::ThreadGroup)?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`send_signal`](PidFd::send_signal); with [`SignalScope::ProcessGroup`], `ESRCH` if
    /// the process leads no process group and `EPERM` if any member may not be signalled.
    /// On the module's pidfds the thread scope ([`SignalScope::Thread`], or
    /// [`SignalScope::Default`] on a thread pidfd) is `EOPNOTSUPP` (contract, section 9):
    /// a native pidfd of the thread does it. Natively before Linux 6.9 every scope but
    /// [`SignalScope::Default`] is `EINVAL`.
    pub fn send_signal_to(&self, sig: i32, scope: SignalScope) -> io::Result<()> {
        send_signal(self.fd.as_fd(), self.backend, sig, scope)
    }

    /// Whether this is a pidfd of one thread ([`OpenOptions::thread`]): `O_EXCL` (native's
    /// `PIDFD_THREAD`) in its `F_GETFL`, on both backends.
    ///
    /// # Errors
    ///
    /// The error of `fcntl(2)`.
    pub fn is_thread(&self) -> io::Result<bool> {
        Ok(rustix::fs::fcntl_getfl(&self.fd)?.contains(OFlags::EXCL))
    }

    /// Whether the pidfd is `O_NONBLOCK` ([`OpenOptions::nonblocking`], or set later with
    /// `fcntl(F_SETFL)`).
    ///
    /// # Errors
    ///
    /// The error of `fcntl(2)`.
    pub fn is_nonblocking(&self) -> io::Result<bool> {
        Ok(rustix::fs::fcntl_getfl(&self.fd)?.contains(OFlags::NONBLOCK))
    }

    /// The process's pids, credentials and cgroup id.
    ///
    /// # Errors
    ///
    /// `ESRCH` once the process has been reaped; `EREMOTE` if it is outside the caller's
    /// pid-namespace tree; natively, `ENOTTY` on kernels before 6.13 (no `PIDFD_GET_INFO`).
    pub fn info(&self) -> io::Result<PidInfo> {
        Ok(get_info(self.fd.as_fd(), self.backend, 0)?.into())
    }

    /// The process's exit status, if it has exited and the status is to be had now; `None`
    /// while it runs, and when there is none to be had. Does not block, reaps nothing.
    ///
    /// For a thread pidfd, the thread's own status (0 for a thread that returned or called
    /// `pthread_exit`), once the kernel has released the thread, shortly after it exited.
    ///
    /// The status comes from `PIDFD_GET_INFO` with `PIDFD_INFO_EXIT`, which the kernel
    /// answers once the process has been reaped (Linux 6.15, and the module; a module built
    /// against the first header reports no exit information), and for a zombie child of the
    /// caller from `waitid(WEXITED | WNOHANG | WNOWAIT)`, which leaves it a zombie.
    ///
    /// # Errors
    ///
    /// The error of `poll(2)`, `PIDFD_GET_INFO` or `waitid(2)` other than those that mean
    /// there is no status to be had (`ESRCH`, `ENOTTY`, `EREMOTE`, `ECHILD`).
    pub fn exit_status(&self) -> io::Result<Option<ExitStatus>> {
        Ok(match exit_state(self.fd.as_fd(), self.backend)? {
            ExitState::Status(status) => Some(status),
            ExitState::Running | ExitState::AwaitingReap | ExitState::Unknown => None,
        })
    }

    /// Waits until the process has exited (its whole thread group: a zombie or reaped; for a
    /// thread pidfd, its thread), at most `timeout` if one is given. Returns `true` if it has
    /// exited, `false` on timeout.
    ///
    /// `Some(Duration::ZERO)` only checks. Does not reap the process.
    ///
    /// # Errors
    ///
    /// The error of `poll(2)`, which retries after `EINTR`.
    pub fn wait_exit(&self, timeout: Option<Duration>) -> io::Result<bool> {
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        loop {
            let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            let left = left.map(|d| Timespec {
                tv_sec: d.as_secs().try_into().unwrap_or(i64::MAX),
                tv_nsec: d.subsec_nanos().into(),
            });
            let mut fds = [PollFd::new(&self.fd, PollFlags::IN)];
            match rustix::event::poll(&mut fds, left.as_ref()) {
                Ok(0) => return Ok(false),
                Ok(_) if fds[0].revents().contains(PollFlags::NVAL) => {
                    return Err(native::err(Errno::BADF))
                }
                Ok(_) => return Ok(true),
                Err(Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Which kind of pidfd this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Another `PidFd` for the same process (`F_DUPFD_CLOEXEC`).
    ///
    /// # Errors
    ///
    /// The error of `fcntl(2)`, e.g. `EMFILE`.
    pub fn try_clone(&self) -> io::Result<PidFd> {
        PidFd::new(self.fd.try_clone()?, self.backend)
    }

    fn new(fd: OwnedFd, backend: Backend) -> io::Result<PidFd> {
        Ok(PidFd { fd, backend })
    }
}

#[cfg(feature = "tokio")]
impl PidFd {
    /// The owned future of the process's exit status, on tokio's reactor: `'static` and
    /// `Send`, so `tokio::spawn` takes it; it holds this pidfd's one fd, duplicates none.
    /// See [`Exit`] for what it resolves to and when, and for its cancel safety.
    pub fn into_exit(self) -> Exit {
        Exit::new(self)
    }

    /// Completes once the process has exited (a zombie or reaped), on tokio's reactor: the
    /// pidfd becomes readable then. Does not reap the process, and gives no exit status:
    /// [`into_exit`](PidFd::into_exit) does, and holds no second fd.
    ///
    /// Each call registers a duplicate of the fd, so calls may run concurrently.
    ///
    /// # Errors
    ///
    /// The error of duplicating the fd or of registering it with the reactor.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime with I/O enabled, as
    /// [`tokio::io::unix::AsyncFd::register_with_interest`].
    pub async fn exited(&self) -> io::Result<()> {
        let fd = sys::async_fd(self.fd.try_clone()?)?;
        loop {
            let mut guard = fd.readable().await?;
            if self.wait_exit(Some(Duration::ZERO))? {
                return Ok(());
            }
            guard.clear_ready();
        }
    }
}

impl TryFrom<OwnedFd> for PidFd {
    type Error = io::Error;

    /// Takes an fd that is a pidfd: a native one (pidfs, or an anonymous inode before Linux
    /// 6.9) or one of the module's. Any other fd fails with `EINVAL` (`EBADF` for `O_PATH`)
    /// and is closed.
    ///
    /// Before Linux 6.9 telling the two anonymous-inode kinds apart reads
    /// `/proc/self/fd/<fd>`, so needs `/proc` mounted.
    fn try_from(fd: OwnedFd) -> io::Result<PidFd> {
        let backend = native::classify(fd.as_fd())?;
        PidFd::new(fd, backend)
    }
}

impl AsFd for PidFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for PidFd {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl IntoRawFd for PidFd {
    fn into_raw_fd(self) -> RawFd {
        self.fd.into_raw_fd()
    }
}

impl From<PidFd> for OwnedFd {
    fn from(pidfd: PidFd) -> OwnedFd {
        pidfd.fd
    }
}

/// `PIDFD_GET_INFO` or the module's `PIDFD_IOC_GET_INFO`, as `backend` has it, with `mask`
/// asked for.
fn get_info(pidfd: BorrowedFd<'_>, backend: Backend, mask: u64) -> io::Result<uapi::PidfdOpenInfo> {
    match backend {
        Backend::Module => module::get_info(pidfd, mask),
        Backend::Native => sys::native_get_info(pidfd, mask),
    }
}

/// Where a process is on its way out, as far as its exit status goes.
#[derive(Debug)]
pub(crate) enum ExitState {
    /// It has not exited.
    Running,
    /// It has exited, and this is its status.
    Status(ExitStatus),
    /// It has exited and is a zombie of another process: the kernel records its status at
    /// the reap, and wakes the pidfd's waiters then (where `PIDFD_INFO_SUPPORTED_MASK` says
    /// it supports `PIDFD_INFO_EXIT`: natively since Linux 7.3, and the module).
    AwaitingReap,
    /// It has exited, and its status is not to be had.
    Unknown,
}

/// The wait status of a `waitid(2)` result, as `waitpid(2)` encodes it.
fn wait_status(st: &WaitIdStatus) -> Option<ExitStatus> {
    let raw = if let Some(code) = st.exit_status() {
        (code & 0xff) << 8
    } else {
        st.terminating_signal()? | if st.dumped() { 0x80 } else { 0 }
    };
    Some(ExitStatus::from_raw(raw))
}

/// Whether `e` means that the kernel has no exit status to give.
fn no_status(e: &io::Error) -> bool {
    [Errno::SRCH, Errno::NOTTY, Errno::REMOTE, Errno::CHILD]
        .iter()
        .any(|&errno| native::is(e, errno))
}

/// See [`ExitState`]. Every step asks the kernel afresh, so the answer never trails it.
pub(crate) fn exit_state(pidfd: BorrowedFd<'_>, backend: Backend) -> io::Result<ExitState> {
    let mut fds = [PollFd::new(&pidfd, PollFlags::IN)];
    loop {
        match rustix::event::poll(&mut fds, Some(&Timespec::default())) {
            Ok(0) => return Ok(ExitState::Running),
            Ok(_) if fds[0].revents().contains(PollFlags::NVAL) => {
                return Err(native::err(Errno::BADF))
            }
            Ok(_) => break,
            Err(Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    let waitid = |id: WaitId<'_>| {
        rustix::process::waitid(
            id,
            WaitIdOptions::EXITED | WaitIdOptions::NOHANG | WaitIdOptions::NOWAIT,
        )
    };
    // The module's pidfds go through `waitid(P_PID)`, which can meet a reap in between: a
    // second round then finds the status recorded at the reap, or none.
    for _ in 0..2 {
        let mask = uapi::PIDFD_INFO_EXIT | uapi::PIDFD_INFO_SUPPORTED_MASK;
        let info = match get_info(pidfd, backend, mask) {
            Ok(info) => info,
            // No PIDFD_GET_INFO (before Linux 6.13): a child of the caller still answers.
            Err(e) if native::is(&e, Errno::NOTTY) && backend == Backend::Native => {
                return Ok(match waitid(WaitId::PidFd(pidfd)) {
                    Ok(Some(st)) => wait_status(&st).map_or(ExitState::Unknown, ExitState::Status),
                    Ok(None) => ExitState::Unknown,
                    Err(e) if no_status(&e.into()) => ExitState::Unknown,
                    Err(e) => return Err(e.into()),
                });
            }
            // Reaped, by a kernel or module that records no exit status.
            Err(e) if no_status(&e) => return Ok(ExitState::Unknown),
            Err(e) => return Err(e),
        };
        if info.mask & uapi::PIDFD_INFO_EXIT != 0 {
            return Ok(ExitState::Status(ExitStatus::from_raw(info.exit_code)));
        }
        if info.mask & uapi::PIDFD_OPEN_INFO_PID == 0 {
            return Ok(ExitState::Unknown);
        }
        // A zombie. The caller's own child answers `waitid` without being reaped.
        let own = match backend {
            Backend::Native => waitid(WaitId::PidFd(pidfd)),
            // `info.pid` was the zombie's number when it was read (t0), `waitid` reads the
            // status of whichever child has it (t1), and the zombie, if still unreaped after
            // that (t2), held that number all along, so the status was its own.
            Backend::Module => match Pid::from_raw(info.pid as i32) {
                Some(pid) => waitid(WaitId::Pid(pid)),
                None => Ok(None),
            },
        };
        match own {
            Ok(Some(st)) => {
                let Some(status) = wait_status(&st) else {
                    return Ok(ExitState::Unknown);
                };
                if backend == Backend::Native {
                    return Ok(ExitState::Status(status));
                }
                match probe(pidfd, backend) {
                    Ok(()) => return Ok(ExitState::Status(status)),
                    Err(e) if native::is(&e, Errno::PERM) => return Ok(ExitState::Status(status)),
                    Err(e) if native::is(&e, Errno::SRCH) => continue,
                    Err(e) => return Err(e),
                }
            }
            Ok(None) => {}
            Err(e) if no_status(&e.into()) => {}
            Err(e) => return Err(e.into()),
        }
        let supported = info.mask & uapi::PIDFD_INFO_SUPPORTED_MASK != 0
            && info.supported_mask & uapi::PIDFD_INFO_EXIT != 0;
        return Ok(if supported {
            ExitState::AwaitingReap
        } else {
            ExitState::Unknown
        });
    }
    Ok(ExitState::Unknown)
}

/// [`PidFd::send_signal_to`] on a borrowed pidfd of `backend`.
fn send_signal(
    pidfd: BorrowedFd<'_>,
    backend: Backend,
    sig: i32,
    scope: SignalScope,
) -> io::Result<()> {
    match backend {
        Backend::Module => sys::module_send_signal(pidfd, sig, scope.flags()),
        Backend::Native => native::send_signal(pidfd, sig, scope.flags()),
    }
}

/// Signal 0 through `pidfd`: `Ok` or `EPERM` while its process (thread) is unreaped, `ESRCH`
/// once it is. A thread pidfd of the module refuses its default scope (`EOPNOTSUPP`), so it is
/// asked with the thread-group scope, which the kernel resolves through the pidfd's own pid:
/// the same answer. Natively the default scope is asked, which every kernel takes.
fn probe(pidfd: BorrowedFd<'_>, backend: Backend) -> io::Result<()> {
    match send_signal(pidfd, backend, 0, SignalScope::Default) {
        Err(e) if backend == Backend::Module && native::is(&e, Errno::OPNOTSUPP) => {
            send_signal(pidfd, backend, 0, SignalScope::ThreadGroup)
        }
        result => result,
    }
}
