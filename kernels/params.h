/* params.h: every number of the model and of a run, as resolved from a scenario file.
 *
 * Plain data: the kernels read it, engine/scenario.c fills and validates it. No defaults live in
 * code: every field comes from the scenario file (configs/baseline.yaml is the proposal as
 * written, each value with its unit and source there). The YAML key of each field is given in
 * brackets; units are in the field names. */
#ifndef FLEET_PARAMS_H
#define FLEET_PARAMS_H

#include <stdbool.h>
#include <stdint.h>

#define FLEET_MAX_REGIONS 32
#define FLEET_REGION_NAME_MAX 48
#define FLEET_MONTHS 12
#define FLEET_RESTORATION_KNOTS 5 /* points of a storm's restoration curve */
#define FLEET_LOAD_HOURS 24       /* hours of the household load profile */

/* An uncertain assumption: a real key given as a distribution instead of a number (README,
 * "Uncertain assumptions"). Each replica draws its own value (engine/distributions.c); the field
 * itself holds the distribution's mean, the value that the checks and the summary see. */
#define FLEET_MAX_SAMPLED 32       /* keys given as distributions in one scenario */
#define FLEET_DISCRETE_MAX 16      /* values of a discrete distribution */
#define FLEET_SAMPLED_KEY_MAX 128  /* "section.name" or "regions.REGION.name", NUL included */

typedef enum {
  FLEET_DIST_UNIFORM = 0,    /* min, max */
  FLEET_DIST_TRIANGULAR = 1, /* min, mode, max */
  FLEET_DIST_NORMAL = 2,     /* mean, sd; truncated to [min, max] */
  FLEET_DIST_LOGNORMAL = 3,  /* median, log_sd (of ln x); truncated to [min, max] */
  FLEET_DIST_BETA = 4,       /* alpha, beta, on [min, max] */
  FLEET_DIST_DISCRETE = 5    /* values with weights; min, max = the smallest and largest value */
} fleet_dist_kind_t;

typedef struct {
  fleet_dist_kind_t kind;
  double p1, p2;   /* mode (triangular, p1); mean, sd; median, log_sd; alpha, beta */
  double min, max; /* every draw lies in [min, max] */
  int value_count; /* discrete */
  double values[FLEET_DISCRETE_MAX], weights[FLEET_DISCRETE_MAX];
} fleet_distribution_t;

typedef struct {
  char key[FLEET_SAMPLED_KEY_MAX]; /* dotted key; the stream's address is its hash */
  int table_index;                 /* row of engine/scenario.c's param_table */
  int region;                      /* region index for a region field, -1 otherwise */
  fleet_distribution_t dist;
} fleet_sampled_key_t;

typedef enum {
  FLEET_PLUG_EVERY_ARRIVAL = 0,  /* "every_arrival": plugs in whenever it comes home */
  FLEET_PLUG_BELOW_THRESHOLD = 1 /* "below_threshold": only if state of charge < threshold */
} fleet_plug_policy_t;

/* What a car keeps for itself before it gives energy back (DESIGN.md, model 5). */
typedef enum {
  FLEET_RESERVE_FLOOR_PLUS_TRIPS = 0, /* "floor_plus_trips": the owner's floor plus the next trips' energy */
  FLEET_RESERVE_LARGER = 1            /* "larger_of_floor_and_trips": the larger of the two (earlier rule) */
} fleet_reserve_rule_t;

/* What becomes of the combustion car a household hands over (claims C4 and C7 must agree). */
typedef enum {
  FLEET_TRADE_IN_SCRAPPED = 0, /* "scrapped": the State gets its scrap value; its emissions end */
  FLEET_TRADE_IN_RESOLD = 1    /* "resold": the State gets its resale value; it keeps running elsewhere */
} fleet_trade_in_fate_t;

/* A storm forced into the record (configs/storm-year.yaml), besides the drawn ones. */
typedef enum {
  FLEET_FORCED_STORM_NONE = 0,     /* "none" */
  FLEET_FORCED_STORM_ORDINARY = 1, /* "ordinary": radius_km_mean, cut_share, the ordinary curve */
  FLEET_FORCED_STORM_EXTREME = 2   /* "extreme": the extreme radius, share and curve (1999-scale) */
} fleet_forced_storm_t;

typedef enum {
  FLEET_GARAGE_CHAIN_DC = 0, /* "dc": PV -> garage battery -> car, all DC (the proposal) */
  FLEET_GARAGE_CHAIN_AC = 1  /* "ac": PV -> inverter -> AC -> battery / on-board charger */
} fleet_garage_chain_t;

typedef struct {
  char name[FLEET_REGION_NAME_MAX];                /* the mapping key under [regions] */
  double fleet_share;                              /* [regions.NAME.fleet_share] 1 */
  double temperature_monthly_c[FLEET_MONTHS];      /* [regions.NAME.temperature_monthly_c] C */
  double latitude_deg;                             /* [regions.NAME.latitude_deg] degrees north */
  double pv_yield_kwh_per_kwp;                     /* [regions.NAME.pv_yield_kwh_per_kwp] kWh/kWp/yr,
                                                      long-run mean the PV model is scaled to */
  double longitude_deg;                            /* [regions.NAME.longitude_deg] degrees east */
  double storm_exposure;                           /* [regions.NAME.storm_exposure] relative weight of
                                                      being a storm's centre */
} fleet_region_t;

typedef struct {
  /* [simulation] */
  uint64_t seed;                  /* [simulation.seed] master seed of every random stream */
  int64_t replicas;               /* [simulation.replicas] >= 1 */
  int64_t first_replica;          /* [simulation.first_replica] >= 0, global index of the first */
  int64_t years;                  /* [simulation.years] 1..100, consecutive years per replica */
  int64_t first_year;             /* [simulation.first_year] calendar year of year 0 (result coordinates) */
  int64_t first_weekday;          /* [simulation.first_weekday] 0 = Monday .. 6 = Sunday, day 0 */
  bool redraw_fleet_per_replica;  /* [simulation.redraw_fleet_per_replica] */

  /* [fleet] */
  int64_t vehicles;                   /* [fleet.vehicles] 1..100,000,000 */
  double battery_kwh;                 /* [fleet.battery_kwh] usable pack capacity */
  double initial_soc_fraction;        /* [fleet.initial_soc_fraction] of capacity, year 0 hour 0 */
  double charge_target_fraction;      /* [fleet.charge_target_fraction] home charging stops here */
  double soc_floor_fraction_min;      /* [fleet.soc_floor_fraction_min] owner's floor, uniform.. */
  double soc_floor_fraction_max;      /* [fleet.soc_floor_fraction_max] ..between min and max */
  double consumption_kwh_per_km_min;  /* [fleet.consumption_kwh_per_km_min] at mild temperature, */
  double consumption_kwh_per_km_max;  /* [fleet.consumption_kwh_per_km_max] uniform per vehicle */
  double bidirectional_share;         /* [fleet.bidirectional_share] of vehicles */
  double home_socket_share;           /* [fleet.home_socket_share] 230 V socket at home */
  double home_wallbox_share;          /* [fleet.home_wallbox_share] wallbox at home; the rest has
                                         no home charging point (no off-street parking) */
  double employed_share;              /* [fleet.employed_share] households that commute by car */

  /* [ageing]: each car's state of health (capacity / fleet.battery_kwh) loses, at each year's end,
   * calendar_fade_per_year + cycle_fade_per_efc x the year's equivalent full cycles (energy out of
   * the battery for driving and home backup / fleet.battery_kwh, + v2g_cycles_per_year for a car
   * with a bidirectional wallbox); kernels/fleet_year.h, fleet_soh_next */
  double ageing_calendar_fade_per_year; /* [ageing.calendar_fade_per_year] fraction of nominal per year */
  double ageing_cycle_fade_per_efc;     /* [ageing.cycle_fade_per_efc] fraction of nominal per full cycle */
  double ageing_v2g_cycles_per_year;    /* [ageing.v2g_cycles_per_year] full cycles a year the grid would
                                           draw from a bidirectional car (the model does not dispatch) */

  /* [consumption]: energy per km = base x (1 + cold + heat), piecewise linear in temperature */
  double cold_threshold_c;         /* [consumption.cold_threshold_c] below it consumption rises */
  double cold_increase_per_c;      /* [consumption.cold_increase_per_c] 1/C, fraction per degree */
  double heat_threshold_c;         /* [consumption.heat_threshold_c] above it consumption rises */
  double heat_increase_per_c;      /* [consumption.heat_increase_per_c] 1/C */

  /* [charging] */
  double socket_power_kw;          /* [charging.socket_power_kw] */
  double socket_efficiency;        /* [charging.socket_efficiency] grid -> battery */
  double wallbox_power_kw;         /* [charging.wallbox_power_kw] */
  double wallbox_efficiency;       /* [charging.wallbox_efficiency] grid -> battery */
  double discharge_efficiency;     /* [charging.discharge_efficiency] battery -> grid/home */
  double bidirectional_charger_power_kw; /* [charging.bidirectional_charger_power_kw] rating of the
                                            bidirectional wallbox a bidirectional car needs at home,
                                            both ways (a plain socket gives nothing back) */
  fleet_plug_policy_t plug_policy; /* [charging.plug_policy] every_arrival | below_threshold */
  fleet_reserve_rule_t reserve_rule; /* [charging.reserve_rule] floor_plus_trips | larger_of_floor_and_trips */
  double plug_threshold_fraction;  /* [charging.plug_threshold_fraction] for below_threshold */
  double public_reserve_fraction;  /* [charging.public_reserve_fraction] a trip that would leave
                                      less than this charges publicly first */
  double public_target_fraction;   /* [charging.public_target_fraction] public charge stops here */
  double public_efficiency;        /* [charging.public_efficiency] grid -> battery, DC fast */
  double off_peak_share;           /* [charging.off_peak_share] of the households with a home
                                      charging point: on a peak/off-peak tariff, their car charges
                                      from the home grid only in the off-peak window (the rest
                                      charge on arrival, at the base tariff) */
  int64_t off_peak_start_hour;     /* [charging.off_peak_start_hour] window start (inclusive) */
  int64_t off_peak_end_hour;       /* [charging.off_peak_end_hour] window end (exclusive), may
                                      wrap past midnight; must differ from the start */

  /* [mobility] */
  double commute_km_median;            /* [mobility.commute_km_median] one way, lognormal */
  double commute_km_log_sd;            /* [mobility.commute_km_log_sd] sigma of ln(km) */
  double commute_km_max;               /* [mobility.commute_km_max] draws above are redrawn */
  int64_t workdays_per_week;           /* [mobility.workdays_per_week] Monday onwards, 0..7 */
  double work_absence_probability;     /* [mobility.work_absence_probability] leave, holidays */
  double telework_worker_share;        /* [mobility.telework_worker_share] workers who telework */
  double telework_day_probability;     /* [mobility.telework_day_probability] their workdays */
  double departure_hour_mean;          /* [mobility.departure_hour_mean] h, normal, rounded */
  double departure_hour_sd;            /* [mobility.departure_hour_sd] h */
  int64_t departure_hour_min;          /* [mobility.departure_hour_min] clamp */
  int64_t departure_hour_max;          /* [mobility.departure_hour_max] clamp */
  double work_hours_mean;              /* [mobility.work_hours_mean] h from departure to the
                                          hour of the drive home, normal, rounded */
  double work_hours_sd;                /* [mobility.work_hours_sd] h */
  int64_t work_hours_min;              /* [mobility.work_hours_min] clamp */
  int64_t work_hours_max;              /* [mobility.work_hours_max] clamp */
  double commute_stop_probability;     /* [mobility.commute_stop_probability] per commute day: a stop
                                          chained to the drive home (one trip more) */
  double commute_stop_km_mean;         /* [mobility.commute_stop_km_mean] the stop's detour, exponential */
  double errand_day_probability;       /* [mobility.errand_day_probability] per day without a commute
                                          or weekend outing */
  double errand_km_mean;               /* [mobility.errand_km_mean] round trip, exponential */
  int64_t errand_hour_min;             /* [mobility.errand_hour_min] departure on a day off */
  int64_t errand_hour_max;             /* [mobility.errand_hour_max] */
  int64_t errand_duration_hours;       /* [mobility.errand_duration_hours] away, on a day off */
  double weekend_trip_probability;     /* [mobility.weekend_trip_probability] per Sat or Sun */
  double weekend_trip_km_mean;         /* [mobility.weekend_trip_km_mean] round trip, exponential */
  int64_t weekend_trip_hour_min;       /* [mobility.weekend_trip_hour_min] departure */
  int64_t weekend_trip_hour_max;       /* [mobility.weekend_trip_hour_max] */
  int64_t weekend_trip_duration_hours; /* [mobility.weekend_trip_duration_hours] away */
  double evening_trip_probability_weekday; /* [mobility.evening_trip_probability_weekday] per Mon..Fri:
                                              an outing from home after the day's main one */
  double evening_trip_probability_weekend; /* [mobility.evening_trip_probability_weekend] per Sat or Sun */
  double evening_trip_km_mean;         /* [mobility.evening_trip_km_mean] round trip, exponential */
  int64_t evening_trip_hour_min;       /* [mobility.evening_trip_hour_min] departure */
  int64_t evening_trip_hour_max;       /* [mobility.evening_trip_hour_max] */
  int64_t evening_trip_duration_hours; /* [mobility.evening_trip_duration_hours] away */
  double long_trips_per_year;          /* [mobility.long_trips_per_year] per vehicle */
  double long_trip_km_min;             /* [mobility.long_trip_km_min] round trip */
  double long_trip_extra_km_mean;      /* [mobility.long_trip_extra_km_mean] exponential excess */
  double long_trip_nights_mean;        /* [mobility.long_trip_nights_mean] geometric, 0 = day trip */
  int64_t long_trip_departure_hour;    /* [mobility.long_trip_departure_hour] */
  int64_t long_trip_return_hour;       /* [mobility.long_trip_return_hour] */

  /* [weather]: temperature = smooth monthly normal + diurnal cycle + AR(1) daily anomaly;
   * PV per kWp = Haurwitz clear-sky shape x daily clearness (Markov chain), scaled to the yield */
  double diurnal_half_range_c[FLEET_MONTHS]; /* [weather.diurnal_half_range_c] C, half the daily
                                                max - min, per month */
  double temperature_peak_hour;          /* [weather.temperature_peak_hour] clock hour of the daily max */
  double anomaly_persistence;            /* [weather.anomaly_persistence] AR(1) coefficient per day */
  double anomaly_sd_winter_c;            /* [weather.anomaly_sd_winter_c] C, stationary sd mid-January */
  double anomaly_sd_summer_c;            /* [weather.anomaly_sd_summer_c] C, stationary sd mid-July */
  double anomaly_national_weight;        /* [weather.anomaly_national_weight] correlation of two
                                            regions' anomalies (national factor's share of variance) */
  double solar_noon_clock_hour;          /* [weather.solar_noon_clock_hour] clock time of solar noon */
  double clear_to_clear_probability;     /* [weather.clear_to_clear_probability] national chain */
  double cloudy_to_cloudy_probability;   /* [weather.cloudy_to_cloudy_probability] national chain */
  double regional_agreement;             /* [weather.regional_agreement] probability a region's day
                                            follows the national state (else its own chain) */
  double clear_day_clearness;            /* [weather.clear_day_clearness] fraction of clear-sky GHI */
  double cloudy_day_clearness;           /* [weather.cloudy_day_clearness] fraction of clear-sky GHI */

  /* [garage]: the proposal's solar garage option (point 4) */
  double garage_share;                   /* [garage.share] households with a solar garage */
  double garage_pv_kwp;                  /* [garage.pv_kwp] kWp of the roof */
  double garage_battery_to_car_ratio;    /* [garage.battery_to_car_ratio] garage battery / car battery */
  fleet_garage_chain_t garage_chain;     /* [garage.chain] dc | ac */
  double garage_dc_pv_to_battery_efficiency;  /* [garage.dc_pv_to_battery_efficiency] */
  double garage_dc_battery_to_car_efficiency; /* [garage.dc_battery_to_car_efficiency] */
  double garage_ac_pv_to_battery_efficiency;  /* [garage.ac_pv_to_battery_efficiency] */
  double garage_ac_battery_to_car_efficiency; /* [garage.ac_battery_to_car_efficiency] */
  double garage_grid_to_battery_efficiency;   /* [garage.grid_to_battery_efficiency] */
  double garage_battery_to_grid_efficiency;   /* [garage.battery_to_grid_efficiency] discharge */
  double garage_charge_power_kw;         /* [garage.charge_power_kw] garage battery -> car */
  double garage_inverter_power_kw;       /* [garage.inverter_power_kw] garage battery -> grid/home */
  double garage_floor_fraction;          /* [garage.floor_fraction] of the garage battery, kept */
  double garage_initial_soc_fraction;    /* [garage.initial_soc_fraction] at the start of a replica */
  int64_t garage_grid_topup_start_hour;  /* [garage.grid_topup_start_hour] window start (inclusive) */
  int64_t garage_grid_topup_end_hour;    /* [garage.grid_topup_end_hour] window end (exclusive),
                                            may wrap past midnight; start = end: no top-up */
  double garage_grid_topup_target_fraction; /* [garage.grid_topup_target_fraction] of the battery */
  double garage_grid_topup_power_kw;     /* [garage.grid_topup_power_kw] grid -> garage battery */
  bool garage_export_surplus;            /* [garage.export_surplus] true: PV the battery cannot
                                            take is exported; false: curtailed */

  /* [carport]: workplace solar carports (proposal point 5) */
  double carport_worker_share;           /* [carport.worker_share] commuters parking under one */
  double carport_pv_kwp_per_space;       /* [carport.pv_kwp_per_space] kWp per parking space */
  double carport_pv_to_car_efficiency;   /* [carport.pv_to_car_efficiency] inverter x charger */
  double carport_charge_power_kw;        /* [carport.charge_power_kw] per space */

  /* [outage]: ordinary interruptions of a household's supply (PARAMETERS.md 5) */
  double outage_rate_per_year;        /* [outage.rate_per_year] Poisson mean per household */
  double outage_duration_median_min;  /* [outage.duration_median_min] lognormal duration */
  double outage_duration_log_sd;      /* [outage.duration_log_sd] sigma of ln(minutes) */
  double outage_duration_max_h;       /* [outage.duration_max_h] draws above are redrawn */

  /* [storm]: rare events that cut households in neighbouring regions at once */
  double storm_rate_per_year;                           /* [storm.rate_per_year] Poisson mean */
  double storm_month_weights[FLEET_MONTHS];             /* [storm.month_weights] relative, Jan..Dec */
  double storm_radius_km_mean;                          /* [storm.radius_km_mean] exponential radius of
                                                           the footprint around the centre region */
  double storm_cut_share;                               /* [storm.cut_share] of a hit region's households */
  double storm_extreme_probability;                     /* [storm.extreme_probability] a storm is 1999-scale */
  double storm_extreme_radius_km;                       /* [storm.extreme_radius_km] */
  double storm_extreme_cut_share;                       /* [storm.extreme_cut_share] */
  double storm_restoration_days[FLEET_RESTORATION_KNOTS];   /* [storm.restoration_days] 0 first, rising;
                                                               an ordinary storm's curve */
  double storm_still_cut_fraction[FLEET_RESTORATION_KNOTS]; /* [storm.still_cut_fraction] 1 first, falling to 0 */
  double storm_extreme_restoration_days[FLEET_RESTORATION_KNOTS];   /* [storm.extreme_restoration_days]
                                                                       an extreme storm's curve, as above */
  double storm_extreme_still_cut_fraction[FLEET_RESTORATION_KNOTS]; /* [storm.extreme_still_cut_fraction] */
  fleet_forced_storm_t storm_forced;          /* [storm.forced] none | ordinary | extreme */
  int64_t storm_forced_year;                  /* [storm.forced_year] programme year it strikes in */
  double storm_forced_day;                    /* [storm.forced_day] day of the year, fractional, 0 = 1 January 00:00 */
  double storm_forced_latitude_deg;           /* [storm.forced_latitude_deg] its centre */
  double storm_forced_longitude_deg;          /* [storm.forced_longitude_deg] */
  double storm_forced_extreme_cut_share;      /* [storm.forced_extreme_cut_share] of a hit region's households,
                                                 a forced extreme storm's (an ordinary one: cut_share) */

  /* [backup]: the house in "dormant" mode during an outage (proposal; PARAMETERS.md 6) */
  double backup_dormant_load_kwh_per_day;          /* [backup.dormant_load_kwh_per_day] */
  double backup_load_profile[FLEET_LOAD_HOURS];    /* [backup.load_profile] relative weight per clock hour */
  bool backup_keep_car_home;                       /* [backup.keep_car_home] true: during an outage the
                                                      household keeps the car at home once the outage
                                                      has lasted keep_car_home_after_h: trips that would
                                                      depart then, the house still cut, are cancelled */
  double backup_keep_car_home_after_h;             /* [backup.keep_car_home_after_h] h; read only when
                                                      keep_car_home is true (0: from the outage's start) */

  /* [prices]: yearly log random walks from the last observed year (PARAMETERS.md 7); year y of
   * the programme is y + 1 steps from the start values */
  double diesel_eur_per_l;           /* [prices.diesel_eur_per_l] start */
  double diesel_log_drift;           /* [prices.diesel_log_drift] mean yearly log change */
  double diesel_log_sd;              /* [prices.diesel_log_sd] sd of the yearly log change */
  double petrol_eur_per_l;           /* [prices.petrol_eur_per_l] */
  double petrol_log_drift;           /* [prices.petrol_log_drift] */
  double petrol_log_sd;              /* [prices.petrol_log_sd] */
  double tariff_eur_per_kwh;         /* [prices.tariff_eur_per_kwh] residential, incl. taxes */
  double tariff_log_drift;           /* [prices.tariff_log_drift] */
  double tariff_log_sd;              /* [prices.tariff_log_sd] */
  double public_eur_per_kwh;         /* [prices.public_eur_per_kwh] public fast charging */
  double public_log_drift;           /* [prices.public_log_drift] */
  double public_log_sd;              /* [prices.public_log_sd] */
  double corr_diesel_petrol;         /* [prices.corr_diesel_petrol] of the yearly log changes */
  double corr_fuel_electricity;      /* [prices.corr_fuel_electricity] fuels vs tariff and public */
  double corr_tariff_public;         /* [prices.corr_tariff_public] */
  int64_t shock_year;                /* [prices.shock_year] programme year of a one-off jump */
  double diesel_shock_log_change;    /* [prices.diesel_shock_log_change] added to ln(price) that year,
                                        on top of the walk, and kept after (a level shift) */
  double petrol_shock_log_change;    /* [prices.petrol_shock_log_change] */
  double tariff_shock_log_change;    /* [prices.tariff_shock_log_change] */
  double public_shock_log_change;    /* [prices.public_shock_log_change] */
  double feed_in_eur_per_kwh;        /* [prices.feed_in_eur_per_kwh] garage PV surplus exported,
                                        fixed by a 20-year purchase contract */
  double off_peak_eur_per_kwh;       /* [prices.off_peak_eur_per_kwh] peak/off-peak tariff, off-peak
                                        hours, start; follows the tariff's walk (budget.h) */
  double peak_eur_per_kwh;           /* [prices.peak_eur_per_kwh] the same tariff's other hours */

  /* [household]: the running-cost account of a leasing household (claim C3) */
  double diesel_share;                    /* [household.diesel_share] replaced cars on diesel */
  double petrol_l_per_100km;              /* [household.petrol_l_per_100km] replaced car */
  double diesel_l_per_100km;              /* [household.diesel_l_per_100km] replaced car */
  double maintenance_saving_eur_per_year; /* [household.maintenance_saving_eur_per_year] EV vs combustion */
  double lease_eur_per_year;              /* [household.lease_eur_per_year] the car's lease payment */
  double garage_lease_eur_per_year;       /* [household.garage_lease_eur_per_year] the garage's */
  double household_discount_rate;         /* [household.discount_rate] per year, of the household's
                                             full position over the lease (C3, framing ii) */

  /* [budget]: how the accounts of C3 are evaluated */
  int64_t price_paths_per_replica;        /* [budget.price_paths_per_replica] price paths evaluated on
                                             each physical replica (path 0: its own; budget.h) */

  /* [state]: the State's ledger (claim C4) */
  double vehicle_price_eur;                   /* [state.vehicle_price_eur] per car, bought in year 0 */
  double garage_price_eur;                    /* [state.garage_price_eur] per solar garage */
  double carport_price_eur_per_space;         /* [state.carport_price_eur_per_space] */
  double trade_in_value_eur;                  /* [state.trade_in_value_eur] worth of a replaced car:
                                                 the household's loss, the State's resale receipt */
  fleet_trade_in_fate_t trade_in_fate;        /* [state.trade_in_fate] scrapped | resold */
  double trade_in_scrap_value_eur;            /* [state.trade_in_scrap_value_eur] the State's receipt
                                                 for a scrapped car */
  double bidirectional_charger_price_eur;     /* [state.bidirectional_charger_price_eur] per bidirectional
                                                 wallbox, installed, bought in year 0 */
  int64_t lease_years;                        /* [state.lease_years] payments stop after */
  double default_hazard_per_year;             /* [state.default_hazard_per_year] of a paying lease */
  double vehicle_depreciation_per_year;       /* [state.vehicle_depreciation_per_year] of its value */
  double default_recovery_fraction;           /* [state.default_recovery_fraction] of the value left */
  int64_t battery_warranty_years;             /* [state.battery_warranty_years] */
  double battery_failure_hazard_per_year;     /* [state.battery_failure_hazard_per_year] */
  double battery_pack_eur_per_kwh;            /* [state.battery_pack_eur_per_kwh] replacement pack */
  double battery_replacement_labour_eur;      /* [state.battery_replacement_labour_eur] */
  double administration_eur_per_vehicle_year; /* [state.administration_eur_per_vehicle_year] */
  double discount_rate;                       /* [state.discount_rate] per year, for the NPV */

  /* [co2] */
  double petrol_kg_co2_per_l;  /* [co2.petrol_kg_co2_per_l] combustion */
  double diesel_kg_co2_per_l;  /* [co2.diesel_kg_co2_per_l] */
  /* Electricity drawn from the grid, charged at the hour it is drawn: in month m at clock hour h,
   * grid_g_co2_per_kwh_monthly[m] x the hour's relative factor, a blend of the winter (January)
   * and summer (July) profiles by month (fleet_grid_co2_profile, kernels/budget.h). */
  double grid_g_co2_per_kwh_monthly[FLEET_MONTHS]; /* [co2.grid_g_co2_per_kwh_monthly] g CO2/kWh, mean over
                                                      the month's hours, Jan..Dec */
  double grid_hour_profile_winter[FLEET_LOAD_HOURS]; /* [co2.grid_hour_profile_winter] relative, per clock hour */
  double grid_hour_profile_summer[FLEET_LOAD_HOURS]; /* [co2.grid_hour_profile_summer] relative, per clock hour */
  double battery_manufacturing_kg_co2_per_kwh; /* [co2.battery_manufacturing_kg_co2_per_kwh] life cycle:
                                                  making a pack, per kWh (new cars, warranty packs) */

  /* [regions]: a mapping from region name to its fields, in file order */
  int region_count;
  fleet_region_t regions[FLEET_MAX_REGIONS];

  /* keys given as distributions, in the order the scenario is read (engine/scenario.c) */
  int sampled_count;
  fleet_sampled_key_t sampled[FLEET_MAX_SAMPLED];
} fleet_params_t;

#endif
