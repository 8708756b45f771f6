// The C side of PerchSystem: libc and Linux system headers, and small wrappers for what Swift
// cannot call directly (variadic functions, function-like macros, errno). The device libraries
// have modules of their own (CPerchV4L2, CPerchALSA, CPerchGPIO). Deliberately no
// _GNU_SOURCE here: with it glibc declares sockaddr parameters as transparent unions
// and bind/connect stop compiling from Swift.
#ifndef CPERCH_SYSTEM_H
#define CPERCH_SYSTEM_H

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/auxv.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/utsname.h>

// --- errno (a macro over a thread-local) ---
static inline int perch_errno(void) { return errno; }
static inline void perch_set_errno(int value) { errno = value; }

// --- variadic calls ---
static inline int perch_open(const char *path, int flags, mode_t mode) { return open(path, flags, mode); }
static inline int perch_fcntl_int(int fd, int cmd, int arg) { return fcntl(fd, cmd, arg); }
static inline int perch_ioctl_ptr(int fd, unsigned long request, void *arg) { return ioctl(fd, request, arg); }

// --- sockets, epoll, eventfd (the server's syscalls; Swift wrappers in PerchSystem) ---
// struct sockaddr_un is filled here: its sun_path is a fixed C array Swift sees as a tuple.
// Returns -1 with errno ENAMETOOLONG when the path does not fit.
static inline int perch_fill_sockaddr_un(struct sockaddr_un *address, const char *path) {
    size_t length = strlen(path);
    if (length == 0 || length >= sizeof(address->sun_path)) { errno = ENAMETOOLONG; return -1; }
    memset(address, 0, sizeof(*address));
    address->sun_family = AF_UNIX;
    memcpy(address->sun_path, path, length + 1);
    return 0;
}
static inline int perch_bind_unix(int fd, const char *path) {
    struct sockaddr_un address;
    if (perch_fill_sockaddr_un(&address, path) != 0) return -1;
    return bind(fd, (const struct sockaddr *)&address, sizeof(address));
}
static inline int perch_connect_unix(int fd, const char *path) {
    struct sockaddr_un address;
    if (perch_fill_sockaddr_un(&address, path) != 0) return -1;
    return connect(fd, (const struct sockaddr *)&address, sizeof(address));
}
// accept4 and struct ucred need _GNU_SOURCE, which this header must not define: they live
// in sockets.c. perch_accept4 returns a non-blocking, close-on-exec connection fd.
int perch_accept4(int listen_fd);
// SO_PEERCRED: the connecting process's uid, gid and pid as the kernel recorded them.
int perch_peer_credentials(int fd, uint32_t *uid, uint32_t *gid, int32_t *pid);
// TCP (the opt-in [web] listener), in sockets.c: a listening socket on a numeric address,
// the port it got, and TCP_NODELAY on a connection.
int perch_tcp_listen(const char *host, int port, int backlog);
int perch_tcp_local_port(int fd);
int perch_tcp_nodelay(int fd);
// getgrnam_r with its buffer handled: 0 and *gid set, ENOENT when no such group, else an errno.
int perch_group_id(const char *name, uint32_t *gid);
// 1 when path names a socket (lstat, S_ISSOCK), 0 when something else, -1 with errno.
static inline int perch_path_is_socket(const char *path) {
    struct stat info;
    if (lstat(path, &info) != 0) return -1;
    return S_ISSOCK(info.st_mode) ? 1 : 0;
}
// The file mode bits of path (stat), or -1 with errno.
static inline int perch_path_mode(const char *path) {
    struct stat info;
    if (stat(path, &info) != 0) return -1;
    return (int)(info.st_mode & 07777);
}
static inline long long perch_file_size(const char *path) {
    struct stat info;
    if (stat(path, &info) != 0) return -1;
    return (long long)info.st_size;
}
static inline int perch_socket_int_option(int fd, int level, int name, int *value) {
    socklen_t length = sizeof(*value);
    return getsockopt(fd, level, name, value, &length);
}
// epoll_event is packed on x86_64 and not on aarch64; keep its layout out of Swift.
static inline int perch_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event event;
    memset(&event, 0, sizeof(event));
    event.events = events;
    event.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &event);
}
#define PERCH_EPOLL_BATCH 64
// Up to min(capacity, 64) ready events as parallel arrays of flags and data.
static inline int perch_epoll_wait(int epfd, uint32_t *events, uint64_t *data, int capacity, int timeout_ms) {
    struct epoll_event ready[PERCH_EPOLL_BATCH];
    if (capacity > PERCH_EPOLL_BATCH) capacity = PERCH_EPOLL_BATCH;
    int count = epoll_wait(epfd, ready, capacity, timeout_ms);
    for (int i = 0; i < count; i++) {
        events[i] = ready[i].events;
        data[i] = ready[i].data.u64;
    }
    return count;
}
static const uint32_t PERCH_EPOLLIN = EPOLLIN;
static const uint32_t PERCH_EPOLLOUT = EPOLLOUT;
static const uint32_t PERCH_EPOLLRDHUP = EPOLLRDHUP;
static const uint32_t PERCH_EPOLLHUP = EPOLLHUP;
static const uint32_t PERCH_EPOLLERR = EPOLLERR;
static const int PERCH_EFD_FLAGS = EFD_NONBLOCK | EFD_CLOEXEC;
static const int PERCH_SOCK_STREAM_FLAGS = SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC;
static const int PERCH_SOCK_STREAM_BLOCKING_FLAGS = SOCK_STREAM | SOCK_CLOEXEC;
// SO_RCVTIMEO / SO_SNDTIMEO for blocking client sockets (the perch CLI, self-checks).
static inline int perch_socket_timeout(int fd, int option, int64_t milliseconds) {
    struct timeval tv;
    tv.tv_sec = (time_t)(milliseconds / 1000);
    tv.tv_usec = (suseconds_t)((milliseconds % 1000) * 1000);
    return setsockopt(fd, SOL_SOCKET, option, &tv, sizeof(tv));
}
static const int PERCH_MSG_NOSIGNAL = MSG_NOSIGNAL;

// --- daemon signals: blocked in every thread, taken by one thread with sigtimedwait ---
static inline void perch_daemon_sigset(sigset_t *set) {
    sigemptyset(set);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
}
// Blocks SIGHUP/SIGTERM/SIGINT in the calling thread (threads created later inherit the
// mask) and ignores SIGPIPE. Returns 0 or an errno.
static inline int perch_block_daemon_signals(void) {
    sigset_t set;
    perch_daemon_sigset(&set);
    signal(SIGPIPE, SIG_IGN);
    return pthread_sigmask(SIG_BLOCK, &set, NULL);
}
// The next pending daemon signal, or 0 when none came within timeout_ms.
static inline int perch_wait_daemon_signal(int timeout_ms) {
    sigset_t set;
    perch_daemon_sigset(&set);
    struct timespec timeout = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L };
    int signo = sigtimedwait(&set, NULL, &timeout);
    return signo < 0 ? 0 : signo;
}
static inline int perch_raise_reload(void) { return kill(getpid(), SIGHUP); }
static const int PERCH_SIGHUP = SIGHUP;
static const int PERCH_SIGTERM = SIGTERM;
static const int PERCH_SIGINT = SIGINT;
// The running executable's path (readlink /proc/self/exe); length or -1 with errno.
static inline long perch_executable_path(char *buffer, unsigned long size) {
    long n = readlink("/proc/self/exe", buffer, size - 1);
    if (n >= 0) buffer[n] = 0;
    return n;
}

// --- process arguments ---
// Embedded Swift has no CommandLine; shim.c captures argc/argv at start-up (glibc passes
// them to .init_array functions), which works the same in both build modes.
int perch_argc(void);
char *const *perch_argv(void);

// --- number parsing ---
// Embedded Swift's Double(String) needs a symbol only the full runtime has; parse in the C
// locale so "2.5" means the same on every board.
// Returns 1 and stores the value when the whole string is a number, 0 otherwise.
int perch_parse_double(const char *text, double *value);
// The same, but out-of-range values are not errors: overflow gives +-HUGE_VAL (infinity),
// underflow the nearest subnormal or zero — the IEEE rounding a JSON reader wants.
int perch_parse_double_nearest(const char *text, double *value);

// --- embedded runtime correction (embedded_runtime.c; defined in embedded builds only) ---
int perch_bridge_object_retain_returns_argument(uint64_t small_string_bits);

// --- CPU features (cpu.c; PerchSystem's CPUFeatures is the one caller) ---
// aarch64: AT_HWCAP (dot product is bit 20). x86_64: AT_HWCAP is CPUID.1:EDX, not used.
static inline unsigned long perch_hwcap(void) { return getauxval(AT_HWCAP); }
#define PERCH_X86_AVX2 1u
#define PERCH_X86_AVX512VNNI 2u
// x86_64 CPUID bits, each only when the OS saves the registers it needs (XGETBV): AVX2 with
// YMM state; AVX-512 F+BW+VL+VNNI with ZMM and opmask state. 0 on other architectures.
unsigned perch_x86_features(void);
// CPUs this process may run on (sched_getaffinity: a taskset or cgroup cpuset counts), at
// least 1.
int perch_available_cpus(void);
// A spin-wait hint (x86 pause, aarch64 yield): lets the sibling hyperthread run and saves power.
static inline void perch_cpu_relax(void) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}
// x86_64: AVX2, with the OS saving the ymm registers (compiler-rt checks XGETBV).
static inline int perch_x86_avx2(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
#else
    return 0;
#endif
}

// --- clocks ---
static inline int64_t perch_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
static inline int64_t perch_realtime_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

// --- struct sizes checked by the self-check (layouts seen by Swift must match C's) ---
static inline size_t perch_sizeof_epoll_event(void) { return sizeof(struct epoll_event); }
static inline size_t perch_sizeof_sockaddr_un(void) { return sizeof(struct sockaddr_un); }
static inline size_t perch_sizeof_timespec(void) { return sizeof(struct timespec); }
static inline size_t perch_sizeof_pthread_mutex(void) { return sizeof(pthread_mutex_t); }

#endif
