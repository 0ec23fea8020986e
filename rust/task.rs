// SPDX-License-Identifier: GPL-2.0

//! What the module reads of a task beyond the 7.3 kernel crate's [`Task`].
//!
//! C headers: [`include/linux/sched.h`](srctree/include/linux/sched.h),
//! [`include/linux/sched/signal.h`](srctree/include/linux/sched/signal.h)
//!
//! The bindings lay `task_struct` out as C does (checked on the test kernel: the offsets of
//! `exit_state`, `pid`, `tgid`, `real_parent`, `group_leader`, `signal`, `cred` and `stats`, and the
//! size, are equal), so fields are read here as `kernel::task` reads them; static inline functions
//! go through `helpers.c`. Each method could join [`Task`] as it stands.

use core::ptr::NonNull;
use kernel::{
    bindings,
    cred::Credential,
    pid_namespace::PidNamespace,
    sync::{
        aref::ARef,
        rcu, //
    },
    task::{
        CurrentTask,
        Task, //
    },
};

use crate::helpers;

/// Task queries for pidfds: exit state, thread-group shape, parent, cgroup and credentials.
pub(crate) trait TaskExt {
    /// Whether the task has exited (`exit_state` is `EXIT_ZOMBIE` or `EXIT_DEAD`).
    fn has_exited(&self) -> bool;
    /// Whether the task is a thread-group leader whose group still has other threads
    /// (`delay_group_leader()`): its exit is not the group's yet.
    fn is_delayed_group_leader(&self) -> bool;
    /// The thread-group id of the task's parent in the caller's pid namespace, or 0 when the
    /// parent is not visible there (`task_ppid_vnr()`).
    fn ppid_vnr(&self) -> i32;
    /// The id of the task's cgroup on the default hierarchy (`cgroup_id(task_dfl_cgroup())`).
    #[cfg(CONFIG_CGROUPS)]
    fn dfl_cgroup_id(&self, rcu: &rcu::Guard) -> u64;
    /// The task's credentials, mapped into the caller's user namespace.
    fn creds_in_caller_ns(&self) -> Creds;
    /// The task's thread-group id in the caller's pid namespace, 0 if it has none there
    /// (`task_tgid_vnr()`, as `Task::tgid_nr_ns(None)` without its out-of-line `Opaque::get()`).
    fn tgid_vnr(&self) -> i32;
    /// The wait status `exit()` or the fatal signal left (`exit_code`), final once
    /// [`has_exited`](Self::has_exited).
    fn exit_code(&self) -> i32;
}

/// A task's ids as the caller sees them: unmapped ones are the overflow id (65534), as
/// `PIDFD_GET_INFO` reports them (`from_kuid_munged`, where `Kuid::into_uid_in_current_ns` would
/// give -1).
pub(crate) struct Creds {
    pub(crate) ruid: u32,
    pub(crate) rgid: u32,
    pub(crate) euid: u32,
    pub(crate) egid: u32,
    pub(crate) suid: u32,
    pub(crate) sgid: u32,
    pub(crate) fsuid: u32,
    pub(crate) fsgid: u32,
}

/// The task's C struct. The same pointer as `Task::as_ptr()`, without its call of the kernel
/// crate's `Opaque::get()`, which is not `#[inline]` and costs a call per field on the
/// `PIDFD_IOC_GET_INFO` path: `Task` and `Opaque` are both `repr(transparent)`.
#[inline]
fn raw(task: &Task) -> *mut bindings::task_struct {
    core::ptr::from_ref(task).cast_mut().cast()
}

impl TaskExt for Task {
    #[inline]
    fn exit_code(&self) -> i32 {
        // SAFETY: The task is valid while borrowed. `exit_code` is a plain field of the public
        // `struct task_struct`, written by `do_exit()` before `exit_state` is set; `wait(2)` and
        // pidfs read it the same way once the task has exited.
        unsafe { core::ptr::read_volatile(&raw const (*raw(self)).exit_code) }
    }

    #[inline]
    fn has_exited(&self) -> bool {
        // SAFETY: The task is valid while borrowed; `exit_state` is written once on exit and read
        // without a lock by the kernel too (`READ_ONCE`), as here.
        unsafe { core::ptr::read_volatile(&raw const (*raw(self)).exit_state) != 0 }
    }

    #[inline]
    fn is_delayed_group_leader(&self) -> bool {
        // SAFETY: The task is valid while borrowed; the helper only reads it and its signal
        // struct, which a valid task keeps.
        unsafe { helpers::pidfd_open_delay_group_leader(raw(self)) }
    }

    #[inline]
    fn ppid_vnr(&self) -> i32 {
        // SAFETY: The task is valid while borrowed; `task_ppid_vnr` takes the RCU read lock
        // itself to read the parent.
        unsafe { helpers::pidfd_open_task_ppid_vnr(raw(self)) }
    }

    #[cfg(CONFIG_CGROUPS)]
    #[inline]
    fn dfl_cgroup_id(&self, _rcu: &rcu::Guard) -> u64 {
        // SAFETY: The task is valid while borrowed and the RCU read lock is held, as
        // `task_dfl_cgroup()` requires.
        unsafe { helpers::pidfd_open_task_dfl_cgroup_id(raw(self)) }
    }

    #[inline]
    fn tgid_vnr(&self) -> i32 {
        // SAFETY: The task is valid while borrowed; a null namespace is the caller's active one.
        unsafe {
            bindings::__task_pid_nr_ns(
                raw(self),
                bindings::pid_type_PIDTYPE_TGID,
                core::ptr::null_mut(),
            )
        }
    }

    fn creds_in_caller_ns(&self) -> Creds {
        // SAFETY: The task is referenced; `get_task_cred` returns a new credential reference.
        let raw_cred = unsafe { bindings::get_task_cred(raw(self)) };
        // SAFETY: The reference is ours; `Credential` is a transparent wrapper of `struct cred`,
        // and `get_task_cred` never returns null for a referenced task.
        let _cred: ARef<Credential> =
            unsafe { ARef::from_raw(NonNull::new_unchecked(raw_cred.cast_mut().cast())) };
        // SAFETY: `current_user_ns` has no requirements.
        let ns = unsafe { bindings::current_user_ns() };
        // SAFETY: The credential is referenced (`_cred`, dropped at the end) and immutable; the
        // namespace is the caller's own. Read through the raw pointer, not
        // `Credential::as_ptr()`, whose `Opaque::get()` is not `#[inline]`.
        unsafe {
            let c = &*raw_cred;
            let uid = |kuid| bindings::from_kuid_munged(ns, kuid);
            let gid = |kgid| bindings::from_kgid_munged(ns, kgid);
            Creds {
                ruid: uid(c.uid),
                rgid: gid(c.gid),
                euid: uid(c.euid),
                egid: gid(c.egid),
                suid: uid(c.suid),
                sgid: gid(c.sgid),
                fsuid: uid(c.fsuid),
                fsgid: gid(c.fsgid),
            }
        }
    }
}

/// What the module reads of the current task beyond the kernel crate's `CurrentTask`.
pub(crate) trait CurrentTaskExt {
    /// The caller's active pid namespace, if it has one still: `CurrentTask::active_pid_ns()`
    /// without the kernel crate's out-of-line `Opaque::get()` and `PidNamespace::from_ptr()`,
    /// which cost the `PIDFD_IOC_SEND_SIGNAL` and `PIDFD_IOC_GET_INFO` paths two calls.
    fn caller_pid_ns(&self) -> Option<&PidNamespace>;
}

impl CurrentTaskExt for CurrentTask {
    #[inline]
    fn caller_pid_ns(&self) -> Option<&PidNamespace> {
        // SAFETY: `task_active_pid_ns` needs no RCU protection on the current task.
        let ns = unsafe { bindings::task_active_pid_ns(raw(self)) };
        // SAFETY: A task's active pid namespace does not change while it lives, so it outlives
        // the borrow of the current task; `PidNamespace` is a transparent wrapper of
        // `struct pid_namespace`.
        (!ns.is_null()).then(|| unsafe { &*ns.cast::<PidNamespace>() })
    }
}
