// SPDX-License-Identifier: GPL-2.0
//! `Backend::Native`: `pidfd_open(2)`, `pidfd_send_signal(2)`, `PIDFD_GET_INFO`, and the
//! race-free `/proc` idioms that stand in for the module's translations.
//!
//! # Why a translation can never return another process's fd
//!
//! 1. A process keeps its pid numbers, in every pid namespace, from its creation until it is
//!    reaped; only then can a number go to another process.
//! 2. So if a process `P` is unreaped at a moment `t2`, any number that was `P`'s at an
//!    earlier moment `t0` belonged to `P` during all of `[t0, t2]`.
//! 3. `to_proc_dir` reads `P`'s number `n` (t0), opens `<root>/<n>` (t1), then checks that `P`
//!    is unreaped (t2): by 2, `<n>` named `P` at t1, so the directory is `P`'s. Otherwise ESRCH.
//! 4. `from_proc_dir` reads the number `n` of the directory's process `P` (t0), opens a pidfd
//!    for `n` (t1), then checks that `P` is unreaped (t2) through the directory itself (a
//!    lookup under a reaped `/proc/<pid>` fails): by 2, the pidfd is `P`'s. Otherwise ESRCH.
//!
//! Every open below a procfs root goes through `openat2(2)` with `RESOLVE_NO_XDEV` where the
//! kernel has it (Linux 5.6; older kernels get `openat(2)`): a mount on `/proc/<n>` or below it
//! in the mount namespace of the given procfs mount fails with `EXDEV`, as the module's
//! translations do, instead of handing back whatever is mounted there.
//!
//! # Limits
//!
//! The numbers are read through the given procfs mount (`self/fdinfo`, `self/status`), so the
//! calling process must be visible in that mount's pid namespace: a mount of its own pid
//! namespace (the usual `/proc`) or of an ancestor. Through a mount of a namespace it is not
//! part of, the translations fail with `EREMOTE`. `from_proc_dir` also needs the directory's
//! process to be visible in the caller's pid namespace (else `ESRCH`, as `pidfd_open(2)`), and
//! takes `/proc/<pid>` directories opened through a procfs root: a bind mount of a
//! `/proc/<pid>` directory fails with `EBADF`. The module has none of these limits.

use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use rustix::fs::{AtFlags, FileType, FsWord, Mode, OFlags, ResolveFlags, PROC_SUPER_MAGIC};
use rustix::io::Errno;
use rustix::process::{Pid, PidfdFlags};

use crate::sys;

/// `PID_FS_MAGIC`: `f_type` of pidfs, which holds native pidfds since Linux 6.9.
pub(crate) const PID_FS_MAGIC: FsWord = 0x5049_4446;
/// `PIDFD_OPEN_FS_MAGIC`: `f_type` of the module's pidfds, on its own file system.
pub(crate) const PIDFD_OPEN_FS_MAGIC: FsWord = crate::uapi::PIDFD_OPEN_FS_MAGIC as FsWord;
/// `ANON_INODE_FS_MAGIC`: `f_type` of anonymous-inode files: module pidfds, and native
/// pidfds before Linux 6.9.
pub(crate) const ANON_INODE_FS_MAGIC: FsWord = 0x0904_1934;
/// `PROC_ROOT_INO`: the inode number of a procfs root directory.
const PROC_ROOT_INO: u64 = 1;

/// An `io::Error` for an errno.
pub(crate) fn err(errno: Errno) -> io::Error {
    io::Error::from_raw_os_error(errno.raw_os_error())
}

/// Whether `e` is the error of `errno`.
pub(crate) fn is(e: &io::Error, errno: Errno) -> bool {
    e.raw_os_error() == Some(errno.raw_os_error())
}

/// `pidfd_open(pid, flags)`: `flags` 0, or'ed with `PIDFD_THREAD` and `PIDFD_NONBLOCK`.
pub(crate) fn open(pid: i32, flags: PidfdFlags) -> io::Result<OwnedFd> {
    // `Pid::from_raw` takes only non-negative numbers.
    let pid = (pid > 0)
        .then(|| Pid::from_raw(pid))
        .flatten()
        .ok_or_else(|| err(Errno::INVAL))?;
    Ok(rustix::process::pidfd_open(pid, flags)?)
}

/// Fails with `EBADF` for an `O_PATH` fd, which the module counts as not open.
fn reject_o_path(fd: BorrowedFd<'_>) -> io::Result<()> {
    if rustix::fs::fcntl_getfl(fd)?.contains(OFlags::PATH) {
        return Err(err(Errno::BADF));
    }
    Ok(())
}

/// Whether `fd` is the root directory of a procfs mount (or of a bind mount of one).
fn is_proc_root(fd: BorrowedFd<'_>) -> io::Result<bool> {
    let fs = rustix::fs::fstatfs(fd)?;
    let st = rustix::fs::fstat(fd)?;
    Ok(fs.f_type == PROC_SUPER_MAGIC
        && st.st_ino == PROC_ROOT_INO
        && FileType::from_raw_mode(st.st_mode) == FileType::Directory)
}

/// Opens `path` under `dir` for reading. Where the kernel has `openat2(2)` (Linux 5.6), the walk
/// may not cross a mount (`RESOLVE_NO_XDEV`, and `resolve` on top): whoever can mount in the
/// namespace of `dir`'s mount cannot put another directory or file in the place of the one asked
/// for, and such a mount gives `EXDEV`, as the module does. Older kernels get `openat(2)`.
fn open_at(
    dir: BorrowedFd<'_>,
    path: &str,
    flags: OFlags,
    resolve: ResolveFlags,
) -> io::Result<OwnedFd> {
    let flags = flags | OFlags::RDONLY | OFlags::CLOEXEC;
    match rustix::fs::openat2(
        dir,
        path,
        flags,
        Mode::empty(),
        ResolveFlags::NO_XDEV | resolve,
    ) {
        Err(Errno::NOSYS) => Ok(rustix::fs::openat(dir, path, flags, Mode::empty())?),
        opened => Ok(opened?),
    }
}

/// Reads a small text file of procfs, under `dir`.
fn read_proc_file(dir: BorrowedFd<'_>, path: &str) -> io::Result<String> {
    let mut text = String::new();
    File::from(open_at(dir, path, OFlags::empty(), ResolveFlags::empty())?)
        .read_to_string(&mut text)?;
    Ok(text)
}

/// The whitespace-separated numbers of the line `key` of a procfs text file.
fn field(text: &str, key: &str) -> io::Result<Vec<i32>> {
    text.lines()
        .find_map(|line| line.strip_prefix(key))
        .ok_or_else(|| err(Errno::INVAL))?
        .split_whitespace()
        .map(|n| n.parse().map_err(|_| err(Errno::INVAL)))
        .collect()
}

/// Reads a file under `<proc_root>/self/`: `EREMOTE` when the caller is not visible in the
/// mount's pid namespace (its `self` does not resolve).
fn read_self_file(proc_root: BorrowedFd<'_>, path: &str) -> io::Result<String> {
    read_proc_file(proc_root, &format!("self/{path}")).map_err(|e| {
        if is(&e, Errno::NOENT) {
            err(Errno::REMOTE)
        } else {
            e
        }
    })
}

/// The `Pid:` of `pidfd`'s fdinfo read through `proc_root`: its number in that mount's pid
/// namespace, `-1` once reaped, `0` when it has none there. Native and module pidfds alike.
fn fdinfo_pid(proc_root: BorrowedFd<'_>, pidfd: BorrowedFd<'_>) -> io::Result<i32> {
    let text = read_self_file(proc_root, &format!("fdinfo/{}", pidfd.as_raw_fd()))?;
    field(&text, "Pid:")?
        .first()
        .copied()
        .ok_or_else(|| err(Errno::INVAL))
}

/// `PIDFD_TO_PROCFD` by the idiom: see the module comment, step 3.
///
/// `probe` sends signal 0 through `pidfd` (with the pidfd's own backend): `Ok` or `EPERM`
/// means unreaped, `ESRCH` reaped.
pub(crate) fn to_proc_dir(
    pidfd: BorrowedFd<'_>,
    probe: impl Fn() -> io::Result<()>,
    proc_root: BorrowedFd<'_>,
) -> io::Result<OwnedFd> {
    reject_o_path(proc_root)?;
    if !is_proc_root(proc_root)? {
        return Err(err(Errno::INVAL));
    }
    // t0: -1 once reaped, 0 when the process has no number in that mount's namespace.
    let n = fdinfo_pid(proc_root, pidfd)?;
    if n <= 0 {
        return Err(err(Errno::SRCH));
    }
    // t1. No symlink either: `<n>` is a directory, never a link to one.
    let dir = open_at(
        proc_root,
        &n.to_string(),
        OFlags::DIRECTORY,
        ResolveFlags::NO_SYMLINKS,
    );
    // t2: the pidfd's process still holds `n`, so `dir` (or its error) is that process's.
    let unreaped = match probe() {
        Ok(()) => true,
        Err(e) if is(&e, Errno::PERM) => true,
        Err(e) if is(&e, Errno::SRCH) => false,
        // The probe cannot tell (e.g. a target outside the caller's namespaces): re-read.
        Err(_) => fdinfo_pid(proc_root, pidfd)? == n,
    };
    if !unreaped {
        return Err(err(Errno::SRCH));
    }
    dir
}

/// Whether the process that the `/proc/<pid>` directory `dir` was opened for has been reaped:
/// a lookup under such a directory fails once it is.
fn dir_reaped(dir: BorrowedFd<'_>) -> io::Result<bool> {
    match rustix::fs::statat(dir, "stat", AtFlags::SYMLINK_NOFOLLOW) {
        Ok(_) => Ok(false),
        Err(Errno::NOENT | Errno::SRCH) => Ok(true),
        Err(e) => Err(e.into()),
    }
}

/// `e`, unless the directory's process has been reaped, which decides: `ESRCH`.
fn reaped_or(dir: BorrowedFd<'_>, e: io::Error) -> io::Error {
    match dir_reaped(dir) {
        Ok(true) => err(Errno::SRCH),
        Ok(false) => e,
        Err(e2) => e2,
    }
}

/// The number in the name of the `/proc/<pid>` directory `dir`, whose parent `proc_root` is,
/// read from the fd's link in `<proc_root>/self/fd/`.
fn dir_number(proc_root: BorrowedFd<'_>, dir: BorrowedFd<'_>) -> io::Result<i32> {
    let link = rustix::fs::readlinkat(
        proc_root,
        format!("self/fd/{}", dir.as_raw_fd()),
        Vec::new(),
    )
    .map_err(|e| {
        if e == Errno::NOENT {
            err(Errno::REMOTE)
        } else {
            e.into()
        }
    })?;
    let path = link.to_bytes();
    // The dentry of a reaped process's directory is unhashed, which d_path() reports.
    let path = path.strip_suffix(b" (deleted)").unwrap_or(path);
    let name = path.rsplit(|&b| b == b'/').next().unwrap_or_default();
    if name.is_empty() || !name.iter().all(u8::is_ascii_digit) {
        return Err(err(Errno::BADF));
    }
    std::str::from_utf8(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&n| n > 0)
        .ok_or_else(|| err(Errno::BADF))
}

/// The error for a procfs directory `dir` (whose `fstat` is `st`) under which lookups fail,
/// its process having been reaped: `ESRCH` if it is a `/proc/<pid>` directory, else `EBADF`,
/// as the module checks the kind of directory first. Its path, from `/proc/self/fd`, tells:
/// a numeric name under a procfs root that the caller can open (a parent that does not
/// open died too, so is no root). When `/proc/self/fd` cannot be read, `ESRCH`.
fn reaped_dir_error(dir: BorrowedFd<'_>, st: &rustix::fs::Stat) -> io::Error {
    let Ok(link) = rustix::fs::readlink(format!("/proc/self/fd/{}", dir.as_raw_fd()), Vec::new())
    else {
        return err(Errno::SRCH);
    };
    let path = link.to_bytes();
    let path = path.strip_suffix(b" (deleted)").unwrap_or(path);
    let Some(slash) = path.iter().rposition(|&b| b == b'/') else {
        return err(Errno::SRCH);
    };
    let (parent, name) = (&path[..slash.max(1)], &path[slash + 1..]);
    let numeric = !name.is_empty() && name.iter().all(u8::is_ascii_digit);
    let parent_is_root = std::str::from_utf8(parent)
        .ok()
        .and_then(|p| rustix::fs::open(p, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty()).ok())
        .and_then(|fd| rustix::fs::fstat(fd).ok())
        .is_some_and(|p| p.st_dev == st.st_dev && p.st_ino == PROC_ROOT_INO);
    if numeric && parent_is_root {
        err(Errno::SRCH)
    } else {
        err(Errno::BADF)
    }
}

/// `PROCFD_TO_PIDFD` by the idiom: see the module comment, step 4.
pub(crate) fn from_proc_dir(dir: BorrowedFd<'_>) -> io::Result<OwnedFd> {
    reject_o_path(dir)?;
    // `dir` must be a directory of procfs other than its root, whose parent is the root, and
    // whose name is a number: a `/proc/<pid>` directory, not `/proc/<pid>/task/<tid>`,
    // `/proc/sys` or the root itself.
    let fs = rustix::fs::fstatfs(dir)?;
    let st = rustix::fs::fstat(dir)?;
    if fs.f_type != PROC_SUPER_MAGIC
        || FileType::from_raw_mode(st.st_mode) != FileType::Directory
        || st.st_ino == PROC_ROOT_INO
    {
        return Err(err(Errno::BADF));
    }
    let proc_root = match open_at(dir, "..", OFlags::DIRECTORY, ResolveFlags::empty()) {
        Ok(fd) => fd,
        // `dir` is the root of a mount of its own (a bind mount of a `/proc/<pid>` directory).
        Err(e) if is(&e, Errno::XDEV) => return Err(err(Errno::BADF)),
        // A lookup under the directory of a reaped process fails.
        Err(e) if is(&e, Errno::SRCH) || is(&e, Errno::NOENT) => {
            return Err(reaped_dir_error(dir, &st))
        }
        Err(e) => return Err(e),
    };
    let root_st = rustix::fs::fstat(&proc_root)?;
    if root_st.st_dev != st.st_dev || root_st.st_ino != PROC_ROOT_INO {
        return Err(err(Errno::BADF));
    }
    let proc_root = proc_root.as_fd();
    // t0: the number in the mount's namespace, then in the caller's.
    let n_mount = dir_number(proc_root, dir)?;
    let own_levels = field(&read_self_file(proc_root, "status")?, "NSpid:")?.len();
    let n = if own_levels <= 1 {
        // The mount is of the caller's own pid namespace.
        n_mount
    } else {
        // The mount is of an ancestor namespace: NSpid, read through it, lists the numbers
        // from its level down, and the caller's level is at `own_levels - 1`.
        let levels = read_proc_file(dir, "status")
            .and_then(|text| field(&text, "NSpid:"))
            .map_err(|e| reaped_or(dir, e))?;
        match levels.get(own_levels - 1) {
            Some(&n) => n,
            None => return Err(err(Errno::SRCH)),
        }
    };
    // t1: ENOENT for a thread that is not a thread-group leader, as the module.
    let pidfd = open(n, PidfdFlags::empty()).map_err(|e| reaped_or(dir, e))?;
    if own_levels > 1 && fdinfo_pid(proc_root, pidfd.as_fd())? != n_mount {
        // Numbered `n` in the caller's namespace, but not the directory's process.
        return Err(reaped_or(dir, err(Errno::SRCH)));
    }
    // t2.
    if dir_reaped(dir)? {
        return Err(err(Errno::SRCH));
    }
    Ok(pidfd)
}

/// `pidfd_send_signal(pidfd, sig, NULL, flags)`: `flags` 0 or one `PIDFD_SIGNAL_*` scope.
pub(crate) fn send_signal(pidfd: BorrowedFd<'_>, sig: i32, flags: u32) -> io::Result<()> {
    sys::native_send_signal(pidfd, sig, flags)
}

/// The kind of pidfd `fd` is: [`Backend::Module`](crate::Backend::Module) for a file of the
/// module's file system, [`Backend::Native`](crate::Backend::Native) for a pidfs file or an
/// anonymous-inode pidfd that `pidfd_send_signal(2)` takes (kernels before 6.9), else
/// [`Backend::Module`](crate::Backend::Module) for an anonymous-inode pidfd (the module before
/// it had a file system of its own); `EINVAL` for any other file, `EBADF` for an `O_PATH` fd.
pub(crate) fn classify(fd: BorrowedFd<'_>) -> io::Result<crate::Backend> {
    reject_o_path(fd)?;
    let fs = rustix::fs::fstatfs(fd)?;
    if fs.f_type == PIDFD_OPEN_FS_MAGIC {
        return Ok(crate::Backend::Module);
    }
    if fs.f_type == PID_FS_MAGIC {
        return Ok(crate::Backend::Native);
    }
    if fs.f_type != ANON_INODE_FS_MAGIC {
        return Err(err(Errno::INVAL));
    }
    let link = rustix::fs::readlink(format!("/proc/self/fd/{}", fd.as_raw_fd()), Vec::new())?;
    if link.to_bytes() != b"anon_inode:[pidfd]" {
        return Err(err(Errno::INVAL));
    }
    // The native syscalls refuse the module's pidfds with EBADF (not theirs); a native pidfd
    // gets any other answer: 0, EPERM, ESRCH or EINVAL.
    match send_signal(fd, 0, 0) {
        Err(e) if is(&e, Errno::BADF) => Ok(crate::Backend::Module),
        _ => Ok(crate::Backend::Native),
    }
}
