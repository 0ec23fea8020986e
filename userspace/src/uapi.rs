// SPDX-License-Identifier: GPL-2.0
//! The C ABI: the structs, flags and ioctl numbers of `include/uapi/linux/pidfd_open.h`, and
//! the part of `<linux/pidfd.h>` that the native backend uses.
//!
//! C header: `include/uapi/linux/pidfd_open.h` of the project.
//! The sizes and offsets are pinned below at compile time; `tests/abi.rs` compares every
//! number here with what a C compiler makes of the header, so the two cannot drift apart.

use core::mem::{offset_of, size_of};

use rustix::ioctl::opcode;

/// `PIDFD_TO_PROCFD`: translate a pidfd into a `/proc/<pid>` directory fd.
pub const PIDFD_TO_PROCFD: u32 = 1;
/// `PROCFD_TO_PIDFD`: translate a `/proc/<pid>` directory fd into a pidfd.
pub const PROCFD_TO_PIDFD: u32 = 2;

/// `struct pidfd_open_args`, the argument of `PIDFD_IOC_OPEN`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PidfdOpenArgs {
    /// The pid to open (flags 0), else -1.
    pub pid: i32,
    /// The proc root (`PIDFD_TO_PROCFD`) or `/proc/<pid>` directory (`PROCFD_TO_PIDFD`), else -1.
    pub procfd: i32,
    /// The pidfd to translate (`PIDFD_TO_PROCFD`), else -1.
    pub pidfd: i32,
    /// 0, `PIDFD_TO_PROCFD` or `PROCFD_TO_PIDFD`.
    pub flags: u32,
}

/// `struct pidfd_signal_args`, the argument of `PIDFD_IOC_SEND_SIGNAL`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PidfdSignalArgs {
    /// The signal number; 0 probes existence and permission.
    pub sig: i32,
    /// Must be 0.
    pub flags: u32,
}

/// `struct pidfd_open_info`, filled by `PIDFD_IOC_GET_INFO`.
///
/// It has the layout of the first published (64-byte) `struct pidfd_info` of
/// `<linux/pidfd.h>`, so the native `PIDFD_GET_INFO` fills it too.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PidfdOpenInfo {
    /// Which fields were filled: `PIDFD_OPEN_INFO_*` bits.
    pub mask: u64,
    /// The cgroup id, when `mask` has `PIDFD_OPEN_INFO_CGROUPID`.
    pub cgroupid: u64,
    /// The pid, in the caller's pid namespace.
    pub pid: u32,
    /// The thread-group id, in the caller's pid namespace.
    pub tgid: u32,
    /// The parent's pid in the caller's pid namespace, 0 if not visible.
    pub ppid: u32,
    /// Real uid.
    pub ruid: u32,
    /// Real gid.
    pub rgid: u32,
    /// Effective uid.
    pub euid: u32,
    /// Effective gid.
    pub egid: u32,
    /// Saved set-user-id.
    pub suid: u32,
    /// Saved set-group-id.
    pub sgid: u32,
    /// Filesystem uid.
    pub fsuid: u32,
    /// Filesystem gid.
    pub fsgid: u32,
    /// Exit code (always 0 from the module).
    pub exit_code: i32,
}

/// `mask` bit: `pid`, `tgid` and `ppid` are filled.
pub const PIDFD_OPEN_INFO_PID: u64 = 1 << 0;
/// `mask` bit: the credentials are filled.
pub const PIDFD_OPEN_INFO_CREDS: u64 = 1 << 1;
/// `mask` bit: `cgroupid` is filled.
pub const PIDFD_OPEN_INFO_CGROUPID: u64 = 1 << 2;

/// The ioctl type (magic) of `/dev/pidfd_open` and its pidfds.
pub const PIDFD_IOC_MAGIC: u8 = 0xB9;
/// `PIDFD_OPEN_FS_MAGIC`: `statfs(2)`'s `f_type` of the module's pidfds.
pub const PIDFD_OPEN_FS_MAGIC: u32 = 0x7066_6f70;
/// `_IOW(PIDFD_IOC_MAGIC, 0x01, struct pidfd_open_args)`, on `/dev/pidfd_open`: returns a new fd.
pub const PIDFD_IOC_OPEN: u32 = opcode::write::<PidfdOpenArgs>(PIDFD_IOC_MAGIC, 0x01);
/// `_IOW(PIDFD_IOC_MAGIC, 0x02, struct pidfd_signal_args)`, on a module pidfd.
pub const PIDFD_IOC_SEND_SIGNAL: u32 = opcode::write::<PidfdSignalArgs>(PIDFD_IOC_MAGIC, 0x02);
/// `_IOWR(PIDFD_IOC_MAGIC, 0x03, struct pidfd_open_info)`, on a module pidfd.
pub const PIDFD_IOC_GET_INFO: u32 = opcode::read_write::<PidfdOpenInfo>(PIDFD_IOC_MAGIC, 0x03);

/// `PIDFS_IOCTL_MAGIC` of `<linux/pidfd.h>`.
pub const PIDFS_IOCTL_MAGIC: u8 = 0xFF;
/// `PIDFD_INFO_SIZE_VER0`: the size of the first published `struct pidfd_info`.
pub const PIDFD_INFO_SIZE_VER0: usize = 64;
/// The native `PIDFD_GET_INFO` (Linux 6.13+) for the first published, 64-byte struct: the
/// kernel takes any size from `PIDFD_INFO_SIZE_VER0` up and fills what fits.
pub const PIDFD_GET_INFO_VER0: u32 = opcode::read_write::<PidfdOpenInfo>(PIDFS_IOCTL_MAGIC, 11);

const _: () = {
    assert!(size_of::<PidfdOpenArgs>() == 16);
    assert!(offset_of!(PidfdOpenArgs, pid) == 0);
    assert!(offset_of!(PidfdOpenArgs, procfd) == 4);
    assert!(offset_of!(PidfdOpenArgs, pidfd) == 8);
    assert!(offset_of!(PidfdOpenArgs, flags) == 12);

    assert!(size_of::<PidfdSignalArgs>() == 8);
    assert!(offset_of!(PidfdSignalArgs, sig) == 0);
    assert!(offset_of!(PidfdSignalArgs, flags) == 4);

    assert!(size_of::<PidfdOpenInfo>() == PIDFD_INFO_SIZE_VER0);
    assert!(offset_of!(PidfdOpenInfo, mask) == 0);
    assert!(offset_of!(PidfdOpenInfo, cgroupid) == 8);
    assert!(offset_of!(PidfdOpenInfo, pid) == 16);
    assert!(offset_of!(PidfdOpenInfo, tgid) == 20);
    assert!(offset_of!(PidfdOpenInfo, ppid) == 24);
    assert!(offset_of!(PidfdOpenInfo, ruid) == 28);
    assert!(offset_of!(PidfdOpenInfo, rgid) == 32);
    assert!(offset_of!(PidfdOpenInfo, euid) == 36);
    assert!(offset_of!(PidfdOpenInfo, egid) == 40);
    assert!(offset_of!(PidfdOpenInfo, suid) == 44);
    assert!(offset_of!(PidfdOpenInfo, sgid) == 48);
    assert!(offset_of!(PidfdOpenInfo, fsuid) == 52);
    assert!(offset_of!(PidfdOpenInfo, fsgid) == 56);
    assert!(offset_of!(PidfdOpenInfo, exit_code) == 60);
};

// The generic `_IOC` encoding (x86, Arm, RISC-V): dir << 30 | size << 16 | type << 8 | nr.
#[cfg(any(
    target_arch = "x86_64",
    target_arch = "x86",
    target_arch = "aarch64",
    target_arch = "arm",
    target_arch = "riscv64"
))]
const _: () = {
    assert!(PIDFD_IOC_OPEN == 0x4010_b901);
    assert!(PIDFD_IOC_SEND_SIGNAL == 0x4008_b902);
    assert!(PIDFD_IOC_GET_INFO == 0xc040_b903);
    assert!(PIDFD_GET_INFO_VER0 == 0xc040_ff0b);
};
