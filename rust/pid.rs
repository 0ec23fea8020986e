// SPDX-License-Identifier: GPL-2.0

//! `struct pid`, the identity of a process that outlives its number, as a refcounted type.

use core::ptr::NonNull;
use kernel::{
    bindings,
    pid_namespace::PidNamespace,
    prelude::*,
    sync::{
        aref::{ARef, AlwaysRefCounted},
        lock::{spinlock::SpinLockIrqBackend, Lock},
        rcu,
    },
    types::Opaque,
};

use crate::helpers;

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

    /// The pid's numbers in the namespaces below `ns`, outermost first, as `NSpid:` lists them
    /// after the number in `ns`. Empty unless the pid has a number in `ns`.
    pub(crate) fn nrs_below(&self, ns: &PidNamespace) -> impl Iterator<Item = i32> + '_ {
        let pid = self.as_ptr();
        // SAFETY: Both are valid, and a pid's and a namespace's level never change.
        let (pid_level, ns_level) = unsafe { ((*pid).level, (*ns.as_ptr()).level) };
        let first = if self.nr_in_ns(ns) > 0 {
            ns_level + 1
        } else {
            pid_level + 1
        };
        (first..=pid_level).map(move |level| {
            // SAFETY: `numbers` has `level + 1` entries, and `level <= pid_level`; they are
            // written once by `alloc_pid`.
            unsafe { (*(*pid).numbers.as_ptr().add(level as usize)).nr }
        })
    }
}
