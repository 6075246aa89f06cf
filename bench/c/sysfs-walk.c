/* The C floor for bench/inventory.ts: the same reads SysfsInventory.scanGroups()
 * does (src/kernel/sysfs/inventory.ts), per group: readdir of devices/, the
 * group's name, type and reserved_regions; per device: readlink of its entry in
 * devices/ (the /sys/devices path its upstream bridges come from), class,
 * driver_override, readdir of vfio-dev/, readlinks of iommu_group, subsystem and
 * driver, numa_node, vendor, device, subsystem_vendor and subsystem_device.
 * Prints the number of groups and devices and the elapsed nanoseconds.
 * Directories are listed with open and getdents64, as the scan lists them
 * (src/kernel/sysfs/sysfs-files.ts), not with opendir, which adds an fstat. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char buf[65536];
static long bytes;
static void rd(const char *p) { int fd = open(p, O_RDONLY | O_CLOEXEC); if (fd < 0) return; ssize_t n = read(fd, buf, sizeof buf); if (n > 0) bytes += n; close(fd); }
static void lnk(const char *p) { char t[4096]; ssize_t n = readlink(p, t, sizeof t); if (n > 0) bytes += n; }

/* One directory listing: the dirents in buf, one getdents64 batch at a time. */
struct ls { int fd; char *buf; long n, at; };
static int ls_open(struct ls *l, const char *p, char *buf) { l->fd = open(p, O_RDONLY | O_CLOEXEC); l->buf = buf; l->n = l->at = 0; return l->fd >= 0; }
static const char *ls_next(struct ls *l) {
  for (;;) {
    if (l->at >= l->n) { l->n = getdents64(l->fd, l->buf, 32768); l->at = 0; if (l->n <= 0) { close(l->fd); return NULL; } }
    struct dirent64 *e = (struct dirent64 *)(l->buf + l->at);
    l->at += e->d_reclen;
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) return e->d_name;
  }
}
static char gbuf[32768], dbuf[32768], vbuf[32768];

int main(int argc, char **argv) {
  char root[4096], p[8192];
  snprintf(root, sizeof root, "%s/sys/kernel/iommu_groups", argc > 1 ? argv[1] : "");
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  long groups = 0, devices = 0;
  struct ls gd, dd, vd;
  if (!ls_open(&gd, root, gbuf)) { perror(root); return 1; }
  const char *g;
  while ((g = ls_next(&gd))) {
    if (g[0] < '0' || g[0] > '9') continue;
    groups++;
    snprintf(p, sizeof p, "%s/%s/devices", root, g);
    if (ls_open(&dd, p, dbuf)) {
      const char *d;
      while ((d = ls_next(&dd))) {
        devices++;
        snprintf(p, sizeof p, "%s/%s/devices/%s", root, g, d);
        lnk(p);
        static const char *attrs[] = { "class", "driver_override", "numa_node", "vendor", "device", "subsystem_vendor", "subsystem_device" };
        static const char *links[] = { "iommu_group", "subsystem", "driver" };
        for (unsigned i = 0; i < sizeof attrs / sizeof *attrs; i++) { snprintf(p, sizeof p, "%s/%s/devices/%s/%s", root, g, d, attrs[i]); rd(p); }
        for (unsigned i = 0; i < sizeof links / sizeof *links; i++) { snprintf(p, sizeof p, "%s/%s/devices/%s/%s", root, g, d, links[i]); lnk(p); }
        snprintf(p, sizeof p, "%s/%s/devices/%s/vfio-dev", root, g, d);
        if (ls_open(&vd, p, vbuf)) while (ls_next(&vd)) {}
      }
    }
    static const char *gattrs[] = { "name", "type", "reserved_regions" };
    for (unsigned i = 0; i < 3; i++) { snprintf(p, sizeof p, "%s/%s/%s", root, g, gattrs[i]); rd(p); }
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%ld %ld %lld %ld\n", groups, devices, (long long)(b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec), bytes);
  return 0;
}
