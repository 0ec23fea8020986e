// SPDX-License-Identifier: GPL-2.0

//! The translations between pidfds and `/proc/<pid>` directories (`PIDFD_TO_PROCFD` and
//! `PROCFD_TO_PIDFD`), and why neither returns another process's fd when a pid number is
//! recycled.
//!
//! Modules cannot use procfs internals (`proc_pid()`, `fs/proc/internal.h`), so each translation
//! works from public facts about pids and procfs:
//!
//! 1. A `struct pid` that has lost its task (the process was reaped) never gets one again, and its
//!    numbers are freed only after it lost the task. So if a pid has its task at time T, it owned
//!    its numbers during the whole of its life up to T.
//! 2. procfs looks `/proc/<n>` up by number in its mount's pid namespace, and revalidates a cached
//!    `/proc/<n>` dentry on every lookup: it stays hashed only while the pid it was made for has
//!    its task. A dentry that failed revalidation is unhashed for good, and a later lookup of the
//!    name makes a new one.

use kernel::{
    bindings,
    fs::{File, LocalFile},
    pid_namespace::PidNamespace,
    prelude::*,
    sync::{
        aref::ARef,
        barrier::{smp_mb, Read},
    },
};

use crate::{
    file::take_new_file,
    helpers,
    pid::Pid,
    pidfd::{self, PidfdInode},
};

/// The pid namespace of the procfs instance that `inode` belongs to.
///
/// # Safety
///
/// `inode` is a procfs inode that stays referenced for `'a`; its superblock holds a reference to
/// the namespace for as long as it lives.
pub(crate) unsafe fn pid_ns_of_inode<'a>(inode: *mut bindings::inode) -> &'a PidNamespace {
    // SAFETY: The caller guarantees that `inode` is a live procfs inode, so its superblock is a
    // procfs one, whose pid namespace lives at least as long.
    unsafe { PidNamespace::from_ptr(helpers::pidfd_open_proc_pid_ns((*inode).i_sb)) }
}

/// The pid namespace of the procfs instance of `file`, for as long as `file` is borrowed.
///
/// # Safety
///
/// `file` is a procfs file.
unsafe fn pid_ns_of_file(file: &LocalFile) -> &PidNamespace {
    // SAFETY: The borrowed file keeps its inode referenced, and the caller guarantees that it is a
    // procfs inode.
    unsafe { pid_ns_of_inode((*file.as_ptr()).f_inode) }
}

/// The dentry `file` was opened on, and its superblock if that is a procfs one.
fn proc_dentry(file: &LocalFile) -> Option<(*mut bindings::dentry, *mut bindings::super_block)> {
    // SAFETY: An open file's path and its dentry's superblock never change while it is referenced.
    let (dentry, sb) = unsafe {
        let dentry = (*file.as_ptr()).__bindgen_anon_1.f_path.dentry;
        (dentry, (*dentry).d_sb)
    };
    // SAFETY: The superblock is live while the file is.
    (unsafe { (*sb).s_magic } == bindings::PROC_SUPER_MAGIC as usize).then_some((dentry, sb))
}

/// An open fd of the root directory of a procfs mount (a bind mount of one counts).
///
/// # Invariants
///
/// `file` was opened on the root dentry of a procfs superblock.
struct ProcRoot<'a> {
    file: &'a LocalFile,
}

impl<'a> ProcRoot<'a> {
    fn from_file(file: &'a LocalFile) -> Option<Self> {
        let (dentry, sb) = proc_dentry(file)?;
        // SAFETY: The superblock is live while the file is; `s_root` is set for its lifetime.
        // INVARIANT: The file's dentry is its procfs superblock's root.
        (dentry == unsafe { (*sb).s_root }).then_some(Self { file })
    }

    /// The pid namespace whose numbers this mount shows.
    fn pid_ns(&self) -> &'a PidNamespace {
        // SAFETY: The file is a procfs file (type invariants).
        unsafe { pid_ns_of_file(self.file) }
    }

    /// Opens `/proc/<nr>` under this root, as the caller and as `open(2)` would with
    /// `O_RDONLY | O_DIRECTORY`; its errors (such as those of `hidepid`) pass through unchanged.
    fn open_pid_dir(&self, nr: i32) -> Result<ARef<File>> {
        let mut name = [0u8; 12];
        format_nr(nr, &mut name);
        // SAFETY: The root path is valid while the file is referenced, and `name` is a C string.
        let file = unsafe {
            bindings::file_open_root(
                &(*self.file.as_ptr()).__bindgen_anon_1.f_path,
                name.as_ptr().cast(),
                (bindings::O_RDONLY | bindings::O_DIRECTORY | bindings::O_LARGEFILE) as i32,
                0,
            )
        };
        // SAFETY: `file_open_root` returns a new file with one reference, or an error.
        unsafe { take_new_file(file) }
    }
}

/// An open fd of a `/proc/<n>` directory: a directory directly under a procfs root whose name is
/// a number.
///
/// # Invariants
///
/// `dentry` is the dentry of `file`, a procfs directory whose parent is the superblock's root
/// `root`, and whose name is the decimal number `nr > 0`.
struct ProcPidDir<'a> {
    file: &'a LocalFile,
    dentry: *mut bindings::dentry,
    root: *mut bindings::dentry,
    nr: i32,
}

impl<'a> ProcPidDir<'a> {
    fn from_file(file: &'a LocalFile) -> Option<Self> {
        let (dentry, sb) = proc_dentry(file)?;
        // SAFETY: The file pins its dentry and superblock. procfs never renames or moves its
        // entries, so the parent and name are stable.
        let (root, parent, is_dir, name) = unsafe {
            let d = &*dentry;
            let d_name = &d.__bindgen_anon_1.d_name;
            let name = core::slice::from_raw_parts(
                d_name.name,
                d_name.__bindgen_anon_1.__bindgen_anon_1.len as usize,
            );
            let is_dir = !d.d_inode.is_null()
                && u32::from((*d.d_inode).i_mode) & bindings::S_IFMT == bindings::S_IFDIR;
            ((*sb).s_root, d.d_parent, is_dir, name)
        };
        if dentry == root || parent != root || !is_dir {
            return None;
        }
        let nr = parse_nr(name)?;
        // INVARIANT: Checked above.
        Some(Self {
            file,
            dentry,
            root,
            nr,
        })
    }

    fn pid_ns(&self) -> &'a PidNamespace {
        // SAFETY: The file is a procfs file (type invariants).
        unsafe { pid_ns_of_file(self.file) }
    }

    /// Whether a fresh lookup of this directory's name gives this very dentry, which procfs
    /// revalidates on the way: true only while the pid the directory was made for has its task.
    fn is_current(&self) -> bool {
        let mut name = [0u8; 12];
        let len = format_nr(self.nr, &mut name);
        // SAFETY: `root` is the root of a superblock pinned by the file (type invariants), and the
        // name is valid for `len` bytes.
        let found = unsafe {
            helpers::pidfd_open_lookup_noperm_unlocked(name.as_ptr().cast(), len as u32, self.root)
        };
        if kernel::error::from_err_ptr(found).is_err() {
            return false;
        }
        // SAFETY: The lookup returned a dentry reference, which is ours to put.
        unsafe { bindings::dput(found) };
        found == self.dentry
    }
}

/// `PIDFD_TO_PROCFD`: the fd of `/proc/<n>` in the procfs mount of `procfd` for the process of
/// the module pidfd `pidfd`, `n` being its number in that mount's pid namespace.
///
/// Why it never returns another process's directory: let P be the pidfd's pid.
/// 1. P has its task (else ESRCH); read n, its number in the mount's namespace (0: ESRCH).
/// 2. Open `/proc/<n>`, which finds whichever process owns n at that moment.
/// 3. Check again that P has its task. If so, P owned n during steps 1 to 3 (fact 1), so step 2
///    found P's process (or failed for P, as the caller). If not, drop the directory and fail with
///    ESRCH: n may have been recycled, or have been free when step 2 looked.
///
/// The read barrier keeps the check of step 3 from being satisfied before the reads of step 2.
pub(crate) fn pidfd_to_procfd(procfd: i32, pidfd: i32) -> Result<ARef<File>> {
    let proc_file = LocalFile::fget(procfd as u32)?;
    let pidfd_file = LocalFile::fget(pidfd as u32)?;
    let root = ProcRoot::from_file(&proc_file).ok_or(EINVAL)?;
    let pid = pidfd::pid_of(&pidfd_file).ok_or(EINVAL)?;

    if !pid.is_alive() {
        return Err(ESRCH);
    }
    let nr = pid.nr_in_ns(root.pid_ns());
    if nr == 0 {
        return Err(ESRCH);
    }
    let dir = root.open_pid_dir(nr);
    smp_mb(Read);
    if !pid.is_alive() {
        // Also when the open failed: a reaped process is ESRCH, whatever the open of a number
        // that has just become free said.
        return Err(ESRCH);
    }
    dir
}

/// `PROCFD_TO_PIDFD`: a pidfd, opened on `pidfds`, for the process the `/proc/<n>` directory
/// `procfd` was opened for.
///
/// Why it never returns a pidfd of another process: let Q be the pid the directory was made for
/// (procfs knows it; modules cannot ask), and n its name.
/// 1. Look up P, the pid that owns n in the mount's namespace now (none: ESRCH).
/// 2. Look n up again in procfs: the result is the caller's own dentry only if Q has its task now
///    (fact 2; else ESRCH). Then Q owned n from before the directory was opened until now (fact
///    1), which covers step 1, so P is Q. In the other order, Q could die and n be recycled
///    between the two steps, and P would be the new process.
/// 3. Check that P is still a live thread-group leader (ESRCH if reaped, ENOENT for a thread),
///    under the lock the kernel's own pidfd code uses, and make the pidfd.
///
/// The read barrier keeps the lookup of step 2 from being satisfied before that of step 1.
pub(crate) fn procfd_to_pidfd(procfd: i32, pidfds: &PidfdInode) -> Result<ARef<File>> {
    let file = LocalFile::fget(procfd as u32)?;
    let dir = ProcPidDir::from_file(&file).ok_or(EBADF)?;

    let pid = Pid::find_in_ns(dir.nr, dir.pid_ns()).ok_or(ESRCH)?;
    smp_mb(Read);
    if !dir.is_current() {
        return Err(ESRCH);
    }
    pid.check_live_leader()?;
    pidfds.new_file(pid)
}

/// Writes `nr > 0` in decimal with a NUL after it; returns the number of digits.
fn format_nr(nr: i32, buf: &mut [u8; 12]) -> usize {
    let mut digits = [0u8; 10];
    let mut n = nr.unsigned_abs();
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for (i, digit) in digits[..len].iter().rev().enumerate() {
        buf[i] = *digit;
    }
    buf[len] = 0;
    len
}

/// The number a `/proc/<n>` name stands for, in canonical form only (no sign, no leading zero).
fn parse_nr(name: &[u8]) -> Option<i32> {
    if name.is_empty() || name[0] == b'0' || !name.iter().all(u8::is_ascii_digit) {
        return None;
    }
    core::str::from_utf8(name).ok()?.parse::<i32>().ok()
}
