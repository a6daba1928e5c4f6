/* sha256.h: SHA-256 (FIPS 180-4), to fingerprint the resolved scenario stored in result files. */
#ifndef FLEET_SHA256_H
#define FLEET_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* Digest of len bytes at data, as 64 lowercase hex digits and a NUL into hex[65]. */
void fleet_sha256_hex(const void *data, size_t len, char hex[65]);

#endif
