// SPDX-License-Identifier: GPL-2.0

//! The ABI of `include/uapi/linux/pidfd_open.h`, mirrored for Rust.
//!
//! The sizes and ioctl numbers are pinned below to the values of the contract
//! (`Documentation/contract.md`), and `tests/uapi_test.c` pins the C header to the same values,
//! so the two cannot drift apart.

use kernel::{
    ioctl::{
        _IOC_DIR,
        _IOC_NR,
        _IOC_SIZE,
        _IOC_TYPE,
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

/// `PIDFD_OPEN_THREAD`: `PIDFD_IOC_OPEN` makes a pidfd of one thread (`PIDFD_THREAD`, the value
/// of `O_EXCL`, which marks such a pidfd's file as it marks native ones).
pub(crate) const PIDFD_OPEN_THREAD: u32 = 0o200;
/// `PIDFD_OPEN_NONBLOCK`: the new pidfd is `O_NONBLOCK` (`PIDFD_NONBLOCK`).
pub(crate) const PIDFD_OPEN_NONBLOCK: u32 = 0o4000;

const _: () = {
    assert!(PIDFD_OPEN_THREAD == kernel::bindings::O_EXCL);
    assert!(PIDFD_OPEN_NONBLOCK == kernel::bindings::O_NONBLOCK);
};

/// `struct pidfd_signal_args`; binaries of the first header pass its first 8 bytes only.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub(crate) struct PidfdSignalArgs {
    pub(crate) sig: i32,
    pub(crate) flags: u32,
    pub(crate) info: u64,
}

/// `PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER0`: `sig` and `flags` only.
pub(crate) const PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER0: usize = 8;
/// `PIDFD_OPEN_SIGNAL_THREAD`: to the pidfd's thread only (`PIDFD_SIGNAL_THREAD`).
pub(crate) const PIDFD_OPEN_SIGNAL_THREAD: u32 = 1 << 0;
/// `PIDFD_OPEN_SIGNAL_THREAD_GROUP`: to its thread group (`PIDFD_SIGNAL_THREAD_GROUP`).
pub(crate) const PIDFD_OPEN_SIGNAL_THREAD_GROUP: u32 = 1 << 1;
/// `PIDFD_OPEN_SIGNAL_PROCESS_GROUP`: to the process group it leads
/// (`PIDFD_SIGNAL_PROCESS_GROUP`).
pub(crate) const PIDFD_OPEN_SIGNAL_PROCESS_GROUP: u32 = 1 << 2;

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
    pub(crate) coredump_mask: u32,
    pub(crate) coredump_signal: u32,
    pub(crate) coredump_code: u32,
    pub(crate) coredump_pad: u32,
    pub(crate) supported_mask: u64,
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
/// `PIDFD_OPEN_INFO_EXIT`: `exit_code` is filled (once the process was reaped).
pub(crate) const PIDFD_OPEN_INFO_EXIT: u64 = 1 << 3;
/// `PIDFD_OPEN_INFO_SUPPORTED_MASK`: `supported_mask` is filled.
pub(crate) const PIDFD_OPEN_INFO_SUPPORTED_MASK: u64 = 1 << 5;
/// `PIDFD_OPEN_INFO_SIZE_VER0`: the first published size, the smallest one taken.
pub(crate) const PIDFD_OPEN_INFO_SIZE_VER0: usize = 64;

/// `PIDFD_IOC_OPEN` on `/dev/pidfd_open`: returns a new fd.
pub(crate) const PIDFD_IOC_OPEN: u32 = _IOW::<PidfdOpenArgs>(PIDFD_IOC_MAGIC, 0x01);
/// `PIDFD_IOC_SEND_SIGNAL` on a pidfd of this module.
pub(crate) const PIDFD_IOC_SEND_SIGNAL: u32 = _IOW::<PidfdSignalArgs>(PIDFD_IOC_MAGIC, 0x02);
/// `PIDFD_IOC_SEND_SIGNAL` of the first header, with 8 bytes of arguments.
pub(crate) const PIDFD_IOC_SEND_SIGNAL_VER0: u32 =
    _IOW::<[u8; PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER0]>(PIDFD_IOC_MAGIC, 0x02);
/// `PIDFD_IOC_GET_INFO` on a pidfd of this module, at the size the module knows.
pub(crate) const PIDFD_IOC_GET_INFO: u32 = _IOWR::<PidfdOpenInfo>(PIDFD_IOC_MAGIC, 0x03);

/// The size of the structure `cmd` passes if it is `PIDFD_IOC_GET_INFO` at any size of at least
/// [`PIDFD_OPEN_INFO_SIZE_VER0`], as the kernel matches `PIDFD_GET_INFO`
/// (`extensible_ioctl_valid()`): same direction, type and number.
pub(crate) fn get_info_size(cmd: u32) -> Option<usize> {
    let same = _IOC_DIR(cmd) == _IOC_DIR(PIDFD_IOC_GET_INFO)
        && _IOC_TYPE(cmd) == _IOC_TYPE(PIDFD_IOC_GET_INFO)
        && _IOC_NR(cmd) == _IOC_NR(PIDFD_IOC_GET_INFO);
    let size = _IOC_SIZE(cmd);
    (same && size >= PIDFD_OPEN_INFO_SIZE_VER0).then_some(size)
}

const _: () = {
    assert!(core::mem::size_of::<PidfdOpenArgs>() == 16);
    assert!(core::mem::size_of::<PidfdSignalArgs>() == 16);
    assert!(core::mem::size_of::<PidfdOpenInfo>() == 88);
    assert!(PIDFD_IOC_OPEN == 0x4010_b901);
    assert!(PIDFD_IOC_SEND_SIGNAL == 0x4010_b902);
    assert!(PIDFD_IOC_SEND_SIGNAL_VER0 == 0x4008_b902);
    assert!(PIDFD_IOC_GET_INFO == 0xc058_b903);
};

/// The user memory an ioctl's argument of type `T` points to.
pub(crate) fn user_arg<T>(arg: usize) -> UserSlice {
    UserSlice::new(UserPtr::from_addr(arg), size_of::<T>())
}
