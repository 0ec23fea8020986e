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

use core::ptr::NonNull;
use kernel::{
    bindings,
    cred::Credential,
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
    sync::{
        aref::ARef,
        rcu, //
    },
    task::Task,
    types::ForeignOwnable,
};

use crate::{
    file::take_new_file,
    pid::{
        PidRef,
        PidType, //
    },
    task::TaskExt,
    uapi::{
        user_arg,
        PidfdOpenInfo,
        PidfdSignalArgs,
        PIDFD_IOC_GET_INFO,
        PIDFD_IOC_SEND_SIGNAL,
        PIDFD_OPEN_INFO_CREDS,
        PIDFD_OPEN_INFO_PID, //
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

/// Makes a new pidfd for `pid`, which must be a live thread-group leader: `ESRCH` once reaped,
/// `ENOENT` for any other thread.
pub(crate) fn new_pidfd(pid: ARef<PidRef>) -> Result<ARef<File>> {
    check_live_leader(&pid)?;
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
        drop(unsafe { ARef::<PidRef>::from_foreign(pid) });
    })
}

/// The pid behind `file` if it is a pidfd: one this module made, or a native one (pidfs).
pub(crate) fn pid_of(file: &LocalFile) -> Option<&PidRef> {
    if core::ptr::eq(file.fops(), &PIDFD_FOPS.0) {
        // SAFETY: The file is ours (see the module documentation), so its private data is a pid
        // reference, held until release, which cannot run while the file is borrowed.
        return Some(unsafe { <ARef<PidRef>>::borrow(file.private_data()) });
    }
    native_pid_of(file)
}

/// The pid behind a native pidfd.
///
/// pidfs (`fs/pidfs.c`, 7.3) stores the `struct pid` of every inode in `i_private` when it makes
/// the inode (`pidfs_init_inode`), and holds a reference to it for the inode's lifetime: this is
/// what the unexported `pidfd_pid()` returns. `fget` refuses `O_PATH` files, so the file is an
/// open pidfd, which pins the inode. A pidfs change that stored anything else there would make
/// `tests/native_test.c` get another process's directory, or none, where it asserts the
/// identity of the process behind every result.
fn native_pid_of(file: &LocalFile) -> Option<&PidRef> {
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
    Some(unsafe { PidRef::from_raw(pid.cast()) })
}

/// The pid of a file whose `f_op` is [`PIDFD_FOPS`].
///
/// # Safety
///
/// `file` is a file made by [`new_pidfd`], referenced for `'a`.
unsafe fn ours<'a>(file: *mut bindings::file) -> (&'a File, &'a PidRef) {
    // SAFETY: The caller guarantees that the file is referenced for `'a`; made by `new_pidfd`, it
    // holds a pid reference in its private data until release.
    unsafe {
        (
            File::from_raw_file(file),
            <ARef<PidRef>>::borrow((*file).private_data),
        )
    }
}

/// `release`: drops the file's pid reference.
///
/// # Safety
///
/// Called by the VFS, once, for a file made by [`new_pidfd`].
unsafe extern "C" fn pidfd_release(
    _inode: *mut bindings::inode,
    file: *mut bindings::file,
) -> c_int {
    // SAFETY: `new_pidfd` stored an owned pid reference as the private data, and this is the only
    // place that takes it back.
    drop(unsafe { ARef::<PidRef>::from_foreign((*file).private_data) });
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
    // SAFETY: `pts` is null or valid for the call, and the file keeps its pid until release,
    // which the VFS runs only after removing the file's poll entries.
    unsafe { pid.poll_wait(file, pts) };
    exit_poll_events(pid)
}

/// `unlocked_ioctl`: `PIDFD_IOC_SEND_SIGNAL` and `PIDFD_IOC_GET_INFO`.
///
/// # Safety
///
/// Called by the VFS with `file`, one of ours, referenced.
unsafe extern "C" fn pidfd_ioctl(file: *mut bindings::file, cmd: c_uint, arg: c_ulong) -> c_long {
    // SAFETY: `file` is ours and referenced.
    let (_, pid) = unsafe { ours(file) };
    match ioctl(pid, cmd, arg) {
        Ok(()) => 0,
        Err(err) => err.to_errno() as c_long,
    }
}

fn ioctl(pid: &PidRef, cmd: u32, arg: usize) -> Result {
    match cmd {
        PIDFD_IOC_SEND_SIGNAL => {
            let args: PidfdSignalArgs = user_arg::<PidfdSignalArgs>(arg).reader().read()?;
            if args.flags != 0 {
                return Err(EINVAL);
            }
            send_signal(pid, args.sig)
        }
        PIDFD_IOC_GET_INFO => {
            let (mut reader, mut writer) = user_arg::<PidfdOpenInfo>(arg).reader_writer();
            // The input mask is ignored, but read as the kernel reads it, so that an unreadable
            // argument fails with EFAULT before anything else.
            reader.read::<u64>()?;
            writer.write(&info(pid)?)
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
fn show_fdinfo(m: &SeqFile, pid: &PidRef, ns: &PidNamespace) {
    let nr = if pid.has_task(PidType::Pid) {
        pid.nr_in_ns(ns)
    } else {
        -1
    };
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

/// Checks that `pid` belongs to a thread-group leader that has not been reaped, as the kernel's
/// `pidfd_prepare()` does: `ESRCH` once reaped, `ENOENT` for any other thread.
///
/// It decides under the pid's `wait_pidfd` lock, because while that is held the leader's
/// thread-group linkage cannot be removed: a live pid without it was never a leader.
fn check_live_leader(pid: &PidRef) -> Result {
    pid.with_wait_lock(|| {
        if !pid.has_task(PidType::Pid) {
            return Err(ESRCH);
        }
        if !pid.has_task(PidType::Tgid) {
            return Err(ENOENT);
        }
        Ok(())
    })
}

/// What `poll` reports, by the rule of the kernel's own pidfds: readable once the whole thread
/// group has exited, hung up as well once reaped. A leader that exits before its other threads
/// does not count as exited until the last one has.
fn exit_poll_events(pid: &PidRef) -> bindings::__poll_t {
    let rcu = rcu::read_lock();
    let Some(task) = pid.task(&rcu, PidType::Pid) else {
        return bindings::POLLIN | bindings::POLLRDNORM | bindings::POLLHUP;
    };
    if task.has_exited() && !task.is_delayed_group_leader() {
        bindings::POLLIN | bindings::POLLRDNORM
    } else {
        0
    }
}

/// Whether `pid` is visible from the caller: its namespace is the caller's active pid namespace
/// or a descendant of it, the rule of the kernel's `access_pidfd_pidns()` and
/// `pid_in_current_pidns()`.
fn is_visible_to_caller(pid: &PidRef) -> bool {
    let current = kernel::current!();
    current
        .active_pid_ns()
        .is_some_and(|ns| pid.is_visible_in(ns))
}

/// `PIDFD_IOC_SEND_SIGNAL`: as `pidfd_send_signal(2)` without siginfo, in its order: `EINVAL` if
/// the process is not visible to the caller, then the kernel's checks of `kill_pid()`.
fn send_signal(pid: &PidRef, sig: i32) -> Result {
    if !is_visible_to_caller(pid) {
        return Err(EINVAL);
    }
    pid.kill(sig)
}

/// `PIDFD_IOC_GET_INFO`: the fields of `PIDFD_GET_INFO` that `struct pidfd_open_info` has, filled
/// as the kernel fills them: numbers in the caller's pid namespace, credentials in its user
/// namespace. `EREMOTE` when the process is not visible to the caller, `ESRCH` once reaped.
fn info(pid: &PidRef) -> Result<PidfdOpenInfo> {
    if !is_visible_to_caller(pid) {
        return Err(EREMOTE);
    }
    loop {
        let task = pid.get_task(PidType::Pid).ok_or(ESRCH)?;
        let mut info = creds_of(&task);
        #[cfg(CONFIG_CGROUPS)]
        {
            info.cgroupid = task.dfl_cgroup_id(&rcu::read_lock());
            info.mask |= crate::uapi::PIDFD_OPEN_INFO_CGROUPID;
        }
        // Numbers last, as the kernel does, to keep them as fresh as possible.
        info.ppid = task.ppid_vnr() as u32;
        info.tgid = task.tgid_nr_ns(None) as u32;
        info.pid = pid.vnr() as u32;
        info.mask |= PIDFD_OPEN_INFO_PID;
        // The task was reaped, or lost the pid to an exec'ing thread, while we looked: start
        // over, as the kernel does.
        let rcu = rcu::read_lock();
        let still_owned = pid
            .task(&rcu, PidType::Pid)
            .is_some_and(|now| core::ptr::eq(now, &*task));
        if info.tgid != 0 && still_owned {
            return Ok(info);
        }
    }
}

/// The credentials of `task`, mapped into the caller's user namespace.
///
/// Unmapped ids become the overflow id (65534), as `PIDFD_GET_INFO` reports them: hence
/// `from_kuid_munged` rather than `Kuid::into_uid_in_current_ns`, which gives -1.
fn creds_of(task: &Task) -> PidfdOpenInfo {
    // SAFETY: The task is referenced; `get_task_cred` returns a new credential reference.
    let cred = unsafe { bindings::get_task_cred(task.as_ptr()) };
    // SAFETY: The reference is ours; `Credential` is a transparent wrapper of `struct cred`, and
    // `get_task_cred` never returns null for a referenced task.
    let cred: ARef<Credential> =
        unsafe { ARef::from_raw(NonNull::new_unchecked(cred.cast_mut().cast())) };
    // SAFETY: `current_user_ns` has no requirements.
    let ns = unsafe { bindings::current_user_ns() };
    // SAFETY: The credential is referenced and immutable; the namespace is the caller's own.
    unsafe {
        let c = &*cred.as_ptr();
        let uid = |kuid| bindings::from_kuid_munged(ns, kuid);
        let gid = |kgid| bindings::from_kgid_munged(ns, kgid);
        PidfdOpenInfo {
            mask: PIDFD_OPEN_INFO_CREDS,
            ruid: uid(c.uid),
            rgid: gid(c.gid),
            euid: uid(c.euid),
            egid: gid(c.egid),
            suid: uid(c.suid),
            sgid: gid(c.sgid),
            fsuid: uid(c.fsuid),
            fsgid: gid(c.fsgid),
            ..Default::default()
        }
    }
}
