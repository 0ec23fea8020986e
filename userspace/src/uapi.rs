// SPDX-License-Identifier: GPL-2.0
//! The C ABI: the structs, flags and ioctl numbers of `include/uapi/linux/pidfd_open.h`, and
//! the part of `<linux/pidfd.h>` that the native backend uses.
//!
//! C header: `include/uapi/linux/pidfd_open.h` of the project.
//! The sizes and offsets are pinned below at compile time; `tests/abi.rs` compares every
//! number here with what a C compiler makes of the header, so the two cannot drift apart.
//!
//! The header's `struct pidfd_open_info` ([`PidfdOpenInfo`], 88 bytes) has the layout of
//! Linux 7.3's `struct pidfd_info`, and both the module's `PIDFD_IOC_GET_INFO` and the native
//! `PIDFD_GET_INFO` take their size from the command. A module built against the first
//! header knows only the 64-byte command ([`PIDFD_IOC_GET_INFO_VER0`]) and fails the 88-byte
//! one with `ENOTTY`; the crate then asks it with the 64-byte command, on the same struct.

use core::mem::{offset_of, size_of};

use rustix::ioctl::{opcode, Direction};

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
    /// 0, `PIDFD_TO_PROCFD` or `PROCFD_TO_PIDFD`; with 0, also [`PIDFD_OPEN_THREAD`] and
    /// [`PIDFD_OPEN_NONBLOCK`].
    pub flags: u32,
}

/// Or'ed into `flags = 0` of `PIDFD_IOC_OPEN`: a pidfd of one thread (the value of
/// `PIDFD_THREAD`, `O_EXCL`).
pub const PIDFD_OPEN_THREAD: u32 = 0o200;
/// Or'ed into `flags = 0` of `PIDFD_IOC_OPEN`: `O_NONBLOCK` on the new pidfd (the value of
/// `PIDFD_NONBLOCK`).
pub const PIDFD_OPEN_NONBLOCK: u32 = 0o4000;

/// `struct pidfd_signal_args`, the argument of `PIDFD_IOC_SEND_SIGNAL` (16 bytes,
/// `PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER1`).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PidfdSignalArgs {
    /// The signal number; 0 probes existence and permission.
    pub sig: i32,
    /// 0 or one `PIDFD_OPEN_SIGNAL_*`.
    pub flags: u32,
    /// A user pointer to a `siginfo_t`, or 0 (the module fails any other with `EOPNOTSUPP`).
    pub info: u64,
}

/// The size of the first header's `struct pidfd_signal_args` (`sig` and `flags`).
pub const PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER0: usize = 8;
/// The size of [`PidfdSignalArgs`].
pub const PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER1: usize = 16;
/// `flags` of [`PidfdSignalArgs`]: to the thread (the value of `PIDFD_SIGNAL_THREAD`).
pub const PIDFD_OPEN_SIGNAL_THREAD: u32 = 1 << 0;
/// `flags`: to the thread group (the value of `PIDFD_SIGNAL_THREAD_GROUP`).
pub const PIDFD_OPEN_SIGNAL_THREAD_GROUP: u32 = 1 << 1;
/// `flags`: to the process group (the value of `PIDFD_SIGNAL_PROCESS_GROUP`).
pub const PIDFD_OPEN_SIGNAL_PROCESS_GROUP: u32 = 1 << 2;

/// `struct pidfd_open_info`, filled by the module's `PIDFD_IOC_GET_INFO` (88 bytes,
/// `PIDFD_OPEN_INFO_SIZE_VER3`).
///
/// It has the layout, field names and mask bits of Linux 7.3's `struct pidfd_info` of
/// `<linux/pidfd.h>` (`PIDFD_INFO_SIZE_VER3`), so the native `PIDFD_GET_INFO` fills it too:
/// the crate uses it for both. `mask` is both ways: the caller sets the bits it asks for
/// (`PIDFD_OPEN_INFO_EXIT`, `PIDFD_OPEN_INFO_SUPPORTED_MASK`), the kernel returns the bits of
/// the fields it filled. A kernel or module that knows a smaller size than the command's
/// fills that much and zeros the rest; a smaller command (the 64-byte one of an older module)
/// has only its first bytes written.
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
    /// The wait status (as `waitpid(2)` gives it), when `mask` has `PIDFD_OPEN_INFO_EXIT`.
    pub exit_code: i32,
    /// `PIDFD_COREDUMP_*` bits, when `mask` has `PIDFD_OPEN_INFO_COREDUMP` (never from the
    /// module).
    pub coredump_mask: u32,
    /// The signal that dumped core, when `mask` has `PIDFD_OPEN_INFO_COREDUMP_SIGNAL`.
    pub coredump_signal: u32,
    /// The `si_code` of that signal, when `mask` has `PIDFD_OPEN_INFO_COREDUMP_CODE`.
    pub coredump_code: u32,
    /// Padding that aligns `supported_mask`.
    pub coredump_pad: u32,
    /// The `PIDFD_OPEN_INFO_*` bits the kernel (or module) can fill, when `mask` has
    /// `PIDFD_OPEN_INFO_SUPPORTED_MASK`.
    pub supported_mask: u64,
}

/// `mask` bit: `pid`, `tgid` and `ppid` are filled.
pub const PIDFD_OPEN_INFO_PID: u64 = 1 << 0;
/// `mask` bit: the credentials are filled.
pub const PIDFD_OPEN_INFO_CREDS: u64 = 1 << 1;
/// `mask` bit: `cgroupid` is filled.
pub const PIDFD_OPEN_INFO_CGROUPID: u64 = 1 << 2;
/// `mask` bit: `exit_code` is filled (only on request; the value of `PIDFD_INFO_EXIT`).
pub const PIDFD_OPEN_INFO_EXIT: u64 = 1 << 3;
/// `mask` bit: the core-dump fields are filled (only on request; the value of
/// `PIDFD_INFO_COREDUMP`).
pub const PIDFD_OPEN_INFO_COREDUMP: u64 = 1 << 4;
/// `mask` bit: `supported_mask` is filled (on request; the value of
/// `PIDFD_INFO_SUPPORTED_MASK`).
pub const PIDFD_OPEN_INFO_SUPPORTED_MASK: u64 = 1 << 5;
/// `mask` bit: `coredump_signal` is filled (the value of `PIDFD_INFO_COREDUMP_SIGNAL`).
pub const PIDFD_OPEN_INFO_COREDUMP_SIGNAL: u64 = 1 << 6;
/// `mask` bit: `coredump_code` is filled (the value of `PIDFD_INFO_COREDUMP_CODE`).
pub const PIDFD_OPEN_INFO_COREDUMP_CODE: u64 = 1 << 7;

/// The size of the first header's `struct pidfd_open_info`, up to `exit_code`.
pub const PIDFD_OPEN_INFO_SIZE_VER0: usize = 64;
/// The size with `coredump_mask` and `coredump_signal`.
pub const PIDFD_OPEN_INFO_SIZE_VER1: usize = 72;
/// The size with `coredump_code` and `coredump_pad`.
pub const PIDFD_OPEN_INFO_SIZE_VER2: usize = 80;
/// The size with `supported_mask`: that of [`PidfdOpenInfo`].
pub const PIDFD_OPEN_INFO_SIZE_VER3: usize = 88;

/// `_IOC(_IOC_READ | _IOC_WRITE, group, number, size)`: an `_IOWR` command at a size other
/// than its struct's.
const fn iowr(group: u8, number: u8, size: usize) -> u32 {
    opcode::from_components(Direction::ReadWrite, group, number, size)
}

/// The ioctl type (magic) of `/dev/pidfd_open` and its pidfds.
pub const PIDFD_IOC_MAGIC: u8 = 0xB9;
/// `PIDFD_OPEN_FS_MAGIC`: `statfs(2)`'s `f_type` of the module's pidfds.
pub const PIDFD_OPEN_FS_MAGIC: u32 = 0x7066_6f70;
/// `_IOW(PIDFD_IOC_MAGIC, 0x01, struct pidfd_open_args)`, on `/dev/pidfd_open`: returns a new fd.
pub const PIDFD_IOC_OPEN: u32 = opcode::write::<PidfdOpenArgs>(PIDFD_IOC_MAGIC, 0x01);
/// `_IOW(PIDFD_IOC_MAGIC, 0x02, struct pidfd_signal_args)`, on a module pidfd: the 16-byte
/// structure. The module also takes the 8-byte command of the first header.
pub const PIDFD_IOC_SEND_SIGNAL: u32 = opcode::write::<PidfdSignalArgs>(PIDFD_IOC_MAGIC, 0x02);
/// `_IOWR(PIDFD_IOC_MAGIC, 0x03, struct pidfd_open_info)`, on a module pidfd: the 88-byte
/// command. The module takes its size from the command (`PIDFD_OPEN_INFO_SIZE_VER0` or more).
pub const PIDFD_IOC_GET_INFO: u32 = opcode::read_write::<PidfdOpenInfo>(PIDFD_IOC_MAGIC, 0x03);
/// `PIDFD_IOC_GET_INFO` at `PIDFD_OPEN_INFO_SIZE_VER0` (64 bytes): the command of the first
/// header, the only one an older module knows. Not in the header.
pub const PIDFD_IOC_GET_INFO_VER0: u32 = iowr(PIDFD_IOC_MAGIC, 0x03, PIDFD_OPEN_INFO_SIZE_VER0);

/// `PIDFS_IOCTL_MAGIC` of `<linux/pidfd.h>`.
pub const PIDFS_IOCTL_MAGIC: u8 = 0xFF;
/// `PIDFD_INFO_SIZE_VER0`: the size of the first published `struct pidfd_info`.
pub const PIDFD_INFO_SIZE_VER0: usize = 64;
/// The native `PIDFD_GET_INFO` (Linux 6.13+) for the first published, 64-byte struct: the
/// kernel takes any size from `PIDFD_INFO_SIZE_VER0` up and fills what fits.
pub const PIDFD_GET_INFO_VER0: u32 = iowr(PIDFS_IOCTL_MAGIC, 11, PIDFD_INFO_SIZE_VER0);
/// `PIDFD_INFO_SIZE_VER3`: the size of Linux 7.3's `struct pidfd_info`.
pub const PIDFD_INFO_SIZE_VER3: usize = 88;
/// The native `PIDFD_GET_INFO` for the 88-byte [`PidfdOpenInfo`] (Linux 7.3's
/// `PIDFD_GET_INFO`): older kernels fill what they know and zero the rest.
pub const PIDFD_GET_INFO: u32 = opcode::read_write::<PidfdOpenInfo>(PIDFS_IOCTL_MAGIC, 11);
/// `PIDFD_INFO_EXIT` of `<linux/pidfd.h>` (Linux 6.15): ask for the exit status, which the
/// kernel has once the process is reaped.
pub const PIDFD_INFO_EXIT: u64 = 1 << 3;
/// `PIDFD_INFO_SUPPORTED_MASK` of `<linux/pidfd.h>`: ask for `supported_mask`.
pub const PIDFD_INFO_SUPPORTED_MASK: u64 = 1 << 5;

const _: () = {
    assert!(size_of::<PidfdOpenArgs>() == 16);
    assert!(offset_of!(PidfdOpenArgs, pid) == 0);
    assert!(offset_of!(PidfdOpenArgs, procfd) == 4);
    assert!(offset_of!(PidfdOpenArgs, pidfd) == 8);
    assert!(offset_of!(PidfdOpenArgs, flags) == 12);

    assert!(size_of::<PidfdSignalArgs>() == PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER1);
    assert!(offset_of!(PidfdSignalArgs, sig) == 0);
    assert!(offset_of!(PidfdSignalArgs, flags) == 4);
    assert!(offset_of!(PidfdSignalArgs, info) == PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER0);

    assert!(size_of::<PidfdOpenInfo>() == PIDFD_OPEN_INFO_SIZE_VER3);
    assert!(size_of::<PidfdOpenInfo>() == PIDFD_INFO_SIZE_VER3);
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
    assert!(offset_of!(PidfdOpenInfo, coredump_mask) == PIDFD_OPEN_INFO_SIZE_VER0);
    assert!(offset_of!(PidfdOpenInfo, coredump_signal) == 68);
    assert!(offset_of!(PidfdOpenInfo, coredump_code) == PIDFD_OPEN_INFO_SIZE_VER1);
    assert!(offset_of!(PidfdOpenInfo, coredump_pad) == 76);
    assert!(offset_of!(PidfdOpenInfo, supported_mask) == PIDFD_OPEN_INFO_SIZE_VER2);
    assert!(PIDFD_OPEN_INFO_SIZE_VER0 == PIDFD_INFO_SIZE_VER0);
    assert!(PIDFD_OPEN_INFO_EXIT == PIDFD_INFO_EXIT);
    assert!(PIDFD_OPEN_INFO_SUPPORTED_MASK == PIDFD_INFO_SUPPORTED_MASK);
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
    assert!(PIDFD_IOC_SEND_SIGNAL == 0x4010_b902);
    assert!(PIDFD_IOC_GET_INFO == 0xc058_b903);
    assert!(PIDFD_IOC_GET_INFO_VER0 == 0xc040_b903);
    assert!(PIDFD_GET_INFO_VER0 == 0xc040_ff0b);
    assert!(PIDFD_GET_INFO == 0xc058_ff0b);
};
