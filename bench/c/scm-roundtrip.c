/* The C floor for bench/fd-delivery.ts: N round trips over an AF_UNIX
 * SOCK_SEQPACKET pair, each carrying 3 fds one way (SCM_RIGHTS) and a short
 * reply back, the receiver closing what it got. Prints one line per round trip
 * in nanoseconds, after a warm-up. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <sys/resource.h>

/* CPU time used so far (user, system) in ns: wall-clock alone is noisy on a shared machine. */
static void cpu_ns(long long *user, long long *sys) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  *user = u.ru_utime.tv_sec * 1000000000LL + u.ru_utime.tv_usec * 1000LL;
  *sys = u.ru_stime.tv_sec * 1000000000LL + u.ru_stime.tv_usec * 1000LL;
}

/* One "cpu USER_NS SYS_NS" line on stderr: what this process spent since the warm-up. */
static void report_cpu(long long u0, long long s0) {
  long long u, s;
  cpu_ns(&u, &s);
  fprintf(stderr, "cpu %lld %lld\n", u - u0, s - s0);
}

static void send_fds(int s, const int *fds, int n) {
  char data[64] = "{\"type\":\"fds\",\"request\":\"R-1\",\"part\":0}";
  struct iovec iov = { data, sizeof data };
  char ctl[CMSG_SPACE(3 * sizeof(int))];
  struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET; c->cmsg_type = SCM_RIGHTS; c->cmsg_len = CMSG_LEN(n * sizeof(int));
  memcpy(CMSG_DATA(c), fds, n * sizeof(int));
  if (sendmsg(s, &m, 0) < 0) { perror("sendmsg"); exit(1); }
}

static int recv_fds(int s, int *fds) {
  char data[65536];
  struct iovec iov = { data, sizeof data };
  char ctl[CMSG_SPACE(253 * sizeof(int))];
  struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl };
  if (recvmsg(s, &m, MSG_CMSG_CLOEXEC) < 0) { perror("recvmsg"); exit(1); }
  int n = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
    if (c->cmsg_type == SCM_RIGHTS) { n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); memcpy(fds, CMSG_DATA(c), n * sizeof(int)); }
  return n;
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 20000;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) { perror("socketpair"); return 1; }
  int fds[3] = { eventfd(0, EFD_CLOEXEC), eventfd(0, EFD_CLOEXEC), eventfd(0, EFD_CLOEXEC) };
  pid_t pid = fork();
  if (pid == 0) { /* receiver: take the fds, close them, answer */
    close(sv[0]);
    int got[253];
    long long u0 = 0, s0 = 0;
    for (int k = 0;; k++) {
      if (k == 1000) cpu_ns(&u0, &s0);
      int n = recv_fds(sv[1], got);
      if (n == 0) break;
      for (int i = 0; i < n; i++) close(got[i]);
      if (send(sv[1], "{\"type\":\"ack\"}", 14, 0) < 0) break;
    }
    report_cpu(u0, s0);
    _exit(0);
  }
  close(sv[1]);
  char ack[64];
  long long u0 = 0, s0 = 0;
  for (int i = 0; i < rounds + 1000; i++) {
    if (i == 1000) cpu_ns(&u0, &s0);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    send_fds(sv[0], fds, 3);
    if (recv(sv[0], ack, sizeof ack, 0) <= 0) { perror("recv"); return 1; }
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (i >= 1000) printf("%lld\n", (long long)(b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec));
  }
  report_cpu(u0, s0);
  send(sv[0], "", 0, 0);
  close(sv[0]);
  waitpid(pid, NULL, 0);
  return 0;
}
