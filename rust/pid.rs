// SPDX-License-Identifier: GPL-2.0

//! `struct pid`, the identity of a process that outlives its number, as a refcounted type.

use core::ptr::NonNull;
use kernel::{
    bindings,
    cred::Credential,
    error::to_result,
    pid_namespace::PidNamespace,
    prelude::*,
    sync::{
        aref::{ARef, AlwaysRefCounted},
        lock::{spinlock::SpinLockIrqBackend, Lock},
        rcu,
    },
    task::Task,
    types::Opaque,
};

use crate::{
    helpers,
    uapi::{PidfdOpenInfo, PIDFD_OPEN_INFO_CREDS, PIDFD_OPEN_INFO_PID},
};

/// A `struct pid`.
///
/// A pid stays valid while referenced, and keeps its numbers, but loses its tasks when the
/// process is reaped; the kernel never attaches a task to it again after that.
///
/// # Invariants
///
/// Instances are only reachable through a reference counted by `get_pid`/`put_pid` (an
/// [`ARef<Pid>`], or a borrow of something that owns one), so the count is non-zero.
#[repr(transparent)]
pub(crate) struct Pid(Opaque<bindings::pid>);

// SAFETY: `struct pid` is refcounted, and the kernel's own locks protect its mutable parts, so it
// may be used and released on any thread.
unsafe impl Send for Pid {}
// SAFETY: All methods taking `&self` only call functions that are safe to call concurrently.
unsafe impl Sync for Pid {}

// SAFETY: `get_pid` and `put_pid` keep the count, and the type invariants say it is non-zero while
// `&self` exists, so `inc_ref` never resurrects a freed pid.
unsafe impl AlwaysRefCounted for Pid {
    fn inc_ref(&self) {
        // SAFETY: The count is non-zero (type invariants).
        unsafe { helpers::pidfd_open_get_pid(self.as_ptr()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller gives up one reference it owns.
        unsafe { bindings::put_pid(obj.cast().as_ptr()) }
    }
}

impl Pid {
    /// Takes over a reference returned by the C side; `None` for a null pointer.
    ///
    /// # Safety
    ///
    /// `ptr` is null or points to a `struct pid` with a reference that the caller owns and
    /// transfers.
    pub(crate) unsafe fn from_owned_raw(ptr: *mut bindings::pid) -> Option<ARef<Self>> {
        // INVARIANT: The reference the caller transfers keeps the count non-zero.
        // SAFETY: `Pid` is a transparent wrapper of `struct pid`; the caller transfers the reference.
        NonNull::new(ptr.cast::<Self>()).map(|pid| unsafe { ARef::from_raw(pid) })
    }

    /// Borrows a pid whose reference is owned elsewhere.
    ///
    /// # Safety
    ///
    /// `ptr` points to a `struct pid` holding a reference that lasts for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::pid) -> &'a Self {
        // SAFETY: `Pid` is a transparent wrapper of `struct pid`; the caller guarantees validity.
        unsafe { &*ptr.cast::<Self>() }
    }

    pub(crate) fn as_ptr(&self) -> *mut bindings::pid {
        self.0.get()
    }

    /// The pid that has number `nr` in the caller's active pid namespace, as `pidfd_open(2)`
    /// looks it up.
    pub(crate) fn find_in_current_ns(nr: i32) -> Option<ARef<Self>> {
        // SAFETY: `find_get_pid` accepts any number and returns a new reference or null.
        unsafe { Self::from_owned_raw(bindings::find_get_pid(nr)) }
    }

    /// The pid that has number `nr` in `ns`.
    pub(crate) fn find_in_ns(nr: i32, ns: &PidNamespace) -> Option<ARef<Self>> {
        let _rcu = rcu::read_lock();
        // SAFETY: `ns` is valid and the RCU read lock is held, as `find_pid_ns` requires.
        let pid = unsafe { bindings::find_pid_ns(nr, ns.as_ptr()) };
        // SAFETY: A pid found under the RCU read lock keeps a non-zero count until the lock is
        // dropped (its last put is RCU-deferred), so taking a reference now is sound; `get_pid`
        // passes null through.
        unsafe { Self::from_owned_raw(helpers::pidfd_open_get_pid(pid)) }
    }

    fn has_task(&self, ty: bindings::pid_type) -> bool {
        // SAFETY: The pid is valid (type invariants); `pid_has_task` only reads a list head.
        unsafe { helpers::pidfd_open_pid_has_task(self.as_ptr(), ty) }
    }

    /// Whether the pid still has its task: the process (or thread) is running or a zombie, not
    /// reaped.
    pub(crate) fn is_alive(&self) -> bool {
        self.has_task(bindings::pid_type_PIDTYPE_PID)
    }

    /// Checks that the pid belongs to a thread-group leader that has not been reaped, as the
    /// kernel's `pidfd_prepare` does: `ESRCH` once reaped, `ENOENT` for any other thread.
    ///
    /// It decides under the pid's `wait_pidfd` lock, because while that is held the leader's
    /// thread-group linkage cannot be removed: a live pid without it was never a leader.
    pub(crate) fn check_live_leader(&self) -> Result {
        // SAFETY: The pid is valid (type invariants) and `alloc_pid` initialised its
        // `wait_pidfd` lock, which lives as long as the pid, so at least as long as `&self`.
        let lock = unsafe {
            Lock::<(), SpinLockIrqBackend>::from_raw(&raw mut (*self.as_ptr()).wait_pidfd.lock)
        };
        let _guard = lock.lock();
        if !self.is_alive() {
            return Err(ESRCH);
        }
        if !self.has_task(bindings::pid_type_PIDTYPE_TGID) {
            return Err(ENOENT);
        }
        Ok(())
    }

    /// The pid's number in `ns`, or 0 when it has none there. Numbers stay readable after the
    /// process is reaped, so callers check liveness separately.
    pub(crate) fn nr_in_ns(&self, ns: &PidNamespace) -> i32 {
        // SAFETY: Both are valid; `pid_nr_ns` only reads them.
        unsafe { bindings::pid_nr_ns(self.as_ptr(), ns.as_ptr()) }
    }

    /// The level of the pid's own namespace: it has a number in that many ancestors too.
    fn level(&self) -> u32 {
        // SAFETY: The pid is valid; its level never changes.
        unsafe { (*self.as_ptr()).level }
    }

    /// The pid's `struct upid` for the namespace level `level`, if it has one there.
    fn upid(&self, level: u32) -> Option<&bindings::upid> {
        // SAFETY: `numbers` has `level() + 1` entries, written once by `alloc_pid` and kept for
        // the pid's lifetime.
        (level <= self.level())
            .then(|| unsafe { &*(*self.as_ptr()).numbers.as_ptr().add(level as usize) })
    }

    /// The pid's numbers in the namespaces below `ns`, outermost first, as `NSpid:` lists them
    /// after the number in `ns`. Empty unless the pid has a number in `ns`.
    pub(crate) fn nrs_below(&self, ns: &PidNamespace) -> impl Iterator<Item = i32> + '_ {
        // SAFETY: A namespace's level never changes.
        let ns_level = unsafe { (*ns.as_ptr()).level };
        let first = if self.nr_in_ns(ns) > 0 {
            ns_level + 1
        } else {
            self.level() + 1
        };
        (first..=self.level()).filter_map(move |level| self.upid(level).map(|upid| upid.nr))
    }

    /// Whether the pid's namespace is the caller's active pid namespace or a descendant of it,
    /// which is the same as having a number there: the rule of the kernel's
    /// `access_pidfd_pidns()` and `pid_in_current_pidns()`.
    pub(crate) fn is_in_current_ns_tree(&self) -> bool {
        let current = kernel::current!();
        let Some(ns) = current.active_pid_ns() else {
            return false;
        };
        // SAFETY: A namespace's level never changes.
        let level = unsafe { (*ns.as_ptr()).level };
        self.upid(level).is_some_and(|upid| upid.ns == ns.as_ptr())
    }

    /// The wait queue the kernel wakes when the process exits and when it is reaped.
    pub(crate) fn wait_queue(&self) -> *mut bindings::wait_queue_head {
        // SAFETY: The pid is valid (type invariants); the queue lives as long as the pid.
        unsafe { &raw mut (*self.as_ptr()).wait_pidfd }
    }

    /// What `poll` reports on a pidfd of this pid, by the rule of the kernel's own pidfds:
    /// readable once the whole thread group has exited, hung up as well once reaped. A leader
    /// that exits before its other threads does not count as exited until the last one has.
    pub(crate) fn exit_poll_events(&self) -> u32 {
        let _rcu = rcu::read_lock();
        // SAFETY: The pid is valid and the RCU read lock is held, as `pid_task` requires.
        let task = unsafe { bindings::pid_task(self.as_ptr(), bindings::pid_type_PIDTYPE_PID) };
        if task.is_null() {
            return bindings::POLLIN | bindings::POLLRDNORM | bindings::POLLHUP;
        }
        // SAFETY: RCU keeps the task alive; both helpers only read it and its thread group.
        let exited = unsafe {
            helpers::pidfd_open_task_exit_state(task) != 0
                && !helpers::pidfd_open_delay_group_leader(task)
        };
        if exited {
            bindings::POLLIN | bindings::POLLRDNORM
        } else {
            0
        }
    }

    /// Sends `sig` to the process as `pidfd_send_signal(2)` does without siginfo: `EINVAL` if
    /// the process is outside the caller's pid namespace tree, then `kill_pid` with the kernel's
    /// permission check for the caller (`ESRCH` once reaped, `EINVAL` for an invalid signal,
    /// `EPERM`), which also builds the `SI_USER` siginfo.
    pub(crate) fn send_signal(&self, sig: i32) -> Result {
        if !self.is_in_current_ns_tree() {
            return Err(EINVAL);
        }
        // SAFETY: The pid is valid; `priv = 0` asks for the permission check.
        to_result(unsafe { bindings::kill_pid(self.as_ptr(), sig, 0) })
    }

    /// The task that has this pid now, if not yet reaped.
    fn task(&self) -> Option<ARef<Task>> {
        // SAFETY: The pid is valid; `get_pid_task` returns a new task reference or null.
        let task = unsafe { bindings::get_pid_task(self.as_ptr(), bindings::pid_type_PIDTYPE_PID) };
        // SAFETY: The reference is ours; `Task` is a transparent wrapper of `task_struct`.
        NonNull::new(task.cast::<Task>()).map(|task| unsafe { ARef::from_raw(task) })
    }

    /// Whether `task` still has this pid: false once it was reaped or, after an exec by
    /// another thread, gave the pid to that thread.
    fn is_owned_by(&self, task: &Task) -> bool {
        let _rcu = rcu::read_lock();
        // SAFETY: The pid is valid and the RCU read lock is held.
        unsafe {
            bindings::pid_task(self.as_ptr(), bindings::pid_type_PIDTYPE_PID) == task.as_ptr()
        }
    }

    /// The fields of `PIDFD_GET_INFO` that `struct pidfd_open_info` has, filled as the kernel
    /// fills them: numbers in the caller's pid namespace, credentials in its user namespace.
    /// `EREMOTE` outside the caller's pid namespace tree, `ESRCH` once reaped.
    pub(crate) fn info(&self) -> Result<PidfdOpenInfo> {
        if !self.is_in_current_ns_tree() {
            return Err(EREMOTE);
        }
        loop {
            let task = self.task().ok_or(ESRCH)?;
            let mut info = fill_creds(&task);
            #[cfg(CONFIG_CGROUPS)]
            {
                let _rcu = rcu::read_lock();
                // SAFETY: The task is referenced and the RCU read lock is held.
                info.cgroupid = unsafe { helpers::pidfd_open_task_dfl_cgroup_id(task.as_ptr()) };
                info.mask |= crate::uapi::PIDFD_OPEN_INFO_CGROUPID;
            }
            // Numbers last, as the kernel does, to keep them as fresh as possible.
            // SAFETY: The task is referenced.
            info.ppid = unsafe { helpers::pidfd_open_task_ppid_vnr(task.as_ptr()) } as u32;
            info.tgid = task.tgid_nr_ns(None) as u32;
            // SAFETY: The pid is valid.
            info.pid = unsafe { bindings::pid_vnr(self.as_ptr()) } as u32;
            info.mask |= PIDFD_OPEN_INFO_PID;
            // The task was reaped, or lost the pid to an exec'ing thread, while we looked:
            // start over, as the kernel does.
            if info.tgid != 0 && self.is_owned_by(&task) {
                return Ok(info);
            }
        }
    }
}

/// The credentials of `task`, mapped into the caller's user namespace.
///
/// Unmapped ids become the overflow id (65534), as `PIDFD_GET_INFO` reports them: hence
/// `from_kuid_munged` rather than `Kuid::into_uid_in_current_ns`, which gives -1.
fn fill_creds(task: &Task) -> PidfdOpenInfo {
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
