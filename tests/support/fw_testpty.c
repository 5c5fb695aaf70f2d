/* fw_testpty: see fw_testpty.h. */
#include "fw_testpty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define S_KEEP 65536

struct fw_pty {
    int master;              /* our end of the terminal */
    pthread_t reader;
    int reading;             /* the reader thread runs */
    volatile int stop;       /* asks it to end */
    pthread_mutex_t lock;    /* guards ring */
    char ring[S_KEEP];       /* the last screen bytes, oldest first once full */
    size_t used, head;
};

extern char **environ;

static void *s_read_loop(void *arg)
{
    fw_pty_t *p = arg;
    char buf[4096];
    while (!p->stop) {
        struct pollfd pfd = {p->master, POLLIN, 0};
        if (poll(&pfd, 1, 50) <= 0)
            continue;
        ssize_t n = read(p->master, buf, sizeof buf);
        if (n <= 0) {
            if (n < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            break; /* EIO: the child closed its end */
        }
        pthread_mutex_lock(&p->lock);
        for (ssize_t i = 0; i < n; i++) {
            p->ring[p->head] = buf[i];
            p->head = (p->head + 1) % S_KEEP;
            if (p->used < S_KEEP)
                p->used++;
        }
        pthread_mutex_unlock(&p->lock);
    }
    return NULL;
}

fw_pty_t *fw_pty_start(fw_procs_t *procs, char *const argv[], const char *err_path,
                       int cols, int rows, int *index)
{
    struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
    char *envp[256];
    size_t n = 0;
    if (procs->n >= FW_PROCS_MAX)
        return NULL;
    fw_pty_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    pthread_mutex_init(&p->lock, NULL);
    /* The child's environment, made before the fork (setenv is not safe after it). */
    for (char **e = environ; *e && n < 254; e++)
        if (strncmp(*e, "TERM=", 5) != 0)
            envp[n++] = *e;
    envp[n++] = "TERM=xterm";
    envp[n] = NULL;
    int errfd = open(err_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (errfd < 0) {
        free(p);
        return NULL;
    }
    pid_t parent = getpid();
    pid_t pid = forkpty(&p->master, NULL, NULL, &ws);
    if (pid < 0) {
        close(errfd);
        free(p);
        return NULL;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        dup2(errfd, 2);
        execve(argv[0], argv, envp);
        _exit(127);
    }
    close(errfd);
    procs->pid[procs->n] = pid;
    procs->status[procs->n] = 0;
    *index = (int)procs->n++;
    if (pthread_create(&p->reader, NULL, s_read_loop, p) == 0)
        p->reading = 1;
    return p;
}

int fw_pty_keys(fw_pty_t *p, const char *keys)
{
    size_t len = strlen(keys), done = 0;
    while (done < len) {
        ssize_t n = write(p->master, keys + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

void fw_pty_screen(fw_pty_t *p, char *buf, size_t len)
{
    size_t k = 0;
    if (!len)
        return;
    pthread_mutex_lock(&p->lock);
    size_t start = (p->head + S_KEEP - p->used) % S_KEEP;
    for (size_t i = 0; i < p->used && k + 1 < len; i++) {
        char c = p->ring[(start + i) % S_KEEP];
        buf[k++] = c ? c : ' ';
    }
    pthread_mutex_unlock(&p->lock);
    buf[k] = '\0';
}

void fw_pty_destroy(fw_pty_t **pp)
{
    if (!pp || !*pp)
        return;
    fw_pty_t *p = *pp;
    p->stop = 1;
    if (p->reading)
        pthread_join(p->reader, NULL);
    close(p->master);
    pthread_mutex_destroy(&p->lock);
    free(p);
    *pp = NULL;
}

long fw_test_wait_text(const char *path, const char *needle, long from, int timeout_ms)
{
    struct timespec nap = {0, 20 * 1000000L};
    for (int waited = 0; waited <= timeout_ms; waited += 20) {
        size_t len = 0;
        char *text = fw_test_read_file(path, &len);
        if (text && from >= 0 && (size_t)from <= len) {
            const char *hit = strstr(text + from, needle);
            if (hit) {
                long end = (long)(hit - text) + (long)strlen(needle);
                free(text);
                return end;
            }
        }
        free(text);
        nanosleep(&nap, NULL);
    }
    return -1;
}
