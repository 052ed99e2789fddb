/* The low-level SHA256_* one-shot/streaming API is deprecated in OpenSSL 3
   but remains the fastest path for the many tiny SMST hashes; suppress the
   deprecation attributes so Swift imports it without warnings. */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/ripemd.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/crypto.h>
