// SPDX-License-Identifier: GPL-2.0

//! Files this module makes or opens, owned as [`ARef<File>`], and the fds it hands out.

use core::ptr::NonNull;
use kernel::{
    bindings,
    error::from_err_ptr,
    fs::{
        file::{
            flags::O_CLOEXEC,
            FileDescriptorReservation, //
        },
        File,
    },
    prelude::*,
    sync::aref::ARef,
};

/// Takes ownership of a file that a kernel function returned with one reference, or its error.
///
/// # Safety
///
/// `file` is an `ERR_PTR` or a `struct file` with a reference that the caller owns and transfers.
pub(crate) unsafe fn take_new_file(file: *mut bindings::file) -> Result<ARef<File>> {
    let file = from_err_ptr(file)?;
    // SAFETY: Not an error, so a valid file whose reference the caller transfers; `File` is a
    // transparent wrapper of `struct file`.
    Ok(unsafe { ARef::from_raw(NonNull::new_unchecked(file.cast::<File>())) })
}

/// Installs `file` in a new close-on-exec fd of the caller, which is returned. The fd is taken
/// last, so that no error path has to give one back.
pub(crate) fn install_fd(file: ARef<File>) -> Result<isize> {
    let reservation = FileDescriptorReservation::get_unused_fd_flags(O_CLOEXEC)?;
    let fd = reservation.reserved_fd();
    reservation.fd_install(file);
    Ok(fd as isize)
}
