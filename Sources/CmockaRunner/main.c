/* cmocka tests for the C helpers (CPocketMath). Exit code = failed tests. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>
#include "pocketmath.h"

static size_t from_hex(const char *hex, uint8_t *out) {
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
    return n;
}

static void assert_reduces(const char *input_hex, const char *expected_hex) {
    uint8_t in[64], expected[32], out[32];
    size_t len = from_hex(input_hex, in);
    from_hex(expected_hex, expected);
    assert_int_equal(pocket_scalar_reduce(in, len, out), 0);
    assert_memory_equal(out, expected, 32);
}

/* SHA3-512("pocket") from the ring vectors: reduction equals the canonical scalar. */
static void test_reduce_sha3_512_pocket(void **state) {
    (void)state;
    assert_reduces("20894e99052c8c57bbd2782b023cf05f6450f2e6889d20a410e35709ebd7df7f"
                   "2bf8b0aac592fcee29173ae6b3ed2529cf34e9dd9c7a1c0f7dfa607b05345e25",
                   "43913f269ab77ad581e23102878c906eacd55fd9e973714f0ebbe9b55ad56fef");
}

/* SHA3-512("short-241"): a reduction with a leading zero byte. */
static void test_reduce_short_result(void **state) {
    (void)state;
    assert_reduces("78a4b9caa4c921b78fe2844319af856b49ce045fe5eebb3472ea31e154759688"
                   "e4d3e907e43808d87d91b203b9bae67251619ac218b83009a54118c4e07ec586",
                   "00200f70eb8899c7e91006be0b64ea6611205565e438a40bcc866a7e655c3847");
}

static void test_reduce_max_512(void **state) {
    (void)state;
    char ff[129];
    memset(ff, 'f', 128);
    ff[128] = 0;
    assert_reduces(ff, "9d671cd581c69bc5e697f5e45bcd07c6741496c20e7cf878896cf21467d7d13f");
}

static void test_reduce_order_edges(void **state) {
    (void)state;
    assert_reduces("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
                   "0000000000000000000000000000000000000000000000000000000000000000");
    assert_reduces("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140",
                   "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140");
    assert_reduces("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
                   "000000000000000000000000000000014551231950b75fc4402da1732fc9bebe");
    assert_reduces("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"
                   "0000000000000000000000000000000000000000000000000000000000000005",
                   "0000000000000000000000000000000000000000000000000000000000000005");
}

static void test_reduce_short_input(void **state) {
    (void)state;
    assert_reduces("07", "0000000000000000000000000000000000000000000000000000000000000007");
}

static void test_reduce_rejects_oversized(void **state) {
    (void)state;
    uint8_t in[65] = {0}, out[32];
    assert_int_equal(pocket_scalar_reduce(in, sizeof in, out), -1);
}

static void test_overflow_and_zero(void **state) {
    (void)state;
    uint8_t n[32], n_minus_1[32], zero[32] = {0};
    from_hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", n);
    from_hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140", n_minus_1);
    assert_int_equal(pocket_scalar_overflows(n), 1);
    assert_int_equal(pocket_scalar_overflows(n_minus_1), 0);
    assert_int_equal(pocket_scalar_is_zero(zero), 1);
    assert_int_equal(pocket_scalar_is_zero(n), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reduce_sha3_512_pocket),
        cmocka_unit_test(test_reduce_short_result),
        cmocka_unit_test(test_reduce_max_512),
        cmocka_unit_test(test_reduce_order_edges),
        cmocka_unit_test(test_reduce_short_input),
        cmocka_unit_test(test_reduce_rejects_oversized),
        cmocka_unit_test(test_overflow_and_zero),
    };
    return cmocka_run_group_tests_name("pocketmath", tests, NULL, NULL);
}
