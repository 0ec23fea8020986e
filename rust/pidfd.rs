// SPDX-License-Identifier: GPL-2.0

//! The pidfd file type: anonymous-inode files (`anon_inode:[pidfd]`) that each hold one reference
//! to a `struct pid`, with this module's own file operations: release, fdinfo, poll for exit, and
//! the ioctls that stand in for `pidfd_send_signal(2)` and `PIDFD_GET_INFO`.

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

/// Makes a new pidfd file for `pid`. The caller has checked that `pid` is a live thread-group
/// leader.
pub(crate) fn new_file(pid: ARef<Pid>) -> Result<ARef<File>> {
    let pid = ARef::into_raw(pid);
    // SAFETY: The name is a C string and the table is static. On success the file owns the pid
    // reference passed as its private data, and `pidfd_release` drops it.
    let file = unsafe {
        helpers::pidfd_open_anon_inode_getfile(
            c"[pidfd]".as_char_ptr(),
            &PIDFD_FOPS.0,
            pid.as_ptr().cast(),
            bindings::O_RDWR as i32,
        )
    };
    // SAFETY: `anon_inode_getfile` returns a new file with one reference, or an error.
    let file = unsafe { take_new_file(file) };
    if file.is_err() {
        // SAFETY: The file was not made, so the pid reference is still ours to drop.
        drop(unsafe { ARef::from_raw(pid) });
    }
    file
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
/// Called by the VFS, once, for a file made by [`new_file`].
unsafe extern "C" fn pidfd_release(_inode: *mut bindings::inode, file: *mut bindings::file) -> i32 {
    // SAFETY: `new_file` stored an owned pid reference as the private data, and this is the only
    // place that takes it back.
    let pid = unsafe { NonNull::new_unchecked((*file).private_data.cast::<Pid>()) };
    // SAFETY: See above: the reference is owned and given up here.
    drop(unsafe { ARef::from_raw(pid) });
    0
}

/// The pid of `file`, one of ours.
///
/// # Safety
///
/// `file` is a file made by [`new_file`], referenced for `'a`.
unsafe fn pid_of_raw<'a>(file: *mut bindings::file) -> &'a Pid {
    // SAFETY: Our files hold a pid reference in `private_data` until release, which cannot run
    // while the file is referenced.
    unsafe { Pid::from_raw((*file).private_data.cast()) }
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
