#ifndef VIGIL_CPCRE2_SHIM_H
#define VIGIL_CPCRE2_SHIM_H
// pcre2.h refuses to compile without a code unit width; vigil works on bytes (8-bit).
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

// Cast macros that Swift cannot import.
static inline size_t vigil_pcre2_unset(void) { return PCRE2_UNSET; }
static inline size_t vigil_pcre2_zero_terminated(void) { return PCRE2_ZERO_TERMINATED; }
#endif
