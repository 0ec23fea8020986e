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

use kernel::{
    sync::rcu,
    task::Task, //
};

use crate::helpers;

/// Task queries for pidfds: exit state, thread-group shape, parent and cgroup.
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
}

impl TaskExt for Task {
    #[inline]
    fn has_exited(&self) -> bool {
        // SAFETY: The task is valid while borrowed; `exit_state` is written once on exit and read
        // without a lock by the kernel too (`READ_ONCE`), as here.
        unsafe { core::ptr::read_volatile(&raw const (*self.as_ptr()).exit_state) != 0 }
    }

    #[inline]
    fn is_delayed_group_leader(&self) -> bool {
        // SAFETY: The task is valid while borrowed; the helper only reads it and its signal
        // struct, which a valid task keeps.
        unsafe { helpers::pidfd_open_delay_group_leader(self.as_ptr()) }
    }

    #[inline]
    fn ppid_vnr(&self) -> i32 {
        // SAFETY: The task is valid while borrowed; `task_ppid_vnr` takes the RCU read lock
        // itself to read the parent.
        unsafe { helpers::pidfd_open_task_ppid_vnr(self.as_ptr()) }
    }

    #[cfg(CONFIG_CGROUPS)]
    #[inline]
    fn dfl_cgroup_id(&self, _rcu: &rcu::Guard) -> u64 {
        // SAFETY: The task is valid while borrowed and the RCU read lock is held, as
        // `task_dfl_cgroup()` requires.
        unsafe { helpers::pidfd_open_task_dfl_cgroup_id(self.as_ptr()) }
    }
}
