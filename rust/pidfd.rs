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
        rcu, //
    },
};

use crate::{
    pid::{
        PidRef,
        PidType, //
    },
    pidfd_fs::{
        self,
        PidfdOperations, //
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
};

/// The module's pidfds, as the file operations of `pidfd_fs.rs` see them.
pub(crate) struct Pidfd;

impl PidfdOperations for Pidfd {
    fn poll(pid: &PidRef) -> bindings::__poll_t {
        exit_poll_events(pid)
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
                // The input mask is ignored, but read as the kernel reads it, so that an
                // unreadable argument fails with EFAULT before anything else.
                reader.read::<u64>()?;
                writer.write(&info(pid)?)
            }
            _ => Err(ENOTTY),
        }
    }

    /// `Pid:` and `NSpid:` as the kernel's own pidfds print them.
    fn show_fdinfo(pid: &PidRef, m: &SeqFile, ns: &PidNamespace) {
        fdinfo(m, pid, ns)
    }
}

/// Makes a new pidfd for `pid`, which must be a live thread-group leader: `ESRCH` once reaped,
/// `ENOENT` for any other thread.
pub(crate) fn new_pidfd(pid: ARef<PidRef>) -> Result<ARef<File>> {
    check_live_leader(&pid)?;
    pidfd_fs::new_file(&pid)
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
