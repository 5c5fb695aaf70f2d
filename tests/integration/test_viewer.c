/* flywheel-viewer without a display: a real baseline run drawn to PNG at a fixed tick
 * and its pixels checked (not blank, every company's colour, the share charts' areas
 * stacked in key order), every tick of a recorded run drawn to files, the benchmark,
 * clear errors, and `flywheel run --view` going on when no window can open. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_testproc.h"
#include "fw_vmodel.h"
#include "fw_vpanels.h"
#include "fw_vpng.h"
#include "fw_vsource.h"

static fw_procs_t s_procs;
static char s_dir[64];

static void s_setup(void) { cr_assert_not_null(fw_test_tmpdir(s_dir, sizeof s_dir)); }

static void s_teardown(void)
{
    fw_procs_cleanup(&s_procs);
    fw_test_rmtree(s_dir);
}

TestSuite(viewer, .init = s_setup, .fini = s_teardown, .timeout = 120);

/* Runs a scenario to the end into s_dir/<name>; returns the run directory. */
static const char *s_make_run(const char *scenario, const char *name, char *run, size_t len)
{
    char bin[1024], sc[1024], log[1024];
    fw_test_build_path(bin, sizeof bin, "flywheel");
    fw_test_source_path(sc, sizeof sc, scenario);
    snprintf(run, len, "%s/%s", s_dir, name);
    snprintf(log, sizeof log, "%s/%s-run.log", s_dir, name);
    char *argv[] = {bin, "run", sc, "--out", run, "--quiet", NULL};
    int p = fw_procs_start(&s_procs, argv, log);
    cr_assert_eq(fw_procs_wait(&s_procs, p, 60000), 0, "flywheel run %s failed (see %s)", scenario, log);
    return run;
}

/* Runs the viewer with extra arguments; returns its exit code; its output in *out. */
static int s_viewer(char **out, const char *const *args)
{
    char bin[1024], log[1024];
    char *argv[32];
    int n = 0;
    static int k;
    fw_test_build_path(bin, sizeof bin, "flywheel-viewer");
    snprintf(log, sizeof log, "%s/viewer-%d.log", s_dir, k++);
    argv[n++] = bin;
    for (; *args && n < 31; args++)
        argv[n++] = (char *)*args;
    argv[n] = NULL;
    int p = fw_procs_start(&s_procs, argv, log);
    int rc = fw_procs_wait(&s_procs, p, 90000);
    if (out)
        *out = fw_test_read_file(log, NULL);
    return rc;
}

typedef struct {
    uint8_t *px;
    int w, h;
} img_t;

static void s_load(img_t *im, const char *path)
{
    char err[512];
    cr_assert_eq(fw_vpng_read(path, &im->px, &im->w, &im->h, err, sizeof err), 0, "%s", err);
}

static int s_is(const img_t *im, int x, int y, fw_rgb_t c)
{
    const uint8_t *p = im->px + ((size_t)y * (size_t)im->w + (size_t)x) * 4;
    return p[0] == c.r && p[1] == c.g && p[2] == c.b;
}

static size_t s_count(const img_t *im, fw_rgb_t c)
{
    size_t n = 0;
    for (int y = 0; y < im->h; y++)
        for (int x = 0; x < im->w; x++)
            n += (size_t)s_is(im, x, y, c);
    return n;
}

/* Not blank: many colours, and no single colour covers most of the picture. */
static void s_assert_not_blank(const img_t *im)
{
    enum { BUCKETS = 4096 };
    static unsigned hist[BUCKETS];
    memset(hist, 0, sizeof hist);
    size_t total = (size_t)im->w * (size_t)im->h, most = 0, used = 0;
    for (size_t i = 0; i < total; i++) {
        const uint8_t *p = im->px + i * 4;
        unsigned b = (unsigned)(p[0] >> 4) << 8 | (unsigned)(p[1] >> 4) << 4 | (unsigned)(p[2] >> 4);
        if (hist[b]++ == 0)
            used++;
        if (hist[b] > most)
            most = hist[b];
    }
    cr_assert_gt(used, 60, "only %zu colours: a blank or broken frame", used);
    cr_assert_lt((double)most / (double)total, 0.8, "one colour covers %.0f%%", 100.0 * most / total);
}

/* Reads the run's log into a model, as the viewer does, for the expected colours. */
static fw_vmodel_t *s_model(const char *run)
{
    char path[1024], err[512];
    fw_vmodel_t *vm = fw_vmodel_new();
    cr_assert_eq(fw_vsource_log_path(run, path, sizeof path), 0);
    cr_assert_gt(fw_vsource_read_log(path, vm, 0, err, sizeof err), 0, "%s", err);
    return vm;
}

/* Walks the column x of a share chart from its bottom up and checks that the key
 * colours met come in key order (key 0 at the bottom), with at least `min_keys`. */
static void s_assert_stack_order(const img_t *im, const fw_vmodel_t *vm, fw_share_set_t set,
                                 const fw_rect_t *plot, int x, size_t min_keys)
{
    size_t nk = fw_vmodel_n_keys(vm, set), seen = 0;
    long last = -1;
    for (int y = plot->y + plot->h - 2; y > plot->y + 1; y--) {
        for (size_t k = 0; k < nk; k++) {
            if (!s_is(im, x, y, fw_vmodel_key_color(vm, set, k)))
                continue;
            cr_assert_geq((long)k, last, "set %d: key %zu (%s) above key %ld at y=%d", (int)set, k,
                          fw_vmodel_key(vm, set, k), last, y);
            if ((long)k != last)
                seen++;
            last = (long)k;
            break;
        }
    }
    cr_assert_geq(seen, min_keys, "set %d: only %zu areas found in column %d", (int)set, seen, x);
}

Test(viewer, draws_the_baseline_at_a_fixed_tick_with_role_colours_and_ordered_shares)
{
    char run[256], png[256], *out = NULL;
    s_make_run("scenarios/baseline.yaml", "baseline", run, sizeof run);
    snprintf(png, sizeof png, "%s/baseline-t40.png", s_dir);
    const char *args[] = {"--replay", run, "--png", png, "--tick", "40", "--size", "1280x720",
                          "--supersample", "1", NULL};
    cr_assert_eq(s_viewer(&out, args), 0, "viewer failed: %s", out ? out : "");
    cr_assert_not_null(strstr(out, "tick 40 of baseline"), "%s", out);
    free(out);

    img_t im;
    s_load(&im, png);
    cr_assert_eq(im.w, 1280);
    cr_assert_eq(im.h, 720);
    s_assert_not_blank(&im);
    fw_vmodel_t *vm = s_model(run);
    cr_assert_eq(fw_vmodel_n_nodes(vm), 13);
    /* Every company's node (a disc of its shade of the role colour) and the legend's
     * pure role colours are on screen. */
    for (size_t i = 0; i < fw_vmodel_n_nodes(vm); i++)
        cr_assert_geq(s_count(&im, fw_vmodel_node_color(vm, i)), 20, "no pixels of %s's colour",
                      fw_vmodel_node(vm, i)->id);
    int roles[] = {FW_VROLE_CLOUD, FW_VROLE_LAB, FW_VROLE_VENDOR};
    for (int r = 0; r < 3; r++)
        cr_assert_geq(s_count(&im, fw_vpalette_role(roles[r])), 10, "role %d colour missing", roles[r]);
    /* The share charts: areas stacked in key order, away from the cursor (tick 40)
     * and its share tags, which sit right of it in their bands' colours. */
    fw_vpanels_t p;
    fw_vpanels_compute(1280, 720, FW_VIEW_ALL, &p);
    const fw_vframe_t *last = fw_vmodel_frame(vm, fw_vmodel_n_frames(vm) - 1);
    for (int set = 0; set < FW_SHARE_SETS; set++) {
        fw_rect_t plot = fw_vpanels_share_plot(&p, set);
        int x = plot.x + (int)lround((double)plot.w * (12 - 1) / (double)(last->ticks - 1));
        s_assert_stack_order(&im, vm, (fw_share_set_t)set, &plot, x, 2);
    }
    free(im.px);
    fw_vmodel_destroy(&vm);
}

Test(viewer, replays_every_tick_of_a_recorded_run_to_files_and_benchmarks_it)
{
    char run[256], frames[256], path[512], *out = NULL;
    s_make_run("scenarios/classroom.yaml", "classroom", run, sizeof run);
    snprintf(frames, sizeof frames, "%s/frames", s_dir);
    const char *args[] = {"--replay", run, "--frames", frames, "--size", "640x360",
                          "--supersample", "1", NULL};
    cr_assert_eq(s_viewer(&out, args), 0, "viewer failed: %s", out ? out : "");
    cr_assert_not_null(strstr(out, "24 frames"), "%s", out);
    free(out);
    for (int t = 1; t <= 24; t++) {
        img_t im;
        snprintf(path, sizeof path, "%s/tick-%05d.png", frames, t);
        s_load(&im, path);
        cr_assert_eq(im.w, 640);
        cr_assert_eq(im.h, 360);
        s_assert_not_blank(&im);
        free(im.px);
    }
    const char *bench[] = {"--replay", run, "--bench", "--size", "640x360", NULL};
    cr_assert_eq(s_viewer(&out, bench), 0, "bench failed: %s", out ? out : "");
    cr_assert_not_null(strstr(out, "24 ticks at 640x360"), "%s", out);
    cr_assert_not_null(strstr(out, "frame time: median"), "%s", out);
    free(out);
}

Test(viewer, draws_at_any_window_size)
{
    /* Sizes change every length the drawing scales (text, dashes, node radii); a
     * dashed line once looped forever at 1024x640. */
    static const char *sizes[] = {"1024x640", "800x600", "1366x768", "1920x1080", "320x200"};
    char run[256], png[256], *out = NULL;
    s_make_run("scenarios/classroom.yaml", "sizes", run, sizeof run);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        snprintf(png, sizeof png, "%s/size-%zu.png", s_dir, i);
        const char *args[] = {"--replay", run, "--png", png, "--size", sizes[i], "--supersample", "1",
                              NULL};
        cr_assert_eq(s_viewer(&out, args), 0, "at %s: %s", sizes[i], out ? out : "");
        free(out);
        img_t im;
        s_load(&im, png);
        s_assert_not_blank(&im);
        free(im.px);
    }
}

Test(viewer, says_clearly_what_is_wrong)
{
    char *out = NULL, missing[256], run[256], png[256];
    snprintf(missing, sizeof missing, "%s/no-such-run", s_dir);
    const char *a1[] = {"--replay", missing, "--png", "x.png", NULL};
    cr_assert_eq(s_viewer(&out, a1), 1);
    cr_assert_not_null(strstr(out, "no-such-run"), "%s", out);
    free(out);
    const char *a2[] = {"--png", "x.png", NULL};
    cr_assert_eq(s_viewer(&out, a2), 2, "no source is a usage error");
    cr_assert_not_null(strstr(out, "--subscribe"), "%s", out);
    free(out);
    const char *a3[] = {"--replay", s_dir, "--size", "huge", NULL};
    cr_assert_eq(s_viewer(&out, a3), 2);
    cr_assert_not_null(strstr(out, "--size"), "%s", out);
    free(out);

    s_make_run("scenarios/classroom.yaml", "cls", run, sizeof run);
    snprintf(png, sizeof png, "%s/t.png", s_dir);
    const char *a4[] = {"--replay", run, "--png", png, "--tick", "99", NULL};
    cr_assert_eq(s_viewer(&out, a4), 2);
    cr_assert_not_null(strstr(out, "no tick 99 (it has ticks 1 to 24)"), "%s", out);
    free(out);
    /* A font that is not there: a clear error naming the variable. */
    setenv("FW_FONT", "/nonexistent/font.ttf", 1);
    const char *a5[] = {"--replay", run, "--png", png, NULL};
    int rc = s_viewer(&out, a5);
    unsetenv("FW_FONT");
    cr_assert_eq(rc, 1);
    cr_assert_not_null(strstr(out, "FW_FONT=/nonexistent/font.ttf"), "%s", out);
    free(out);
    /* A window with no display: refused with what to do instead. */
    char *display = getenv("DISPLAY") ? strdup(getenv("DISPLAY")) : NULL;
    unsetenv("DISPLAY");
    unsetenv("WAYLAND_DISPLAY");
    const char *a6[] = {"--replay", run, NULL};
    rc = s_viewer(&out, a6);
    if (display) {
        setenv("DISPLAY", display, 1);
        free(display);
    }
    cr_assert_eq(rc, 1);
    cr_assert_not_null(strstr(out, "--png"), "%s", out);
    free(out);
}

Test(viewer, a_run_with_view_goes_on_when_no_window_can_open)
{
    char bin[1024], sc[1024], run[256], log[256];
    fw_test_build_path(bin, sizeof bin, "flywheel");
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    snprintf(run, sizeof run, "%s/viewless", s_dir);
    snprintf(log, sizeof log, "%s/viewless.log", s_dir);
    char *display = getenv("DISPLAY") ? strdup(getenv("DISPLAY")) : NULL;
    unsetenv("DISPLAY");
    unsetenv("WAYLAND_DISPLAY");
    char *argv[] = {bin, "run", sc, "--out", run, "--view", NULL};
    int p = fw_procs_start(&s_procs, argv, log);
    int rc = fw_procs_wait(&s_procs, p, 60000);
    if (display) {
        setenv("DISPLAY", display, 1);
        free(display);
    }
    char *text = fw_test_read_file(log, NULL);
    cr_assert_eq(rc, 0, "the run itself must succeed: %s", text);
    cr_assert_not_null(strstr(text, "viewer exited with status 1; the run goes on"), "%s", text);
    cr_assert_not_null(strstr(text, "books balanced: yes"), "%s", text);
    free(text);
}
