// SPDX-License-Identifier: GPL-2.0

//! The ABI of `include/uapi/linux/pidfd_open.h`, mirrored for Rust.
//!
//! The sizes and ioctl numbers are pinned to the values of the project's SPEC.md below, and
//! `tests/uapi_test.c` pins the C header to the same values, so the two cannot drift apart.

use kernel::{
    ioctl::_IOW,
    transmute::{AsBytes, FromBytes},
};

/// `PIDFD_TO_PROCFD`: translate a pidfd into a `/proc/<pid>` fd.
pub(crate) const PIDFD_TO_PROCFD: u32 = 1;
/// `PROCFD_TO_PIDFD`: translate a `/proc/<pid>` fd into a pidfd.
pub(crate) const PROCFD_TO_PIDFD: u32 = 2;

const PIDFD_IOC_MAGIC: u32 = 0xB9;

/// `struct pidfd_open_args`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub(crate) struct PidfdOpenArgs {
    pub(crate) pid: i32,
    pub(crate) procfd: i32,
    pub(crate) pidfd: i32,
    pub(crate) flags: u32,
}

// SAFETY: Plain integers with no padding: every bit pattern is valid.
unsafe impl FromBytes for PidfdOpenArgs {}
// SAFETY: Plain integers with no padding: no uninitialised bytes.
unsafe impl AsBytes for PidfdOpenArgs {}

/// `PIDFD_IOC_OPEN` on `/dev/pidfd_open`: returns a new fd.
pub(crate) const PIDFD_IOC_OPEN: u32 = _IOW::<PidfdOpenArgs>(PIDFD_IOC_MAGIC, 0x01);

const _: () = {
    assert!(core::mem::size_of::<PidfdOpenArgs>() == 16);
    assert!(PIDFD_IOC_OPEN == 0x4010_b901);
};
