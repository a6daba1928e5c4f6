#include "year_totals.h"

/* Designated initialisers keep each name tied to its enum value if the order ever changes. */
const char *const fleet_charge_source_names[FLEET_SOURCE_COUNT] = {
    [FLEET_SOURCE_HOME_SOCKET] = "home_socket",
    [FLEET_SOURCE_HOME_WALLBOX] = "home_wallbox",
    [FLEET_SOURCE_PUBLIC] = "public",
};
