// Finding the change rules' keywords in a message (KeywordSet.swift builds the tables).
//
// Every line's message is scanned, so the scan must cost little when nothing is there. Sixteen
// positions are tested at once by their byte and the next, nibble by nibble with byte shuffles
// (the "Teddy" idea of Hyperscan): a position survives when some keyword's first two bytes agree
// with it in all four nibbles. Survivors are checked exactly by the per-byte tables, then by
// comparing the whole keyword. In Swift the same filter needed one compare per distinct pair
// and block; here it is four shuffles whatever the number of keywords.
#include "CSIMD.h"
#include <string.h>

// Which of `candidates` (their first two bytes seen at i) are there in full.
static uint64_t confirm(const vigil_keywords *k, uint64_t candidates, const uint8_t *p, size_t i, size_t n) {
    uint64_t found = 0;
    while (candidates) {
        int b = __builtin_ctzll(candidates);
        candidates &= candidates - 1;
        size_t m = (size_t)k->length[b];
        if (m > n - i) continue;
        if (m <= 2 || memcmp(p + i + 2, k->bytes + k->start[b] + 2, m - 2) == 0) found |= 1ull << b;
    }
    return found;
}

// Positions from..< n-1, one at a time, then the last byte (one-byte keywords only).
static uint64_t scan_rest(const vigil_keywords *k, const uint8_t *p, size_t from, size_t n, uint64_t found) {
    for (size_t i = from; i + 1 < n; i++) {
        uint64_t candidates = k->starts_with[p[i]] & k->second_is[p[i + 1]] & ~found;
        if (candidates) found |= confirm(k, candidates, p, i, n);
    }
    return found | (k->starts_with[p[n - 1]] & k->one_byte & ~found);
}

uint64_t vigil_keyword_scan_portable(const vigil_keywords *k, const uint8_t *p, size_t n) {
    return n == 0 ? 0 : scan_rest(k, p, 0, n, 0);
}

#if defined(__x86_64__)
#include <immintrin.h>

static int has_ssse3;
__attribute__((constructor)) static void vigil_keyword_scan_setup(void) {
    __builtin_cpu_init();
    has_ssse3 = __builtin_cpu_supports("ssse3");
}

__attribute__((target("ssse3")))
static uint64_t scan_blocks(const vigil_keywords *k, const uint8_t *p, size_t n) {
    const __m128i low = _mm_set1_epi8(0x0f);
    const __m128i first_low = _mm_loadu_si128((const __m128i *)k->nibbles[0]);
    const __m128i first_high = _mm_loadu_si128((const __m128i *)k->nibbles[1]);
    const __m128i second_low = _mm_loadu_si128((const __m128i *)k->nibbles[2]);
    const __m128i second_high = _mm_loadu_si128((const __m128i *)k->nibbles[3]);
    uint64_t found = 0;
    // Blocks of sixteen positions (each with its next byte); the last block ends at the last pair,
    // overlapping the one before: positions seen twice cost nothing (`found` is a set).
    size_t last = n - 17;
    for (size_t i = 0;; i = i + 16 < last ? i + 16 : last) {
        __m128i here = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i next = _mm_loadu_si128((const __m128i *)(p + i + 1));
        __m128i a = _mm_and_si128(_mm_shuffle_epi8(first_low, _mm_and_si128(here, low)),
                                  _mm_shuffle_epi8(first_high, _mm_and_si128(_mm_srli_epi16(here, 4), low)));
        __m128i b = _mm_and_si128(_mm_shuffle_epi8(second_low, _mm_and_si128(next, low)),
                                  _mm_shuffle_epi8(second_high, _mm_and_si128(_mm_srli_epi16(next, 4), low)));
        unsigned survivors = ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_and_si128(a, b), _mm_setzero_si128())) & 0xffff;
        while (survivors) {
            size_t j = i + (size_t)__builtin_ctz(survivors);
            survivors &= survivors - 1;
            uint64_t candidates = k->starts_with[p[j]] & k->second_is[p[j + 1]] & ~found;
            if (candidates) found |= confirm(k, candidates, p, j, n);
        }
        if (i == last) break;
    }
    return found;
}

uint64_t vigil_keyword_scan(const vigil_keywords *k, const uint8_t *p, size_t n) {
    if (n == 0) return 0;
    if (!k->filtered || !has_ssse3 || n < 17) return scan_rest(k, p, 0, n, 0);
    // Every pair is in the blocks; only a one-byte keyword could be left, and there is none.
    return scan_blocks(k, p, n);
}
#else
uint64_t vigil_keyword_scan(const vigil_keywords *k, const uint8_t *p, size_t n) {
    return vigil_keyword_scan_portable(k, p, n);
}
#endif
