/* fastmath.h: a natural logarithm for SIMD lanes.
 *
 * glibc's vector logf is only declared under -ffast-math, which we do not use (results must
 * follow IEEE semantics so that they are reproducible across compilers' choices). This one is
 * branch-free and uses only integer bit moves, multiplies and adds, so gcc vectorises the loops
 * that call it. Method: x = m 2^e with m in [sqrt(1/2), sqrt(2)); ln m = 2 atanh(s) with
 * s = (m - 1)/(m + 1), |s| <= 0.1716, summed to s^9, whose truncation error 2 s^11/11 < 7e-10
 * is far below float resolution. tests/test_kernels.c bounds the error against logf. */
#ifndef FLEET_FASTMATH_H
#define FLEET_FASTMATH_H

#include <stdint.h>
#include <string.h>

/* ln(x) for finite x > 0 (normal floats); no checks. */
static inline float fleet_lnf(float x) {
  uint32_t bits;
  memcpy(&bits, &x, sizeof bits);
  uint32_t mantissa = bits & 0x7fffffu;
  /* 0x3504f3 is the mantissa of sqrt(2): at or above it, halve m and count one more power. */
  int32_t upper = (int32_t)(mantissa >= 0x3504f3u);
  int32_t exponent = (int32_t)((bits >> 23) & 0xffu) - 127 + upper;
  uint32_t mbits = mantissa | 0x3f800000u;
  float m;
  memcpy(&m, &mbits, sizeof m);
  m *= 1.0f - 0.5f * (float)upper;
  float s = (m - 1.0f) / (m + 1.0f);
  float s2 = s * s;
  float poly = 1.0f + s2 * (1.0f / 3.0f + s2 * (1.0f / 5.0f + s2 * (1.0f / 7.0f + s2 * (1.0f / 9.0f))));
  return (float)exponent * 0.693147180559945309f + 2.0f * s * poly;
}

/* Uniform float in the open interval (0, 1) from a 32-bit output: safe to take the log of. */
static inline float fleet_u01_open(uint32_t x) {
  return ((float)(x >> 8) + 0.5f) * (1.0f / 16777216.0f);
}

#endif
