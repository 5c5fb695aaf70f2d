/* fw_launch: the reusable pieces of the `flywheel` launcher.
 *
 * - a supervisor that starts child processes and is the only owner of their pids:
 *   every child it spawns is reaped by it, either when it exits on its own
 *   (fw_supervisor_reap) or when the supervisor ends it (fw_supervisor_terminate_all);
 *   nothing it started outlives it as long as the launcher is alive, and each child
 *   carries PR_SET_PDEATHSIG(SIGTERM) so that not even a SIGKILLed launcher leaves
 *   orphans behind;
 * - the run directory's name, the sibling binaries' paths, the endpoints;
 * - the summary table printed at the end of a run (its money through fw_money).
 *
 * None of this prints to the terminal on its own: errors are returned (or logged with
 * fw_log_* where there is no caller to tell), and the table goes to the FILE * given.
 */
#ifndef FW_LAUNCH_H
#define FW_LAUNCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

/* --- Supervisor ------------------------------------------------------------ */

typedef struct fw_supervisor fw_supervisor_t;

/* One child that has been reaped. `name` points into the supervisor and stays valid
 * until the supervisor is destroyed. */
typedef struct {
    pid_t pid;
    const char *name;  /* as given to fw_supervisor_spawn, e.g. "agent aws" */
    int status;        /* raw wait status: use WIFEXITED & co or fw_launch_describe_status */
    int signalled;     /* 1 if the supervisor itself sent it a signal before it ended */
} fw_child_exit_t;

/* Returns a new supervisor with no children, or NULL when out of memory. */
fw_supervisor_t *fw_supervisor_new(void);

/* Terminates every child still running (as fw_supervisor_terminate_all with a 3 s
 * grace), frees the supervisor; NULL-safe; sets *p to NULL. */
void fw_supervisor_destroy(fw_supervisor_t **p);

/* Starts argv[0] (searched in PATH when it has no '/') with argv as its arguments.
 * In the child, before exec: its own process group (the supervisor signals the whole
 * group, so helpers the child starts go too, and a terminal's Ctrl-C reaches only the
 * launcher), PR_SET_PDEATHSIG(SIGTERM) (and exit at once if the launcher already
 * died), signal mask cleared, SIGINT/SIGTERM/SIGPIPE back to default.
 * `name` (copied) names the child in reports.
 * Returns the child's pid, or -1 with errno set: if exec itself fails (ENOENT,
 * EACCES, ...) the child's errno is passed back through a close-on-exec pipe, the
 * child (which exits 127) is reaped here and never tracked; telling the user is the
 * caller's job. */
pid_t fw_supervisor_spawn(fw_supervisor_t *sv, const char *name, char *const argv[]);

/* Reaps at most one child of this supervisor that has exited, without blocking.
 * Returns 1 with *out filled, 0 if none has exited, -1 on a waitpid error (errno).
 * Only this supervisor's pids are waited for, never "any child". */
int fw_supervisor_reap(fw_supervisor_t *sv, fw_child_exit_t *out);

/* Number of children spawned and not yet reaped. */
size_t fw_supervisor_running(const fw_supervisor_t *sv);

/* Sends `sig` to every child still running (to its process group) and marks them as
 * signalled.
 * Returns the number of children signalled. */
size_t fw_supervisor_signal_all(fw_supervisor_t *sv, int sig);

/* Ends every child still running: SIGTERM, then up to grace_ms for them to exit,
 * then SIGKILL for the rest; reaps them all before returning (so none is left as a
 * zombie or an orphan). The exits reaped here are not returned by fw_supervisor_reap;
 * callers that report them use fw_supervisor_child.
 * Returns the number of children that needed SIGKILL. */
size_t fw_supervisor_terminate_all(fw_supervisor_t *sv, int grace_ms);

/* The same for one child, `pid` (nothing if it is not a running child of sv). */
size_t fw_supervisor_terminate(fw_supervisor_t *sv, pid_t pid, int grace_ms);

/* Number of children ever spawned (running or reaped), in spawn order. */
size_t fw_supervisor_count(const fw_supervisor_t *sv);

/* Child number i (0 <= i < fw_supervisor_count) in spawn order: fills *out (status
 * only meaningful once reaped). Returns 1 if it has been reaped (by either path),
 * 0 if it is still running. For reports at the end of a run. */
int fw_supervisor_child(const fw_supervisor_t *sv, size_t i, fw_child_exit_t *out);

/* Writes "exited with status 3", "killed by signal 9 (Killed)" for a wait status. */
void fw_launch_describe_status(int status, char *buf, size_t len);

/* --- Paths and endpoints ------------------------------------------------------ */

/* Writes "runs/<name>-YYYYmmddTHHMMSSZ" (UTC of `when`) into buf. Characters of the
 * scenario name other than [A-Za-z0-9._-] become '-', so the name is one path
 * component. Returns 0, or -1 if buf is too small. */
int fw_launch_run_dir_name(const char *scenario_name, time_t when, char *buf, size_t len);

/* mkdir -p: creates `path` and its missing parents (mode 0777 & ~umask).
 * Returns 0 (also when it exists as a directory) or -1 with errno set. */
int fw_launch_mkdirs(const char *path);

/* Path of a sibling program: $FW_BIN_DIR/<name> when FW_BIN_DIR is set and not empty,
 * else <directory of /proc/self/exe>/<name>. Returns 0 if that file is executable,
 * -1 with errno set otherwise (buf then still holds the path tried, for the message). */
int fw_launch_find_binary(const char *name, char *buf, size_t len);

typedef enum {
    FW_TRANSPORT_IPC = 0,  /* unix sockets in a private temporary directory */
    FW_TRANSPORT_TCP = 1,  /* loopback, ports chosen by the coordinator */
} fw_transport_t;

/* Parses "ipc" / "tcp"; returns -1 if neither. */
int fw_launch_transport_parse(const char *s);

/* The endpoints the coordinator is told to bind. A plain value: the only resource it
 * holds is the ipc directory, removed by fw_launch_endpoints_cleanup. */
typedef struct {
    char listen[512];   /* ROUTER endpoint for agents */
    char publish[512];  /* PUB endpoint for observers */
    char ipc_dir[256];  /* the private directory (ipc only), "" otherwise */
} fw_endpoints_t;

/* Fills *ep for `transport`: ipc makes a private directory /tmp/flywheel-XXXXXX
 * (mode 0700) and names "ipc://<dir>/agents" and "ipc://<dir>/observers";
 * tcp names "tcp://127.0.0.1:*" twice (the coordinator resolves the ports).
 * Returns 0 or -1 with errno set (mkdtemp failed). */
int fw_launch_endpoints_make(fw_transport_t transport, fw_endpoints_t *ep);

/* Removes the ipc directory and any socket files left in it (a killed coordinator
 * does not unlink them). No-op for tcp; safe to call twice. */
void fw_launch_endpoints_cleanup(fw_endpoints_t *ep);

/* Result of fw_launch_read_endpoints. */
enum {
    FW_LAUNCH_OK = 0,
    FW_LAUNCH_ENOTYET = -1,    /* the file does not exist (yet) */
    FW_LAUNCH_EMALFORMED = -2, /* it exists but lacks a listen= or publish= line */
    FW_LAUNCH_EIO = -3,        /* it exists but cannot be read; errno tells more */
};

/* Reads the coordinator's "listen=URL\npublish=URL\n" file into listen / publish
 * (each `cap` bytes). The coordinator writes it by rename, so it is either absent or
 * complete. Returns one of the FW_LAUNCH_* codes above. */
int fw_launch_read_endpoints(const char *path, char *listen, char *publish, size_t cap);

/* --- Output ---------------------------------------------------------------- */

/* Writes "[tick k/n] YYYY-MM  elapsed 1.2s" (no newline) into buf. */
void fw_launch_progress_line(char *buf, size_t len, unsigned tick, unsigned ticks,
                             const char *month, double elapsed_s);

/* Prints the end-of-run table from the text of a summary.json (shape in
 * docs/launcher.md): a header "Flywheel run: <scenario> seed <seed>, <ticks> ticks,
 * <wall> s -> <run_dir>", a column header, one row per company (id, role, cash,
 * revenue, profit, final compute share for clouds) and whether the books balanced.
 * Missing fields print "-". Returns 0, or -1 with a one-line reason in err if the
 * text is not a JSON object. */
int fw_launch_format_summary(FILE *out, const char *json_text, const char *run_dir,
                             char *err, size_t err_len);

/* Same, reading the file at `path`. */
int fw_launch_print_summary_file(FILE *out, const char *path, const char *run_dir,
                                 char *err, size_t err_len);

#endif
