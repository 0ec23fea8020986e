// SPDX-License-Identifier: GPL-2.0

//! Rust declarations of the C wrappers in `helpers.c` (prototypes in `helpers.h`).
//!
//! Each forwards to the kernel function of the same name without the `pidfd_open_` prefix, and
//! the safety requirements are those of that function.

use kernel::{
    bindings,
    ffi, //
};

// The bindings' types embed empty placeholder structs for configured-out members, which the lint
// flags; the `bindings` crate allows it for the same reason.
#[expect(improper_ctypes)]
extern "C" {
    pub(crate) fn pidfd_open_get_pid(pid: *mut bindings::pid) -> *mut bindings::pid;
    pub(crate) fn pidfd_open_proc_pid_ns(
        sb: *mut bindings::super_block,
    ) -> *mut bindings::pid_namespace;
    pub(crate) fn pidfd_open_lookup_noperm_positive_unlocked(
        name: *const ffi::c_char,
        len: ffi::c_uint,
        base: *mut bindings::dentry,
    ) -> *mut bindings::dentry;
    pub(crate) fn pidfd_open_current_cred() -> *const bindings::cred;
    pub(crate) fn pidfd_open_delay_group_leader(task: *mut bindings::task_struct) -> bool;
    pub(crate) fn pidfd_open_task_ppid_vnr(task: *mut bindings::task_struct) -> bindings::pid_t;
    pub(crate) fn pidfd_open_inode_is_new(inode: *mut bindings::inode) -> bool;
    pub(crate) fn pidfd_open_file_set_nonotify(file: *mut bindings::file);
    pub(crate) fn pidfd_open_init_pseudo(
        fc: *mut bindings::fs_context,
        magic: ffi::c_ulong,
        ops: *const bindings::super_operations,
        dops: *const bindings::dentry_operations,
    ) -> ffi::c_int;
    pub(crate) fn pidfd_open_schedule_unmount(delay_ms: ffi::c_uint);
    pub(crate) fn pidfd_open_cancel_unmount();
    #[cfg(CONFIG_CGROUPS)]
    pub(crate) fn pidfd_open_task_dfl_cgroup_id(task: *mut bindings::task_struct) -> u64;
}
