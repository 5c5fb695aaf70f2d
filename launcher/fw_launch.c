/* fw_launch: see fw_launch.h.
 *
 * Invariant of the supervisor: every pid in `children` with running == 1 is a child of
 * this process that nobody has waited for yet; only this module waits for it, and only
 * by its pid (never waitpid(-1)), so it never steals another part of the program's
 * children nor loses one of its own.
 */
#include "fw_clock.h"
#include "fw_file.h"
#include "fw_launch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "fw_log.h"
#include "fw_money.h"
#include "fw_signal.h"

/* --- Supervisor ------------------------------------------------------------ */

typedef struct {
    pid_t pid;      /* as returned by fork */
    char name[64];  /* "coordinator", "agent aws" */
    int running;    /* 1 until reaped */
    int status;     /* wait status once reaped */
    int signalled;  /* 1 once this supervisor sent it a signal */
} s_child_t;

struct fw_supervisor {
    s_child_t *children;  /* owned; n used of cap, in spawn order */
    size_t n;
    size_t cap;
};

fw_supervisor_t *fw_supervisor_new(void)
{
    return calloc(1, sizeof(fw_supervisor_t));
}

void fw_supervisor_destroy(fw_supervisor_t **p)
{
    if (!p || !*p)
        return;
    fw_supervisor_terminate_all(*p, 3000);
    free((*p)->children);
    free(*p);
    *p = NULL;
}

/* Runs in the forked child: only async-signal-safe calls until exec. Never returns. */
static void s_child_exec(int err_fd, pid_t parent, char *const argv[])
{
    static const int restored[] = {SIGINT, SIGTERM, SIGPIPE};
    int err;
    ssize_t w;

    /* The launcher's handler only sets a flag in its own memory; the program we exec
     * must see Ctrl-C and SIGTERM the ordinary way, with nothing blocked. A failure
     * here changes nothing the child could act on: the exec goes ahead. */
    (void)fw_signal_restore(restored, sizeof restored / sizeof restored[0]);

    /* Its own process group: a signal from the supervisor reaches whatever the child
     * starts in turn (a wrapper script's interpreter), and Ctrl-C at the terminal
     * reaches only the launcher, which forwards SIGTERM in a known order. */
    if (setpgid(0, 0) != 0)
        goto fail;
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0)
        goto fail;
    /* The launcher may have died between fork and prctl: then nobody would ever send
     * the death signal, so leave now rather than become an orphan. */
    if (getppid() != parent)
        _exit(1);
    execvp(argv[0], argv);
fail:
    err = errno;
    w = write(err_fd, &err, sizeof err);
    (void)w; /* nothing more a child can do if the pipe is gone */
    _exit(127);
}

pid_t fw_supervisor_spawn(fw_supervisor_t *sv, const char *name, char *const argv[])
{
    int fds[2];
    pid_t parent, pid;
    int child_errno = 0;
    ssize_t n;

    if (!sv || !argv || !argv[0]) {
        errno = EINVAL;
        return -1;
    }
    /* Grow before forking so that recording the child cannot fail afterwards. */
    if (sv->n == sv->cap) {
        size_t cap = sv->cap ? sv->cap * 2 : 8;
        s_child_t *c = realloc(sv->children, cap * sizeof *c);
        if (!c)
            return -1;
        sv->children = c;
        sv->cap = cap;
    }
    if (pipe(fds) != 0)
        return -1;
    if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) != 0 || fcntl(fds[1], F_SETFD, FD_CLOEXEC) != 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        errno = e;
        return -1;
    }
    parent = getpid();
    pid = fork();
    if (pid < 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        errno = e;
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        s_child_exec(fds[1], parent, argv);
    }
    /* Also from this side, so the group exists before we might signal it; EACCES
     * only means the child got there and exec'd first. */
    setpgid(pid, pid);
    close(fds[1]);
    /* The pipe closes on a successful exec (close-on-exec) or carries exec's errno. */
    do
        n = read(fds[0], &child_errno, sizeof child_errno);
    while (n < 0 && errno == EINTR);
    close(fds[0]);
    if (n == (ssize_t)sizeof child_errno) {
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        fw_log_debug("launch", "cannot start %s (%s): %s", name ? name : argv[0], argv[0],
                     strerror(child_errno));
        errno = child_errno;
        return -1;
    }

    s_child_t *c = &sv->children[sv->n++];
    memset(c, 0, sizeof *c);
    c->pid = pid;
    c->running = 1;
    snprintf(c->name, sizeof c->name, "%s", name ? name : argv[0]);
    fw_log_debug("launch", "started %s as pid %d", c->name, (int)pid);
    return pid;
}

static void s_fill_exit(const s_child_t *c, fw_child_exit_t *out)
{
    out->pid = c->pid;
    out->name = c->name;
    out->status = c->status;
    out->signalled = c->signalled;
}

/* Non-blocking wait for one child. Returns 1 if it was reaped now, 0 if still
 * running, -1 on an unexpected waitpid error. */
static int s_try_reap(s_child_t *c)
{
    int st;
    pid_t r;

    do
        r = waitpid(c->pid, &st, WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == 0)
        return 0;
    if (r < 0) {
        if (errno != ECHILD)
            return -1;
        /* Someone else waited for it: it is gone, its status unknown. */
        fw_log_warn("launch", "%s (pid %d) was reaped elsewhere", c->name, (int)c->pid);
        st = -1;
    }
    c->running = 0;
    c->status = st;
    return 1;
}

int fw_supervisor_reap(fw_supervisor_t *sv, fw_child_exit_t *out)
{
    for (size_t i = 0; i < sv->n; i++) {
        s_child_t *c = &sv->children[i];
        if (!c->running)
            continue;
        int r = s_try_reap(c);
        if (r < 0)
            return -1;
        if (r == 1) {
            if (out)
                s_fill_exit(c, out);
            return 1;
        }
    }
    return 0;
}

size_t fw_supervisor_running(const fw_supervisor_t *sv)
{
    size_t k = 0;
    for (size_t i = 0; i < sv->n; i++)
        k += sv->children[i].running ? 1 : 0;
    return k;
}

size_t fw_supervisor_count(const fw_supervisor_t *sv)
{
    return sv->n;
}

int fw_supervisor_child(const fw_supervisor_t *sv, size_t i, fw_child_exit_t *out)
{
    if (i >= sv->n)
        return -1;
    s_fill_exit(&sv->children[i], out);
    return sv->children[i].running ? 0 : 1;
}

/* Signals the child's process group, or the child alone if it left the group. An
 * unreaped child exists at least as a zombie, so its group id cannot be reused yet. */
static int s_kill(const s_child_t *c, int sig)
{
    if (kill(-c->pid, sig) == 0)
        return 0;
    return kill(c->pid, sig);
}

size_t fw_supervisor_signal_all(fw_supervisor_t *sv, int sig)
{
    size_t k = 0;
    for (size_t i = 0; i < sv->n; i++) {
        s_child_t *c = &sv->children[i];
        if (!c->running)
            continue;
        if (s_kill(c, sig) == 0) {
            c->signalled = 1;
            k++;
        }
    }
    return k;
}

/* SIGTERM to the running children that `pid` names (0: all of them), then up to
 * grace_ms for them to exit, then SIGKILL to whichever is left. Returns how many
 * needed SIGKILL. */
static size_t s_terminate(fw_supervisor_t *sv, pid_t pid, int grace_ms)
{
    size_t killed = 0, running = 0;
    long long deadline;

    for (size_t i = 0; i < sv->n; i++) {
        s_child_t *c = &sv->children[i];
        if (c->running && (pid == 0 || c->pid == pid) && s_kill(c, SIGTERM) == 0) {
            c->signalled = 1;
            running++;
        }
    }
    if (running == 0)
        return 0;
    deadline = fw_clock_ms() + (grace_ms > 0 ? grace_ms : 0);
    for (;;) {
        running = 0;
        for (size_t i = 0; i < sv->n; i++) {
            s_child_t *c = &sv->children[i];
            if (!c->running || (pid != 0 && c->pid != pid))
                continue;
            if (s_try_reap(c) < 0)
                fw_log_warn("launch", "waitpid(%d): %s", (int)c->pid, strerror(errno));
            running += c->running;
        }
        if (running == 0 || fw_clock_ms() >= deadline)
            break;
        fw_clock_sleep_ms(10);
    }
    for (size_t i = 0; i < sv->n; i++) {
        s_child_t *c = &sv->children[i];
        if (!c->running || (pid != 0 && c->pid != pid))
            continue;
        fw_log_warn("launch", "%s (pid %d) ignored SIGTERM for %d ms: killing it", c->name,
                    (int)c->pid, grace_ms);
        s_kill(c, SIGKILL);
        killed++;
        int st;
        pid_t r;
        do
            r = waitpid(c->pid, &st, 0);
        while (r < 0 && errno == EINTR);
        c->running = 0;
        c->status = r == c->pid ? st : -1;
    }
    return killed;
}

size_t fw_supervisor_terminate_all(fw_supervisor_t *sv, int grace_ms)
{
    return sv ? s_terminate(sv, 0, grace_ms) : 0;
}

size_t fw_supervisor_terminate(fw_supervisor_t *sv, pid_t pid, int grace_ms)
{
    return sv && pid > 0 ? s_terminate(sv, pid, grace_ms) : 0;
}

void fw_launch_describe_status(int status, char *buf, size_t len)
{
    if (status == -1)
        snprintf(buf, len, "ended with an unknown status");
    else if (WIFEXITED(status))
        snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(buf, len, "ended with wait status 0x%x", (unsigned)status);
}

/* --- Paths and endpoints ------------------------------------------------------ */

int fw_launch_run_dir_name(const char *scenario_name, time_t when, char *buf, size_t len)
{
    char safe[128];
    char stamp[32];
    struct tm tm;
    size_t i;
    int n;

    for (i = 0; scenario_name && scenario_name[i] && i + 1 < sizeof safe; i++) {
        char ch = scenario_name[i];
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                 (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
        safe[i] = ok ? ch : '-';
    }
    safe[i] = '\0';
    /* "." or ".." would not name a new directory. */
    if (i == 0 || strcmp(safe, ".") == 0 || strcmp(safe, "..") == 0)
        snprintf(safe, sizeof safe, "run");
    if (!gmtime_r(&when, &tm))
        return -1;
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    n = snprintf(buf, len, "runs/%s-%s", safe, stamp);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

int fw_launch_mkdirs(const char *path)
{
    char tmp[PATH_MAX];
    struct stat st;
    size_t len = strlen(path);

    if (len == 0 || len >= sizeof tmp) {
        errno = len ? ENAMETOOLONG : ENOENT;
        return -1;
    }
    memcpy(tmp, path, len + 1);
    /* Create each prefix ending before a '/', then the whole path. */
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
        return -1;
    if (stat(tmp, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

int fw_launch_find_binary(const char *name, char *buf, size_t len)
{
    const char *env = getenv("FW_BIN_DIR");
    char dir[PATH_MAX];
    int n;

    if (env && *env) {
        snprintf(dir, sizeof dir, "%s", env);
    } else {
        ssize_t r = readlink("/proc/self/exe", dir, sizeof dir - 1);
        if (r < 0)
            return -1;
        dir[r] = '\0';
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        else
            snprintf(dir, sizeof dir, ".");
    }
    n = snprintf(buf, len, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= len) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return access(buf, X_OK) == 0 ? 0 : -1;
}

int fw_launch_transport_parse(const char *s)
{
    if (strcmp(s, "ipc") == 0)
        return FW_TRANSPORT_IPC;
    if (strcmp(s, "tcp") == 0)
        return FW_TRANSPORT_TCP;
    return -1;
}

int fw_launch_endpoints_make(fw_transport_t transport, fw_endpoints_t *ep)
{
    memset(ep, 0, sizeof *ep);
    if (transport == FW_TRANSPORT_TCP) {
        snprintf(ep->listen, sizeof ep->listen, "tcp://127.0.0.1:*");
        snprintf(ep->publish, sizeof ep->publish, "tcp://127.0.0.1:*");
        return 0;
    }
    /* A private directory (mkdtemp makes it 0700): no other user can connect to or
     * replace our sockets, and two runs never collide. */
    snprintf(ep->ipc_dir, sizeof ep->ipc_dir, "/tmp/flywheel-XXXXXX");
    if (!mkdtemp(ep->ipc_dir)) {
        ep->ipc_dir[0] = '\0';
        return -1;
    }
    snprintf(ep->listen, sizeof ep->listen, "ipc://%s/agents", ep->ipc_dir);
    snprintf(ep->publish, sizeof ep->publish, "ipc://%s/observers", ep->ipc_dir);
    return 0;
}

void fw_launch_endpoints_cleanup(fw_endpoints_t *ep)
{
    static const char *files[] = {"agents", "observers"};
    char path[PATH_MAX];

    if (!ep || !ep->ipc_dir[0])
        return;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", ep->ipc_dir, files[i]);
        if (unlink(path) != 0 && errno != ENOENT)
            fw_log_warn("launch", "cannot remove %s: %s", path, strerror(errno));
    }
    if (rmdir(ep->ipc_dir) != 0 && errno != ENOENT)
        fw_log_warn("launch", "cannot remove %s: %s", ep->ipc_dir, strerror(errno));
    ep->ipc_dir[0] = '\0';
}

/* Two URLs: a file bigger than this is not the coordinator's. */
#define S_MAX_ENDPOINTS_BYTES (64u * 1024u)

int fw_launch_read_endpoints(const char *path, char *listen, char *publish, size_t cap)
{
    char *text = NULL;
    int have_listen = 0, have_publish = 0;

    if (fw_file_read(path, S_MAX_ENDPOINTS_BYTES, &text, NULL) != 0) {
        if (errno == ENOENT)
            return FW_LAUNCH_ENOTYET;
        return errno == EFBIG ? FW_LAUNCH_EMALFORMED : FW_LAUNCH_EIO;
    }
    for (char *line = text; *line;) {
        size_t n = strcspn(line, "\r\n");
        char *next = line + n + strspn(line + n, "\r\n");
        line[n] = '\0';
        if (strncmp(line, "listen=", 7) == 0 && line[7]) {
            snprintf(listen, cap, "%s", line + 7);
            have_listen = 1;
        } else if (strncmp(line, "publish=", 8) == 0 && line[8]) {
            snprintf(publish, cap, "%s", line + 8);
            have_publish = 1;
        }
        line = next;
    }
    free(text);
    return have_listen && have_publish ? FW_LAUNCH_OK : FW_LAUNCH_EMALFORMED;
}

/* --- Output ---------------------------------------------------------------- */

void fw_launch_progress_line(char *buf, size_t len, unsigned tick, unsigned ticks,
                             const char *month, double elapsed_s)
{
    snprintf(buf, len, "[tick %u/%u] %s  elapsed %.1fs", tick, ticks,
             month && *month ? month : "-------", elapsed_s);
}

/* A money field of a company, or "-" if absent or not a number. */
static void s_money_field(const json_t *obj, const char *key, char *buf, size_t len)
{
    const json_t *v = json_object_get(obj, key);
    if (json_is_integer(v))
        fw_money_format(buf, len, (int64_t)json_integer_value(v), FW_MONEY_REPORT);
    else if (json_is_real(v))
        fw_money_format(buf, len, (int64_t)json_real_value(v), FW_MONEY_REPORT);
    else
        snprintf(buf, len, "-");
}

static const char *s_string_field(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s && *s ? s : "-";
}

static void s_int_field(const json_t *obj, const char *key, char *buf, size_t len)
{
    const json_t *v = json_object_get(obj, key);
    if (json_is_integer(v))
        snprintf(buf, len, "%lld", (long long)json_integer_value(v));
    else
        snprintf(buf, len, "-");
}

static void s_print_summary(FILE *out, const json_t *root, const char *run_dir)
{
    char seed[32], ticks[32], ticks_run[32], tick_text[80], wall[32];
    const json_t *companies = json_object_get(root, "companies");
    const json_t *metrics = json_object_get(root, "final_metrics");
    const json_t *balanced = json_object_get(root, "books_balanced");
    const json_t *wall_v = json_object_get(root, "wall_seconds");
    const json_t *means = json_object_get(root, "run_means");
    char final_month[32];
    size_t id_w = 2, n = json_array_size(companies);

    s_int_field(root, "seed", seed, sizeof seed);
    s_int_field(root, "ticks", ticks, sizeof ticks);
    s_int_field(root, "ticks_run", ticks_run, sizeof ticks_run);
    /* A run stopped early shows how far it got: "7/24 ticks". */
    if (strcmp(ticks_run, "-") == 0 || strcmp(ticks_run, ticks) == 0)
        snprintf(tick_text, sizeof tick_text, "%s", ticks);
    else
        snprintf(tick_text, sizeof tick_text, "%s/%s", ticks_run, ticks);
    if (json_is_number(wall_v))
        snprintf(wall, sizeof wall, "%.1f", json_number_value(wall_v));
    else
        snprintf(wall, sizeof wall, "-");

    /* The month the last-month figures are of. */
    snprintf(final_month, sizeof final_month, "%s",
             json_is_string(json_object_get(root, "final_month"))
                 ? json_string_value(json_object_get(root, "final_month"))
                 : "last month");
    fprintf(out, "Flywheel run: %s seed %s, %s ticks, %s s -> %s\n",
            s_string_field(root, "scenario"), seed, tick_text, wall,
            run_dir && *run_dir ? run_dir : "-");

    for (size_t i = 0; i < n; i++) {
        size_t w = strlen(s_string_field(json_array_get(companies, i), "id"));
        if (w > id_w)
            id_w = w;
    }
    /* The compute columns are compute_share.<cloud>: the share of AI compute sold, in
     * H100-equivalent months, as the viewer's "Cloud share of AI compute". One month's
     * share swings (a cloud that sold out the month before shows 0%), so the run's
     * average stands beside the last month's; cash is the last month's level, revenue
     * and profit the run's totals. */
    fprintf(out, "  %-*s  %-11s  %9s  %9s  %9s  %11s  %11s\n", (int)id_w, "", "",
            "cash", "revenue", "profit", "AI compute", "AI compute");
    fprintf(out, "  %-*s  %-11s  %9s  %9s  %9s  %11s  %11s\n", (int)id_w, "id", "role",
            "at end", "total", "total", final_month, "run average");
    for (size_t i = 0; i < n; i++) {
        const json_t *c = json_array_get(companies, i);
        const char *id = s_string_field(c, "id");
        const char *role = s_string_field(c, "role");
        char cash[32], revenue[32], profit[32], share[32] = "-", mean[32] = "-";

        if (!json_is_object(c))
            continue;
        s_money_field(c, "cash", cash, sizeof cash);
        s_money_field(c, "revenue_total", revenue, sizeof revenue);
        s_money_field(c, "profit_total", profit, sizeof profit);
        if (strcmp(role, "hyperscaler") == 0) {
            char key[128];
            snprintf(key, sizeof key, "compute_share.%s", id);
            const json_t *v = json_object_get(metrics, key);
            if (json_is_number(v))
                snprintf(share, sizeof share, "%.1f%%", 100.0 * json_number_value(v));
            v = json_object_get(means, key);
            if (json_is_number(v))
                snprintf(mean, sizeof mean, "%.1f%%", 100.0 * json_number_value(v));
        }
        fprintf(out, "  %-*s  %-11s  %9s  %9s  %9s  %11s  %11s\n", (int)id_w, id, role, cash,
                revenue, profit, share, mean);
    }
    if (json_is_boolean(balanced))
        fprintf(out, "books balanced: %s\n", json_is_true(balanced) ? "yes" : "NO");
}

int fw_launch_format_summary(FILE *out, const char *json_text, const char *run_dir,
                             char *err, size_t err_len)
{
    json_error_t jerr;
    json_t *root = json_loads(json_text ? json_text : "", 0, &jerr);

    if (!root) {
        snprintf(err, err_len, "summary.json:%d:%d: %s", jerr.line, jerr.column, jerr.text);
        return -1;
    }
    if (!json_is_object(root)) {
        snprintf(err, err_len, "summary.json: not a JSON object");
        json_decref(root);
        return -1;
    }
    s_print_summary(out, root, run_dir);
    json_decref(root);
    return 0;
}

int fw_launch_print_summary_file(FILE *out, const char *path, const char *run_dir,
                                 char *err, size_t err_len)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);

    if (!root) {
        /* jansson reports an unreadable file with line -1. */
        if (jerr.line < 0)
            snprintf(err, err_len, "%s: %s", path, jerr.text);
        else
            snprintf(err, err_len, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
        return -1;
    }
    if (!json_is_object(root)) {
        snprintf(err, err_len, "%s: not a JSON object", path);
        json_decref(root);
        return -1;
    }
    s_print_summary(out, root, run_dir);
    json_decref(root);
    return 0;
}
