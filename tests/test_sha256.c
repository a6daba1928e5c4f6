/* test_sha256.c: fleet_sha256_hex against the FIPS 180-2 example vectors and against coreutils
 * sha256sum at the padding boundaries (55/56 bytes: last length that fits one tail block / first
 * that needs two; 63/64/65: around a full block). */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "sha256.h"

static void check_digest(const void *data, size_t len, const char *expected) {
  char hex[65];
  memset(hex, 'x', sizeof hex);
  fleet_sha256_hex(data, len, hex);
  cr_assert_eq(hex[64], '\0', "digest of %zu bytes not NUL-terminated", len);
  cr_assert_str_eq(hex, expected, "digest of %zu bytes", len);
}

/* FIPS 180-2, appendix B (and the NIST example-values document for the empty message). */
Test(sha256, fips_empty) {
  check_digest("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

Test(sha256, fips_abc) {
  check_digest("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

Test(sha256, fips_448_bit_message) {
  const char *msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  cr_assert_eq(strlen(msg), 56u);
  check_digest(msg, strlen(msg),
               "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(sha256, fips_million_a) {
  size_t n = 1000000u;
  char *msg = malloc(n);
  cr_assert_not_null(msg);
  memset(msg, 'a', n);
  check_digest(msg, n, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  free(msg);
}

/* Message of n bytes "abc...zabc...": byte i is 'a' + i mod 26. Expected digests from
 *   python3 -c "import sys; sys.stdout.write(''.join(chr(97+i%26) for i in range(N)))" | sha256sum
 * (GNU coreutils 9.1). */
Test(sha256, padding_boundaries) {
  static const struct {
    size_t len;
    const char *digest;
  } cases[] = {
      {55u, "595615dbe4f0f407ae397d08b4c2cb870cb9b0e11937416f950c5160acf9c005"},
      {56u, "784f623b787495078e93ff28a25b581df0584055a7e71d8cd90c454716b92f51"},
      {63u, "5ca3e1ef5207490eac01a795e5cc94d59582a5118bf9534665c8668d87aa647c"},
      {64u, "2fcd5a0d60e4c941381fcc4e00a4bf8be422c3ddfafb93c809e8d1e2bfffae8e"},
      {65u, "1b3cd1877ab2f2f19f7be001722554f336cb799df0329de0bb4c118dc6abc06d"},
  };
  unsigned char msg[65];
  for (size_t i = 0; i < sizeof msg; ++i) {
    msg[i] = (unsigned char)('a' + i % 26u);
  }
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
    check_digest(msg, cases[c].len, cases[c].digest);
  }
}
