// SPDX-License-Identifier: GPL-2.0

//! The misc device `/dev/pidfd_open` and its ioctl dispatch.

use kernel::{
    fs::File,
    miscdevice::{MiscDevice, MiscDeviceRegistration},
    prelude::*,
};

/// The misc device. It keeps no per-open state: every ioctl carries all it needs.
pub(crate) struct PidfdOpenDevice;

#[vtable]
impl MiscDevice for PidfdOpenDevice {
    type Ptr = ();

    fn open(_file: &File, _misc: &MiscDeviceRegistration<Self>) -> Result {
        Ok(())
    }

    fn ioctl(_device: (), _file: &File, _cmd: u32, _arg: usize) -> Result<isize> {
        Err(ENOTTY)
    }
}
