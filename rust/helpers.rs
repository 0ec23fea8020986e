// SPDX-License-Identifier: GPL-2.0

//! Rust declarations of the C wrappers in `helpers.c` (prototypes in `helpers.h`).
//!
//! Each forwards to the kernel function of the same name without the `pidfd_open_` prefix
//! (`dentry_open` with the caller's credentials), and the safety requirements are those of that
//! function; `pidfd_open_set_inode_ops` sets an inode's `i_op` and `i_fop`.

use kernel::{bindings, ffi};

// The bindings' types embed empty placeholder structs for configured-out members, which the lint
// flags; the `bindings` crate allows it for the same reason.
#[expect(improper_ctypes)]
extern "C" {
    pub(crate) fn pidfd_open_get_pid(pid: *mut bindings::pid) -> *mut bindings::pid;
    pub(crate) fn pidfd_open_pid_has_task(pid: *mut bindings::pid, ty: bindings::pid_type) -> bool;
    pub(crate) fn pidfd_open_proc_pid_ns(
        sb: *mut bindings::super_block,
    ) -> *mut bindings::pid_namespace;
    pub(crate) fn pidfd_open_anon_inode_create_getfile(
        name: *const ffi::c_char,
        fops: *const bindings::file_operations,
        flags: ffi::c_int,
    ) -> *mut bindings::file;
    pub(crate) fn pidfd_open_set_inode_ops(
        inode: *mut bindings::inode,
        iops: *const bindings::inode_operations,
        fops: *const bindings::file_operations,
    );
    pub(crate) fn pidfd_open_dentry_open(
        path: *const bindings::path,
        flags: ffi::c_int,
    ) -> *mut bindings::file;
    pub(crate) fn pidfd_open_lookup_noperm_unlocked(
        name: *const ffi::c_char,
        len: ffi::c_uint,
        base: *mut bindings::dentry,
    ) -> *mut bindings::dentry;
    pub(crate) fn pidfd_open_task_exit_state(task: *mut bindings::task_struct) -> i32;
    pub(crate) fn pidfd_open_delay_group_leader(task: *mut bindings::task_struct) -> bool;
    pub(crate) fn pidfd_open_task_ppid_vnr(task: *mut bindings::task_struct) -> bindings::pid_t;
    #[cfg(CONFIG_CGROUPS)]
    pub(crate) fn pidfd_open_task_dfl_cgroup_id(task: *mut bindings::task_struct) -> u64;
}
