// SPDX-License-Identifier: GPL-2.0

//! The pidfd file type: anonymous-inode files (`anon_inode:[pidfd]`) that each hold one reference
//! to a `struct pid`, with this module's own file operations.

use core::ptr::NonNull;
use kernel::{
    bindings,
    error::from_err_ptr,
    fs::{File, LocalFile},
    module::this_module,
    pid_namespace::PidNamespace,
    prelude::*,
    seq_file::{seq_print, SeqFile},
    sync::aref::ARef,
};

use crate::{helpers, pid::Pid, procfs};

/// The file operations of every pidfd this module makes; a file is one of ours exactly when its
/// `f_op` is this table.
struct PidfdFops(bindings::file_operations);

// SAFETY: The table is immutable, and its pointers (functions, the module) are valid on any thread.
unsafe impl Sync for PidfdFops {}

static PIDFD_FOPS: PidfdFops = PidfdFops(bindings::file_operations {
    owner: this_module::<crate::LocalModule>().as_ptr(),
    release: Some(pidfd_release),
    show_fdinfo: Some(pidfd_show_fdinfo),
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
    match from_err_ptr(file) {
        // SAFETY: `anon_inode_getfile` returned a new file with one reference, which we own;
        // `File` is a transparent wrapper of `struct file`.
        Ok(file) => Ok(unsafe { ARef::from_raw(NonNull::new_unchecked(file.cast::<File>())) }),
        Err(err) => {
            // SAFETY: The file was not made, so the reference is still ours to drop.
            drop(unsafe { ARef::from_raw(pid) });
            Err(err)
        }
    }
}

/// The pid behind `file` if it is a pidfd made by this module.
pub(crate) fn pid_of(file: &LocalFile) -> Option<&Pid> {
    let file = file.as_ptr();
    // SAFETY: `file` is valid while borrowed; `f_op` never changes after open.
    if !core::ptr::eq(unsafe { (*file).f_op }, &PIDFD_FOPS.0) {
        return None;
    }
    // SAFETY: Our files hold a pid reference in `private_data` until release, which cannot run
    // while the caller holds the file.
    Some(unsafe { Pid::from_raw((*file).private_data.cast()) })
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

/// `show_fdinfo`: `Pid:` and `NSpid:` as the kernel's own pidfds print them: numbers in the pid
/// namespace of the procfs instance being read, -1 once reaped, 0 when not visible there.
///
/// # Safety
///
/// Called by procfs with `m` open on an fdinfo file of a procfs instance and with `file`, one of
/// ours, referenced for the duration of the call.
unsafe extern "C" fn pidfd_show_fdinfo(m: *mut bindings::seq_file, file: *mut bindings::file) {
    // SAFETY: `file` is one of ours and referenced, so its private data is a live pid reference.
    let pid = unsafe { Pid::from_raw((*file).private_data.cast()) };
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
