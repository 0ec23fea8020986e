// SPDX-License-Identifier: GPL-2.0

//! The pidfd file type: anonymous-inode files (`anon_inode:[pidfd]`) that each hold one reference
//! to a `struct pid`, with this module's own file operations: release, fdinfo, poll for exit, and
//! the ioctls that stand in for `pidfd_send_signal(2)` and `PIDFD_GET_INFO`.
//!
//! # Why unloading the module cannot leave a pointer into it behind
//!
//! Each pidfd comes from `anon_inode_getfile()`: a dentry of its own on the kernel's shared
//! anonymous inode, whose inode and dentry operations are the kernel's (`anon_inode_operations`,
//! `no_open_fops`, the anon_inodefs `d_op`). The only pointer into this module is the file's
//! `f_op`, [`PIDFD_FOPS`], and `anon_inode_getfile()` takes a module reference for it, which
//! `__fput` drops after the file's last use of the table. So:
//!
//! 1. An `O_PATH` reopen or a path walk through `/proc/<pid>/fd/<n>` pins the dentry and inode
//!    only, and every operation on them (`fstat`, `chmod`, xattrs, a reopen, which fails with
//!    ENXIO through `no_open_fops`) is kernel code.
//! 2. No inode has [`PIDFD_FOPS`] as its `i_fop`, so no `dentry_open()` (fanotify's event fds,
//!    a reopen) can make a file with these operations: a file whose `f_op` is [`PIDFD_FOPS`] was
//!    made by [`new_pidfd`], which set its private data before anyone could see it.
//!
//! The inode is `S_PRIVATE` (no security hooks on open) and `alloc_file_pseudo()` marks the file
//! `FMODE_NONOTIFY`, as pidfs does for native pidfds. The cost is a dentry per pidfd, which
//! sharing one dentry would avoid only through functions that 7.3 does not export
//! (`alloc_file_clone()`), or by pointing a long-lived inode at this module's tables.

use kernel::{
    bindings,
    ffi::{
        c_char,
        c_int,
        c_long,
        c_uint,
        c_ulong,
        c_void, //
    },
    fs::{
        File,
        LocalFile, //
    },
    pid_namespace::PidNamespace,
    prelude::*,
    seq_file::{
        seq_print,
        SeqFile, //
    },
    sync::aref::ARef,
    types::ForeignOwnable,
};

use crate::{
    file::take_new_file,
    pid::Pid,
    uapi::{
        user_arg,
        PidfdOpenInfo,
        PidfdSignalArgs,
        PIDFD_IOC_GET_INFO,
        PIDFD_IOC_SEND_SIGNAL, //
    },
    vfs::FileObjects,
    AssertSync,
};

// C header: [`include/linux/anon_inodes.h`](srctree/include/linux/anon_inodes.h), which the 7.3
// bindings leave out. The bindings' types embed empty placeholder structs for configured-out
// members, which the lint flags; the `bindings` crate allows it for the same reason.
#[expect(improper_ctypes)]
extern "C" {
    fn anon_inode_getfile(
        name: *const c_char,
        fops: *const bindings::file_operations,
        priv_: *mut c_void,
        flags: c_int,
    ) -> *mut bindings::file;
}

/// The file operations of every pidfd this module makes; a file is one of ours exactly when its
/// `f_op` is this table.
static PIDFD_FOPS: AssertSync<bindings::file_operations> = AssertSync(bindings::file_operations {
    owner: kernel::module::this_module::<crate::LocalModule>().as_ptr(),
    release: Some(pidfd_release),
    show_fdinfo: Some(pidfd_show_fdinfo),
    poll: Some(pidfd_poll),
    unlocked_ioctl: Some(pidfd_ioctl),
    // The argument structs have the same layout for 32-bit callers.
    #[cfg(CONFIG_COMPAT)]
    compat_ioctl: bindings::compat_ptr_ioctl,
    ..pin_init::zeroed()
});

/// Makes a new pidfd file for `pid`. The caller has checked that `pid` is a live thread-group
/// leader.
pub(crate) fn new_pidfd(pid: ARef<Pid>) -> Result<ARef<File>> {
    let pid = pid.into_foreign();
    // SAFETY: The name is a C string and the table is static; the file takes `pid` as its private
    // data, which `pidfd_release` takes back.
    let file = unsafe {
        anon_inode_getfile(
            c"[pidfd]".as_char_ptr(),
            &PIDFD_FOPS.0,
            pid,
            bindings::O_RDWR as c_int,
        )
    };
    // SAFETY: `anon_inode_getfile` returns a new file with one reference, or an error.
    unsafe { take_new_file(file) }.inspect_err(|_| {
        // SAFETY: No file was made, so the reference from `into_foreign` is still ours.
        drop(unsafe { ARef::<Pid>::from_foreign(pid) });
    })
}

/// The pid behind `file` if it is a pidfd: one this module made, or a native one (pidfs).
pub(crate) fn pid_of(file: &LocalFile) -> Option<&Pid> {
    if core::ptr::eq(file.fops(), &PIDFD_FOPS.0) {
        // SAFETY: The file is ours (see the module documentation), so its private data is a pid
        // reference, held until release, which cannot run while the file is borrowed.
        return Some(unsafe { <ARef<Pid>>::borrow(file.private_data()) });
    }
    native_pid_of(file)
}

/// The pid behind a native pidfd.
///
/// pidfs (`fs/pidfs.c`, 7.3) stores the `struct pid` of every inode in `i_private` when it makes
/// the inode (`pidfs_init_inode`), and holds a reference to it for the inode's lifetime: this is
/// what the unexported `pidfd_pid()` returns. `fget` refuses `O_PATH` files, so the file is an
/// open pidfd, which pins the inode. A pidfs change that stored anything else there would make
/// the native cases of `translate_test` return another process's directory or fail, which they
/// assert against.
fn native_pid_of(file: &LocalFile) -> Option<&Pid> {
    let inode = file.inode();
    if inode.super_block().magic() != bindings::PID_FS_MAGIC as usize {
        return None;
    }
    let pid = inode.private();
    if pid.is_null() {
        return None;
    }
    // SAFETY: See above: a pidfs inode's private data is a pid it holds a reference to, and the
    // borrowed file keeps the inode alive.
    Some(unsafe { Pid::from_raw(pid.cast()) })
}

/// The pid of a file whose `f_op` is [`PIDFD_FOPS`].
///
/// # Safety
///
/// `file` is a file made by [`new_pidfd`], referenced for `'a`.
unsafe fn ours<'a>(file: *mut bindings::file) -> (&'a File, &'a Pid) {
    // SAFETY: The caller guarantees that the file is referenced for `'a`; made by `new_pidfd`, it
    // holds a pid reference in its private data until release.
    unsafe {
        (
            File::from_raw_file(file),
            <ARef<Pid>>::borrow((*file).private_data),
        )
    }
}

/// `release`: drops the file's pid reference.
///
/// # Safety
///
/// Called by the VFS, once, for a file made by [`new_pidfd`].
unsafe extern "C" fn pidfd_release(_inode: *mut bindings::inode, file: *mut bindings::file) -> c_int {
    // SAFETY: `new_pidfd` stored an owned pid reference as the private data, and this is the only
    // place that takes it back.
    drop(unsafe { ARef::<Pid>::from_foreign((*file).private_data) });
    0
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
    let (file, pid) = unsafe { ours(file) };
    // SAFETY: The queue lives as long as the pid, which the file keeps until release, and the
    // VFS removes every poll entry of a file before releasing it.
    unsafe { bindings::poll_wait(file.as_ptr(), pid.wait_queue(), pts) };
    pid.exit_poll_events()
}

/// `unlocked_ioctl`: `PIDFD_IOC_SEND_SIGNAL` and `PIDFD_IOC_GET_INFO`.
///
/// # Safety
///
/// Called by the VFS with `file`, one of ours, referenced.
unsafe extern "C" fn pidfd_ioctl(file: *mut bindings::file, cmd: c_uint, arg: c_ulong) -> c_long {
    // SAFETY: `file` is ours and referenced.
    let (_, pid) = unsafe { ours(file) };
    match ioctl(pid, cmd, arg as usize) {
        Ok(()) => 0,
        Err(err) => err.to_errno() as c_long,
    }
}

fn ioctl(pid: &Pid, cmd: u32, arg: usize) -> Result {
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

/// `show_fdinfo`: `Pid:` and `NSpid:` as the kernel's own pidfds print them.
///
/// # Safety
///
/// Called by procfs with `m` open on an fdinfo file of a procfs instance and with `file`, one of
/// ours, referenced for the duration of the call.
unsafe extern "C" fn pidfd_show_fdinfo(m: *mut bindings::seq_file, file: *mut bindings::file) {
    // SAFETY: `file` is ours and referenced; `m` is valid and exclusively ours for the call, and
    // its file is the open fdinfo file, which pins its procfs superblock.
    let (pid, m, fdinfo) = unsafe {
        (
            ours(file).1,
            SeqFile::from_raw(m),
            LocalFile::from_raw_file((*m).file),
        )
    };
    if let Some(ns) = fdinfo.inode().super_block().proc_pid_ns() {
        show_fdinfo(m, pid, ns);
    }
}

/// Numbers in the pid namespace of the procfs instance being read, -1 once reaped, 0 when not
/// visible there.
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
