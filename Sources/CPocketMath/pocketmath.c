#include "pocketmath.h"
#include <string.h>

typedef unsigned __int128 u128;

/* secp256k1 group order N, little-endian 64-bit limbs. */
static const uint64_t ORDER[4] = {
    0xBFD25E8CD0364141ULL, 0xBAAEDCE6AF48A03BULL,
    0xFFFFFFFFFFFFFFFEULL, 0xFFFFFFFFFFFFFFFFULL};

/* 2^256 - N: folding constant, since 2^256 = C (mod N). */
static const uint64_t FOLD[3] = {
    0x402DA1732FC9BEBFULL, 0x4551231950B75FC4ULL, 0x1ULL};

enum { MAX_LIMBS = 12 };

static int geq_order(const uint64_t x[4]) {
    for (int i = 3; i >= 0; i--) {
        if (x[i] > ORDER[i]) return 1;
        if (x[i] < ORDER[i]) return 0;
    }
    return 1;
}

static void sub_order(uint64_t x[4]) {
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        u128 d = (u128)x[i] - ORDER[i] - borrow;
        x[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) ? 1 : 0;
    }
}

/* Folds limbs above 2^256 back with hi * 2^256 = hi * FOLD until the value
   fits in four limbs. Each pass shrinks the high part by ~127 bits. */
static void fold_to_256(uint64_t x[MAX_LIMBS], int len) {
    while (len > 4) {
        uint64_t r[MAX_LIMBS] = {0};
        int high = len - 4;
        memcpy(r, x, 4 * sizeof(uint64_t));
        for (int i = 0; i < high; i++) {
            u128 carry = 0;
            for (int j = 0; j < 3; j++) {
                u128 t = (u128)x[4 + i] * FOLD[j] + r[i + j] + carry;
                r[i + j] = (uint64_t)t;
                carry = t >> 64;
            }
            for (int k = i + 3; carry != 0 && k < MAX_LIMBS; k++) {
                u128 t = (u128)r[k] + carry;
                r[k] = (uint64_t)t;
                carry = t >> 64;
            }
        }
        len = MAX_LIMBS;
        while (len > 4 && r[len - 1] == 0) len--;
        memcpy(x, r, sizeof(r));
    }
}

static void load_be(const uint8_t *in, size_t len, uint64_t x[MAX_LIMBS], int *limbs) {
    memset(x, 0, MAX_LIMBS * sizeof(uint64_t));
    for (size_t i = 0; i < len; i++) {
        size_t bit = (len - 1 - i) * 8;
        x[bit / 64] |= (uint64_t)in[i] << (bit % 64);
    }
    int n = (int)((len + 7) / 8);
    *limbs = n < 4 ? 4 : n;
}

static void store_be(const uint64_t x[4], uint8_t out[32]) {
    for (int i = 0; i < 32; i++) {
        int bit = (31 - i) * 8;
        out[i] = (uint8_t)(x[bit / 64] >> (bit % 64));
    }
}

int pocket_scalar_reduce(const uint8_t *big_endian, size_t len, uint8_t out[32]) {
    if (len > 64) return -1;
    uint64_t x[MAX_LIMBS];
    int limbs;
    load_be(big_endian, len, x, &limbs);
    fold_to_256(x, limbs);
    while (geq_order(x)) sub_order(x);
    store_be(x, out);
    return 0;
}

int pocket_scalar_overflows(const uint8_t scalar[32]) {
    uint64_t x[MAX_LIMBS];
    int limbs;
    load_be(scalar, 32, x, &limbs);
    return geq_order(x);
}

int pocket_scalar_is_zero(const uint8_t scalar[32]) {
    uint8_t acc = 0;
    for (int i = 0; i < 32; i++) acc |= scalar[i];
    return acc == 0;
}
