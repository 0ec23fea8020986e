// SPDX-License-Identifier: GPL-2.0
//! `Backend::Module`: the ioctls of `/dev/pidfd_open`.
//!
//! The device is opened once, on first use, checked to be the `pidfd_open` misc device, and
//! kept open for the life of the process: every call reuses that one fd. An open fd of the
//! device holds the module, so `rmmod pidfd_open` fails with `EBUSY` while a program that used
//! it runs. Until the device has opened once, each call tries again, so a module loaded later
//! is found.
//!
//! # Why an fd the device returns can be trusted
//!
//! Whatever answers at `/dev/pidfd_open` gets the crate's ioctls, and the crate takes an fd it
//! returns as its own (a pidfd, closed later). A different driver at that path, or a stale node
//! whose dynamically allocated minor now belongs to another misc driver, could return any
//! number, say 0, and the crate would close stdin later. So before it is used, the opened fd is
//! checked:
//!
//! 1. It is a character device, and its `st_rdev` (from `fstat` of the open fd: the device it
//!    was opened as, not whatever the path names later) equals the `MAJOR:MINOR` in
//!    `/sys/class/misc/pidfd_open/dev`, which exists only while the `pidfd_open` module is
//!    loaded and registered.
//! 2. The sysfs file is read after the open. An open misc device pins the driver that
//!    answered it, and a misc minor belongs to one driver at a time, so if another driver had
//!    answered the open it would still hold that minor when sysfs is read, and `pidfd_open`'s
//!    number could not be equal to it.
//!
//! A mismatch or a missing sysfs file is `ENODEV`: no `pidfd_open` device at that path.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use rustix::fs::{FileType, Mode, OFlags};
use rustix::io::Errno;

use crate::native::{err, is};
use crate::sys;
use crate::uapi::{
    PidfdOpenArgs, PidfdOpenInfo, PIDFD_OPEN_INFO_SIZE_VER0, PIDFD_OPEN_INFO_SIZE_VER3,
    PIDFD_TO_PROCFD, PROCFD_TO_PIDFD,
};

/// The misc device of the `pidfd_open` module.
pub const DEVICE_PATH: &str = "/dev/pidfd_open";

/// The `MAJOR:MINOR` of the `pidfd_open` misc device, while the module is loaded.
pub(crate) const SYSFS_DEV_PATH: &str = "/sys/class/misc/pidfd_open/dev";

/// The open, checked device, and what it has told about itself.
pub(crate) struct Device {
    fd: OwnedFd,
    /// The size of `struct pidfd_open_info` that the module's `PIDFD_IOC_GET_INFO` takes:
    /// `PIDFD_OPEN_INFO_SIZE_VER3` until it has answered that one with `ENOTTY`.
    info_size: AtomicUsize,
}

static DEVICE: OnceLock<Device> = OnceLock::new();

/// Whether the error of [`device`] means that the module is not there: the only errors on
/// which [`Backend::detect`](crate::Backend::detect) and the backend-picking calls fall back
/// to the native backend.
pub(crate) fn is_absent(e: &io::Error) -> bool {
    is(e, Errno::NOENT) || is(e, Errno::NODEV) || is(e, Errno::NXIO)
}

/// The `/dev/pidfd_open` of this process: opened (`O_RDWR | O_CLOEXEC`) and checked on first
/// use, then reused.
///
/// # Errors
///
/// `ENOENT` without the device node, `ENODEV` if what opens there is not the `pidfd_open`
/// misc device (or sysfs does not say so), else the error of `open(2)` (`EACCES`, `EMFILE`,
/// ...).
pub(crate) fn device() -> io::Result<&'static Device> {
    if let Some(dev) = DEVICE.get() {
        return Ok(dev);
    }
    let fd = rustix::fs::open(DEVICE_PATH, OFlags::RDWR | OFlags::CLOEXEC, Mode::empty())?;
    check_device(fd.as_fd(), SYSFS_DEV_PATH)?;
    // A thread that got here first keeps its fd; this one's is closed.
    Ok(DEVICE.get_or_init(|| Device {
        fd,
        info_size: AtomicUsize::new(PIDFD_OPEN_INFO_SIZE_VER3),
    }))
}

/// The device, if this process has opened it.
fn device_if_open() -> Option<&'static Device> {
    DEVICE.get()
}

/// Checks that `fd` is the character device whose `MAJOR:MINOR` the sysfs file `dev_path`
/// holds (see the module comment): `ENODEV` if not, or if that file does not read.
pub(crate) fn check_device(fd: BorrowedFd<'_>, dev_path: &str) -> io::Result<()> {
    let st = rustix::fs::fstat(fd)?;
    let text = std::fs::read_to_string(dev_path).map_err(|_| err(Errno::NODEV))?;
    let numbers = text
        .trim()
        .split_once(':')
        .and_then(|(major, minor)| Some((major.parse::<u32>().ok()?, minor.parse::<u32>().ok()?)));
    let is_char = FileType::from_raw_mode(st.st_mode) == FileType::CharacterDevice;
    let rdev = (rustix::fs::major(st.st_rdev), rustix::fs::minor(st.st_rdev));
    if !is_char || numbers != Some(rdev) {
        return Err(err(Errno::NODEV));
    }
    Ok(())
}

/// `PIDFD_IOC_OPEN` with flags 0, or'ed with `PIDFD_OPEN_THREAD` and `PIDFD_OPEN_NONBLOCK`
/// as `flags` has them.
pub(crate) fn open(pid: i32, flags: u32) -> io::Result<OwnedFd> {
    sys::module_open(
        device()?.fd.as_fd(),
        PidfdOpenArgs {
            pid,
            procfd: -1,
            pidfd: -1,
            flags,
        },
    )
}

/// `PIDFD_IOC_OPEN` with `PIDFD_TO_PROCFD`: `pidfd` may be a module pidfd or a native one.
pub(crate) fn to_proc_dir(pidfd: BorrowedFd<'_>, proc_root: BorrowedFd<'_>) -> io::Result<OwnedFd> {
    sys::module_open(
        device()?.fd.as_fd(),
        PidfdOpenArgs {
            pid: -1,
            procfd: proc_root.as_raw_fd(),
            pidfd: pidfd.as_raw_fd(),
            flags: PIDFD_TO_PROCFD,
        },
    )
}

/// `PIDFD_IOC_OPEN` with `PROCFD_TO_PIDFD`.
pub(crate) fn from_proc_dir(dir: BorrowedFd<'_>) -> io::Result<OwnedFd> {
    sys::module_open(
        device()?.fd.as_fd(),
        PidfdOpenArgs {
            pid: -1,
            procfd: dir.as_raw_fd(),
            pidfd: -1,
            flags: PROCFD_TO_PIDFD,
        },
    )
}

/// `PIDFD_IOC_GET_INFO` of a module pidfd with `mask` asked for: the 88-byte command, or the
/// 64-byte one of the first header (`PIDFD_IOC_GET_INFO_VER0`) where the module answers the
/// 88-byte command with `ENOTTY` (a module built against the first header), which the open
/// device remembers. A 64-byte answer has the fields past 64 bytes zero, and no mask bit for
/// them.
pub(crate) fn get_info(pidfd: BorrowedFd<'_>, mask: u64) -> io::Result<PidfdOpenInfo> {
    let dev = device_if_open();
    let size = dev.map_or(PIDFD_OPEN_INFO_SIZE_VER3, |d| {
        d.info_size.load(Ordering::Relaxed)
    });
    if size == PIDFD_OPEN_INFO_SIZE_VER3 {
        match sys::module_get_info(pidfd, mask, PIDFD_OPEN_INFO_SIZE_VER3) {
            Err(e) if is(&e, Errno::NOTTY) => {
                if let Some(dev) = dev {
                    dev.info_size
                        .store(PIDFD_OPEN_INFO_SIZE_VER0, Ordering::Relaxed);
                }
            }
            result => return result,
        }
    }
    sys::module_get_info(pidfd, mask, PIDFD_OPEN_INFO_SIZE_VER0)
}
