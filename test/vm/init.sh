#!/bin/sh
# /init of the test guest's initramfs (busybox). Mounts the host's root (9p,
# read-only) under a tmpfs overlay, runs the job in a chroot of it with its
# stdout on the second serial port (the TAP channel, kept apart from the kernel
# console), reports the exit status there, and powers off whatever happens.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /lower /upper /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,ro,cache=loose hostroot /lower || { echo "init: cannot mount the host root over 9p"; poweroff -f; }
mount -t tmpfs -o mode=0755 upper /upper
mkdir -p /upper/u /upper/w
mount -t overlay overlay -o lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w /newroot || { echo "init: overlay mount failed"; poweroff -f; }
for d in proc sys dev; do mkdir -p /newroot/$d; done
mount -t proc proc /newroot/proc
mount -t sysfs sys /newroot/sys
mount -t devtmpfs dev /newroot/dev
# /tmp and /run stay as the overlay gives them (writable, on the tmpfs upper layer):
# a tmpfs mounted there would hide a checkout that lives under the host's /tmp.
mkdir -p /newroot/dev/pts /newroot/dev/shm && mount -t tmpfs -o mode=1777 shm /newroot/dev/shm
cp /job.sh /newroot/tmp/job.sh
stty -F /dev/ttyS1 raw -echo 2>/dev/null
if grep -q 'vfio_broker.init=systemd' /proc/cmdline; then
  # systemd as PID 1: the job becomes a service of a target that pulls in nothing
  # but the basic system (no getty, no host services), and powers off when done.
  u=/newroot/etc/systemd/system
  mkdir -p $u
  cat > $u/vfio-broker-guest.target <<'UNIT'
[Unit]
Description=vfio-broker guest test run
Requires=basic.target vfio-broker-guest-job.service
After=basic.target vfio-broker-guest-job.service
AllowIsolate=yes
UNIT
  cat > $u/vfio-broker-guest-job.service <<'UNIT'
[Unit]
Description=vfio-broker guest job
After=basic.target
SuccessAction=poweroff-force
FailureAction=poweroff-force
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'sh /tmp/job.sh > /dev/ttyS1 2> /dev/ttyS0 < /dev/null; rc=$?; echo "# VFIO_BROKER_GUEST_EXIT=$rc" > /dev/ttyS1; sync'
TimeoutStartSec=infinity
UNIT
  # Boot-time tmpfiles cleaning would empty /tmp and /var/tmp on the overlay (the
  # host is untouched, but a checkout under /tmp would vanish from the guest's
  # view, and walking the host's trees over 9p takes minutes).
  for m in systemd-tmpfiles-setup.service systemd-tmpfiles-clean.timer systemd-tmpfiles-clean.service; do ln -sf /dev/null $u/$m; done
  # The host root may be a container image: systemd would believe it runs in a
  # container (and ignore the kernel command line) because of these marker files.
  rm -f /newroot/.dockerenv /newroot/run/.containerenv /newroot/run/systemd/container
  # Such an image also forbids maintainer scripts to start services (policy-rc.d
  # exit 101), which the package suite needs; and man-db's dpkg trigger would
  # re-index the host's man pages over 9p for minutes.
  rm -f /newroot/usr/sbin/policy-rc.d /newroot/var/lib/man-db/auto-update
  echo "init: handing over to systemd" > /dev/ttyS0
  umount /newroot/proc /newroot/sys 2>/dev/null
  exec switch_root /newroot /lib/systemd/systemd
fi
echo "init: running job" > /dev/ttyS0
chroot /newroot /bin/sh /tmp/job.sh > /dev/ttyS1 2> /dev/ttyS0 < /dev/null
rc=$?
echo "# VFIO_BROKER_GUEST_EXIT=$rc" > /dev/ttyS1
sync
poweroff -f
