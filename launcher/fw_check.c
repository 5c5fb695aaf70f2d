/* fw_check: see fw_check.h. */
#include "fw_check.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fw_file.h"
#include "fw_launch.h"
#include "fw_money.h"

struct fw_metrics {
    char **names;   /* column names (after tick and month) */
    size_t columns;
    double *values; /* rows x columns */
    size_t rows;
};

/* metrics.csv of runs as long as a scenario allows: far below this. */
#define S_MAX_METRICS_BYTES (256u * 1024u * 1024u)

static char *s_read_all(const char *path, char *err, size_t err_len)
{
    char *text = NULL;
    if (fw_file_read(path, S_MAX_METRICS_BYTES, &text, NULL) != 0)
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
    return text;
}

fw_metrics_t *fw_metrics_load(const char *path, char *err, size_t err_len)
{
    char *text = s_read_all(path, err, err_len);
    fw_metrics_t *t = text ? calloc(1, sizeof *t) : NULL;
    size_t lines = 0;
    if (!t)
        goto fail;
    for (char *p = text; *p; p++)
        lines += *p == '\n';
    char *save = NULL;
    char *line = strtok_r(text, "\n", &save);
    if (!line || strncmp(line, "tick,month", 10) != 0) {
        snprintf(err, err_len, "%s: not a Flywheel metrics.csv (no tick,month header)", path);
        goto fail;
    }
    for (char *p = line; *p; p++)
        t->columns += *p == ',';
    t->columns = t->columns >= 1 ? t->columns - 1 : 0;
    t->names = calloc(t->columns ? t->columns : 1, sizeof *t->names);
    t->values = calloc((lines ? lines : 1) * (t->columns ? t->columns : 1), sizeof *t->values);
    if (!t->names || !t->values)
        goto fail;
    char *csave = NULL, *cell = strtok_r(line, ",", &csave);
    for (size_t c = 0; cell; c++, cell = strtok_r(NULL, ",", &csave))
        if (c >= 2 && c - 2 < t->columns && !(t->names[c - 2] = strdup(cell)))
            goto fail;
    while ((line = strtok_r(NULL, "\n", &save))) {
        size_t c = 0;
        for (char *p = line, *end; *p && c < t->columns + 2; c++) {
            if (c >= 2) {
                t->values[t->rows * t->columns + c - 2] = strtod(p, &end);
                p = end;
            } else {
                p += strcspn(p, ",");
            }
            if (*p == ',')
                p++;
        }
        if (c != t->columns + 2) {
            snprintf(err, err_len, "%s: row %zu has %zu cells, the header %zu", path, t->rows + 1,
                     c, t->columns + 2);
            goto fail;
        }
        t->rows++;
    }
    free(text);
    return t;
fail:
    free(text);
    fw_metrics_destroy(&t);
    return NULL;
}

void fw_metrics_destroy(fw_metrics_t **p)
{
    if (!p || !*p)
        return;
    for (size_t i = 0; (*p)->names && i < (*p)->columns; i++)
        free((*p)->names[i]);
    free((*p)->names);
    free((*p)->values);
    free(*p);
    *p = NULL;
}

const char *fw_metrics_name(const fw_metrics_t *t, int c)
{
    return c >= 0 && (size_t)c < t->columns ? t->names[c] : NULL;
}

int fw_metrics_column(const fw_metrics_t *t, const char *name)
{
    for (size_t i = 0; i < t->columns; i++)
        if (t->names[i] && strcmp(t->names[i], name) == 0)
            return (int)i;
    return -1;
}

size_t fw_metrics_rows(const fw_metrics_t *t)
{
    return t->rows;
}

double fw_metrics_value(const fw_metrics_t *t, size_t row, int column)
{
    return t->values[row * t->columns + (size_t)column];
}

size_t fw_check_evaluate(const fw_scenario_t *sc, const fw_metrics_t *t,
                         fw_check_result_t *results)
{
    size_t bad = 0;
    for (size_t i = 0; i < sc->n_checks; i++) {
        const fw_check_t *c = &sc->checks[i];
        fw_check_result_t *r = &results[i];
        memset(r, 0, sizeof *r);
        r->check = c;
        int col = fw_metrics_column(t, c->metric);
        if (col < 0) {
            r->status = FW_CHECK_ERROR;
            snprintf(r->note, sizeof r->note, "%s:%u:%u: no metric '%s' in metrics.csv",
                     sc->path, c->line, c->col, c->metric);
            bad++;
            continue;
        }
        if (c->from < 1 || c->to > t->rows) {
            r->status = FW_CHECK_SKIPPED;
            snprintf(r->note, sizeof r->note, "the run ended at tick %zu", t->rows);
            continue;
        }
        double sum = 0, last = 0;
        for (uint32_t k = c->from; k <= c->to; k++) {
            last = fw_metrics_value(t, k - 1, col);
            sum += last;
        }
        double v = c->agg == FW_AGG_SUM ? sum
                 : c->agg == FW_AGG_MEAN ? sum / (double)(c->to - c->from + 1)
                                         : last;
        r->value = v * (c->scale != 0 ? c->scale : 1.0);
        r->status = r->value >= c->low && r->value <= c->high ? FW_CHECK_PASS : FW_CHECK_FAIL;
        bad += r->status == FW_CHECK_FAIL;
    }
    return bad;
}

/* Whether a metric counts things, not dollars (docs/outputs.md): compute in
 * H100-equivalent months, chips in units. */
static int s_is_quantity(const char *metric)
{
    static const char *const prefixes[] = {"compute.", "compute_sold", "family_compute.",
                                           "chips_sold"};
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
        if (strncmp(metric, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    return 0;
}

/* Dollars as $12.3B, large quantities as 335.4k, shares and small figures as they
 * are. */
static void s_figure(char *buf, size_t len, double v, double scale_hint, int quantity)
{
    if (isinf(v)) {
        snprintf(buf, len, "%s", v < 0 ? "-inf" : "inf");
    } else if (fabs(scale_hint) >= 1e5 && quantity) {
        static const char *const unit[] = {"", "k", "M", "B", "T"};
        double x = v;
        size_t u = 0;
        while (fabs(x) >= 1000 && u + 1 < sizeof unit / sizeof *unit) {
            x /= 1000;
            u++;
        }
        snprintf(buf, len, "%.1f%s", x, unit[u]);
    } else if (fabs(scale_hint) >= 1e5) {
        fw_money_format(buf, len, (int64_t)llround(v), FW_MONEY_REPORT);
    } else {
        snprintf(buf, len, "%.4g", v);
    }
}

void fw_check_print(FILE *out, const fw_scenario_t *sc, const fw_check_result_t *results)
{
    static const char *verdict[] = {"pass", "FAIL", "skipped", "ERROR"};
    size_t pass = 0;
    fprintf(out, "Checks of %s (%zu):\n", sc->name, sc->n_checks);
    for (size_t i = 0; i < sc->n_checks; i++) {
        const fw_check_result_t *r = &results[i];
        const fw_check_t *c = r->check;
        char value[32] = "-", low[32], high[32];
        double hint = fmax(isinf(c->low) ? 0 : fabs(c->low), isinf(c->high) ? 0 : fabs(c->high));
        int quantity = s_is_quantity(c->metric);
        s_figure(low, sizeof low, c->low, hint, quantity);
        s_figure(high, sizeof high, c->high, hint, quantity);
        if (r->status == FW_CHECK_PASS || r->status == FW_CHECK_FAIL)
            s_figure(value, sizeof value, r->value, hint, quantity);
        pass += r->status == FW_CHECK_PASS;
        fprintf(out, "  %-7s %-48.48s %12s  in [%s, %s]", verdict[r->status], c->name, value, low,
                high);
        if (r->status == FW_CHECK_FAIL)
            fprintf(out, "  (%s:%u)", sc->path, c->line);
        if (r->note[0])
            fprintf(out, "  %s", r->note);
        fputc('\n', out);
    }
    fprintf(out, "%zu of %zu checks pass.\n", pass, sc->n_checks);
}
