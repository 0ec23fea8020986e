// SPDX-License-Identifier: GPL-2.0

//! The ABI of `include/uapi/linux/pidfd_open.h`, mirrored for Rust.
//!
//! The sizes and ioctl numbers are pinned below to the values of the contract
//! (`Documentation/contract.md`), and `tests/uapi_test.c` pins the C header to the same values,
//! so the two cannot drift apart.

use kernel::{
    ioctl::{
        _IOW,
        _IOWR, //
    },
    transmute::{
        AsBytes,
        FromBytes, //
    },
    uaccess::{
        UserPtr,
        UserSlice, //
    },
};

/// `PIDFD_TO_PROCFD`: translate a pidfd into a `/proc/<pid>` fd.
pub(crate) const PIDFD_TO_PROCFD: u32 = 1;
/// `PROCFD_TO_PIDFD`: translate a `/proc/<pid>` fd into a pidfd.
pub(crate) const PROCFD_TO_PIDFD: u32 = 2;

/// `PIDFD_OPEN_FS_MAGIC`: `statfs(2)`'s `f_type` of the module's pidfds.
pub(crate) const PIDFD_OPEN_FS_MAGIC: u32 = 0x7066_6f70;

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

/// `struct pidfd_signal_args`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub(crate) struct PidfdSignalArgs {
    pub(crate) sig: i32,
    pub(crate) flags: u32,
}

// SAFETY: Plain integers with no padding: every bit pattern is valid.
unsafe impl FromBytes for PidfdSignalArgs {}
// SAFETY: Plain integers with no padding: no uninitialised bytes.
unsafe impl AsBytes for PidfdSignalArgs {}

/// `struct pidfd_open_info`: the first published `struct pidfd_info`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub(crate) struct PidfdOpenInfo {
    pub(crate) mask: u64,
    pub(crate) cgroupid: u64,
    pub(crate) pid: u32,
    pub(crate) tgid: u32,
    pub(crate) ppid: u32,
    pub(crate) ruid: u32,
    pub(crate) rgid: u32,
    pub(crate) euid: u32,
    pub(crate) egid: u32,
    pub(crate) suid: u32,
    pub(crate) sgid: u32,
    pub(crate) fsuid: u32,
    pub(crate) fsgid: u32,
    pub(crate) exit_code: i32,
}

// SAFETY: Plain integers with no padding: every bit pattern is valid.
unsafe impl FromBytes for PidfdOpenInfo {}
// SAFETY: Plain integers with no padding: no uninitialised bytes.
unsafe impl AsBytes for PidfdOpenInfo {}

/// `PIDFD_OPEN_INFO_PID`: `pid`, `tgid` and `ppid` are filled.
pub(crate) const PIDFD_OPEN_INFO_PID: u64 = 1 << 0;
/// `PIDFD_OPEN_INFO_CREDS`: the credentials are filled.
pub(crate) const PIDFD_OPEN_INFO_CREDS: u64 = 1 << 1;
/// `PIDFD_OPEN_INFO_CGROUPID`: `cgroupid` is filled.
#[cfg(CONFIG_CGROUPS)]
pub(crate) const PIDFD_OPEN_INFO_CGROUPID: u64 = 1 << 2;

/// `PIDFD_IOC_OPEN` on `/dev/pidfd_open`: returns a new fd.
pub(crate) const PIDFD_IOC_OPEN: u32 = _IOW::<PidfdOpenArgs>(PIDFD_IOC_MAGIC, 0x01);
/// `PIDFD_IOC_SEND_SIGNAL` on a pidfd of this module.
pub(crate) const PIDFD_IOC_SEND_SIGNAL: u32 = _IOW::<PidfdSignalArgs>(PIDFD_IOC_MAGIC, 0x02);
/// `PIDFD_IOC_GET_INFO` on a pidfd of this module.
pub(crate) const PIDFD_IOC_GET_INFO: u32 = _IOWR::<PidfdOpenInfo>(PIDFD_IOC_MAGIC, 0x03);

const _: () = {
    assert!(core::mem::size_of::<PidfdOpenArgs>() == 16);
    assert!(core::mem::size_of::<PidfdSignalArgs>() == 8);
    assert!(core::mem::size_of::<PidfdOpenInfo>() == 64);
    assert!(PIDFD_IOC_OPEN == 0x4010_b901);
    assert!(PIDFD_IOC_SEND_SIGNAL == 0x4008_b902);
    assert!(PIDFD_IOC_GET_INFO == 0xc040_b903);
};

/// The user memory an ioctl's argument of type `T` points to.
pub(crate) fn user_arg<T>(arg: usize) -> UserSlice {
    UserSlice::new(UserPtr::from_addr(arg), size_of::<T>())
}
