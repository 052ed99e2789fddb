#ifndef POCKET_MATH_H
#define POCKET_MATH_H

#include <stddef.h>
#include <stdint.h>

/// Reduces a big-endian unsigned integer of at most 64 bytes modulo the
/// secp256k1 group order N and writes the 32-byte big-endian result.
/// Needed because libsecp256k1 rejects (rather than reduces) out-of-range
/// scalars, while the ring-signature scheme reduces hashes and decoded
/// scalars silently. Returns 0 on success, -1 if `len` exceeds 64.
int pocket_scalar_reduce(const uint8_t *big_endian, size_t len, uint8_t out[32]);

/// Returns 1 if the 32-byte big-endian value is >= N, else 0.
int pocket_scalar_overflows(const uint8_t scalar[32]);

/// Returns 1 if all 32 bytes are zero, else 0.
int pocket_scalar_is_zero(const uint8_t scalar[32]);

#endif
