// SPDX-License-Identifier: GPL-2.0

//! pidfd_open: the `pidfd_open()` design of the 2019 LKML patch "pid: add pidfd_open()", for
//! any Rust-enabled kernel, as an ioctl on the misc device `/dev/pidfd_open`.
//!
//! The contract (ioctl numbers, argument structs and the errno of every case) is
//! `include/uapi/linux/pidfd_open.h` and `Documentation/contract.md`.

use kernel::{
    miscdevice::{
        MiscDeviceOptions,
        MiscDeviceRegistration, //
    },
    prelude::*,
};

mod device;
mod file;
mod helpers;
mod pid;
mod pidfd;
mod pidfd_fs;
mod procfs;
mod task;
mod uapi;
mod vfs;

use device::PidfdOpenDevice;

module! {
    type: PidfdOpenModule,
    name: "pidfd_open",
    authors: ["The pidfd_open developers"],
    description: "pidfd_open(): pidfds and race-free /proc/<pid> translations",
    license: "GPL",
}

/// A C table (`file_operations` and the like) in a `static`: C only reads it, from any thread.
pub(crate) struct AssertSync<T>(pub(crate) T);

// SAFETY: The tables wrapped are never written after initialisation, and their pointers
// (functions, the module) are valid on any thread.
unsafe impl<T> Sync for AssertSync<T> {}

#[pin_data(PinnedDrop)]
struct PidfdOpenModule {
    /// What `PROCFD_TO_PIDFD` recognises a process's directory by, learnt before the device
    /// can be opened.
    _procfs: (),
    #[pin]
    _device: MiscDeviceRegistration<PidfdOpenDevice>,
}

impl kernel::InPlaceModule for PidfdOpenModule {
    fn init(_module: &'static ThisModule) -> impl PinInit<Self, Error> {
        // The node is created with the misc default mode 0600. 7.3's `MiscDeviceOptions` has no
        // mode, and setting `miscdevice.mode` would mean registering a raw `struct miscdevice`
        // instead of using `kernel::miscdevice`. Who may use a device node is policy, and policy
        // lives in userspace: `make install` installs udev/60-pidfd_open.rules, which makes it
        // 0666, and the test guest applies the same rule from its uevent helper.
        let options = MiscDeviceOptions {
            name: c"pidfd_open",
        };

        try_pin_init!(Self {
            _procfs: procfs::learn_tgid_dir_ops().inspect_err(|err| {
                pr_err!("cannot read procfs's process directories ({err:?}): not loaded\n");
            })?,
            _device <- MiscDeviceRegistration::register(options),
        })
        .pin_chain(|_| {
            pr_info!("loaded: /dev/pidfd_open is ready\n");
            Ok(())
        })
    }
}

#[pinned_drop]
impl PinnedDrop for PidfdOpenModule {
    fn drop(self: Pin<&mut Self>) {
        // No inode of the module's file system is left (each held the module), so nothing can
        // queue the unmount work again.
        pidfd_fs::cancel_unmount();
        pr_info!("unloaded\n");
    }
}
