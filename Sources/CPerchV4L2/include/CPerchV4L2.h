// libv4l2 and the V4L2 kernel interface, for Sources/PerchDevices/Camera (their one wrapper).
// Variadic calls and function-like macros (the VIDIOC_* request codes, pixel formats) are
// re-exported as inline functions: Swift cannot call or import them directly.
#ifndef CPERCH_V4L2_H
#define CPERCH_V4L2_H

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <linux/videodev2.h>
#include <libv4l2.h>

// --- variadic calls ---
static inline int perch_v4l2_ioctl(int fd, unsigned long request, void *arg) { return v4l2_ioctl(fd, request, arg); }
static inline int perch_v4l2_open(const char *path, int flags) { return v4l2_open(path, flags); }

// --- request codes and pixel formats (function-like macros in videodev2.h) ---
static inline unsigned long perch_vidioc_querycap(void) { return VIDIOC_QUERYCAP; }
static inline unsigned long perch_vidioc_enum_fmt(void) { return VIDIOC_ENUM_FMT; }
static inline unsigned long perch_vidioc_enum_framesizes(void) { return VIDIOC_ENUM_FRAMESIZES; }
static inline unsigned long perch_vidioc_enum_frameintervals(void) { return VIDIOC_ENUM_FRAMEINTERVALS; }
static inline unsigned long perch_vidioc_g_fmt(void) { return VIDIOC_G_FMT; }
static inline unsigned long perch_vidioc_s_fmt(void) { return VIDIOC_S_FMT; }
static inline unsigned long perch_vidioc_g_parm(void) { return VIDIOC_G_PARM; }
static inline unsigned long perch_vidioc_s_parm(void) { return VIDIOC_S_PARM; }
static inline unsigned long perch_vidioc_reqbufs(void) { return VIDIOC_REQBUFS; }
static inline unsigned long perch_vidioc_querybuf(void) { return VIDIOC_QUERYBUF; }
static inline unsigned long perch_vidioc_qbuf(void) { return VIDIOC_QBUF; }
static inline unsigned long perch_vidioc_dqbuf(void) { return VIDIOC_DQBUF; }
static inline unsigned long perch_vidioc_streamon(void) { return VIDIOC_STREAMON; }
static inline unsigned long perch_vidioc_streamoff(void) { return VIDIOC_STREAMOFF; }
static inline unsigned long perch_vidioc_queryctrl(void) { return VIDIOC_QUERYCTRL; }
static inline unsigned long perch_vidioc_s_ctrl(void) { return VIDIOC_S_CTRL; }
static inline uint32_t perch_v4l2_pix_fmt_rgb24(void) { return V4L2_PIX_FMT_RGB24; }
static inline uint32_t perch_v4l2_pix_fmt_grey(void) { return V4L2_PIX_FMT_GREY; }
static inline uint32_t perch_v4l2_pix_fmt_yuyv(void) { return V4L2_PIX_FMT_YUYV; }
static inline uint32_t perch_v4l2_ctrl_flag_next_ctrl(void) { return V4L2_CTRL_FLAG_NEXT_CTRL; }

// --- struct layouts as the C compiler sees them (the self-check compares Swift's) ---
static inline size_t perch_sizeof_v4l2_format(void) { return sizeof(struct v4l2_format); }
static inline size_t perch_sizeof_v4l2_buffer(void) { return sizeof(struct v4l2_buffer); }
static inline size_t perch_sizeof_v4l2_capability(void) { return sizeof(struct v4l2_capability); }
static inline size_t perch_offsetof_v4l2_buffer_m(void) { return offsetof(struct v4l2_buffer, m); }

#endif
