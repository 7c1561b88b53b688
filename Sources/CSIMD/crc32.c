// CRC-32 (gzip's polynomial) by folding with carry-less multiplication (PCLMULQDQ).
//
// Why not zlib's crc32_z: zlib 1.2.13 computes it a word at a time, which was ~6 % of the CPU of
// replaying a .gz file; folding 64 bytes per step costs almost nothing. The method is the
// classic one (Gopal et al., "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ"):
// a 128-bit block followed by F bits of data is replaced by its remainder times x^F, which is
// added into the block F bits on, until one block is left; that block has the same CRC as the
// whole message, and zlib finishes it. The fold constants are computed here at start-up from
// the polynomial rather than written out, so each can be checked against its definition.
#include "CSIMD.h"
#include <zlib.h>

uint32_t vigil_crc32_portable(uint32_t crc, const unsigned char *buf, size_t len) {
    return (uint32_t)crc32_z(crc, buf, len);
}

#if defined(__x86_64__)
#include <immintrin.h>

// x^n mod P (P = x^32 + 0x04C11DB7, in normal bit order: bit d is the coefficient of x^d).
static uint32_t x_power_mod_p(unsigned n) {
    uint64_t r = 1;
    while (n--) {
        r <<= 1;
        if (r & (1ull << 32)) r ^= 0x104C11DB7ull;
    }
    return (uint32_t)r;
}

// The constant that folds a 64-bit half of a block by `distance` bits, in the bit-reflected order
// the data is loaded in (bit i of a 64-bit lane is the coefficient of x^(63-i)). A carry-less
// product of two reflected 64-bit values is the reflected 128-bit product times x, so the
// constant is x^(distance-1) mod P.
static uint64_t fold_constant(unsigned distance) {
    uint32_t r = x_power_mod_p(distance - 1);
    uint64_t reflected = 0;
    for (int d = 0; d < 32; d++)
        if (r & (1u << d)) reflected |= 1ull << (63 - d);
    return reflected;
}

// Per fold distance: the constant for the block's first 8 bytes (the higher-degree half, which
// lies 64 bits further from the end) and for its last 8 bytes.
static __m128i fold512, fold128;
static int has_pclmul;

__attribute__((constructor)) static void vigil_crc32_setup(void) {
    __builtin_cpu_init();
    has_pclmul = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse2");
    fold512 = _mm_set_epi64x((long long)fold_constant(512), (long long)fold_constant(512 + 64));
    fold128 = _mm_set_epi64x((long long)fold_constant(128), (long long)fold_constant(128 + 64));
}

__attribute__((target("pclmul,sse2")))
static inline __m128i fold(__m128i block, __m128i constants, __m128i next) {
    __m128i high = _mm_clmulepi64_si128(block, constants, 0x00);
    __m128i low = _mm_clmulepi64_si128(block, constants, 0x11);
    return _mm_xor_si128(_mm_xor_si128(high, low), next);
}

// `len` is at least 64 and a multiple of 16.
__attribute__((target("pclmul,sse2")))
static uint32_t crc32_folded(uint32_t crc, const unsigned char *buf, size_t len) {
    __m128i x0 = _mm_loadu_si128((const __m128i *)buf);
    __m128i x1 = _mm_loadu_si128((const __m128i *)(buf + 16));
    __m128i x2 = _mm_loadu_si128((const __m128i *)(buf + 32));
    __m128i x3 = _mm_loadu_si128((const __m128i *)(buf + 48));
    // zlib's register starts as ~crc; adding it into the first four bytes is the same thing.
    x0 = _mm_xor_si128(x0, _mm_cvtsi32_si128((int)~crc));
    buf += 64;
    len -= 64;
    while (len >= 64) {
        x0 = fold(x0, fold512, _mm_loadu_si128((const __m128i *)buf));
        x1 = fold(x1, fold512, _mm_loadu_si128((const __m128i *)(buf + 16)));
        x2 = fold(x2, fold512, _mm_loadu_si128((const __m128i *)(buf + 32)));
        x3 = fold(x3, fold512, _mm_loadu_si128((const __m128i *)(buf + 48)));
        buf += 64;
        len -= 64;
    }
    __m128i x = fold(x0, fold128, x1);
    x = fold(x, fold128, x2);
    x = fold(x, fold128, x3);
    while (len >= 16) {
        x = fold(x, fold128, _mm_loadu_si128((const __m128i *)buf));
        buf += 16;
        len -= 16;
    }
    // The last block alone, from a register of 0: zlib's crc32 from ~0 (its register 0).
    unsigned char last[16];
    _mm_storeu_si128((__m128i *)last, x);
    return (uint32_t)crc32_z(0xffffffffu, last, 16);
}

uint32_t vigil_crc32(uint32_t crc, const unsigned char *buf, size_t len) {
    if (!has_pclmul || len < 64) return (uint32_t)crc32_z(crc, buf, len);
    size_t folded = len & ~(size_t)15;
    crc = crc32_folded(crc, buf, folded);
    return (uint32_t)crc32_z(crc, buf + folded, len - folded);
}
#else
uint32_t vigil_crc32(uint32_t crc, const unsigned char *buf, size_t len) {
    return (uint32_t)crc32_z(crc, buf, len);
}
#endif
