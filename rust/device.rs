// SPDX-License-Identifier: GPL-2.0

//! The misc device `/dev/pidfd_open` and its ioctl dispatch.

use kernel::{
    fs::File,
    miscdevice::{
        MiscDevice,
        MiscDeviceRegistration, //
    },
    prelude::*,
    sync::aref::ARef,
};

use crate::{
    file::install_fd,
    pid::NrInCurrentNs,
    pidfd, procfs,
    uapi::{
        user_arg,
        PidfdOpenArgs,
        PIDFD_IOC_OPEN,
        PIDFD_OPEN_NONBLOCK,
        PIDFD_OPEN_THREAD,
        PIDFD_TO_PROCFD,
        PROCFD_TO_PIDFD, //
    },
};

/// An open `/dev/pidfd_open`; it keeps no state, as every ioctl carries all it needs.
pub(crate) struct PidfdOpenDevice;

#[vtable]
impl MiscDevice for PidfdOpenDevice {
    type Ptr = ();

    fn open(_file: &File, _misc: &MiscDeviceRegistration<Self>) -> Result {
        Ok(())
    }

    fn ioctl(_device: (), _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        match cmd {
            PIDFD_IOC_OPEN => {
                let args = user_arg::<PidfdOpenArgs>(arg).reader().read()?;
                install_fd(pidfd_open(&args)?)
            }
            _ => Err(ENOTTY),
        }
    }
}

/// `PIDFD_IOC_OPEN`: the `pidfd_open(pid, procfd, pidfd, flags)` of the 2019 patch, checked in
/// the order of the contract's table (`Documentation/contract.md`).
fn pidfd_open(args: &PidfdOpenArgs) -> Result<ARef<File>> {
    match args.flags {
        flags if flags & !(PIDFD_OPEN_THREAD | PIDFD_OPEN_NONBLOCK) == 0 => {
            if args.pid <= 0 || args.procfd != -1 || args.pidfd != -1 {
                return Err(EINVAL);
            }
            pidfd::new_pidfd(&NrInCurrentNs(args.pid), flags)
        }
        PIDFD_TO_PROCFD => {
            if args.pid != -1 || args.procfd < 0 || args.pidfd < 0 {
                return Err(EINVAL);
            }
            procfs::pidfd_to_procfd(args.procfd, args.pidfd)
        }
        PROCFD_TO_PIDFD => {
            if args.pid != -1 || args.pidfd != -1 || args.procfd < 0 {
                return Err(EINVAL);
            }
            procfs::procfd_to_pidfd(args.procfd)
        }
        _ => Err(EINVAL),
    }
}
