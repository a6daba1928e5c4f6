/* sha256.c: SHA-256 as specified in NIST FIPS 180-4 (2015), sections 4.1.2 (functions),
 * 4.2.2 (constants), 5.1.1 (padding), 5.3.3 (initial hash value) and 6.2.2 (computation).
 * Written for fingerprinting scenarios, not for secrets: no effort at constant time. */
#include "sha256.h"

#include <string.h>

/* FIPS 180-4 4.2.2: the first 32 bits of the fractional parts of the cube roots of the first
 * 64 primes. */
static const uint32_t fleet_sha256_k[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u,
    0xab1c5ed5u, 0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu,
    0x9bdc06a7u, 0xc19bf174u, 0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu,
    0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau, 0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u,
    0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u, 0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu,
    0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u, 0xa2bfe8a1u, 0xa81a664bu,
    0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u, 0x19a4c116u,
    0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u,
    0xc67178f2u,
};

static uint32_t fleet_sha256_rotr(uint32_t x, unsigned n) { return (x >> n) | (x << (32u - n)); }

/* FIPS 180-4 6.2.2: one 512-bit block into the running hash h[8]. Words are big-endian. */
static void fleet_sha256_block(uint32_t h[8], const unsigned char block[64]) {
  uint32_t w[64];
  for (unsigned t = 0; t < 16; ++t) {
    w[t] = ((uint32_t)block[4 * t] << 24) | ((uint32_t)block[4 * t + 1] << 16) |
           ((uint32_t)block[4 * t + 2] << 8) | (uint32_t)block[4 * t + 3];
  }
  for (unsigned t = 16; t < 64; ++t) {
    uint32_t s0 = fleet_sha256_rotr(w[t - 15], 7) ^ fleet_sha256_rotr(w[t - 15], 18) ^
                  (w[t - 15] >> 3);
    uint32_t s1 = fleet_sha256_rotr(w[t - 2], 17) ^ fleet_sha256_rotr(w[t - 2], 19) ^
                  (w[t - 2] >> 10);
    w[t] = s1 + w[t - 7] + s0 + w[t - 16];
  }

  uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
  uint32_t e = h[4], f = h[5], g = h[6], hh = h[7];
  for (unsigned t = 0; t < 64; ++t) {
    uint32_t big_s1 = fleet_sha256_rotr(e, 6) ^ fleet_sha256_rotr(e, 11) ^ fleet_sha256_rotr(e, 25);
    uint32_t ch = (e & f) ^ (~e & g);
    uint32_t t1 = hh + big_s1 + ch + fleet_sha256_k[t] + w[t];
    uint32_t big_s0 = fleet_sha256_rotr(a, 2) ^ fleet_sha256_rotr(a, 13) ^ fleet_sha256_rotr(a, 22);
    uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
    uint32_t t2 = big_s0 + maj;
    hh = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
  h[5] += f;
  h[6] += g;
  h[7] += hh;
}

void fleet_sha256_hex(const void *data, size_t len, char hex[65]) {
  /* FIPS 180-4 5.3.3: the first 32 bits of the fractional parts of the square roots of the first
   * 8 primes. */
  uint32_t h[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                   0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
  const unsigned char *p = (const unsigned char *)data;
  size_t left = len;
  while (left >= 64u) {
    fleet_sha256_block(h, p);
    p += 64;
    left -= 64u;
  }

  /* FIPS 180-4 5.1.1: append a 1 bit, zeros up to 448 mod 512 bits, then the message length in
   * bits as a 64-bit big-endian integer; one tail block, or two when fewer than 9 bytes remain. */
  unsigned char tail[128];
  memset(tail, 0, sizeof tail);
  if (left > 0u) {
    memcpy(tail, p, left);
  }
  tail[left] = 0x80u;
  size_t tail_len = (left < 56u) ? 64u : 128u;
  uint64_t bit_len = (uint64_t)len * 8u; /* FIPS 180-4 limits messages to < 2^64 bits */
  for (unsigned i = 0; i < 8; ++i) {
    tail[tail_len - 1u - i] = (unsigned char)(bit_len >> (8u * i));
  }
  fleet_sha256_block(h, tail);
  if (tail_len == 128u) {
    fleet_sha256_block(h, tail + 64);
  }

  static const char digits[] = "0123456789abcdef";
  for (unsigned i = 0; i < 8; ++i) {
    for (unsigned j = 0; j < 8; ++j) {
      hex[8 * i + j] = digits[(h[i] >> (28u - 4u * j)) & 0xfu];
    }
  }
  hex[64] = '\0';
}
