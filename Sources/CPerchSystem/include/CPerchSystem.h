// The C side of Perch: system headers, and small wrappers for what Swift cannot call
// directly (variadic functions, function-like macros, errno). Deliberately no
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
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <linux/videodev2.h>
#include <libv4l2.h>
#include <alsa/asoundlib.h>
#include <gpiod.h>

// --- errno (a macro over a thread-local) ---
static inline int perch_errno(void) { return errno; }
static inline void perch_set_errno(int value) { errno = value; }

// --- variadic calls ---
static inline int perch_open(const char *path, int flags, mode_t mode) { return open(path, flags, mode); }
static inline int perch_fcntl_int(int fd, int cmd, int arg) { return fcntl(fd, cmd, arg); }
static inline int perch_ioctl_ptr(int fd, unsigned long request, void *arg) { return ioctl(fd, request, arg); }
static inline int perch_v4l2_ioctl(int fd, unsigned long request, void *arg) { return v4l2_ioctl(fd, request, arg); }
static inline int perch_v4l2_open(const char *path, int flags) { return v4l2_open(path, flags); }

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

// --- CPU features (aarch64 dotprod is bit 20 of AT_HWCAP) ---
static inline unsigned long perch_hwcap(void) { return getauxval(AT_HWCAP); }
// x86_64: AVX-512 F/BW/VL and VNNI, with the OS saving the registers (CPUID and XGETBV).
static inline int perch_x86_avx512vnni(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
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
static inline size_t perch_sizeof_v4l2_format(void) { return sizeof(struct v4l2_format); }
static inline size_t perch_sizeof_v4l2_buffer(void) { return sizeof(struct v4l2_buffer); }
static inline size_t perch_sizeof_v4l2_capability(void) { return sizeof(struct v4l2_capability); }
static inline size_t perch_sizeof_epoll_event(void) { return sizeof(struct epoll_event); }
static inline size_t perch_sizeof_sockaddr_un(void) { return sizeof(struct sockaddr_un); }
static inline size_t perch_sizeof_timespec(void) { return sizeof(struct timespec); }
static inline size_t perch_sizeof_pthread_mutex(void) { return sizeof(pthread_mutex_t); }
static inline size_t perch_offsetof_v4l2_buffer_m(void) { return offsetof(struct v4l2_buffer, m); }

#endif
