// Per-byte work that Swift's SIMD types cannot express (carry-less multiplication, byte shuffles).
#ifndef VIGIL_CSIMD_H
#define VIGIL_CSIMD_H
#include <stddef.h>
#include <stdint.h>

// zlib's crc32(crc, buf, len) (same value, same convention: start from 0, pass the result on),
// with carry-less multiplication where the processor has it (crc32.c).
uint32_t vigil_crc32(uint32_t crc, const unsigned char *buf, size_t len);

// The portable path alone (zlib's crc32_z), for tests that compare the two.
uint32_t vigil_crc32_portable(uint32_t crc, const unsigned char *buf, size_t len);

// The keywords of the change rules (keyword_scan.c), at most 64, built by KeywordSet.swift.
typedef struct vigil_keywords {
    // Per byte value: the keywords (bit = index) that start with it, and those whose second byte
    // it is (one-byte keywords: every byte value).
    uint64_t starts_with[256];
    uint64_t second_is[256];
    // The one-byte keywords.
    uint64_t one_byte;
    // The block filter: per nibble of a position's byte and of the next byte, the buckets (bit) of
    // the keywords' first two bytes that have that nibble there: [0] low and [1] high nibble of the
    // first byte, [2] low and [3] high nibble of the second. Unused when `filtered` is 0 (a
    // one-byte keyword makes every position a candidate).
    uint8_t nibbles[4][16];
    int filtered;
    // Keyword k is bytes[start[k] ..< start[k] + length[k]].
    const uint8_t *bytes;
    const int32_t *start;
    const int32_t *length;
} vigil_keywords;

// The keywords found in p[0 ..< n], as bits.
uint64_t vigil_keyword_scan(const vigil_keywords *keywords, const uint8_t *p, size_t n);

// Without the block filter, for tests that compare the two.
uint64_t vigil_keyword_scan_portable(const vigil_keywords *keywords, const uint8_t *p, size_t n);
#endif
