// SPDX-License-Identifier: GPL-2.0
//! `Backend::Module`: the ioctls of `/dev/pidfd_open`.
//!
//! The device is opened for each call that needs it and closed after, so that a program
//! using this crate never keeps the module from being unloaded between calls.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use rustix::fs::{Mode, OFlags};

use crate::sys;
use crate::uapi::{PidfdOpenArgs, PIDFD_TO_PROCFD, PROCFD_TO_PIDFD};

/// The misc device of the `pidfd_open` module.
pub const DEVICE_PATH: &str = "/dev/pidfd_open";

/// Opens `/dev/pidfd_open` with `O_RDWR | O_CLOEXEC`.
pub(crate) fn device() -> io::Result<OwnedFd> {
    Ok(rustix::fs::open(
        DEVICE_PATH,
        OFlags::RDWR | OFlags::CLOEXEC,
        Mode::empty(),
    )?)
}

/// `PIDFD_IOC_OPEN` with flags 0.
pub(crate) fn open(dev: BorrowedFd<'_>, pid: i32) -> io::Result<OwnedFd> {
    sys::module_open(
        dev,
        PidfdOpenArgs {
            pid,
            procfd: -1,
            pidfd: -1,
            flags: 0,
        },
    )
}

/// `PIDFD_IOC_OPEN` with `PIDFD_TO_PROCFD`: `pidfd` may be a module pidfd or a native one.
pub(crate) fn to_proc_dir(pidfd: BorrowedFd<'_>, proc_root: BorrowedFd<'_>) -> io::Result<OwnedFd> {
    let dev = device()?;
    sys::module_open(
        dev.as_fd(),
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
    let dev = device()?;
    sys::module_open(
        dev.as_fd(),
        PidfdOpenArgs {
            pid: -1,
            procfd: dir.as_raw_fd(),
            pidfd: -1,
            flags: PROCFD_TO_PIDFD,
        },
    )
}
