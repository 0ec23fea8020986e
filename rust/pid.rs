// SPDX-License-Identifier: GPL-2.0

//! `struct pid`: the identity of a process or thread, which outlives its number.
//!
//! C header: [`include/linux/pid.h`](srctree/include/linux/pid.h)
//!
//! A pid stays valid while referenced and keeps its numbers, but loses its tasks when the process
//! (or thread) is reaped; the kernel never attaches a task to it again after that.
//!
//! This is a driver-local abstraction written so that it could become `kernel::pid`: it holds no
//! pidfd policy. To move, it would need the kernel crate to gain a C helper for `get_pid()`
//! (static inline, so wrapped in this module's `helpers.c` today), and a name:
//! `kernel::task::Pid` is already the type of a pid number, hence [`PidRef`] here.

use core::ptr::NonNull;
use kernel::{
    bindings,
    error::to_result,
    ffi::{
        c_int,
        c_uint,
        c_void, //
    },
    fs::{
        File,
        LocalFile, //
    },
    pid_namespace::PidNamespace,
    prelude::*,
    sync::{
        aref::{
            ARef,
            AlwaysRefCounted, //
        },
        atomic::{
            ordering::{
                Acquire,
                Relaxed,
                Release, //
            },
            Atomic,
        },
        lock::{
            spinlock::SpinLockIrqBackend,
            Lock, //
        },
        rcu,
    },
    task::Task,
    types::Opaque,
};

use crate::{
    helpers,
    task::TaskExt,
    vfs::FileObjects, //
};

/// The kinds of task a pid can be attached to (`enum pid_type`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum PidType {
    /// The task whose own id this is (a thread).
    Pid,
    /// The thread-group leader whose thread-group id this is.
    Tgid,
}

impl PidType {
    fn as_raw(self) -> bindings::pid_type {
        match self {
            Self::Pid => bindings::pid_type_PIDTYPE_PID,
            Self::Tgid => bindings::pid_type_PIDTYPE_TGID,
        }
    }
}

/// A reference-counted `struct pid`.
///
/// # Invariants
///
/// Instances are only reachable through a reference counted by `get_pid`/`put_pid` (an
/// [`ARef<PidRef>`], or a borrow of something that owns one), so the count is non-zero.
#[repr(transparent)]
pub(crate) struct PidRef(Opaque<bindings::pid>);

// SAFETY: `struct pid` is refcounted, and the kernel's own locks protect its mutable parts, so it
// may be used and released on any thread.
unsafe impl Send for PidRef {}
// SAFETY: All methods taking `&self` only call functions that are safe to call concurrently.
unsafe impl Sync for PidRef {}

// SAFETY: `get_pid` and `put_pid` keep the count, and the type invariants say it is non-zero while
// `&self` exists, so `inc_ref` never resurrects a freed pid.
unsafe impl AlwaysRefCounted for PidRef {
    #[inline]
    fn inc_ref(&self) {
        // SAFETY: The count is non-zero (type invariants).
        unsafe { helpers::pidfd_open_get_pid(self.as_ptr()) };
    }

    #[inline]
    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller gives up one reference it owns.
        unsafe { bindings::put_pid(obj.cast().as_ptr()) }
    }
}

impl PidRef {
    /// Takes over a reference returned by the C side; `None` for a null pointer.
    ///
    /// # Safety
    ///
    /// `ptr` is null or points to a `struct pid` with a reference that the caller owns and
    /// transfers.
    #[inline]
    pub(crate) unsafe fn from_owned_raw(ptr: *mut bindings::pid) -> Option<ARef<Self>> {
        // INVARIANT: The reference the caller transfers keeps the count non-zero.
        // SAFETY: `PidRef` is a transparent wrapper of `struct pid`; the caller transfers the
        // reference.
        NonNull::new(ptr.cast::<Self>()).map(|pid| unsafe { ARef::from_raw(pid) })
    }

    /// Borrows a pid whose reference is owned elsewhere.
    ///
    /// # Safety
    ///
    /// `ptr` points to a `struct pid` holding a reference that lasts for `'a`.
    #[inline]
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::pid) -> &'a Self {
        // SAFETY: `PidRef` is a transparent wrapper of `struct pid`; the caller guarantees
        // validity.
        unsafe { &*ptr.cast::<Self>() }
    }

    #[inline]
    pub(crate) fn as_ptr(&self) -> *mut bindings::pid {
        self.0.get()
    }

    /// The pid behind a native pidfd (a file of pidfs), `None` for any other file.
    ///
    /// pidfs (`fs/pidfs.c`, 7.3) stores the `struct pid` of every inode in `i_private` when it
    /// makes the inode (`pidfs_init_inode`), and holds a reference to it for the inode's
    /// lifetime: this is what the unexported `pidfd_pid()` returns. Only a file of pidfs (its
    /// superblock's magic) is taken for one, so no other file system's private inode data is
    /// ever read as a pid. `fget` refuses `O_PATH` files, so the file is an open pidfd, which pins
    /// the inode. A pidfs change that stored anything else there would make
    /// `tests/native_test.c` get another process's directory, or none, where it asserts the
    /// identity of the process behind every result.
    pub(crate) fn of_native_pidfd(file: &LocalFile) -> Option<&PidRef> {
        let inode = file.inode();
        if inode.super_block().magic() != bindings::PID_FS_MAGIC as usize {
            return None;
        }
        let pid = inode.private();
        if pid.is_null() {
            return None;
        }
        // SAFETY: See above: a pidfs inode's private data is a pid it holds a reference to, and
        // the borrowed file keeps the inode alive.
        Some(unsafe { PidRef::from_raw(pid.cast()) })
    }

    /// The pid's pidfs inode number: the `st_ino` of its native pidfds, unique among all pids
    /// since boot.
    ///
    /// pidfs (`fs/pidfs.c`, 7.3) sets `ino` when the pid is allocated (`pidfs_add_pid()`) and
    /// never changes it; it is what a native pidfd's inode number is. `tests/open_test.c`
    /// compares the `st_ino` of a module pidfd with a native pidfd's of the same process, so a
    /// pidfs change that numbered its inodes otherwise would fail there.
    #[inline]
    pub(crate) fn ino(&self) -> u64 {
        // SAFETY: The pid is valid while borrowed; `ino` is set before the pid is visible.
        unsafe { (*self.as_ptr()).__bindgen_anon_1.ino }
    }

    /// The pid that has number `nr` in the caller's active pid namespace (`find_vpid()`), for as
    /// long as the RCU read lock `_rcu` is held. [`ARef::from`] takes a reference that outlives
    /// it.
    #[inline]
    pub(crate) fn find_in_current_ns<'a>(nr: i32, _rcu: &'a rcu::Guard) -> Option<&'a Self> {
        // SAFETY: The RCU read lock is held, as `find_vpid` requires; it accepts any number.
        let pid = unsafe { bindings::find_vpid(nr) };
        // INVARIANT: A pid is put for the last time only an RCU grace period after it left its
        // namespaces (`free_pid()`), so one found under the RCU read lock keeps a non-zero count
        // for as long as the lock is held, which the returned lifetime enforces.
        // SAFETY: As above; `PidRef` is a transparent wrapper of `struct pid`.
        NonNull::new(pid).map(|pid| unsafe { Self::from_raw(pid.as_ptr()) })
    }

    /// The pid that has number `nr` in `ns` (`find_pid_ns()`).
    pub(crate) fn find_in_ns(nr: i32, ns: &PidNamespace) -> Option<ARef<Self>> {
        let _rcu = rcu::read_lock();
        // SAFETY: `ns` is valid and the RCU read lock is held, as `find_pid_ns` requires.
        let pid = unsafe { bindings::find_pid_ns(nr, ns.as_ptr()) };
        // SAFETY: A pid found under the RCU read lock keeps a non-zero count until the lock is
        // dropped (its last put is RCU-deferred), so taking a reference now is sound; `get_pid`
        // passes null through.
        unsafe { Self::from_owned_raw(helpers::pidfd_open_get_pid(pid)) }
    }

    /// Whether a task is attached to the pid as `ty`: `pid_has_task()`, a static inline that reads
    /// the head of the pid's list of tasks of that type once, without a lock, as here.
    #[inline]
    pub(crate) fn has_task(&self, ty: PidType) -> bool {
        // SAFETY: The pid is valid (type invariants) and `tasks` has an entry per pid type; the
        // kernel changes the list head with single stores (`hlist_add_head_rcu()`,
        // `hlist_del_rcu()`), and a volatile read is `READ_ONCE()`.
        let first = unsafe {
            core::ptr::read_volatile(&raw const (*self.as_ptr()).tasks[ty.as_raw() as usize].first)
        };
        !first.is_null()
    }

    /// The task attached to the pid as `ty`, for as long as the RCU read lock `_rcu` is held
    /// (`pid_task()`).
    #[inline]
    pub(crate) fn task<'a>(&'a self, _rcu: &'a rcu::Guard, ty: PidType) -> Option<&'a Task> {
        // SAFETY: The pid is valid and the RCU read lock is held, as `pid_task` requires.
        let task = unsafe { bindings::pid_task(self.as_ptr(), ty.as_raw()) };
        // SAFETY: A task found under the RCU read lock stays valid until it is dropped, which the
        // returned lifetime enforces; `Task` is a transparent wrapper of `task_struct`.
        NonNull::new(task).map(|task| unsafe { &*task.as_ptr().cast::<Task>() })
    }

    /// A reference to the task attached to the pid as `ty` (`get_pid_task()`).
    #[inline]
    pub(crate) fn get_task(&self, ty: PidType) -> Option<ARef<Task>> {
        // SAFETY: The pid is valid; `get_pid_task` returns a new task reference or null.
        let task = unsafe { bindings::get_pid_task(self.as_ptr(), ty.as_raw()) };
        // SAFETY: The reference is ours; `Task` is a transparent wrapper of `task_struct`.
        NonNull::new(task.cast::<Task>()).map(|task| unsafe { ARef::from_raw(task) })
    }

    /// The pid's number in `ns`, or 0 when it has none there (`pid_nr_ns()`). Numbers stay
    /// readable after the process is reaped.
    #[inline]
    pub(crate) fn nr_in_ns(&self, ns: &PidNamespace) -> i32 {
        // SAFETY: Both are valid; `pid_nr_ns` only reads them.
        unsafe { bindings::pid_nr_ns(self.as_ptr(), ns.as_ptr()) }
    }

    /// The pid's number in the caller's active pid namespace, or 0 (`pid_vnr()`).
    #[inline]
    pub(crate) fn vnr(&self) -> i32 {
        // SAFETY: The pid is valid; `pid_vnr` only reads it and the caller's namespace.
        unsafe { bindings::pid_vnr(self.as_ptr()) }
    }

    /// The level of the pid's own namespace: it has a number in that many ancestors too.
    #[inline]
    fn level(&self) -> u32 {
        // SAFETY: The pid is valid; its level never changes.
        unsafe { (*self.as_ptr()).level }
    }

    /// The pid's `struct upid` for the namespace level `level`, if it has one there.
    fn upid(&self, level: u32) -> Option<&bindings::upid> {
        if level > self.level() {
            return None;
        }
        // SAFETY: `numbers` has `level() + 1` entries, written once by `alloc_pid` and kept for
        // the pid's lifetime.
        Some(unsafe { &*(*self.as_ptr()).numbers.as_ptr().add(level as usize) })
    }

    /// Whether the pid has a number in `ns`, which is the same as its namespace being `ns` or a
    /// descendant of it.
    pub(crate) fn is_visible_in(&self, ns: &PidNamespace) -> bool {
        self.upid(ns_level(ns))
            .is_some_and(|upid| upid.ns == ns.as_ptr())
    }

    /// The pid's numbers in the namespaces below `ns`, outermost first (as `NSpid:` lists them
    /// after the number in `ns`). Empty unless the pid has a number in `ns`.
    pub(crate) fn nrs_below(&self, ns: &PidNamespace) -> impl Iterator<Item = i32> + '_ {
        let first = if self.is_visible_in(ns) {
            ns_level(ns) + 1
        } else {
            self.level() + 1
        };
        (first..=self.level()).filter_map(move |level| self.upid(level).map(|upid| upid.nr))
    }

    /// Runs `f` with the pid's `wait_pidfd` lock held, the lock under which the kernel attaches
    /// and detaches a thread-group leader's tasks.
    pub(crate) fn with_wait_lock<R>(&self, f: impl FnOnce() -> R) -> R {
        // SAFETY: The pid is valid (type invariants) and `alloc_pid` initialised its `wait_pidfd`
        // lock, which lives as long as the pid, so at least as long as `&self`.
        let lock = unsafe {
            Lock::<(), SpinLockIrqBackend>::from_raw(&raw mut (*self.as_ptr()).wait_pidfd.lock)
        };
        let _guard = lock.lock();
        f()
    }

    /// Registers `file`'s poll waiter on the pid's `wait_pidfd` queue, which the kernel wakes when
    /// the process exits and when it is reaped.
    ///
    /// # Safety
    ///
    /// `table` is null or a valid poll table for the duration of the call, and `file` holds a
    /// reference to this pid until the VFS has removed the file's poll entries (it does so before
    /// releasing a file).
    #[inline]
    pub(crate) unsafe fn poll_wait(&self, file: &File, table: *mut bindings::poll_table) {
        // SAFETY: The queue lives as long as the pid, which outlives the poll entries (see
        // above); `table` is null or valid.
        unsafe { bindings::poll_wait(file.as_ptr(), &raw mut (*self.as_ptr()).wait_pidfd, table) }
    }

    /// Sends `sig` to the process, as the caller and with the kernel's permission check
    /// (`kill_pid()`): `ESRCH` once reaped, `EINVAL` for an invalid signal, `EPERM`. The signal
    /// carries `SI_USER` siginfo with the caller's pid and uid.
    #[inline]
    pub(crate) fn kill(&self, sig: i32) -> Result {
        // SAFETY: The pid is valid; `priv = 0` asks for the permission check.
        to_result(unsafe { bindings::kill_pid(self.as_ptr(), sig, 0) })
    }

    /// Sends `sig` to every process of the process group this pid leads, as `kill(-pgid)` and
    /// `PIDFD_SIGNAL_PROCESS_GROUP` do (`kill_pgrp()`): the permission check for each member,
    /// `ESRCH` when the group is empty, `EPERM` when no member could be signalled.
    #[inline]
    pub(crate) fn kill_process_group(&self, sig: i32) -> Result {
        // SAFETY: The pid is valid; `priv = 0` asks for the permission check.
        to_result(unsafe { bindings::kill_pgrp(self.as_ptr(), sig, 0) })
    }
}

/// What names a pid: a pid referenced already, or a number to look up.
pub(crate) trait PidLookup {
    /// The pid, for as long as both `self` and the RCU read lock are borrowed.
    fn find<'a>(&'a self, rcu: &'a rcu::Guard) -> Option<&'a PidRef>;
}

impl PidLookup for ARef<PidRef> {
    #[inline]
    fn find<'a>(&'a self, _rcu: &'a rcu::Guard) -> Option<&'a PidRef> {
        Some(self)
    }
}

/// A pid number in the caller's active pid namespace.
pub(crate) struct NrInCurrentNs(pub(crate) i32);

impl PidLookup for NrInCurrentNs {
    #[inline]
    fn find<'a>(&'a self, rcu: &'a rcu::Guard) -> Option<&'a PidRef> {
        PidRef::find_in_current_ns(self.0, rcu)
    }
}

/// A pid, with the exit status of its task recorded when the kernel reports the exit: an entry
/// on the pid's `wait_pidfd` queue, which `do_notify_pidfd()` wakes when the task exits (for a
/// thread-group leader, when its whole group has), while the task is still attached to the pid.
/// What the entry records survives the reap, after which no task is left to ask.
///
/// Why no exit is missed and no other task's status is read: the entry is on the queue from
/// [`WatchedPid::new`] on, and `new` records the status itself, under the queue's lock, if the
/// task had already exited. A task that exits later wakes the queue before it is reaped. The
/// wake-up and `new` both read the task attached to this very pid, under the queue's lock, and
/// only a task that has exited: the last exit before the reap is the one that stays.
///
/// # Invariants
///
/// `entry` is on the `wait_pidfd` queue of `pid` from the end of [`WatchedPid::new`] until drop.
#[pin_data(PinnedDrop)]
pub(crate) struct WatchedPid {
    pid: ARef<PidRef>,
    #[pin]
    entry: Opaque<bindings::wait_queue_entry>,
    /// The status, valid once `exited` is set (with release ordering).
    exit_code: Atomic<i32>,
    #[cfg(CONFIG_CGROUPS)]
    exit_cgroup_id: Atomic<u64>,
    exited: Atomic<i32>,
}

/// A pid's exit as [`WatchedPid`] recorded it.
pub(crate) struct Exit {
    /// The wait status.
    pub(crate) code: i32,
    /// The id of the task's cgroup (of the default hierarchy) at exit.
    #[cfg(CONFIG_CGROUPS)]
    pub(crate) cgroup_id: u64,
}

impl WatchedPid {
    /// Watches `pid`'s exit from now on.
    pub(crate) fn new(pid: ARef<PidRef>) -> Result<Pin<KBox<Self>>> {
        let watched = KBox::pin_init(
            pin_init!(Self {
                pid,
                entry: Opaque::new(bindings::wait_queue_entry {
                    func: Some(Self::wake),
                    ..pin_init::zeroed()
                }),
                exit_code: Atomic::new(0),
                #[cfg(CONFIG_CGROUPS)]
                exit_cgroup_id: Atomic::new(0),
                exited: Atomic::new(0),
            }),
            GFP_KERNEL,
        )?;
        // SAFETY: The entry is pinned with the box, which drop removes it from the queue before
        // it is freed; the queue lives as long as the pid, which the box holds.
        unsafe { bindings::add_wait_queue(watched.queue(), watched.entry.get()) };
        watched.pid.with_wait_lock(|| watched.record());
        // INVARIANT: The entry is on the queue.
        Ok(watched)
    }

    /// The watched pid.
    #[inline]
    pub(crate) fn pid(&self) -> &PidRef {
        &self.pid
    }

    /// The exit recorded so far: `None` while the task has not exited.
    pub(crate) fn exit(&self) -> Option<Exit> {
        if self.exited.load(Acquire) == 0 {
            return None;
        }
        Some(Exit {
            code: self.exit_code.load(Relaxed),
            #[cfg(CONFIG_CGROUPS)]
            cgroup_id: self.exit_cgroup_id.load(Relaxed),
        })
    }

    fn queue(&self) -> *mut bindings::wait_queue_head {
        // SAFETY: A field of the valid pid; only its address is taken.
        unsafe { &raw mut (*self.pid.as_ptr()).wait_pidfd }
    }

    /// Records the status of the pid's task if it has exited. Called with the queue's lock held,
    /// so that a wake-up and `new` never interleave.
    fn record(&self) {
        let rcu = rcu::read_lock();
        let Some(task) = self.pid.task(&rcu, PidType::Pid) else {
            return;
        };
        if !task.has_exited() {
            return;
        }
        self.exit_code.store(task.exit_code(), Relaxed);
        #[cfg(CONFIG_CGROUPS)]
        self.exit_cgroup_id.store(task.dfl_cgroup_id(&rcu), Relaxed);
        self.exited.store(1, Release);
    }

    /// The entry's wake function: every wake-up of the pid's queue (exit, reap) records what it
    /// can and wakes nothing else.
    ///
    /// # Safety
    ///
    /// Called by `__wake_up()` with the queue's lock held and `entry` the entry of a live
    /// `WatchedPid` on that queue.
    unsafe extern "C" fn wake(
        entry: *mut bindings::wait_queue_entry,
        _mode: c_uint,
        _flags: c_int,
        _key: *mut c_void,
    ) -> c_int {
        // SAFETY: `entry` is the `entry` field of a live `WatchedPid` (the caller's guarantee),
        // and `Opaque` is transparent.
        let watched = unsafe {
            &*kernel::container_of!(
                entry.cast::<Opaque<bindings::wait_queue_entry>>(),
                Self,
                entry
            )
        };
        watched.record();
        0
    }
}

#[pinned_drop]
impl PinnedDrop for WatchedPid {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: The entry is on the pid's queue (type invariants), which lives as long as the
        // pid this value still holds.
        unsafe { bindings::remove_wait_queue(self.queue(), self.entry.get()) };
    }
}

/// The level of `ns` in the tree of pid namespaces (0: the initial one).
#[inline]
fn ns_level(ns: &PidNamespace) -> u32 {
    // SAFETY: A namespace's level is set at creation and never changes.
    unsafe { (*ns.as_ptr()).level }
}
