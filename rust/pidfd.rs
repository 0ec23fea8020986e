// SPDX-License-Identifier: GPL-2.0

//! The pidfd file type: what the module's pidfds do. Each is a file on its process's inode of the
//! module's own file system (`pidfd_fs.rs`, which says why unloading the module cannot leave a
//! pointer into it behind), and offers fdinfo, poll for exit, and the ioctls that stand in for
//! `pidfd_send_signal(2)` and `PIDFD_GET_INFO`. This file holds the policy: who may have a
//! pidfd, when it polls readable, and what the ioctls check and report.

use kernel::{
    bindings,
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
        barrier::{
            smp_mb,
            Read, //
        },
        rcu, //
    },
    transmute::AsBytes,
    uaccess::{
        UserPtr,
        UserSlice,
        UserSliceWriter, //
    },
};

use crate::{
    pid::{
        PidLookup,
        PidRef,
        PidType,
        WatchedPid, //
    },
    pidfd_fs::{
        self,
        PidfdOperations, //
    },
    task::{
        CurrentTaskExt,
        TaskExt, //
    },
    uapi::{
        get_info_size,
        user_arg,
        PidfdOpenInfo,
        PidfdSignalArgs,
        PIDFD_IOC_SEND_SIGNAL,
        PIDFD_IOC_SEND_SIGNAL_VER0,
        PIDFD_OPEN_INFO_CREDS,
        PIDFD_OPEN_INFO_EXIT,
        PIDFD_OPEN_INFO_PID,
        PIDFD_OPEN_INFO_SUPPORTED_MASK,
        PIDFD_OPEN_NONBLOCK,
        PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER0,
        PIDFD_OPEN_SIGNAL_PROCESS_GROUP,
        PIDFD_OPEN_SIGNAL_THREAD,
        PIDFD_OPEN_SIGNAL_THREAD_GROUP,
        PIDFD_OPEN_THREAD, //
    },
};

/// The module's pidfds, as the file operations of `pidfd_fs.rs` see them.
pub(crate) struct Pidfd;

impl PidfdOperations for Pidfd {
    fn poll(pid: &PidRef) -> bindings::__poll_t {
        exit_poll_events(pid)
    }

    fn ioctl(pid: &WatchedPid, thread: bool, cmd: u32, arg: usize) -> Result {
        match cmd {
            PIDFD_IOC_SEND_SIGNAL => {
                let args: PidfdSignalArgs = user_arg::<PidfdSignalArgs>(arg).reader().read()?;
                send_signal(pid.pid(), thread, &args)
            }
            PIDFD_IOC_SEND_SIGNAL_VER0 => {
                let mut reader =
                    UserSlice::new(UserPtr::from_addr(arg), PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER0)
                        .reader();
                let args = PidfdSignalArgs {
                    sig: reader.read()?,
                    flags: reader.read()?,
                    info: 0,
                };
                send_signal(pid.pid(), thread, &args)
            }
            _ => {
                let size = get_info_size(cmd).ok_or(ENOTTY)?;
                let user = UserSlice::new(UserPtr::from_addr(arg), size);
                let (mut reader, writer) = user.reader_writer();
                let mask = reader.read::<u64>()?;
                write_extensible(writer, size, &info(pid, mask)?)
            }
        }
    }

    /// `Pid:` and `NSpid:` as the kernel's own pidfds print them.
    fn show_fdinfo(pid: &PidRef, m: &SeqFile, ns: &PidNamespace) {
        fdinfo(m, pid, ns)
    }
}

/// Makes a new pidfd for the pid that `pid` names (`ESRCH` if none) with `flags`
/// (`PIDFD_OPEN_THREAD`, `PIDFD_OPEN_NONBLOCK`), as `pidfd_open(2)`: a process pidfd needs a live
/// thread-group leader (`ESRCH` once reaped, `ENOENT` for any other thread), a thread pidfd a
/// thread that has not been reaped (`ESRCH`).
///
/// The file comes first and the check after: the check then also covers the moment its inode
/// began to watch the pid's exit, so a pidfd is only ever returned for a task whose exit its
/// inode cannot miss.
pub(crate) fn new_pidfd(pid: &impl PidLookup, flags: u32) -> Result<ARef<File>> {
    let thread = flags & PIDFD_OPEN_THREAD != 0;
    let pidfd = pidfd_fs::new_file(pid, thread, flags & PIDFD_OPEN_NONBLOCK != 0)?;
    if thread {
        check_live_thread(pidfd.pid())?;
    } else {
        check_live_leader(pidfd.pid())?;
    }
    Ok(pidfd.into_file())
}

/// The pid behind `file` if it is a pidfd: one this module made, or a native one (pidfs).
pub(crate) fn pid_of(file: &LocalFile) -> Option<&PidRef> {
    pidfd_fs::pid_of(file).or_else(|| PidRef::of_native_pidfd(file))
}

/// Numbers in the pid namespace of the procfs instance being read, -1 once reaped, 0 when not
/// visible there.
fn fdinfo(m: &SeqFile, pid: &PidRef, ns: &PidNamespace) {
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
/// A pid that is seen with a task (`PIDTYPE_PID`) and then, after a read barrier, as a
/// thread-group id (`PIDTYPE_TGID`) belonged to a live leader when the first was read: the kernel
/// attaches a leader's thread-group id before its task (`copy_process()`), detaches it after
/// (`__unhash_process()`), never attaches either to a pid that lost it, and an exec by another
/// thread moves them without leaving them empty (`exchange_tids()`, `transfer_pid()`). That is
/// the answer `pidfd_prepare()` gives under the lock, with no lock. Any other sight is decided
/// under the pid's `wait_pidfd` lock, as there: while it is held the leader's thread-group
/// linkage cannot be removed, so a live pid without it was never a leader.
fn check_live_leader(pid: &PidRef) -> Result {
    if pid.has_task(PidType::Pid) {
        smp_mb(Read);
        if pid.has_task(PidType::Tgid) {
            return Ok(());
        }
    }
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

/// Checks that `pid`'s thread has not been reaped: one read, which a lock would not make any
/// more exact.
fn check_live_thread(pid: &PidRef) -> Result {
    if pid.has_task(PidType::Pid) {
        Ok(())
    } else {
        Err(ESRCH)
    }
}

/// What `poll` reports, by the rule of the kernel's own pidfds (the same for a thread pidfd): readable once the whole thread
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
#[inline]
fn is_visible_to_caller(pid: &PidRef) -> bool {
    let current = kernel::current!();
    current
        .caller_pid_ns()
        .is_some_and(|ns| pid.is_visible_in(ns))
}

/// `PIDFD_IOC_SEND_SIGNAL`: as `pidfd_send_signal(2)`, in its order: `EINVAL` for more than one
/// scope flag or an unknown one, then if the task is not visible to the caller; then the scope
/// (without a flag: the thread of a thread pidfd, else the thread group): the thread group with
/// `kill_pid()`'s checks, or the process group the pid leads with `kill_pgrp()`'s. A signal to
/// one thread, and a siginfo of the caller's, have no exported kernel function that checks the
/// caller's permission: `EOPNOTSUPP` (contract, section 9).
#[inline]
fn send_signal(pid: &PidRef, thread: bool, args: &PidfdSignalArgs) -> Result {
    let scope = match args.flags {
        0 if thread => PIDFD_OPEN_SIGNAL_THREAD,
        0 => PIDFD_OPEN_SIGNAL_THREAD_GROUP,
        PIDFD_OPEN_SIGNAL_THREAD
        | PIDFD_OPEN_SIGNAL_THREAD_GROUP
        | PIDFD_OPEN_SIGNAL_PROCESS_GROUP => args.flags,
        _ => return Err(EINVAL),
    };
    if !is_visible_to_caller(pid) {
        return Err(EINVAL);
    }
    if scope == PIDFD_OPEN_SIGNAL_THREAD || args.info != 0 {
        return Err(EOPNOTSUPP);
    }
    if scope == PIDFD_OPEN_SIGNAL_PROCESS_GROUP {
        pid.kill_process_group(args.sig)
    } else {
        pid.kill(args.sig)
    }
}

/// What the module reports in `supported_mask`: every bit it can fill.
const SUPPORTED_INFO: u64 = PIDFD_OPEN_INFO_PID
    | PIDFD_OPEN_INFO_CREDS
    | if cfg!(CONFIG_CGROUPS) { 1 << 2 } else { 0 }
    | PIDFD_OPEN_INFO_EXIT
    | PIDFD_OPEN_INFO_SUPPORTED_MASK;

/// Writes `info` to a user structure of `size` bytes as the kernel's `copy_struct_to_user()`
/// does: the first `size` bytes of a shorter structure, or all of it and zeros after.
fn write_extensible(mut writer: UserSliceWriter, size: usize, info: &PidfdOpenInfo) -> Result {
    static ZEROS: [u8; 64] = [0; 64];
    let Some(mut tail) = size.checked_sub(size_of::<PidfdOpenInfo>()) else {
        return writer.write_slice(&info.as_bytes()[..size]);
    };
    // The whole structure in one copy of a known size, the common case.
    writer.write(info)?;
    while tail > 0 {
        let n = tail.min(ZEROS.len());
        writer.write_slice(&ZEROS[..n])?;
        tail -= n;
    }
    Ok(())
}

/// `PIDFD_IOC_GET_INFO`: `PIDFD_GET_INFO`'s answer to the request `mask`, filled as the kernel
/// fills it: numbers in the caller's pid namespace, credentials in its user namespace, and once
/// the process was reaped, if asked, its exit status (`PIDFD_OPEN_INFO_EXIT`, from the watch of
/// its inode). `EREMOTE` when the process is not visible to the caller; `ESRCH` once reaped
/// unless the exit was asked for.
fn info(watched: &WatchedPid, mask: u64) -> Result<PidfdOpenInfo> {
    let pid = watched.pid();
    if !is_visible_to_caller(pid) {
        return Err(EREMOTE);
    }
    let mut info = live_info(pid).or_else(|err| {
        // The watch records an exit before the reap, which unhashes the task: an exit must be
        // recorded now.
        smp_mb(Read);
        if err != ESRCH || mask & PIDFD_OPEN_INFO_EXIT == 0 {
            return Err(err);
        }
        let mut info = PidfdOpenInfo::default();
        if let Some(exit) = watched.exit() {
            info.mask |= PIDFD_OPEN_INFO_EXIT;
            info.exit_code = exit.code;
            #[cfg(CONFIG_CGROUPS)]
            {
                info.cgroupid = exit.cgroup_id;
                info.mask |= crate::uapi::PIDFD_OPEN_INFO_CGROUPID;
            }
        }
        Ok(info)
    })?;
    if mask & PIDFD_OPEN_INFO_SUPPORTED_MASK != 0 {
        info.mask |= PIDFD_OPEN_INFO_SUPPORTED_MASK;
        info.supported_mask = SUPPORTED_INFO;
    }
    Ok(info)
}

/// The fields of a process that has not been reaped; `ESRCH` once it has.
fn live_info(pid: &PidRef) -> Result<PidfdOpenInfo> {
    loop {
        let task = pid.get_task(PidType::Pid).ok_or(ESRCH)?;
        let creds = task.creds_in_caller_ns();
        let mut info = PidfdOpenInfo {
            mask: PIDFD_OPEN_INFO_CREDS,
            ruid: creds.ruid,
            rgid: creds.rgid,
            euid: creds.euid,
            egid: creds.egid,
            suid: creds.suid,
            sgid: creds.sgid,
            fsuid: creds.fsuid,
            fsgid: creds.fsgid,
            ..Default::default()
        };
        // One RCU read-side section for the cgroup, the numbers and the check after them.
        let rcu = rcu::read_lock();
        #[cfg(CONFIG_CGROUPS)]
        {
            info.cgroupid = task.dfl_cgroup_id(&rcu);
            info.mask |= crate::uapi::PIDFD_OPEN_INFO_CGROUPID;
        }
        // Numbers last, as the kernel does, to keep them as fresh as possible.
        info.ppid = task.ppid_vnr() as u32;
        info.tgid = task.tgid_vnr() as u32;
        info.pid = pid.vnr() as u32;
        info.mask |= PIDFD_OPEN_INFO_PID;
        // The task was reaped, or lost the pid to an exec'ing thread, while we looked: start
        // over, as the kernel does.
        let still_owned = pid
            .task(&rcu, PidType::Pid)
            .is_some_and(|now| core::ptr::eq(now, &*task));
        if info.tgid != 0 && still_owned {
            return Ok(info);
        }
    }
}
