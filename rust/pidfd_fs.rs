// SPDX-License-Identifier: GPL-2.0

//! The module's own pseudo file system for its pidfds: one inode and one dentry per process,
//! shared by all of the module's pidfds of that process, as pidfs keeps them for native ones. A
//! pidfd costs a `struct file`. The file operations' trampolines are here too: they call a
//! [`PidfdOperations`] implementation (the pidfd policy, `pidfd.rs`) with the file's pid.
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h),
//! [`include/linux/mount.h`](srctree/include/linux/mount.h),
//! [`include/linux/pseudo_fs.h`](srctree/include/linux/pseudo_fs.h) (through `helpers.c`)
//!
//! Each process's inode is numbered with the process's pidfs inode number (`struct pid`'s
//! `ino`), so `st_ino` names the process as a native pidfd's does. The first open of a process
//! finds or makes the inode by that number (`iget_locked()`) and its dentry, and stashes the
//! dentry in a slot of [`STASH`] by the number; later opens find it there, without a lock, as
//! pidfs finds the dentry it stashes in the pid. The inode holds the pid, watched for its exit
//! ([`WatchedPid`]), for its life; the dentry is freed with its last reference
//! (`DCACHE_DONTCACHE`), leaving the stash first (`d_prune`), and the inode with its dentry
//! (`inode_just_drop`).
//!
//! # Why unloading the module cannot leave a pointer into it behind
//!
//! The pointers into the module are the tables of this file: the file system type, its super,
//! dentry and inode operations, and the pidfds' file operations; and the wake function of each
//! inode's exit watch, which is on its pid's wait queue from the inode's making until its
//! eviction, while the inode's superblock lives.
//!
//! 1. All of them are reachable only through a superblock of [`FS_TYPE`]: from its inodes and
//!    dentries, which an `O_PATH` fd or a path walk through `/proc/<pid>/fd/<n>` can pin with no
//!    file of ours open, and from the files on them, each of which holds a reference to its
//!    mount, and so to the superblock, until `__fput()` is done with its `f_op` (`mntput()` is
//!    its last step). `FS_TYPE`'s `owner` is this module, and a superblock holds its type, and
//!    so a module reference, from `sget_fc()` until `deactivate_locked_super()` has run
//!    `kill_sb` (`put_filesystem()`), after the last use of any of the tables.
//! 2. So [`PIDFD_FOPS`] has no `owner`: a module reference per file would only repeat its
//!    superblock's, at the cost of two atomic operations on one shared count per pidfd.
//! 3. The module must not keep a superblock alive when nothing of it is in use, or it could
//!    never be unloaded: it holds its mount ([`MOUNT`]) only while an inode of the file system
//!    lives. The eviction of the last one queues [`pidfd_open_fs_unmount_idle`] to run
//!    [`UNMOUNT_DELAY_MS`] later; it drops the mount if the file system is still idle, and the
//!    superblock dies with its last user. `rmmod` then succeeds after that delay, an RCU grace
//!    period (`kern_unmount()`) and the VFS's delayed `mntput()` (a jiffy).
//! 4. The work item is a static of `helpers.c` whose function is here. Nothing can queue it once
//!    the module's reference count is zero, since no inode is left; module exit cancels it.
//!
//! A superblock that the work item gave up lives on while an fd still holds it; a pidfd made
//! meanwhile gets a new superblock. Both are of the same type, and both hold the module.

use core::ptr::NonNull;
use kernel::{
    bindings,
    error::from_err_ptr,
    ffi::{
        c_char,
        c_int,
        c_long,
        c_uint,
        c_ulong, //
    },
    fs::{
        File,
        LocalFile, //
    },
    pid_namespace::PidNamespace,
    prelude::*,
    seq_file::SeqFile,
    sync::{
        aref::ARef,
        atomic::{
            ordering::{
                Acquire,
                Full,
                Relaxed, //
            },
            Atomic,
        },
        rcu,
    },
    types::{
        ForeignOwnable,
        Opaque, //
    },
};

use crate::{
    file::take_new_file,
    helpers,
    pid::{
        PidLookup,
        PidRef,
        WatchedPid, //
    },
    pidfd::Pidfd,
    vfs::{
        DentryRef,
        FileObjects, //
    },
    AssertSync,
};

/// `fstatfs()`'s `f_type` of the module's pidfds (`PIDFD_OPEN_FS_MAGIC` of the UAPI header).
pub(crate) const PIDFD_OPEN_FS_MAGIC: u32 = crate::uapi::PIDFD_OPEN_FS_MAGIC;

/// What a pidfd does, for the file operations of this file system to call with the file's pid
/// (and the exit its inode recorded).
pub(crate) trait PidfdOperations {
    /// The `poll` events of a pidfd of `pid`; the caller has registered the poll table on the
    /// pid's exit wait queue already.
    fn poll(pid: &PidRef) -> bindings::__poll_t;
    /// An ioctl on a pidfd of `pid` (of its thread only, if `thread`): 0 or an error.
    fn ioctl(pid: &WatchedPid, thread: bool, cmd: u32, arg: usize) -> Result;
    /// The pidfd's lines in `/proc/<pid>/fdinfo/<fd>` of a procfs instance of `ns`.
    fn show_fdinfo(pid: &PidRef, m: &SeqFile, ns: &PidNamespace);
}

/// A `struct file_system_type` in a static: the VFS writes to it (its list of superblocks)
/// under its own locks.
struct FsType(Opaque<bindings::file_system_type>);

// SAFETY: The VFS serialises its writes to the type (`sb_lock`); the module only passes it.
unsafe impl Sync for FsType {}

/// The module's file system. It is never registered (nobody can mount it by name); the module
/// mounts it with `kern_mount()`.
static FS_TYPE: FsType = FsType(Opaque::new(bindings::file_system_type {
    // `as_char_ptr` is not const; the bytes with their NUL are the same C string.
    name: c"pidfd_open".to_bytes_with_nul().as_ptr().cast(),
    // fanotify permission events would let a listener block every pidfd open.
    fs_flags: bindings::FS_DISALLOW_NOTIFY_PERM as c_int,
    init_fs_context: Some(init_fs_context),
    kill_sb: Some(bindings::kill_anon_super),
    owner: kernel::module::this_module::<crate::LocalModule>().as_ptr(),
    ..pin_init::zeroed()
}));

static SUPER_OPS: AssertSync<bindings::super_operations> = AssertSync(bindings::super_operations {
    drop_inode: Some(bindings::inode_just_drop),
    evict_inode: Some(evict_inode),
    statfs: Some(bindings::simple_statfs),
    ..pin_init::zeroed()
});

static DENTRY_OPS: AssertSync<bindings::dentry_operations> =
    AssertSync(bindings::dentry_operations {
        d_dname: Some(dname),
        d_prune: Some(prune),
        ..pin_init::zeroed()
    });

static INODE_OPS: AssertSync<bindings::inode_operations> = AssertSync(bindings::inode_operations {
    permission: Some(permission),
    setattr: Some(setattr),
    ..pin_init::zeroed()
});

/// The file operations of every pidfd this module makes, and of every inode of its file system.
static PIDFD_FOPS: AssertSync<bindings::file_operations> = AssertSync(bindings::file_operations {
    // No `owner`: the file's superblock holds the module (see the module documentation, 1).
    open: Some(open),
    show_fdinfo: Some(show_fdinfo::<Pidfd>),
    poll: Some(poll::<Pidfd>),
    unlocked_ioctl: Some(ioctl::<Pidfd>),
    // The argument structs have the same layout for 32-bit callers.
    #[cfg(CONFIG_COMPAT)]
    compat_ioctl: bindings::compat_ptr_ioctl,
    ..pin_init::zeroed()
});

/// The module's mount of its file system while an inode of it lives (see the module
/// documentation, 3); null otherwise. The reference it stands for is the module's.
static MOUNT: Atomic<*mut bindings::vfsmount> = Atomic::new(core::ptr::null_mut());

/// How many process inodes of the file system live, in all its superblocks.
static INODES: Atomic<isize> = Atomic::new(0);

/// A mount reference, dropped with `mntput`.
///
/// # Invariants
///
/// `mnt` is a mount of [`FS_TYPE`] with a reference that this value owns.
struct MountRef {
    mnt: *mut bindings::vfsmount,
}

impl MountRef {
    /// The module's mount, made if there is none.
    fn get() -> Result<Self> {
        loop {
            {
                let _rcu = rcu::read_lock();
                let mnt = MOUNT.load(Acquire);
                if !mnt.is_null() {
                    // SAFETY: The work item that drops the module's reference clears `MOUNT`
                    // first and waits for an RCU grace period (`kern_unmount()`) before it does,
                    // so a mount read under the RCU read lock is still referenced.
                    let mnt = unsafe { bindings::mntget(mnt) };
                    // INVARIANT: `mntget` gave a reference of our own.
                    return Ok(Self { mnt });
                }
            }
            // SAFETY: The type is a valid, static file system type.
            let new = from_err_ptr(unsafe { bindings::kern_mount(FS_TYPE.0.get()) })?;
            if MOUNT.cmpxchg(core::ptr::null_mut(), new, Full).is_err() {
                // Another thread mounted first: use its mount.
                // SAFETY: `new` is ours alone, mounted by `kern_mount` above.
                unsafe { bindings::kern_unmount(new) };
            }
        }
    }

    fn super_block(&self) -> *mut bindings::super_block {
        // SAFETY: The mount is referenced (type invariants); `mnt_sb` never changes.
        unsafe { (*self.mnt).mnt_sb }
    }
}

impl Drop for MountRef {
    fn drop(&mut self) {
        // SAFETY: The reference is ours (type invariants) and given up here.
        unsafe { bindings::mntput(self.mnt) };
    }
}

/// Unmounts the module's mount if no process inode lives: the work item of `helpers.c`.
///
/// # Safety
///
/// Called by the workqueue, in process context.
#[no_mangle]
unsafe extern "C" fn pidfd_open_fs_unmount_idle(_work: *mut bindings::work_struct) {
    if INODES.load(Acquire) != 0 {
        return;
    }
    let mnt = MOUNT.xchg(core::ptr::null_mut(), Full);
    if !mnt.is_null() {
        // SAFETY: `MOUNT` held the module's reference to `mnt`, which is given up here.
        // `kern_unmount` waits for an RCU grace period first, so that `MountRef::get` never
        // takes a reference to a mount that is gone.
        unsafe { bindings::kern_unmount(mnt) };
    }
}

/// How long the module keeps its idle mount: a program that opens and closes pidfds in a loop
/// reuses one superblock instead of mounting one per pidfd, and `rmmod` succeeds this long after
/// the last use (contract, section 7).
const UNMOUNT_DELAY_MS: u32 = 100;

/// Queues [`pidfd_open_fs_unmount_idle`] to run in [`UNMOUNT_DELAY_MS`], unless it is queued
/// already: wherever the module's mount may have become idle.
fn schedule_unmount() {
    // SAFETY: No requirements.
    unsafe { helpers::pidfd_open_schedule_unmount(UNMOUNT_DELAY_MS) };
}

/// Cancels the unmount work item and waits for it: at module exit.
pub(crate) fn cancel_unmount() {
    // SAFETY: No requirements; called in process context.
    unsafe { helpers::pidfd_open_cancel_unmount() };
}

/// A pidfd of this file system that is not installed yet.
///
/// # Invariants
///
/// The file's `f_op` is [`PIDFD_FOPS`].
pub(crate) struct NewPidfd(ARef<File>);

impl NewPidfd {
    /// The pid of the pidfd's process.
    pub(crate) fn pid(&self) -> &PidRef {
        // SAFETY: The file is ours (type invariants) and referenced for as long as `self` is
        // borrowed.
        unsafe { pid_of_raw(self.0.as_ptr()) }.pid()
    }

    /// The file, to install.
    pub(crate) fn into_file(self) -> ARef<File> {
        self.0
    }
}

/// Makes a new pidfd of the pid that `pid` names (`ESRCH` if none): a file on the pid's shared
/// inode and dentry, made if the pid has none yet, opened `O_RDWR` as the caller, `O_NONBLOCK`
/// if `nonblock`, and marked as a pidfd of the pid's thread only if `thread` (`O_EXCL` in its
/// flags, as native thread pidfds).
pub(crate) fn new_file(pid: &impl PidLookup, thread: bool, nonblock: bool) -> Result<NewPidfd> {
    let mnt = MountRef::get()?;
    let file = open_process_file(&mnt, pid, nonblock);
    if let Ok(file) = &file {
        if thread {
            // SAFETY: The file is new and not installed: no one else reads its flags yet.
            // `dentry_open` clears `O_EXCL`, so it is set here, as pidfs does.
            unsafe { (*file.as_ptr()).f_flags |= bindings::O_EXCL };
        }
    }
    if file.is_err() {
        // The mount may be one this call made, with no inode: let the work item decide.
        schedule_unmount();
    }
    // INVARIANT: `open_process_file` opens files on our inodes, whose `i_fop` is `PIDFD_FOPS`.
    file.map(NewPidfd)
}

fn open_process_file(mnt: &MountRef, pid: &impl PidLookup, nonblock: bool) -> Result<ARef<File>> {
    let dentry = process_dentry(mnt.super_block(), pid)?;
    let path = bindings::path {
        mnt: mnt.mnt,
        dentry: dentry.as_ptr(),
    };
    let mut flags = bindings::O_RDWR;
    if nonblock {
        flags |= bindings::O_NONBLOCK;
    }
    // SAFETY: The path's mount and dentry are referenced; `dentry_open` takes references of its
    // own, so ours is put when `dentry` goes. `O_RDWR`, as native pidfds.
    let file =
        unsafe { bindings::dentry_open(&path, flags as c_int, helpers::pidfd_open_current_cred()) };
    // SAFETY: `dentry_open` returns a new file with one reference, or an error.
    unsafe { take_new_file(file) }
}

/// The one dentry of the process of the pid that `pid` names, in the superblock `sb`, with a
/// reference: the one in [`STASH`] with no lock held and no reference to the pid taken, as
/// pidfs finds the dentry it stashes in the pid; or else the one [`new_process_dentry`] finds or
/// makes, which is stashed for the next open.
fn process_dentry(sb: *mut bindings::super_block, pid: &impl PidLookup) -> Result<DentryRef> {
    // Another process's or superblock's dentry found in the slot. Declared before the RCU read
    // lock, so that it is put (`dput`, which may sleep) after it.
    let other: Option<DentryRef>;
    let pid: ARef<PidRef> = {
        let rcu = rcu::read_lock();
        let pid = pid.find(&rcu).ok_or(ESRCH)?;
        match find_stashed(&rcu, pid.ino()) {
            Some(dentry) if is_process_dentry(&dentry, sb, pid.ino()) => return Ok(dentry),
            found => other = found,
        }
        pid.into()
    };
    drop(other);
    let dentry = new_process_dentry(sb, &pid)?;
    // INVARIANT: The dentry is one of ours, alive: we hold a reference. Fully ordered, as
    // pidfs's `stash_dentry()` and `stashed_dentry_prune()` are with each other, so that the
    // `prune` of its killing, which comes after our reference is put, finds it.
    stash_slot(pid.ino()).xchg(dentry.as_ptr(), Full);
    Ok(dentry)
}

/// How many slots [`STASH`] has: a power of two. Processes whose inode numbers are equal modulo
/// this share a slot, and an open of one then costs the lookup by number.
const STASH_SLOTS: usize = 1024;

/// The process dentries of the file system, each in the slot of its inode's number modulo
/// [`STASH_SLOTS`], with no reference: where an open finds the dentry of a process that has
/// pidfds already, as pidfs finds it in `struct pid` (`path_from_stashed()`).
///
/// # Invariants
///
/// A slot is null or holds a dentry of a superblock of [`FS_TYPE`] that was alive when it was
/// stored, and that [`prune`] takes out before the dentry is freed.
static STASH: [Atomic<*mut bindings::dentry>; STASH_SLOTS] =
    [const { Atomic::new(core::ptr::null_mut()) }; STASH_SLOTS];

fn stash_slot(ino: u64) -> &'static Atomic<*mut bindings::dentry> {
    &STASH[ino as usize & (STASH_SLOTS - 1)]
}

/// The dentry in the slot of `ino`, with a reference, if it is alive: a process dentry of ours,
/// maybe of another superblock or another process.
///
/// Why the memory is there to look at: `prune` takes a dentry out of its slot before the VFS
/// frees it, and the VFS frees dentries an RCU grace period after that (`dentry_free()`; ours are
/// never `DCACHE_NORCU`, which only `d_alloc_pseudo()` and cursors set), so a dentry read from a
/// slot under the RCU read lock `_rcu` lasts while it is held. `lockref_get_not_dead()` then
/// takes a reference unless the dentry is being killed, which the VFS marks before it calls
/// `prune` (`dentry_kill()`).
fn find_stashed(_rcu: &rcu::Guard, ino: u64) -> Option<DentryRef> {
    let dentry = NonNull::new(stash_slot(ino).load(Acquire))?;
    // SAFETY: See above: the dentry's memory is valid while the RCU read lock is held.
    let alive = unsafe { bindings::lockref_get_not_dead(&raw mut (*dentry.as_ptr()).d_lockref) };
    // SAFETY: `lockref_get_not_dead` took a reference, which the `DentryRef` owns.
    alive.then(|| unsafe { DentryRef::from_raw(dentry) })
}

/// Whether `dentry`, a dentry from [`STASH`] that the caller holds a reference to, is the one of
/// the process whose inode number is `ino`, in the superblock `sb`.
fn is_process_dentry(dentry: &DentryRef, sb: *mut bindings::super_block, ino: u64) -> bool {
    let dentry = dentry.as_ptr();
    // SAFETY: A referenced dentry from the stash is alive, so positive: only dentries with an
    // inode are stashed, and a dentry loses its inode only when killed. Its superblock, its
    // inode and the inode's number never change while it is referenced.
    unsafe { (*dentry).d_sb == sb && (*(*dentry).d_inode).i_ino == ino }
}

/// `d_prune`: takes a dentry that is being killed out of [`STASH`], if it is in its slot still;
/// the VFS frees it an RCU grace period later.
///
/// A negative dentry was never in the stash: only the one that `d_obtain_alias()` made and then
/// threw away, having found that another caller gave the inode a dentry first, has no inode.
///
/// # Safety
///
/// Called by the VFS with a dentry of ours that is being killed.
unsafe extern "C" fn prune(dentry: *mut bindings::dentry) {
    // SAFETY: The dentry is valid during `d_prune`, and keeps its inode until after it
    // (`dentry_kill()`).
    let inode = unsafe { (*dentry).d_inode };
    if inode.is_null() {
        return;
    }
    // SAFETY: A positive dentry's inode lives while the dentry holds it.
    let ino = unsafe { (*inode).i_ino };
    // Another dentry may have taken the slot meanwhile: it stays.
    let _ = stash_slot(ino).cmpxchg(dentry, core::ptr::null_mut(), Full);
}

/// A new dentry of `pid`'s process in the superblock `sb`, on a new inode that holds `pid`,
/// watched for its exit ([`WatchedPid`]), with a reference; or the existing one, if another
/// caller made it meanwhile.
///
/// A new inode gets its dentry before it is unlocked (`d_instantiate_new()`), and
/// `iget_locked()` makes everyone else wait for that, so no process gets two. An inode that
/// outlived its dentry (an fsnotify mark holds inodes, not dentries) gets a new one from
/// `d_obtain_alias()`, which makes sure of the same under the inode's lock.
fn new_process_dentry(sb: *mut bindings::super_block, pid: &ARef<PidRef>) -> Result<DentryRef> {
    // SAFETY: `sb` is a live superblock of ours (the caller holds its mount).
    let inode = unsafe { bindings::iget_locked(sb, pid.ino()) };
    if inode.is_null() {
        return Err(ENOMEM);
    }
    // SAFETY: `iget_locked` returned a referenced inode.
    if !unsafe { helpers::pidfd_open_inode_is_new(inode) } {
        // SAFETY: The inode is referenced; `d_find_any_alias` returns a referenced dentry or
        // null.
        let Some(alias) = NonNull::new(unsafe { bindings::d_find_any_alias(inode) }) else {
            // SAFETY: `d_obtain_alias` takes our inode reference over, also on error.
            let dentry = from_err_ptr(unsafe { bindings::d_obtain_alias(inode) })?;
            // SAFETY: Not an error, so a dentry with a reference that is ours.
            return Ok(unsafe { DentryRef::from_raw(NonNull::new_unchecked(dentry)) });
        };
        // SAFETY: Our reference from `iget_locked`; the dentry holds the inode.
        unsafe { bindings::iput(inode) };
        // SAFETY: `d_find_any_alias` gave us a reference.
        return Ok(unsafe { DentryRef::from_raw(alias) });
    }
    let watched = match WatchedPid::new(pid.clone()) {
        Ok(watched) => watched,
        Err(err) => {
            // SAFETY: The new inode is ours, with nothing set: `iget_failed` unlocks and drops it.
            unsafe { bindings::iget_failed(inode) };
            return Err(err);
        }
    };
    INODES.add(1, Relaxed);
    // SAFETY: A new inode (`I_NEW`) is ours alone until it is unlocked, which makes it visible
    // with everything set, and no other inode of the superblock has this number.
    unsafe {
        let i = &mut *inode;
        i.i_private = watched.into_foreign();
        // As anonymous inodes: read and write for the owner, no file type.
        i.i_mode = (bindings::S_IRUSR | bindings::S_IWUSR) as bindings::umode_t;
        i.i_op = &INODE_OPS.0;
        i.__bindgen_anon_3.i_fop = &PIDFD_FOPS.0;
        // No security hooks on open, and the VFS's rules for typeless anonymous inodes.
        i.i_flags |= bindings::S_PRIVATE | bindings::S_ANON_INODE;
        bindings::simple_inode_init_ts(inode);
    }
    // SAFETY: `sb` is live; the result is a new dentry with a reference, or null.
    let Some(dentry) = NonNull::new(unsafe { bindings::d_alloc_anon(sb) }) else {
        // SAFETY: The new inode is ours; `iget_failed` unlocks it and drops our reference, and
        // `evict_inode` then gives back what was set above.
        unsafe { bindings::iget_failed(inode) };
        return Err(ENOMEM);
    };
    // SAFETY: A new dentry and our new inode, whose reference the dentry takes over;
    // `d_instantiate_new` unlocks the inode.
    unsafe { bindings::d_instantiate_new(dentry.as_ptr(), inode) };
    // SAFETY: `d_alloc_anon` gave us the dentry's reference.
    Ok(unsafe { DentryRef::from_raw(dentry) })
}

/// The pid behind `file` if it is one of this module's pidfds.
pub(crate) fn pid_of(file: &LocalFile) -> Option<&PidRef> {
    if !core::ptr::eq(file.fops(), &PIDFD_FOPS.0) {
        return None;
    }
    // SAFETY: Only the inodes of this file system have these file operations (`new_process_dentry`),
    // and each holds its watched pid in its private data for its life, which the borrowed file
    // pins.
    let watched = unsafe { <Pin<KBox<WatchedPid>>>::borrow(file.inode().private()) };
    Some(watched.get_ref().pid())
}

/// The watched pid of a file of ours.
///
/// # Safety
///
/// `file` is a referenced file whose `f_op` is [`PIDFD_FOPS`], for `'a`.
unsafe fn pid_of_raw<'a>(file: *mut bindings::file) -> &'a WatchedPid {
    // SAFETY: By the caller's guarantee, the file is on one of our inodes (see `pid_of`), whose
    // private data is its watched pid, held while the file pins the inode.
    unsafe { <Pin<KBox<WatchedPid>>>::borrow((*(*file).f_inode).i_private) }.get_ref()
}

/// `init_fs_context`: a pseudo file system with our super and dentry operations.
///
/// # Safety
///
/// Called by the VFS with a new context of [`FS_TYPE`].
unsafe extern "C" fn init_fs_context(fc: *mut bindings::fs_context) -> c_int {
    // SAFETY: `fc` is valid; the tables are static.
    unsafe {
        helpers::pidfd_open_init_pseudo(
            fc,
            PIDFD_OPEN_FS_MAGIC as c_ulong,
            &SUPER_OPS.0,
            &DENTRY_OPS.0,
        )
    }
}

/// `evict_inode`: drops a process inode's pid reference; the last one queues the unmount.
///
/// # Safety
///
/// Called by the VFS, once, for an inode of a superblock of ours that nobody references.
unsafe extern "C" fn evict_inode(inode: *mut bindings::inode) {
    // SAFETY: The inode is being evicted; it has no page cache.
    unsafe { bindings::clear_inode(inode) };
    // SAFETY: As above; the private data is ours.
    let pid = unsafe { (*inode).i_private };
    // The superblock's root has none: it is no process's.
    if pid.is_null() {
        return;
    }
    // SAFETY: `new_process_dentry` stored an owned watched pid, taken back only here.
    drop(unsafe { <Pin<KBox<WatchedPid>>>::from_foreign(pid) });
    if INODES.fetch_add(-1, Full) == 1 {
        schedule_unmount();
    }
}

/// `d_dname`: `anon_inode:[pidfd]`, the name of a pidfd's `/proc/<pid>/fd` link, as for the
/// kernel's anonymous inodes and native pidfds (`lsof` knows it).
///
/// # Safety
///
/// Called by the VFS with `buffer` valid for `buflen` bytes.
unsafe extern "C" fn dname(
    _dentry: *mut bindings::dentry,
    buffer: *mut c_char,
    buflen: c_int,
) -> *mut c_char {
    const NAME: &[u8] = b"anon_inode:[pidfd]\0";
    let Some(start) = usize::try_from(buflen)
        .ok()
        .and_then(|len| len.checked_sub(NAME.len()))
    else {
        return ENAMETOOLONG.to_ptr();
    };
    // SAFETY: `start + NAME.len()` is `buflen`: the name ends the buffer, as `d_path` wants.
    unsafe {
        let dst = buffer.add(start);
        core::ptr::copy_nonoverlapping(NAME.as_ptr().cast(), dst, NAME.len());
        dst
    }
}

/// `permission`: the inode's mode, and no open by path: a reopen through
/// `/proc/<pid>/fd/<n>` fails with `ENXIO`, as for the kernel's anonymous inodes. The module
/// opens its pidfds with `dentry_open()`, which checks no permission.
///
/// # Safety
///
/// Called by the VFS with a referenced inode of ours.
unsafe extern "C" fn permission(
    idmap: *mut bindings::mnt_idmap,
    inode: *mut bindings::inode,
    mask: c_int,
) -> c_int {
    // SAFETY: The arguments are the VFS's, passed on.
    let err = unsafe { bindings::generic_permission(idmap, inode, mask) };
    if err == 0 && mask & bindings::MAY_OPEN as c_int != 0 {
        return ENXIO.to_errno();
    }
    err
}

/// `setattr`: no change of mode, owner or times, as for the kernel's anonymous inodes.
///
/// # Safety
///
/// Called by the VFS.
unsafe extern "C" fn setattr(
    _idmap: *mut bindings::mnt_idmap,
    _dentry: *mut bindings::dentry,
    _attr: *mut bindings::iattr,
) -> c_int {
    EOPNOTSUPP.to_errno()
}

/// `open`: every file of ours is `FMODE_NONOTIFY`, as native pidfds and anonymous-inode files
/// are: its open (reported after this method returns) and close notify nobody.
///
/// # Safety
///
/// Called by the VFS with a file being opened on one of our inodes.
unsafe extern "C" fn open(_inode: *mut bindings::inode, file: *mut bindings::file) -> c_int {
    // SAFETY: The file is being opened, not yet shared.
    unsafe { helpers::pidfd_open_file_set_nonotify(file) };
    0
}

/// `poll`: registers on the pid's exit wait queue, which the kernel wakes on exit and on reap.
///
/// # Safety
///
/// Called by the VFS with `file`, one of ours, referenced, and a valid or null `pts`.
unsafe extern "C" fn poll<T: PidfdOperations>(
    file: *mut bindings::file,
    pts: *mut bindings::poll_table_struct,
) -> bindings::__poll_t {
    // SAFETY: `file` is ours and referenced.
    let (pid, file) = unsafe { (pid_of_raw(file), File::from_raw_file(file)) };
    // SAFETY: `pts` is null or valid for the call, and the file pins the pid through its inode
    // until after the VFS removed the file's poll entries.
    unsafe { pid.pid().poll_wait(file, pts) };
    T::poll(pid.pid())
}

/// `unlocked_ioctl`.
///
/// # Safety
///
/// Called by the VFS with `file`, one of ours, referenced.
unsafe extern "C" fn ioctl<T: PidfdOperations>(
    file: *mut bindings::file,
    cmd: c_uint,
    arg: c_ulong,
) -> c_long {
    // SAFETY: `file` is ours and referenced; a thread pidfd's `O_EXCL` is set before it is
    // installed and never cleared (`fcntl(F_SETFL)` cannot change it).
    let (pid, thread) = unsafe { (pid_of_raw(file), (*file).f_flags & bindings::O_EXCL != 0) };
    match T::ioctl(pid, thread, cmd, arg) {
        Ok(()) => 0,
        Err(err) => err.to_errno() as c_long,
    }
}

/// `show_fdinfo`, with the pid namespace of the procfs instance being read.
///
/// # Safety
///
/// Called by procfs with `m` open on an fdinfo file of a procfs instance and with `file`, one of
/// ours, referenced for the duration of the call.
unsafe extern "C" fn show_fdinfo<T: PidfdOperations>(
    m: *mut bindings::seq_file,
    file: *mut bindings::file,
) {
    // SAFETY: `file` is ours and referenced; `m` is valid and exclusively ours for the call, and
    // its file is the open fdinfo file, which pins its procfs superblock.
    let (pid, m, fdinfo) = unsafe {
        (
            pid_of_raw(file),
            SeqFile::from_raw(m),
            LocalFile::from_raw_file((*m).file),
        )
    };
    if let Some(ns) = fdinfo.inode().super_block().proc_pid_ns() {
        T::show_fdinfo(pid.pid(), m, ns);
    }
}
