/* The C floor for bench/inventory.ts: the same reads SysfsInventory.scanGroups()
 * does (src/kernel/sysfs/inventory.ts), per group: readdir of devices/, the
 * group's name, type and reserved_regions; per device: readlink of its entry in
 * devices/ (the /sys/devices path its upstream bridges come from), class,
 * driver_override, readdir of vfio-dev/, readlinks of iommu_group, subsystem and
 * driver, numa_node, vendor, device, subsystem_vendor and subsystem_device.
 * Prints the number of groups and devices and the elapsed nanoseconds. */
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

int main(int argc, char **argv) {
  char root[4096], p[8192];
  snprintf(root, sizeof root, "%s/sys/kernel/iommu_groups", argc > 1 ? argv[1] : "");
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  long groups = 0, devices = 0;
  DIR *gd = opendir(root);
  if (!gd) { perror(root); return 1; }
  struct dirent *g;
  while ((g = readdir(gd))) {
    if (g->d_name[0] < '0' || g->d_name[0] > '9') continue;
    groups++;
    snprintf(p, sizeof p, "%s/%s/devices", root, g->d_name);
    DIR *dd = opendir(p);
    if (dd) {
      struct dirent *d;
      while ((d = readdir(dd))) {
        if (d->d_name[0] == '.') continue;
        devices++;
        snprintf(p, sizeof p, "%s/%s/devices/%s", root, g->d_name, d->d_name);
        lnk(p);
        static const char *attrs[] = { "class", "driver_override", "numa_node", "vendor", "device", "subsystem_vendor", "subsystem_device" };
        static const char *links[] = { "iommu_group", "subsystem", "driver" };
        for (unsigned i = 0; i < sizeof attrs / sizeof *attrs; i++) { snprintf(p, sizeof p, "%s/%s/devices/%s/%s", root, g->d_name, d->d_name, attrs[i]); rd(p); }
        for (unsigned i = 0; i < sizeof links / sizeof *links; i++) { snprintf(p, sizeof p, "%s/%s/devices/%s/%s", root, g->d_name, d->d_name, links[i]); lnk(p); }
        snprintf(p, sizeof p, "%s/%s/devices/%s/vfio-dev", root, g->d_name, d->d_name);
        DIR *vd = opendir(p);
        if (vd) { while (readdir(vd)) {} closedir(vd); }
      }
      closedir(dd);
    }
    static const char *gattrs[] = { "name", "type", "reserved_regions" };
    for (unsigned i = 0; i < 3; i++) { snprintf(p, sizeof p, "%s/%s/%s", root, g->d_name, gattrs[i]); rd(p); }
  }
  closedir(gd);
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%ld %ld %lld %ld\n", groups, devices, (long long)(b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec), bytes);
  return 0;
}
