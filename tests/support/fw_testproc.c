/* fw_testproc: see fw_testproc.h. */
#include "fw_testproc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fw_file.h"

int fw_procs_start(fw_procs_t *p, char *const argv[], const char *log_path)
{
    if (p->n >= FW_PROCS_MAX)
        return -1;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        if (log_path) {
            int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
                close(fd);
            }
        }
        execv(argv[0], argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    p->pid[p->n] = pid;
    p->status[p->n] = 0;
    return (int)p->n++;
}

int fw_procs_start_program(fw_procs_t *p, const char *program, char *const args[],
                           const char *log_path)
{
    char bin[1024];
    char *argv[FW_PROCS_MAX_ARGS + 2];
    size_t n = 0;
    fw_test_build_path(bin, sizeof bin, program);
    argv[n++] = bin;
    for (size_t i = 0; args[i]; i++) {
        if (n > FW_PROCS_MAX_ARGS)
            return -1; /* a test's mistake: say so rather than drop arguments */
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    return fw_procs_start(p, argv, log_path);
}

static int s_code(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

int fw_procs_wait(fw_procs_t *p, int i, int timeout_ms)
{
    struct timespec nap = {0, 5 * 1000 * 1000};
    if (p->pid[i] == 0)
        return s_code(p->status[i]);
    for (int waited = 0; waited <= timeout_ms; waited += 5) {
        int status;
        pid_t r = waitpid(p->pid[i], &status, WNOHANG);
        if (r == p->pid[i]) {
            p->pid[i] = 0;
            p->status[i] = status;
            return s_code(status);
        }
        nanosleep(&nap, NULL);
    }
    return -1;
}

int fw_procs_alive(fw_procs_t *p, int i)
{
    return p->pid[i] != 0 && fw_procs_wait(p, i, 0) < 0;
}

void fw_procs_cleanup(fw_procs_t *p)
{
    for (size_t i = 0; i < p->n; i++) {
        if (p->pid[i] == 0)
            continue;
        kill(p->pid[i], SIGKILL);
        waitpid(p->pid[i], &p->status[i], 0);
        p->pid[i] = 0;
    }
}

const char *fw_test_build_path(char *buf, size_t len, const char *name)
{
    const char *dir = getenv("FW_BUILD_DIR");
    snprintf(buf, len, "%s/%s", dir ? dir : ".", name);
    return buf;
}

const char *fw_test_source_path(char *buf, size_t len, const char *name)
{
    const char *dir = getenv("FW_SOURCE_DIR");
    snprintf(buf, len, "%s/%s", dir ? dir : "..", name);
    return buf;
}

const char *fw_test_tmpdir(char *buf, size_t len)
{
    snprintf(buf, len, "/tmp/fwtest-XXXXXX");
    return mkdtemp(buf);
}

void fw_test_rmtree(const char *dir)
{
    char cmd[4200];
    if (!dir || strncmp(dir, "/tmp/", 5) != 0)
        return; /* never remove anything outside /tmp */
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

char *fw_test_read_file(const char *path, size_t *len)
{
    char *text = NULL;
    return fw_file_read(path, (size_t)1 << 30, &text, len) == 0 ? text : NULL;
}

int fw_test_wait_file(const char *path, int timeout_ms)
{
    struct timespec nap = {0, 10 * 1000 * 1000};
    struct stat st;
    for (int waited = 0; waited <= timeout_ms; waited += 10) {
        if (stat(path, &st) == 0)
            return 0;
        nanosleep(&nap, NULL);
    }
    return -1;
}
