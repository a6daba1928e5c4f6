#include "ranks.h"

static fleet_status_t single_agree(const fleet_ranks_t *ranks, fleet_status_t status, fleet_error_t *err) {
  (void)ranks;
  (void)err;
  return status;
}

static void single_broadcast(const fleet_ranks_t *ranks, int64_t *values, int n) {
  (void)ranks;
  (void)values;
  (void)n;
}

const fleet_ranks_t fleet_ranks_single = {.rank = 0, .size = 1, .agree = single_agree, .broadcast = single_broadcast};

void fleet_ranks_share(int64_t first, int64_t count, int rank, int size, int64_t *begin, int64_t *end) {
  const int64_t base = count / size, extra = count % size;
  *begin = first + rank * base + (rank < extra ? rank : extra);
  *end = *begin + base + (rank < extra ? 1 : 0);
}
