// Linux interfaces Swift's Glibc module does not export.
#ifndef VIGIL_CLINUX_H
#define VIGIL_CLINUX_H
#include <signal.h>
#include <sys/signalfd.h>

// A descriptor readable while one of `mask`'s (blocked) signals is pending; -1 on error.
static inline int vigil_signalfd(const sigset_t *mask) {
    return signalfd(-1, mask, SFD_NONBLOCK | SFD_CLOEXEC);
}
#endif
