// The CRC-32 of gzip members, computed by vigil rather than zlib (see crc32.c).
#ifndef VIGIL_CGZIPCHECK_H
#define VIGIL_CGZIPCHECK_H
#include <stddef.h>
#include <stdint.h>

// zlib's crc32(crc, buf, len) (same value, same convention: start from 0, pass the result on),
// with carry-less multiplication where the processor has it.
uint32_t vigil_crc32(uint32_t crc, const unsigned char *buf, size_t len);

// The portable path alone (zlib's crc32_z), for tests that compare the two.
uint32_t vigil_crc32_portable(uint32_t crc, const unsigned char *buf, size_t len);
#endif
