// libgpiod 1.6 (the v1 API), for Sources/PerchDevices/GPIO/GpiodV1.swift (its one wrapper).
#ifndef CPERCH_GPIO_H
#define CPERCH_GPIO_H

#include <stdint.h>
#include <time.h>
#include <gpiod.h>

// struct timespec stays on this side. In embedded mode glibc's headers belong to no module,
// so Swift attributes timespec to whichever C module declared it first (the V4L2 one) and
// would want that module imported here.
static inline int perch_gpiod_event_wait_ms(struct gpiod_line *line, int64_t timeout_ms) {
    struct timespec timeout = { (time_t)(timeout_ms / 1000), (long)(timeout_ms % 1000) * 1000000L };
    return gpiod_line_event_wait(line, &timeout);
}
static inline int64_t perch_gpiod_event_ns(const struct gpiod_line_event *event) {
    return (int64_t)event->ts.tv_sec * 1000000000LL + event->ts.tv_nsec;
}

#endif
