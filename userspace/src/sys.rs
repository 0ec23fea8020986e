// SPDX-License-Identifier: GPL-2.0
//! Every `unsafe` call of the crate: the ioctls of `/dev/pidfd_open` and its pidfds, the
//! native `PIDFD_GET_INFO`, `pidfd_send_signal(2)` with a raw signal number, and the
//! registration of a pidfd with tokio's reactor.
//!
//! Each function is safe to call: the ioctl numbers encode the size of the one argument they
//! pass, and that argument is a `repr(C)` struct whose layout `uapi` pins to the C header.
//! The one exception, the 64-byte `PIDFD_IOC_GET_INFO_VER0` of an older module, passes the
//! 88-byte `PidfdOpenInfo`, whose first 64 bytes are the struct that command announces.
//! The callers check what kind of file they pass (`PidFd` only holds pidfds), but a wrong fd
//! is no memory hazard either: a driver that did not know the number would fail it with
//! `ENOTTY`, and the pointer it got covers at least the size the number announces.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use rustix::ioctl::{self, Ioctl, IoctlOutput, Opcode, Setter, Updater};

use crate::uapi::{
    PidfdOpenArgs, PidfdOpenInfo, PidfdSignalArgs, PIDFD_GET_INFO, PIDFD_IOC_GET_INFO,
    PIDFD_IOC_GET_INFO_VER0, PIDFD_IOC_OPEN, PIDFD_IOC_SEND_SIGNAL, PIDFD_OPEN_INFO_SIZE_VER0,
    PIDFD_OPEN_INFO_SIZE_VER3,
};

/// `PIDFD_IOC_OPEN`: an `_IOW` ioctl whose return value is a new fd.
struct OpenIoctl {
    args: PidfdOpenArgs,
}

// SAFETY: `PIDFD_IOC_OPEN` reads one `struct pidfd_open_args`, which `as_ptr` points to and
// `uapi` lays out as the header does; the kernel does not write to it (`IS_MUTATING` false);
// and a non-negative result is a new fd that nothing else owns.
unsafe impl Ioctl for OpenIoctl {
    type Output = OwnedFd;

    const IS_MUTATING: bool = false;

    fn opcode(&self) -> Opcode {
        PIDFD_IOC_OPEN
    }

    fn as_ptr(&mut self) -> *mut core::ffi::c_void {
        (&mut self.args as *mut PidfdOpenArgs).cast()
    }

    unsafe fn output_from_ptr(
        out: IoctlOutput,
        _extract_output: *mut core::ffi::c_void,
    ) -> rustix::io::Result<OwnedFd> {
        // SAFETY: rustix turns negative results into errors, so `out` is the new fd the module
        // installed for this process, owned by no one else yet.
        Ok(unsafe { OwnedFd::from_raw_fd(out) })
    }
}

/// `ioctl(dev, PIDFD_IOC_OPEN, &args)`: a new pidfd or `/proc/<pid>` directory fd.
pub(crate) fn module_open(dev: BorrowedFd<'_>, args: PidfdOpenArgs) -> io::Result<OwnedFd> {
    // SAFETY: `OpenIoctl` passes a `pidfd_open_args` under the number that announces one.
    Ok(unsafe { ioctl::ioctl(dev, OpenIoctl { args }) }?)
}

/// `ioctl(pidfd, PIDFD_IOC_SEND_SIGNAL, &{ sig, flags, 0 })`: the 16-byte structure.
pub(crate) fn module_send_signal(pidfd: BorrowedFd<'_>, sig: i32, flags: u32) -> io::Result<()> {
    let args = PidfdSignalArgs {
        sig,
        flags,
        info: 0,
    };
    // SAFETY: `PIDFD_IOC_SEND_SIGNAL` is `_IOW` of a `pidfd_signal_args`, the type passed.
    let setter = unsafe { Setter::<PIDFD_IOC_SEND_SIGNAL, PidfdSignalArgs>::new(args) };
    // SAFETY: `setter` pairs the number with the value it announces (above).
    Ok(unsafe { ioctl::ioctl(pidfd, setter) }?)
}

/// `ioctl(pidfd, OPCODE, &info)` with `info.mask = mask`, the rest 0.
///
/// # Safety
///
/// `OPCODE` is an `_IOWR` command whose size is at most that of `PidfdOpenInfo`: the kernel
/// then reads and writes only within the struct passed.
unsafe fn get_info<const OPCODE: Opcode>(
    pidfd: BorrowedFd<'_>,
    mask: u64,
) -> io::Result<PidfdOpenInfo> {
    let mut info = PidfdOpenInfo {
        mask,
        ..PidfdOpenInfo::default()
    };
    // SAFETY: `OPCODE` announces a `pidfd_open_info` (or `pidfd_info`) of at most the size of
    // `PidfdOpenInfo`, whose first bytes have that layout (the caller's promise).
    let updater = unsafe { Updater::<OPCODE, PidfdOpenInfo>::new(&mut info) };
    // SAFETY: `updater` pairs the number with a value at least as large as it announces.
    unsafe { ioctl::ioctl(pidfd, updater) }?;
    Ok(info)
}

/// The module's `ioctl(pidfd, PIDFD_IOC_GET_INFO, &info)` with `info.mask = mask`, the
/// command at `size` bytes: `PIDFD_OPEN_INFO_SIZE_VER3` (`PIDFD_IOC_GET_INFO`), or
/// `PIDFD_OPEN_INFO_SIZE_VER0` (`PIDFD_IOC_GET_INFO_VER0`, the first header's) for a module
/// that knows only that one: it writes the first 64 bytes of the same struct, and the rest
/// stays 0. `EINVAL` for any other size (the crate has no command for it).
pub(crate) fn module_get_info(
    pidfd: BorrowedFd<'_>,
    mask: u64,
    size: usize,
) -> io::Result<PidfdOpenInfo> {
    match size {
        // SAFETY: `_IOWR(0xB9, 3)` at the size of `PidfdOpenInfo`.
        PIDFD_OPEN_INFO_SIZE_VER3 => unsafe { get_info::<PIDFD_IOC_GET_INFO>(pidfd, mask) },
        // SAFETY: `_IOWR(0xB9, 3)` at 64 bytes, less than the size of `PidfdOpenInfo`.
        PIDFD_OPEN_INFO_SIZE_VER0 => unsafe { get_info::<PIDFD_IOC_GET_INFO_VER0>(pidfd, mask) },
        _ => Err(io::Error::from_raw_os_error(libc::EINVAL)),
    }
}

/// The native `ioctl(pidfd, PIDFD_GET_INFO, &info)` with the 88-byte struct and
/// `info.mask = mask`; kernels that know a smaller struct fill that much and zero the rest.
pub(crate) fn native_get_info(pidfd: BorrowedFd<'_>, mask: u64) -> io::Result<PidfdOpenInfo> {
    // SAFETY: `PIDFD_GET_INFO` is `_IOWR(0xFF, 11)` at the size of `PidfdOpenInfo`.
    unsafe { get_info::<PIDFD_GET_INFO>(pidfd, mask) }
}

/// `pidfd_send_signal(pidfd, sig, NULL, flags)` with any signal number, 0 included, and
/// `flags` 0 or one `PIDFD_SIGNAL_*` scope.
///
/// rustix's `Signal` cannot hold 0 or an arbitrary number, which the kernel has to see to
/// answer as it does (`EINVAL` for an invalid number).
pub(crate) fn native_send_signal(pidfd: BorrowedFd<'_>, sig: i32, flags: u32) -> io::Result<()> {
    // SAFETY: The system call takes an fd, an int, a NULL siginfo (so no memory is shared)
    // and a flags word; a signal it sends is delivered as one from kill(2) would be.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            pidfd.as_raw_fd(),
            sig,
            core::ptr::null::<libc::siginfo_t>(),
            flags,
        )
    };
    if ret < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// `fd` registered with the current tokio reactor for readability.
///
/// # Panics
///
/// Outside a tokio runtime with I/O enabled.
#[cfg(feature = "tokio")]
pub(crate) fn async_fd(fd: OwnedFd) -> io::Result<tokio::io::unix::AsyncFd<OwnedFd>> {
    use tokio::io::{unix::AsyncFd, Interest};

    // SAFETY: An `OwnedFd` is an open fd that stays open, on the same open file description,
    // until it is dropped, and its `as_raw_fd()` always returns that fd.
    Ok(unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE) }?)
}
