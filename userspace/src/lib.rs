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
//! let pidfd = PidFd::open(child.id() as i32)?;
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
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec};
use rustix::io::Errno;

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
    /// [`Backend::Module`] if `/dev/pidfd_open` opens (read-write), else [`Backend::Native`].
    ///
    /// The device is opened and closed again: nothing is cached, so the answer follows the
    /// module being loaded or unloaded.
    pub fn detect() -> Backend {
        match module::device() {
            Ok(_) => Backend::Module,
            Err(_) => Backend::Native,
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
/// visible there); the credentials are mapped into the caller's user namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PidInfo {
    /// The process's pid.
    pub pid: i32,
    /// Its thread-group id (equal to `pid` for the pidfds this crate opens).
    pub tgid: i32,
    /// Its parent's pid, 0 if the parent is not visible.
    pub ppid: i32,
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
        // The kernel reports numbers that are at most PID_MAX_LIMIT (2^22), so they fit.
        let pid = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
        PidInfo {
            pid: pid(info.pid),
            tgid: pid(info.tgid),
            ppid: pid(info.ppid),
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
/// let pid = child.id() as i32;
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
    /// `EINVAL` if `pid <= 0`; `ESRCH` if no process has that number; `ENOENT` if it is a
    /// thread that is not a thread-group leader. Zombies can be opened.
    pub fn open(pid: i32) -> io::Result<PidFd> {
        match module::device() {
            Ok(dev) => PidFd::new(module::open(dev.as_fd(), pid)?, Backend::Module),
            Err(_) => PidFd::open_with(pid, Backend::Native),
        }
    }

    /// As [`open`](PidFd::open), with the given backend.
    ///
    /// # Errors
    ///
    /// As [`open`](PidFd::open); with [`Backend::Module`], also the error of opening
    /// `/dev/pidfd_open` (`ENOENT` when the module is not loaded).
    pub fn open_with(pid: i32, backend: Backend) -> io::Result<PidFd> {
        let fd = match backend {
            Backend::Module => module::open(module::device()?.as_fd(), pid)?,
            Backend::Native => native::open(pid)?,
        };
        PidFd::new(fd, backend)
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
    pub fn from_proc_dir(dir: impl AsFd) -> io::Result<PidFd> {
        PidFd::from_proc_dir_with(dir, Backend::detect())
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
                native::to_proc_dir(pidfd, || self.send_signal(0), proc_root.as_fd())
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
    /// # Errors
    ///
    /// `ESRCH` once the process has been reaped; `EINVAL` for an invalid signal number or a
    /// process outside the caller's pid namespace and its descendants; `EPERM` if the caller
    /// may not signal it.
    pub fn send_signal(&self, sig: i32) -> io::Result<()> {
        match self.backend {
            Backend::Module => sys::module_send_signal(self.fd.as_fd(), sig),
            Backend::Native => native::send_signal(self.fd.as_fd(), sig),
        }
    }

    /// The process's pids, credentials and cgroup id.
    ///
    /// # Errors
    ///
    /// `ESRCH` once the process has been reaped; `EREMOTE` if it is outside the caller's
    /// pid-namespace tree; natively, `ENOTTY` on kernels before 6.13 (no `PIDFD_GET_INFO`).
    pub fn info(&self) -> io::Result<PidInfo> {
        let info = match self.backend {
            Backend::Module => sys::module_get_info(self.fd.as_fd())?,
            Backend::Native => sys::native_get_info(self.fd.as_fd())?,
        };
        Ok(info.into())
    }

    /// Waits until the process has exited (its whole thread group: a zombie or reaped), at
    /// most `timeout` if one is given. Returns `true` if it has exited, `false` on timeout.
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
    /// Completes once the process has exited (a zombie or reaped), on tokio's reactor: the
    /// pidfd becomes readable then. Does not reap the process.
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
