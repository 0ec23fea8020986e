// SPDX-License-Identifier: GPL-2.0

//! The translations between pidfds and `/proc/<pid>` directories (`PIDFD_TO_PROCFD` and
//! `PROCFD_TO_PIDFD`), and why neither returns another process's fd: not when a pid number is
//! recycled, and not whatever is mounted, cached or hidden in the procfs they work on.
//!
//! Modules cannot use procfs internals (`proc_pid()`, `fs/proc/internal.h`), so each translation
//! works from public facts about pids and procfs:
//!
//! 1. A `struct pid` that has lost its task (the process was reaped) never gets one again, and its
//!    numbers are freed only after it lost the task. So if a pid has its task at time T, it owned
//!    its numbers during the whole of its life up to T.
//! 2. procfs looks `/proc/<n>` up by number in its mount's pid namespace, and revalidates a cached
//!    `/proc/<n>` dentry on every lookup (`pid_revalidate()`, its `d_revalidate` operation): it
//!    holds the dentry valid only while the pid it was made for has its task. A dentry that failed
//!    revalidation is unhashed for good, and a later lookup of the name makes a new one.
//! 3. procfs gives every `/proc/<n>` directory of a process the same inode operations
//!    (`proc_pid_instantiate()` sets `proc_tgid_base_inode_operations`), and no other inode has
//!    them: `/proc/<pid>/task/<tid>` has its own, a driver's `proc_mkdir()` directory procfs's
//!    generic ones. The table is not exported; [`learn_tgid_dir_ops`] reads it once, at load,
//!    from a `/proc/<n>` directory of the module's own procfs instance, where nothing can hide or
//!    replace the entry.
//!
//! Against the file system, neither translation walks a path. `PIDFD_TO_PROCFD` looks `<n>` up
//! in the procfs root dentry itself, which never crosses a mount, checks that a process's
//! directory came back (fact 3), refuses with `EXDEV` an entry that has a mount on it in the
//! procfd's mount tree (as `openat2()` with `RESOLVE_NO_XDEV`), and opens that very dentry through
//! the procfd's mount. No mount anywhere can make it return another directory; one that appears
//! after the check sits above an fd that is still the process's own directory.
//! `PROCFD_TO_PIDFD` identifies the directory from the fd's own dentry (fact 3, its parent and its
//! name) and procfs's revalidation of that very dentry, without a lookup, so neither permissions
//! (`hidepid`) nor what the dcache holds change its answer.

use kernel::{
    fs::{
        file::flags,
        File,
        LocalFile, //
    },
    pid_namespace::PidNamespace,
    prelude::*,
    sync::{
        aref::ARef,
        barrier::{
            smp_mb,
            Read, //
        },
        SetOnce,
    },
};

use crate::{
    pid::{
        PidRef,
        PidType, //
    },
    pidfd,
    vfs::{
        self,
        Dentry,
        FileObjects,
        Path,
        PrivateProcMount,
        ProcDentry, //
    },
};

/// The inode operations of a process's `/proc/<n>` directory (fact 3), learnt at load. Only ever
/// compared, never called.
static TGID_DIR_OPS: SetOnce<usize> = SetOnce::new();

/// Learns [`TGID_DIR_OPS`] from the caller's own `/proc/<n>` in a procfs instance of the module's
/// own, which no one else can mount on, hide entries of, or see. Called once, before the device
/// exists.
pub(crate) fn learn_tgid_dir_ops() -> Result {
    let proc = PrivateProcMount::new()?;
    // The instance shows the caller's pid namespace, where the caller has a number.
    let own = NrName::new(kernel::current!().tgid_nr_ns(None));
    let entry = vfs::lookup_noperm(proc.root(), own.as_bytes())?;
    let ops = entry.inode().ok_or(ENOENT)?.ops();
    if !TGID_DIR_OPS.populate(ops as usize) {
        return Err(EBUSY);
    }
    Ok(())
}

/// Whether `dentry` is a process's `/proc/<n>` directory, by fact 3.
fn is_tgid_dir(dentry: &Dentry) -> bool {
    let ops = dentry.inode().map(|inode| inode.ops() as usize);
    ops.is_some() && ops == TGID_DIR_OPS.copy()
}

/// An open fd of the root directory of a procfs mount (a bind mount of one counts).
///
/// # Invariants
///
/// `file` was opened on the root dentry of a procfs superblock whose pid namespace is `ns`.
struct ProcRoot<'a> {
    file: &'a LocalFile,
    ns: &'a PidNamespace,
}

impl<'a> ProcRoot<'a> {
    fn from_file(file: &'a LocalFile) -> Option<Self> {
        let sb = file.dentry().super_block();
        let ns = sb.proc_pid_ns()?;
        // INVARIANT: A procfs superblock, and the file's dentry is its root.
        sb.is_root(file.dentry()).then_some(Self { file, ns })
    }

    /// Opens the process directory `/proc/<nr>` of this instance as the caller would with
    /// `O_RDONLY | O_DIRECTORY` and `RESOLVE_NO_XDEV`, without a path walk: search permission on
    /// the root, the lookup (`ENOENT` for a name that is not a process's directory), read and
    /// open permission on the directory, with their errors unchanged, then `EXDEV` if anything
    /// is mounted on it in the procfd's mount tree. Permission comes before the mount, so that a
    /// process `hidepid=invisible` hides is `ENOENT` whether or not its entry was cached.
    fn open_pid_dir(&self, nr: i32) -> Result<ARef<File>> {
        let root = Path::of_file(self.file);
        root.permission(vfs::MAY_EXEC)?;
        let entry = vfs::lookup_noperm(self.file.dentry(), NrName::new(nr).as_bytes())?;
        if !is_tgid_dir(&entry) {
            return Err(ENOENT);
        }
        let dir = root.child(&entry);
        dir.permission(vfs::MAY_OPEN | vfs::MAY_READ)?;
        if dir.is_mountpoint() {
            return Err(EXDEV);
        }
        dir.open(flags::O_RDONLY | flags::O_DIRECTORY | flags::O_LARGEFILE)
    }
}

/// An open fd of a process's `/proc/<n>` directory: a directory directly under a procfs root
/// whose name is a number and whose inode is a process directory's (fact 3).
///
/// # Invariants
///
/// `entry` is the dentry of an open procfs directory of a process, whose parent is its
/// superblock's root `root`, whose name is the decimal number `nr > 0`, and whose procfs instance
/// shows the pid namespace `ns`.
struct ProcPidDir<'a> {
    entry: ProcDentry<'a>,
    root: &'a Dentry,
    ns: &'a PidNamespace,
    nr: i32,
}

impl<'a> ProcPidDir<'a> {
    fn from_file(file: &'a LocalFile) -> Option<Self> {
        let entry = ProcDentry::new(file.dentry())?;
        let sb = entry.dentry().super_block();
        let ns = sb.proc_pid_ns()?;
        let root = sb.root()?;
        if !entry.is_child_of(root) || !is_tgid_dir(entry.dentry()) {
            return None;
        }
        let nr = parse_nr(entry.name())?;
        // INVARIANT: Checked above.
        Some(Self {
            entry,
            root,
            ns,
            nr,
        })
    }

    /// Whether procfs still holds this directory valid, as it would on a lookup of its name that
    /// found it in the dcache: true only while the pid the directory was made for has its task
    /// (fact 2). Neither permissions nor the dcache's contents enter into it.
    fn is_current(&self) -> bool {
        self.entry.dentry().revalidate(self.root)
    }
}

/// `PIDFD_TO_PROCFD`: the fd of `/proc/<n>` in the procfs mount of `procfd` for the process of
/// the pidfd `pidfd` (this module's or a native one), `n` being its number in that mount's pid
/// namespace.
///
/// Why it never returns another process's directory: let P be the pidfd's pid.
/// 1. P has its task (else ESRCH); read n, its number in the mount's namespace (0: ESRCH).
/// 2. Open `/proc/<n>` ([`ProcRoot::open_pid_dir`]: the entry looked up in the procfs root,
///    without crossing a mount, and that dentry opened), which finds whichever process owns n at
///    that moment (fact 2).
/// 3. Check again that P has its task. If so, P owned n during steps 1 to 3 (fact 1), so step 2
///    found P's process (or failed for P, as the caller). If not, drop the directory and fail with
///    ESRCH: n may have been recycled, or have been free when step 2 looked.
///
/// The read barrier keeps the check of step 3 from being satisfied before the reads of step 2.
pub(crate) fn pidfd_to_procfd(procfd: i32, pidfd: i32) -> Result<ARef<File>> {
    let proc_file = LocalFile::fget(procfd as u32)?;
    let pidfd_file = LocalFile::fget(pidfd as u32)?;
    let root = ProcRoot::from_file(&proc_file).ok_or(EINVAL)?;
    let pid = pidfd::pid_of(&pidfd_file).ok_or(EBADF)?;

    if !pid.has_task(PidType::Pid) {
        return Err(ESRCH);
    }
    let nr = pid.nr_in_ns(root.ns);
    if nr == 0 {
        return Err(ESRCH);
    }
    let dir = root.open_pid_dir(nr);
    smp_mb(Read);
    if !pid.has_task(PidType::Pid) {
        // Also when the open failed: a reaped process is ESRCH, whatever the open of a number
        // that has just become free said.
        return Err(ESRCH);
    }
    dir
}

/// `PROCFD_TO_PIDFD`: a pidfd for the process the `/proc/<n>` directory `procfd` was opened for.
///
/// Why it never returns a pidfd of another process: let Q be the pid the directory was made for
/// (procfs knows it; modules cannot ask), and n its name.
/// 1. Look up P, the pid that owns n in the mount's namespace now (none: ESRCH).
/// 2. Ask procfs to revalidate the fd's own dentry, as a lookup of n that found it cached would:
///    it holds it valid only if Q has its task now (fact 2; else ESRCH). Then Q owned n from
///    before the directory was opened until now (fact 1), which covers step 1, so P is Q. In the
///    other order, Q could die and n be recycled between the two steps, and P would be the new
///    process. No lookup is made, so neither `hidepid` nor what the dcache holds can change the
///    answer.
/// 3. Check that P is still a live thread-group leader (ESRCH if reaped, ENOENT for a thread),
///    under the lock the kernel's own pidfd code uses, and make the pidfd.
///
/// The read barrier keeps the lookup of step 2 from being satisfied before that of step 1.
pub(crate) fn procfd_to_pidfd(procfd: i32) -> Result<ARef<File>> {
    let file = LocalFile::fget(procfd as u32)?;
    let dir = ProcPidDir::from_file(&file).ok_or(EBADF)?;

    let pid = PidRef::find_in_ns(dir.nr, dir.ns).ok_or(ESRCH)?;
    smp_mb(Read);
    if !dir.is_current() {
        return Err(ESRCH);
    }
    pidfd::new_pidfd(&pid, 0)
}

/// The decimal name of `/proc/<nr>`.
struct NrName {
    buf: [u8; 10],
    start: usize,
}

impl NrName {
    fn new(nr: i32) -> Self {
        let mut buf = [0u8; 10];
        let mut n = nr.unsigned_abs();
        let mut start = buf.len();
        loop {
            start -= 1;
            buf[start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        Self { buf, start }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf[self.start..]
    }
}

/// The number a `/proc/<n>` name stands for, in canonical form only (no sign, no leading zero).
fn parse_nr(name: &[u8]) -> Option<i32> {
    if name.is_empty() || name[0] == b'0' || !name.iter().all(u8::is_ascii_digit) {
        return None;
    }
    core::str::from_utf8(name).ok()?.parse::<i32>().ok()
}
