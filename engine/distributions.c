/* distributions.c: see distributions.h. */
#include "distributions.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

static const char *const kind_names[FLEET_DIST_KINDS] = {"uniform", "triangular", "normal",
                                                         "lognormal", "beta", "discrete"};
static const char *const params_uniform[] = {"min", "max", NULL};
static const char *const params_triangular[] = {"min", "mode", "max", NULL};
static const char *const params_normal[] = {"mean", "sd", "min", "max", NULL};
static const char *const params_lognormal[] = {"median", "log_sd", "min", "max", NULL};
static const char *const params_beta[] = {"alpha", "beta", "min", "max", NULL};
static const char *const params_discrete[] = {"values", "weights", NULL};
static const char *const *const kind_params[FLEET_DIST_KINDS] = {
    params_uniform, params_triangular, params_normal, params_lognormal, params_beta, params_discrete};

static bool kind_ok(fleet_dist_kind_t kind) { return (int)kind >= 0 && (int)kind < FLEET_DIST_KINDS; }

const char *fleet_dist_name(fleet_dist_kind_t kind) { return kind_ok(kind) ? kind_names[kind] : NULL; }

bool fleet_dist_kind_from_name(const char *name, fleet_dist_kind_t *kind) {
  for (int k = 0; k < FLEET_DIST_KINDS; k++)
    if (strcmp(name, kind_names[k]) == 0) {
      *kind = (fleet_dist_kind_t)k;
      return true;
    }
  return false;
}

const char *const *fleet_dist_param_names(fleet_dist_kind_t kind) { return kind_ok(kind) ? kind_params[kind] : NULL; }

bool fleet_dist_param_optional(fleet_dist_kind_t kind, const char *name) {
  if (kind == FLEET_DIST_DISCRETE) return strcmp(name, "weights") == 0;
  if (kind == FLEET_DIST_NORMAL || kind == FLEET_DIST_LOGNORMAL || kind == FLEET_DIST_BETA)
    return strcmp(name, "min") == 0 || strcmp(name, "max") == 0;
  return false;
}

double *fleet_dist_param(fleet_distribution_t *d, const char *name) {
  if (strcmp(name, "min") == 0) return &d->min;
  if (strcmp(name, "max") == 0) return &d->max;
  if (!strcmp(name, "mode") || !strcmp(name, "mean") || !strcmp(name, "median") || !strcmp(name, "alpha"))
    return &d->p1;
  if (!strcmp(name, "sd") || !strcmp(name, "log_sd") || !strcmp(name, "beta")) return &d->p2;
  return NULL;
}

/* ---- the standard normal truncated to [za, zb] ------------------------------------------ */

static double normal_pdf(double z) { return isfinite(z) ? 0.3989422804014327 * exp(-0.5 * z * z) : 0.0; }

/* P(za <= Z <= zb), formed in the lower tail on the side where it is accurate. */
static double normal_mass(double za, double zb) {
  if (za + zb > 0) return fleet_normal_cdf(-za) - fleet_normal_cdf(-zb);
  return fleet_normal_cdf(zb) - fleet_normal_cdf(za);
}

/* z in [za, zb] with P(Z <= z | za <= Z <= zb) = u; mirrored into the lower tail when the interval
 * lies mostly above 0, so that neither end is lost to 1 - tiny. */
static double truncated_normal_quantile(double za, double zb, double u) {
  if (za + zb > 0) return -truncated_normal_quantile(-zb, -za, 1.0 - u);
  const double pa = fleet_normal_cdf(za), pb = fleet_normal_cdf(zb);
  double z = fleet_normal_quantile(pa + u * (pb - pa));
  return z < za ? za : z > zb ? zb : z;
}

static void log_bounds(const fleet_distribution_t *d, double *za, double *zb) {
  const double mu = log(d->p1), s = d->p2;
  *za = d->min > 0 ? (log(d->min) - mu) / s : -INFINITY;
  *zb = (log(d->max) - mu) / s;
}

/* ---- the regularized incomplete beta function ------------------------------------------- */

/* Continued fraction of I_x(a, b), modified Lentz (Press et al., Numerical Recipes, 3rd ed., 6.4;
 * DLMF 8.17.22); converges fast for x < (a + 1) / (a + b + 2). */
static double beta_fraction(double a, double b, double x) {
  const double tiny = 1e-300;
  double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
  if (fabs(d) < tiny) d = tiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= 300; m++) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
    d = 1.0 + aa * d;
    if (fabs(d) < tiny) d = tiny;
    c = 1.0 + aa / c;
    if (fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
    d = 1.0 + aa * d;
    if (fabs(d) < tiny) d = tiny;
    c = 1.0 + aa / c;
    if (fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const double step = d * c;
    h *= step;
    if (fabs(step - 1.0) < 1e-15) break;
  }
  return h;
}

static double incomplete_beta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
  if (x < (a + 1.0) / (a + b + 2.0)) return front * beta_fraction(a, b, x) / a;
  return 1.0 - front * beta_fraction(b, a, 1.0 - x) / b;
}

/* x in [0, 1] with I_x(a, b) = u, by bisection: I is increasing, and 64 halvings bring the bracket
 * below the spacing of doubles near any x, whatever a and b. */
static double beta_quantile(double a, double b, double u) {
  if (u <= 0) return 0;
  if (u >= 1) return 1; /* I_x rounds to 1 before x reaches 1: the bisection alone would stop short */
  double lo = 0, hi = 1;
  for (int i = 0; i < 64 && hi - lo > 0; i++) {
    const double mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if (incomplete_beta(a, b, mid) < u) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/* ---- checks, quantiles, draws ------------------------------------------------------------ */

const char *fleet_distribution_check(fleet_distribution_t *d) {
  if (d->kind == FLEET_DIST_DISCRETE) {
    if (d->value_count < 1 || d->value_count > FLEET_DISCRETE_MAX) return "a discrete distribution takes 1 to 16 values";
    double sum = 0;
    d->min = d->max = d->values[0];
    for (int i = 0; i < d->value_count; i++) {
      if (!(d->weights[i] >= 0)) return "weights must be >= 0";
      sum += d->weights[i];
      d->min = fmin(d->min, d->values[i]);
      d->max = fmax(d->max, d->values[i]);
    }
    if (!(fabs(sum - 1.0) <= 1e-9)) return "weights must sum to 1 (within 1e-9)";
    return NULL;
  }
  if (!(d->min < d->max)) return "min must be < max";
  switch (d->kind) {
    case FLEET_DIST_UNIFORM: return NULL;
    case FLEET_DIST_TRIANGULAR:
      return d->p1 >= d->min && d->p1 <= d->max ? NULL : "mode must lie in [min, max]";
    case FLEET_DIST_NORMAL:
      if (!(d->p2 > 0)) return "sd must be > 0";
      if (!(normal_mass((d->min - d->p1) / d->p2, (d->max - d->p1) / d->p2) >= 1e-9))
        return "[min, max] must hold at least 1e-9 of the normal's probability (it is truncated to them)";
      return NULL;
    case FLEET_DIST_LOGNORMAL: {
      if (!(d->p1 > 0)) return "median must be > 0";
      if (!(d->p2 > 0)) return "log_sd must be > 0";
      if (!(d->min >= 0)) return "min must be >= 0 (a lognormal draw is positive)";
      double za, zb;
      log_bounds(d, &za, &zb);
      if (!(normal_mass(za, zb) >= 1e-9))
        return "[min, max] must hold at least 1e-9 of the lognormal's probability (it is truncated to them)";
      return NULL;
    }
    case FLEET_DIST_BETA: return d->p1 > 0 && d->p2 > 0 ? NULL : "alpha and beta must be > 0";
    case FLEET_DIST_DISCRETE: break;
  }
  return "unknown distribution";
}

double fleet_distribution_quantile(const fleet_distribution_t *d, double u) {
  u = u < 0 ? 0 : u > 1 ? 1 : u;
  double x = d->min;
  switch (d->kind) {
    case FLEET_DIST_UNIFORM: x = d->min + (d->max - d->min) * u; break;
    case FLEET_DIST_TRIANGULAR: {
      const double a = d->min, c = d->p1, b = d->max, fc = (c - a) / (b - a);
      x = u < fc ? a + sqrt(u * (b - a) * (c - a)) : b - sqrt((1.0 - u) * (b - a) * (b - c));
      break;
    }
    case FLEET_DIST_NORMAL:
      x = d->p1 + d->p2 * truncated_normal_quantile((d->min - d->p1) / d->p2, (d->max - d->p1) / d->p2, u);
      break;
    case FLEET_DIST_LOGNORMAL: {
      double za, zb;
      log_bounds(d, &za, &zb);
      x = exp(log(d->p1) + d->p2 * truncated_normal_quantile(za, zb, u));
      break;
    }
    case FLEET_DIST_BETA: x = d->min + (d->max - d->min) * beta_quantile(d->p1, d->p2, u); break;
    case FLEET_DIST_DISCRETE: {
      double cumulative = 0;
      x = d->values[d->value_count - 1];
      for (int i = 0; i < d->value_count; i++) {
        cumulative += d->weights[i];
        if (u < cumulative) {
          x = d->values[i];
          break;
        }
      }
      break;
    }
  }
  return x < d->min ? d->min : x > d->max ? d->max : x;
}

uint64_t fleet_key_hash(const char *key) {
  uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a 64 (Fowler, Noll, Vo) */
  for (const unsigned char *p = (const unsigned char *)key; *p; p++) h = (h ^ *p) * 0x100000001b3ULL;
  return h;
}

double fleet_distribution_draw(const fleet_distribution_t *d, uint64_t seed, int64_t replica, const char *key) {
  fleet_pcg32_t rng = fleet_stream(seed, (uint64_t)replica, 0u, FLEET_ENTITY_NATION, fleet_key_hash(key),
                                   FLEET_PURPOSE_PARAMETERS);
  return fleet_distribution_quantile(d, fleet_pcg32_double(&rng));
}

/* ---- moments ---------------------------------------------------------------------------- */

static double times_pdf(double z) { return isfinite(z) ? z * normal_pdf(z) : 0.0; }

void fleet_distribution_moments(const fleet_distribution_t *d, double *mean, double *variance) {
  double m = 0, v = 0;
  const double a = d->min, b = d->max;
  switch (d->kind) {
    case FLEET_DIST_UNIFORM:
      m = 0.5 * (a + b);
      v = (b - a) * (b - a) / 12.0;
      break;
    case FLEET_DIST_TRIANGULAR: {
      const double c = d->p1;
      m = (a + b + c) / 3.0;
      v = (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0;
      break;
    }
    case FLEET_DIST_NORMAL: { /* Johnson, Kotz, Balakrishnan, Continuous Univariate Distributions 1, 13.10 */
      const double za = (a - d->p1) / d->p2, zb = (b - d->p1) / d->p2, z = normal_mass(za, zb);
      const double r = (normal_pdf(za) - normal_pdf(zb)) / z;
      m = d->p1 + d->p2 * r;
      v = d->p2 * d->p2 * (1.0 + (times_pdf(za) - times_pdf(zb)) / z - r * r);
      break;
    }
    case FLEET_DIST_LOGNORMAL: { /* E[X^k] = exp(k mu + k^2 s^2 / 2) P(za - k s <= Z <= zb - k s) / P(za <= Z <= zb) */
      double za, zb;
      log_bounds(d, &za, &zb);
      const double mu = log(d->p1), s = d->p2, z = normal_mass(za, zb);
      m = exp(mu + 0.5 * s * s) * normal_mass(za - s, zb - s) / z;
      const double m2 = exp(2.0 * mu + 2.0 * s * s) * normal_mass(za - 2.0 * s, zb - 2.0 * s) / z;
      v = m2 - m * m;
      break;
    }
    case FLEET_DIST_BETA: {
      const double al = d->p1, be = d->p2, w = b - a;
      m = a + w * al / (al + be);
      v = w * w * al * be / ((al + be) * (al + be) * (al + be + 1.0));
      break;
    }
    case FLEET_DIST_DISCRETE: {
      double m2 = 0;
      for (int i = 0; i < d->value_count; i++) {
        m += d->weights[i] * d->values[i];
        m2 += d->weights[i] * d->values[i] * d->values[i];
      }
      v = m2 - m * m;
      break;
    }
  }
  if (mean) *mean = m;
  if (variance) *variance = v > 0 ? v : 0;
}

/* ---- text ------------------------------------------------------------------------------- */

void fleet_format_double(double v, char *buf, size_t cap) {
  if (v == floor(v) && fabs(v) < 1e15) {
    snprintf(buf, cap, "%.0f", v);
    if (strtod(buf, NULL) == v) return;
  }
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(buf, cap, "%.*g", prec, v);
    if (strtod(buf, NULL) == v) return;
  }
  snprintf(buf, cap, "%.17g", v);
}

static size_t append(char *buf, size_t cap, size_t len, const char *text) {
  if (len < cap) snprintf(buf + len, cap - len, "%s", text);
  return len + strlen(text);
}

static size_t append_list(char *buf, size_t cap, size_t len, const double *v, int n) {
  len = append(buf, cap, len, "[");
  for (int i = 0; i < n; i++) {
    char number[40];
    fleet_format_double(v[i], number, sizeof number);
    if (i) len = append(buf, cap, len, ", ");
    len = append(buf, cap, len, number);
  }
  return append(buf, cap, len, "]");
}

void fleet_distribution_format(const fleet_distribution_t *d, bool yaml, char *buf, size_t cap) {
  if (!cap) return;
  buf[0] = '\0';
  const char *name = fleet_dist_name(d->kind);
  if (!name) return;
  const char *sep = yaml ? ": " : " ";
  size_t len = 0;
  if (yaml) {
    len = append(buf, cap, len, "{dist: ");
    len = append(buf, cap, len, name);
  } else {
    len = append(buf, cap, len, name);
    len = append(buf, cap, len, "(");
  }
  fleet_distribution_t copy = *d;
  const char *const *names = fleet_dist_param_names(d->kind);
  for (int i = 0; names[i]; i++) {
    if (i || yaml) len = append(buf, cap, len, ", ");
    len = append(buf, cap, len, names[i]);
    len = append(buf, cap, len, sep);
    if (d->kind == FLEET_DIST_DISCRETE) {
      len = append_list(buf, cap, len, i == 0 ? d->values : d->weights, d->value_count);
    } else {
      char number[40];
      fleet_format_double(*fleet_dist_param(&copy, names[i]), number, sizeof number);
      len = append(buf, cap, len, number);
    }
  }
  append(buf, cap, len, yaml ? "}" : ")");
}
