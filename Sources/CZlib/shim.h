#ifndef VIGIL_CZLIB_SHIM_H
#define VIGIL_CZLIB_SHIM_H
#include <zlib.h>

// inflateInit2 is a macro; Swift needs a function.
static inline int vigil_inflate_init2(z_stream *strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
