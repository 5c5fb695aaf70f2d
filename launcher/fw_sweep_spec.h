/* fw_sweep_spec: what a sweep is, from a small YAML file and the command line.
 *
 *   scenario: ../scenarios/classroom.yaml   # relative to this file; required
 *   seeds: 3                                # N seeds from the scenario's, or [1, 7, 9]
 *   ticks: 12                               # optional: every run's --ticks
 *   parameters:                             # PATH: [values] (or one value)
 *     market.reach_convergence: [0.005, 0.01]
 *     strategy_params.aws.capex_return: [0.1, 0.2]
 *
 * Only the form is checked here (known keys, a path of word characters and dots,
 * values of a scenario's scalar characters, no duplicates); whether a path names a
 * scenario parameter is fw_sweep's to check, against the scenario. Every error names
 * file:line:col (the node's libyaml mark), or the option for the command line.
 */
#ifndef FW_SWEEP_SPEC_H
#define FW_SWEEP_SPEC_H

#include <stddef.h>

typedef struct {
    char *text;            /* owned */
    unsigned line, col;    /* 1-based; 0 on the command line */
} fw_sweep_value_t;

typedef struct {
    char *path;            /* owned, e.g. "market.reach_convergence" */
    unsigned line, col;
    fw_sweep_value_t *values;  /* owned, n_values >= 1 */
    size_t n_values;
} fw_sweep_param_t;

typedef struct {
    char *file;            /* the spec file, or NULL (owned) */
    char *scenario;        /* resolved against the spec's directory; owned; NULL if none */
    unsigned sc_line, sc_col;
    fw_sweep_param_t *params;  /* owned, in the order given */
    size_t n_params;
    unsigned long long *seeds; /* an explicit list (owned), or NULL ... */
    size_t n_seeds;
    unsigned seed_count;   /* ... or this many seeds from the scenario's own; 0 = unset */
    char *ticks;           /* owned, or NULL */
} fw_sweep_spec_t;

/* Reads SPEC into *out (zeroed first). Returns 0, or -1 with "file:line:col: reason". */
int fw_sweep_spec_load(const char *path, fw_sweep_spec_t *out, char *err, size_t len);

/* --param PATH=V1,V2,...: adds a parameter (a path the spec has is an error). */
int fw_sweep_spec_add_param(fw_sweep_spec_t *s, const char *arg, char *err, size_t len);

/* --seeds N (1 to 1000) or S1,S2,...: replaces the spec's seeds. */
int fw_sweep_spec_set_seeds(fw_sweep_spec_t *s, const char *arg, char *err, size_t len);

/* "file:line:col" of a mark, or "--param" for the command line, into buf. */
const char *fw_sweep_spec_where(const fw_sweep_spec_t *s, unsigned line, unsigned col,
                                char *buf, size_t len);

void fw_sweep_spec_free(fw_sweep_spec_t *s);

#endif
