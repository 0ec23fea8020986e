// SPDX-License-Identifier: GPL-2.0

//! The pidfd file type: anonymous-inode files (`anon_inode:[pidfd]`) that each hold one reference
//! to a `struct pid`, with this module's own file operations: release, fdinfo, poll for exit, and
//! the ioctls that stand in for `pidfd_send_signal(2)` and `PIDFD_GET_INFO`; and the inode they
//! are opened on.

use core::ptr::NonNull;
use kernel::{
    bindings,
    fs::{File, LocalFile},
    module::this_module,
    pid_namespace::PidNamespace,
    prelude::*,
    seq_file::{seq_print, SeqFile},
    sync::aref::ARef,
};

use crate::{
    file::take_new_file,
    helpers,
    pid::Pid,
    procfs,
    uapi::{user_arg, PidfdOpenInfo, PidfdSignalArgs, PIDFD_IOC_GET_INFO, PIDFD_IOC_SEND_SIGNAL},
};

/// The file operations of every pidfd this module makes; a file is one of ours exactly when its
/// `f_op` is this table.
struct PidfdFops(bindings::file_operations);

// SAFETY: The table is immutable, and its pointers (functions, the module) are valid on any thread.
unsafe impl Sync for PidfdFops {}

static PIDFD_FOPS: PidfdFops = PidfdFops(bindings::file_operations {
    owner: this_module::<crate::LocalModule>().as_ptr(),
    release: Some(pidfd_release),
    show_fdinfo: Some(pidfd_show_fdinfo),
    poll: Some(pidfd_poll),
    unlocked_ioctl: Some(pidfd_ioctl),
    // The argument structs have the same layout for 32-bit callers.
    #[cfg(CONFIG_COMPAT)]
    compat_ioctl: Some(bindings::compat_ptr_ioctl),
    ..pin_init::zeroed()
});

/// The file operations of the anchor of a [`PidfdInode`]: none but the module reference, which
/// keeps the inode's tables (in this module) alive as long as the anchor.
static ANCHOR_FOPS: PidfdFops = PidfdFops(bindings::file_operations {
    owner: this_module::<crate::LocalModule>().as_ptr(),
    ..pin_init::zeroed()
});

/// The inode operations of a [`PidfdInode`].
struct PidfdIops(bindings::inode_operations);

// SAFETY: The table is immutable, and its functions can be called on any thread.
unsafe impl Sync for PidfdIops {}

static PIDFD_IOPS: PidfdIops = PidfdIops(bindings::inode_operations {
    permission: Some(pidfd_permission),
    setattr: Some(pidfd_setattr),
    ..pin_init::zeroed()
});

/// The inode that the pidfds of one open `/dev/pidfd_open` are opened on.
///
/// Every pidfd is a `struct file` opened on this one anonymous inode (`anon_inode:[pidfd]`), as
/// pidfs opens all pidfds of a process on one inode and dentry: `anon_inode_getfile()` would give
/// each pidfd a dentry of its own, doubling its memory and adding an RCU-deferred free to its
/// close. The inode's own `i_fop` is [`PIDFD_FOPS`], which is what `dentry_open()` gives a new
/// file; [`PIDFD_IOPS`] refuses every other way of opening it.
///
/// # Invariants
///
/// `anchor` is open on a dentry of the anonymous inode filesystem whose inode has [`PIDFD_FOPS`]
/// as `i_fop` and [`PIDFD_IOPS`] as `i_op`. `anchor` is never installed in an fd.
pub(crate) struct PidfdInode {
    anchor: ARef<File>,
}

impl PidfdInode {
    /// Makes a fresh anonymous inode for pidfds.
    pub(crate) fn new() -> Result<Self> {
        // SAFETY: The name is a C string and the table is static.
        let anchor = unsafe {
            helpers::pidfd_open_anon_inode_create_getfile(
                c"[pidfd]".as_char_ptr(),
                &ANCHOR_FOPS.0,
                bindings::O_RDWR as i32,
            )
        };
        // SAFETY: `anon_inode_create_getfile` returns a new file with one reference, or an error.
        let anchor = unsafe { take_new_file(anchor)? };
        // SAFETY: The inode is new and only reachable through `anchor`, which is not in any fd
        // yet, so nothing can open or use it while its tables change; the tables are static.
        unsafe {
            helpers::pidfd_open_set_inode_ops(
                (*anchor.as_ptr()).f_inode,
                &PIDFD_IOPS.0,
                &PIDFD_FOPS.0,
            )
        };
        // INVARIANT: The inode's tables are set above, and the file stays private to `Self`.
        Ok(Self { anchor })
    }

    /// Makes a new pidfd file for `pid`. The caller has checked that `pid` is a live
    /// thread-group leader.
    pub(crate) fn new_file(&self, pid: ARef<Pid>) -> Result<ARef<File>> {
        // SAFETY: The anchor's path is valid while the anchor is referenced.
        let file = unsafe {
            helpers::pidfd_open_dentry_open(
                &(*self.anchor.as_ptr()).__bindgen_anon_1.f_path,
                bindings::O_RDWR as i32,
            )
        };
        // SAFETY: `dentry_open` returns a new file with one reference, or an error.
        let file = unsafe { take_new_file(file)? };
        // SAFETY: `dentry_open` gave the file the inode's `i_fop`, `PIDFD_FOPS` (type invariants),
        // whose release takes the pid reference back. No one else can reach the new file yet,
        // and its fops run only once it is in an fd.
        unsafe { (*file.as_ptr()).private_data = ARef::into_raw(pid).as_ptr().cast() };
        Ok(file)
    }
}

/// The pid behind `file` if it is a pidfd made by this module.
pub(crate) fn pid_of(file: &LocalFile) -> Option<&Pid> {
    let file = file.as_ptr();
    // SAFETY: `file` is valid while borrowed; `f_op` never changes after open.
    if !core::ptr::eq(unsafe { (*file).f_op }, &PIDFD_FOPS.0) {
        return None;
    }
    // SAFETY: The file is ours, and referenced while borrowed.
    Some(unsafe { pid_of_raw(file) })
}

/// `release`: drops the file's pid reference.
///
/// # Safety
///
/// Called by the VFS, once, for a file made by [`PidfdInode::new_file`].
unsafe extern "C" fn pidfd_release(_inode: *mut bindings::inode, file: *mut bindings::file) -> i32 {
    // SAFETY: `PidfdInode::new_file` stored an owned pid reference as the private data, and this is
    // the only place that takes it back.
    let pid = unsafe { NonNull::new_unchecked((*file).private_data.cast::<Pid>()) };
    // SAFETY: See above: the reference is owned and given up here.
    drop(unsafe { ARef::from_raw(pid) });
    0
}

/// The pid of `file`, one of ours.
///
/// # Safety
///
/// `file` is a file made by [`PidfdInode::new_file`], referenced for `'a`.
unsafe fn pid_of_raw<'a>(file: *mut bindings::file) -> &'a Pid {
    // SAFETY: Our files hold a pid reference in `private_data` until release, which cannot run
    // while the file is referenced.
    unsafe { Pid::from_raw((*file).private_data.cast()) }
}

/// `permission` of the pidfd inode: opening it by path (`/proc/<pid>/fd/<n>`) fails with ENXIO,
/// as it does for files of `anon_inode_getfile()`: such a file would have no pid. Other checks
/// are the generic ones.
///
/// # Safety
///
/// Called by the VFS with a valid idmap and inode.
unsafe extern "C" fn pidfd_permission(
    idmap: *mut bindings::mnt_idmap,
    inode: *mut bindings::inode,
    mask: i32,
) -> i32 {
    if mask & bindings::MAY_OPEN as i32 != 0 {
        return ENXIO.to_errno();
    }
    // SAFETY: The VFS passes a valid idmap and inode.
    unsafe { bindings::generic_permission(idmap, inode, mask) }
}

/// `setattr` of the pidfd inode: refused, as for every anonymous inode; the inode is shared by
/// many pidfds, and has nothing that `chmod` or `chown` could mean.
///
/// # Safety
///
/// Called by the VFS.
unsafe extern "C" fn pidfd_setattr(
    _idmap: *mut bindings::mnt_idmap,
    _dentry: *mut bindings::dentry,
    _attr: *mut bindings::iattr,
) -> i32 {
    EOPNOTSUPP.to_errno()
}

/// `poll`: waits on the pid's `wait_pidfd` queue, which the kernel wakes on exit and on reap.
///
/// # Safety
///
/// Called by the VFS with `file`, one of ours, referenced, and a valid or null `pts`.
unsafe extern "C" fn pidfd_poll(
    file: *mut bindings::file,
    pts: *mut bindings::poll_table_struct,
) -> bindings::__poll_t {
    // SAFETY: `file` is ours and referenced.
    let pid = unsafe { pid_of_raw(file) };
    // SAFETY: The queue lives as long as the pid, which the file keeps until release, and the
    // VFS removes every poll entry of a file before releasing it.
    unsafe { bindings::poll_wait(file, pid.wait_queue(), pts) };
    pid.exit_poll_events()
}

/// `unlocked_ioctl`: `PIDFD_IOC_SEND_SIGNAL` and `PIDFD_IOC_GET_INFO`.
///
/// # Safety
///
/// Called by the VFS with `file`, one of ours, referenced.
unsafe extern "C" fn pidfd_ioctl(file: *mut bindings::file, cmd: u32, arg: usize) -> isize {
    // SAFETY: `file` is ours and referenced.
    let pid = unsafe { pid_of_raw(file) };
    match pidfd_ioctl_cmd(pid, cmd, arg) {
        Ok(()) => 0,
        Err(err) => err.to_errno() as isize,
    }
}

fn pidfd_ioctl_cmd(pid: &Pid, cmd: u32, arg: usize) -> Result {
    match cmd {
        PIDFD_IOC_SEND_SIGNAL => {
            let args: PidfdSignalArgs = user_arg::<PidfdSignalArgs>(arg).reader().read()?;
            if args.flags != 0 {
                return Err(EINVAL);
            }
            pid.send_signal(args.sig)
        }
        PIDFD_IOC_GET_INFO => {
            let (mut reader, mut writer) = user_arg::<PidfdOpenInfo>(arg).reader_writer();
            // The input mask is ignored, but read as the kernel reads it, so that an unreadable
            // argument fails with EFAULT before anything else.
            reader.read::<u64>()?;
            writer.write(&pid.info()?)
        }
        _ => Err(ENOTTY),
    }
}

/// `show_fdinfo`: `Pid:` and `NSpid:` as the kernel's own pidfds print them: numbers in the pid
/// namespace of the procfs instance being read, -1 once reaped, 0 when not visible there.
///
/// # Safety
///
/// Called by procfs with `m` open on an fdinfo file of a procfs instance and with `file`, one of
/// ours, referenced for the duration of the call.
unsafe extern "C" fn pidfd_show_fdinfo(m: *mut bindings::seq_file, file: *mut bindings::file) {
    // SAFETY: `file` is ours and referenced.
    let pid = unsafe { pid_of_raw(file) };
    // SAFETY: `m->file` is the open fdinfo file, which pins its procfs superblock and so the pid
    // namespace the superblock references.
    let ns = unsafe { procfs::pid_ns_of_inode((*(*m).file).f_inode) };
    // SAFETY: `m` is valid and exclusively ours for the duration of the call.
    let m = unsafe { SeqFile::from_raw(m) };
    show_fdinfo(m, pid, ns);
}

fn show_fdinfo(m: &SeqFile, pid: &Pid, ns: &PidNamespace) {
    let nr = if pid.is_alive() { pid.nr_in_ns(ns) } else { -1 };
    seq_print!(m, "Pid:\t{nr}\n");
    if cfg!(CONFIG_PID_NS) {
        seq_print!(m, "NSpid:\t{nr}");
        if nr > 0 {
            for inner in pid.nrs_below(ns) {
                seq_print!(m, "\t{inner}");
            }
        }
        seq_print!(m, "\n");
    }
}
