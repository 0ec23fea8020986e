// SPDX-License-Identifier: GPL-2.0

//! VFS objects the module reads: the path, dentry, inode and superblock of an open file.
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h),
//! [`include/linux/dcache.h`](srctree/include/linux/dcache.h)
//!
//! The 7.3 kernel crate wraps `struct file` but not the objects behind it. Every field read here
//! is set when its object is made and does not change while the object is referenced, which an
//! open file guarantees for its path, dentry, inode and superblock. A `kernel::fs` abstraction
//! of these objects would make this module unnecessary.

use core::{
    marker::PhantomData,
    ops::Deref,
    ptr::NonNull, //
};
use kernel::{
    bindings,
    error::{
        from_err_ptr,
        to_result, //
    },
    ffi::{
        c_int,
        c_void, //
    },
    fs::{
        File,
        LocalFile, //
    },
    pid_namespace::PidNamespace,
    prelude::*,
    sync::aref::ARef,
    types::Opaque, //
};

use crate::{
    file::take_new_file,
    helpers, //
};

/// A `struct super_block`, borrowed from an open file.
#[repr(transparent)]
pub(crate) struct SuperBlock(Opaque<bindings::super_block>);

/// A `struct dentry`, borrowed from an open file.
#[repr(transparent)]
pub(crate) struct Dentry(Opaque<bindings::dentry>);

/// A `struct inode`, borrowed from an open file.
#[repr(transparent)]
pub(crate) struct Inode(Opaque<bindings::inode>);

/// The path, dentry, inode and superblock an open file was opened on.
pub(crate) trait FileObjects {
    /// The `struct path` the file was opened on.
    fn path(&self) -> &bindings::path;
    /// The dentry the file was opened on.
    fn dentry(&self) -> &Dentry;
    /// The inode of the file.
    fn inode(&self) -> &Inode;
    /// The file operations of the file.
    fn fops(&self) -> *const bindings::file_operations;
}

impl FileObjects for LocalFile {
    #[inline]
    fn path(&self) -> &bindings::path {
        // SAFETY: `f_path` is set at open and stays valid until the last reference is dropped,
        // which the borrow of `self` prevents.
        unsafe { &(*self.as_ptr()).__bindgen_anon_1.f_path }
    }

    #[inline]
    fn dentry(&self) -> &Dentry {
        // SAFETY: The file's path holds a reference to its dentry (see `path`).
        unsafe { &*self.path().dentry.cast::<Dentry>() }
    }

    #[inline]
    fn inode(&self) -> &Inode {
        // SAFETY: `f_inode` is set at open and referenced through the path for the file's
        // lifetime.
        unsafe { &*(*self.as_ptr()).f_inode.cast::<Inode>() }
    }

    #[inline]
    fn fops(&self) -> *const bindings::file_operations {
        // SAFETY: `f_op` is set at open and only changed by the open method of a device, before
        // the file is published, so any referenced file's value is final.
        unsafe { (*self.as_ptr()).f_op }
    }
}

impl SuperBlock {
    /// The filesystem's magic number, such as `PROC_SUPER_MAGIC`.
    #[inline]
    pub(crate) fn magic(&self) -> usize {
        // SAFETY: `s_magic` is set when the superblock is filled and never changes.
        unsafe { (*self.0.get()).s_magic }
    }

    /// The root of this superblock's tree.
    #[inline]
    pub(crate) fn root(&self) -> Option<&Dentry> {
        // SAFETY: `s_root` is set when the superblock is filled and stays until it is shut down,
        // which whatever `self` is borrowed from prevents.
        let root = unsafe { (*self.0.get()).s_root };
        // SAFETY: See above.
        (!root.is_null()).then(|| unsafe { &*root.cast::<Dentry>() })
    }

    /// Whether `dentry` is the root of this superblock's tree.
    #[inline]
    pub(crate) fn is_root(&self, dentry: &Dentry) -> bool {
        self.root().is_some_and(|root| core::ptr::eq(root, dentry))
    }

    #[inline]
    pub(crate) fn as_ptr(&self) -> *mut bindings::super_block {
        self.0.get()
    }
}

impl Dentry {
    #[inline]
    pub(crate) fn as_ptr(&self) -> *mut bindings::dentry {
        self.0.get()
    }

    /// The superblock of the dentry.
    #[inline]
    pub(crate) fn super_block(&self) -> &SuperBlock {
        // SAFETY: `d_sb` is set when the dentry is made and never changes; a referenced dentry
        // keeps its superblock alive.
        unsafe { &*(*self.0.get()).d_sb.cast::<SuperBlock>() }
    }

    /// The dentry's inode; `None` for a negative dentry.
    #[inline]
    pub(crate) fn inode(&self) -> Option<&Inode> {
        // SAFETY: A referenced positive dentry keeps its inode, and the dentries this module holds
        // (of open files, or from a positive lookup) never turn negative while referenced.
        let inode = unsafe { (*self.0.get()).d_inode };
        // SAFETY: See above.
        (!inode.is_null()).then(|| unsafe { &*inode.cast::<Inode>() })
    }

    /// Asks the dentry's file system whether it is still valid, as a lookup that finds it in the
    /// dcache does (`d_revalidate()`, in ref-walk mode), without the lookup. `parent` is the
    /// dentry's parent. False where the file system has no revalidation to ask: callers rely on
    /// its answer, so its absence must not pass for "valid".
    pub(crate) fn revalidate(&self, parent: &Dentry) -> bool {
        let dentry = self.as_ptr();
        // SAFETY: `d_op` is set before a dentry is hashed and never changes afterwards; the
        // table it points to is static in its file system, which the referenced dentry keeps.
        let revalidate = unsafe { (*dentry).d_op.as_ref() }.and_then(|ops| ops.d_revalidate);
        let Some(revalidate) = revalidate else {
            return false;
        };
        let Some(dir) = parent.inode() else {
            return false;
        };
        // SAFETY: `dentry` and its parent's inode are referenced for the call, `d_name` is the
        // dentry's own name (stable while referenced for names that are never renamed, and only
        // passed through), and flags 0 asks for a ref-walk check, which may sleep: the caller is
        // in process context.
        unsafe { revalidate(dir.as_ptr(), self.d_name(), dentry, 0) > 0 }
    }

    /// The dentry's `d_name`; what it points to is stable only while the dentry cannot be renamed.
    #[inline]
    fn d_name(&self) -> *const bindings::qstr {
        // SAFETY: A field of a referenced dentry; only its address is taken.
        unsafe { &raw const (*self.0.get()).__bindgen_anon_1.d_name }
    }
}

impl Inode {
    #[inline]
    pub(crate) fn as_ptr(&self) -> *mut bindings::inode {
        self.0.get()
    }

    /// The inode operations, which identify what kind of object of its filesystem it is.
    #[inline]
    pub(crate) fn ops(&self) -> *const bindings::inode_operations {
        // SAFETY: `i_op` is set when the filesystem makes the inode, before anyone else can see
        // it, and never changes after.
        unsafe { (*self.0.get()).i_op }
    }

    /// The filesystem's private data of the inode (`i_private`).
    #[inline]
    pub(crate) fn private(&self) -> *mut c_void {
        // SAFETY: The inode is valid while borrowed; reading the pointer has no requirement.
        unsafe { (*self.0.get()).i_private }
    }

    /// The superblock of the inode.
    #[inline]
    pub(crate) fn super_block(&self) -> &SuperBlock {
        // SAFETY: `i_sb` is set when the inode is made and never changes; a referenced inode
        // keeps its superblock alive.
        unsafe { &*(*self.0.get()).i_sb.cast::<SuperBlock>() }
    }
}

/// A dentry of procfs, which never renames or moves its entries: its name and parent are fixed.
///
/// # Invariants
///
/// `dentry` belongs to a superblock whose magic is `PROC_SUPER_MAGIC`.
pub(crate) struct ProcDentry<'a> {
    dentry: &'a Dentry,
}

impl<'a> ProcDentry<'a> {
    /// `dentry` if it is on procfs.
    pub(crate) fn new(dentry: &'a Dentry) -> Option<Self> {
        // INVARIANT: Checked here.
        (dentry.super_block().magic() == bindings::PROC_SUPER_MAGIC as usize)
            .then_some(Self { dentry })
    }

    #[inline]
    pub(crate) fn dentry(&self) -> &'a Dentry {
        self.dentry
    }

    /// The entry's name.
    pub(crate) fn name(&self) -> &'a [u8] {
        // SAFETY: procfs never renames its entries (type invariants), so `d_name` keeps pointing
        // to the name it got at creation, which lives as long as the dentry.
        unsafe {
            let d_name = &*self.dentry.d_name();
            core::slice::from_raw_parts(
                d_name.name,
                d_name.__bindgen_anon_1.__bindgen_anon_1.len as usize,
            )
        }
    }

    /// Whether the entry's parent is `parent`.
    pub(crate) fn is_child_of(&self, parent: &Dentry) -> bool {
        // SAFETY: procfs never moves its entries (type invariants), so `d_parent` is fixed.
        core::ptr::eq(unsafe { (*self.dentry.as_ptr()).d_parent }, parent.as_ptr())
    }
}

impl SuperBlock {
    /// The pid namespace whose numbers this procfs instance shows; `None` if it is not procfs.
    pub(crate) fn proc_pid_ns(&self) -> Option<&PidNamespace> {
        if self.magic() != bindings::PROC_SUPER_MAGIC as usize {
            return None;
        }
        // SAFETY: A procfs superblock holds a reference to its pid namespace for its lifetime,
        // and `self` is borrowed from something that keeps the superblock alive.
        Some(unsafe { PidNamespace::from_ptr(helpers::pidfd_open_proc_pid_ns(self.as_ptr())) })
    }
}

/// A dentry reference, dropped with `dput`.
///
/// # Invariants
///
/// `ptr` is a dentry with a reference that this value owns.
pub(crate) struct DentryRef {
    ptr: NonNull<Dentry>,
}

impl DentryRef {
    /// Takes over a dentry reference.
    ///
    /// # Safety
    ///
    /// `ptr` is a dentry with a reference that the caller owns and transfers.
    pub(crate) unsafe fn from_raw(ptr: NonNull<bindings::dentry>) -> Self {
        // INVARIANT: The caller transfers the reference; `Dentry` is a transparent wrapper.
        Self { ptr: ptr.cast() }
    }
}

impl Deref for DentryRef {
    type Target = Dentry;

    fn deref(&self) -> &Dentry {
        // SAFETY: The reference is owned (type invariants).
        unsafe { self.ptr.as_ref() }
    }
}

impl Drop for DentryRef {
    fn drop(&mut self) {
        // SAFETY: The reference is owned (type invariants) and given up here.
        unsafe { bindings::dput(self.ptr.as_ptr().cast()) };
    }
}

/// Looks `name` up in the directory `parent`, without permission checks, as the VFS would for a
/// path walk: the filesystem's lookup and revalidation run. The result is a positive dentry of
/// `parent`'s superblock (`ENOENT` where there is none): a lookup never crosses a mount.
pub(crate) fn lookup_noperm(parent: &Dentry, name: &[u8]) -> Result<DentryRef> {
    let len = u32::try_from(name.len()).map_err(|_| ENAMETOOLONG)?;
    // SAFETY: `parent` is a referenced directory dentry and `name` is valid for `len` bytes.
    let found = unsafe {
        helpers::pidfd_open_lookup_noperm_positive_unlocked(
            name.as_ptr().cast(),
            len,
            parent.as_ptr(),
        )
    };
    let found = from_err_ptr(found)?;
    // INVARIANT: The lookup returned a new reference to a positive dentry, or an error.
    NonNull::new(found.cast())
        .map(|ptr| DentryRef { ptr })
        .ok_or(ENOENT)
}

/// Access to check with [`Path::permission`]: search a directory (each step of a path walk).
pub(crate) const MAY_EXEC: u32 = bindings::MAY_EXEC;
/// Read access.
pub(crate) const MAY_READ: u32 = bindings::MAY_READ;
/// Set with the access mode when a file is opened, as `open(2)` does.
pub(crate) const MAY_OPEN: u32 = bindings::MAY_OPEN;

/// A dentry seen through a mount: a `struct path` that borrows both from objects holding them.
///
/// # Invariants
///
/// `raw.mnt` and `raw.dentry` are referenced for `'a`, and the dentry belongs to the mount's
/// superblock.
pub(crate) struct Path<'a> {
    raw: bindings::path,
    _borrows: PhantomData<&'a Dentry>,
}

impl<'a> Path<'a> {
    /// The path `file` was opened on.
    pub(crate) fn of_file(file: &'a LocalFile) -> Self {
        // INVARIANT: An open file holds its path's mount and dentry.
        Self {
            raw: *file.path(),
            _borrows: PhantomData,
        }
    }

    /// `child`, a dentry of the same superblock found below this path's dentry without
    /// crossing a mount, seen through this path's mount.
    pub(crate) fn child<'b>(&'b self, child: &'b Dentry) -> Path<'b> {
        // INVARIANT: The mount is held for `'a` by `self`'s borrow, `child` by its own, and a
        // lookup below a dentry stays in its superblock.
        Path {
            raw: bindings::path {
                mnt: self.raw.mnt,
                dentry: child.as_ptr(),
            },
            _borrows: PhantomData,
        }
    }

    /// Whether anything is mounted on this path in its mount's tree: what a path walk with
    /// `RESOLVE_NO_XDEV` refuses to cross (`path_is_mountpoint()`). A mount on the same dentry
    /// in another mount namespace does not count, as it would not for that walk.
    pub(crate) fn is_mountpoint(&self) -> bool {
        // SAFETY: The path is valid (type invariants).
        unsafe { bindings::path_is_mountpoint(&self.raw) }
    }

    /// Checks that the caller may access the inode with `mask` (`MAY_*`), through this path's
    /// mount, as a path walk (`MAY_EXEC` on each directory) and `open(2)` (`MAY_OPEN` and the
    /// access mode) do: the filesystem's `permission` method, then the LSMs.
    pub(crate) fn permission(&self, mask: u32) -> Result {
        // SAFETY: The path is valid (type invariants); `mnt_idmap` is set when the mount is made
        // and changed only before a detached mount is attached, so the mount that
        // an open file or a lookup reached has its final value.
        let (idmap, inode) = unsafe { ((*self.raw.mnt).mnt_idmap, (*self.raw.dentry).d_inode) };
        if inode.is_null() {
            return Err(ENOENT);
        }
        // SAFETY: The idmap and the inode are those of a referenced positive path.
        to_result(unsafe { bindings::inode_permission(idmap, inode, mask as c_int) })
    }

    /// Opens the path with `flags`, as the caller: `dentry_open()` with the caller's
    /// credentials. It checks no permission: [`Path::permission`] first.
    pub(crate) fn open(&self, flags: u32) -> Result<ARef<File>> {
        // SAFETY: The path is valid (type invariants); `dentry_open` takes references of its own.
        let file = unsafe {
            bindings::dentry_open(
                &self.raw,
                flags as c_int,
                helpers::pidfd_open_current_cred(),
            )
        };
        // SAFETY: `dentry_open` returns a new file with one reference, or an error.
        unsafe { take_new_file(file) }
    }
}

/// A procfs instance of the caller's pid namespace that is mounted nowhere: the module's own,
/// where no mount, `hidepid` option or other user of the instance can change what a lookup
/// finds. Unmounted on drop.
///
/// # Invariants
///
/// `mnt` is a procfs mount that this value holds the only reference to.
pub(crate) struct PrivateProcMount {
    mnt: NonNull<bindings::vfsmount>,
}

impl PrivateProcMount {
    pub(crate) fn new() -> Result<Self> {
        // SAFETY: The name is a C string. procfs is built in (`PROC_FS` is a bool option), so the
        // type is never unregistered and `get_fs_type` takes no module reference that a
        // `put_filesystem` (not exported) would have to give back.
        let ty = unsafe { bindings::get_fs_type(c"proc".as_char_ptr()) };
        if ty.is_null() {
            return Err(ENODEV);
        }
        // SAFETY: `ty` is a registered filesystem type and the name is a C string; procfs takes
        // no mount data it needs.
        let mnt = unsafe {
            bindings::vfs_kern_mount(ty, 0, c"proc".as_char_ptr(), core::ptr::null_mut())
        };
        let mnt = from_err_ptr(mnt)?;
        // INVARIANT: A new mount, with its only reference returned to us.
        NonNull::new(mnt).map(|mnt| Self { mnt }).ok_or(ENOMEM)
    }

    /// The root directory of the instance.
    pub(crate) fn root(&self) -> &Dentry {
        // SAFETY: `mnt_root` is set when the mount is made and held for the mount's life, which
        // the borrow of `self` covers.
        unsafe { &*(*self.mnt.as_ptr()).mnt_root.cast::<Dentry>() }
    }
}

impl Drop for PrivateProcMount {
    fn drop(&mut self) {
        // SAFETY: The reference is ours (type invariants) and given up here.
        unsafe { bindings::mntput(self.mnt.as_ptr()) };
    }
}
