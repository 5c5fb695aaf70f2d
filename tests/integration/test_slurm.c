/* `flywheel sweep --emit slurm` for real: the test starts a one-node Slurm of its own
 * (munged with its own key and socket, slurmctld and slurmd in the foreground, all in
 * a private directory, on ports of its own), submits the emitted array job with
 * `sbatch --wait`, collects, and checks that sweep.csv is byte for byte the one of the
 * same sweep run here. Every daemon is stopped and reaped at the end, pass or fail.
 *
 * Its own test program, so that the rest of the suite does not depend on Slurm. It
 * needs root (slurmd) and Debian's slurm-wlm and munge (scripts/deps); without them it
 * says why on stderr and skips. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fw_testproc.h"

FW_TEST_PROCS_SUITE(slurm, 240);

#define S_NODE "fwnode"

static void s_skip(const char *why)
{
    fprintf(stderr, "test_slurm: SKIPPED, Slurm cannot run here: %s\n", why);
    cr_skip("Slurm cannot run here: %s", why);
}

static int s_run(char *const argv[], const char *log, int timeout_ms)
{
    int p = fw_procs_start(&s_procs, argv, log);
    cr_assert_geq(p, 0);
    return fw_procs_wait(&s_procs, p, timeout_ms);
}

static int s_flywheel(char *const args[], const char *log)
{
    char bin[1024];
    char *argv[24];
    int n = 0;
    fw_test_build_path(bin, sizeof bin, "flywheel");
    argv[n++] = bin;
    for (int i = 0; args[i] && n < 23; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return s_run(argv, log, 90000);
}

static void s_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    fputs(text, f);
    fclose(f);
}

/* A munge key of random bytes, 0600. */
static void s_munge_key(const char *path)
{
    unsigned char key[1024];
    FILE *r = fopen("/dev/urandom", "rb");
    cr_assert_not_null(r);
    cr_assert_eq(fread(key, 1, sizeof key, r), sizeof key);
    fclose(r);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fwrite(key, 1, sizeof key, f);
    fclose(f);
    chmod(path, 0600);
}

/* slurm.conf for one node on this host; ports from the test's pid, so that two
 * checkouts' tests on one machine do not meet. CPUs are declared beyond the real ones
 * (config_overrides) so that the whole array starts in one scheduling pass. */
static void s_slurm_conf(const char *dir, const char *sock, char *conf, size_t len)
{
    char host[256], text[4096];
    cr_assert_eq(gethostname(host, sizeof host), 0);
    host[sizeof host - 1] = '\0';
    int port = 20000 + (int)(getpid() % 10000) * 2;
    snprintf(text, sizeof text,
             "ClusterName=fwtest\n"
             "SlurmctldHost=%s(127.0.0.1)\n"
             "SlurmUser=root\nSlurmdUser=root\n"
             "AuthType=auth/munge\nCredType=cred/munge\nAuthInfo=socket=%s\n"
             "MpiDefault=none\nProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n"
             "SelectType=select/cons_tres\nSelectTypeParameters=CR_Core\n"
             "SlurmdParameters=config_overrides\nReturnToService=2\n"
             "SlurmctldPidFile=%s/slurmctld.pid\nSlurmdPidFile=%s/slurmd.pid\n"
             "SlurmdSpoolDir=%s/spool\nStateSaveLocation=%s/state\n"
             "SlurmctldPort=%d\nSlurmdPort=%d\n"
             "SlurmctldLogFile=%s/slurmctld.log\nSlurmdLogFile=%s/slurmd.log\n"
             "JobCompType=jobcomp/none\nAccountingStorageType=accounting_storage/none\n"
             "NodeName=" S_NODE " NodeHostname=%s NodeAddr=127.0.0.1 CPUs=16 State=UNKNOWN\n"
             "PartitionName=fwtest Nodes=" S_NODE " Default=YES MaxTime=INFINITE State=UP\n",
             host, sock, dir, dir, dir, dir, port, port + 1, dir, dir, host);
    snprintf(conf, len, "%s/slurm.conf", dir);
    s_write(conf, text);
}

/* Waits (bounded) until sinfo shows the node idle. Returns 0 or -1. */
static int s_wait_idle(const char *dir, int timeout_ms)
{
    char out[1200];
    snprintf(out, sizeof out, "%s/sinfo.out", dir);
    for (int waited = 0; waited < timeout_ms; waited += 250) {
        unlink(out);
        int rc = s_run((char *[]){"/usr/bin/sinfo", "-h", "-n", S_NODE, "-o", "%T", NULL}, out,
                       10000);
        char *text = fw_test_read_file(out, NULL);
        int idle = rc == 0 && text && !strncmp(text, "idle", 4);
        free(text);
        if (idle)
            return 0;
        struct timespec nap = {0, 250 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    return -1;
}

/* SIGTERM to a daemon, a little time to go, SIGKILL (the suite's cleanup) after. */
static void s_stop(int p)
{
    if (p >= 0 && fw_procs_alive(&s_procs, p)) {
        kill(s_procs.pid[p], SIGTERM);
        fw_procs_wait(&s_procs, p, 5000);
    }
}

Test(slurm, a_sweep_through_a_one_node_slurm_gives_the_same_sweep_csv)
{
    if (geteuid() != 0)
        s_skip("slurmd needs root");
    if (access("/usr/sbin/slurmctld", X_OK) || access("/usr/sbin/slurmd", X_OK) ||
        access("/usr/sbin/munged", X_OK) || access("/usr/bin/sbatch", X_OK))
        s_skip("slurm-wlm or munge is not installed (scripts/deps installs them)");

    char mdir[1200], key[1300], sock[1300], pid[1300], mlog[1300], seed[1300], conf[1300];
    char spool[1300], state[1300], log[1200], arg[5][1400];
    snprintf(mdir, sizeof mdir, "%s/munge", s_dir);
    cr_assert_eq(mkdir(mdir, 0700), 0);
    snprintf(key, sizeof key, "%s/munge.key", mdir);
    snprintf(sock, sizeof sock, "%s/munge.sock", mdir);
    snprintf(pid, sizeof pid, "%s/munged.pid", mdir);
    snprintf(mlog, sizeof mlog, "%s/munged.log", mdir);
    snprintf(seed, sizeof seed, "%s/munged.seed", mdir);
    snprintf(spool, sizeof spool, "%s/spool", s_dir);
    snprintf(state, sizeof state, "%s/state", s_dir);
    snprintf(log, sizeof log, "%s/daemons.log", s_dir);
    cr_assert_eq(mkdir(spool, 0755), 0);
    cr_assert_eq(mkdir(state, 0755), 0);
    s_munge_key(key);
    s_slurm_conf(s_dir, sock, conf, sizeof conf);
    /* The daemons and sbatch/sinfo find this configuration through SLURM_CONF. */
    setenv("SLURM_CONF", conf, 1);

    snprintf(arg[0], sizeof arg[0], "--key-file=%s", key);
    snprintf(arg[1], sizeof arg[1], "--socket=%s", sock);
    snprintf(arg[2], sizeof arg[2], "--pid-file=%s", pid);
    snprintf(arg[3], sizeof arg[3], "--log-file=%s", mlog);
    snprintf(arg[4], sizeof arg[4], "--seed-file=%s", seed);
    int munged = fw_procs_start(&s_procs, (char *[]){"/usr/sbin/munged", "--foreground",
                                                      "--force", arg[0], arg[1], arg[2], arg[3],
                                                      arg[4], NULL}, log);
    cr_assert_geq(munged, 0);
    if (fw_test_wait_file(sock, 10000) != 0)
        s_skip("munged did not make its socket in 10 s (see daemons.log)");
    int ctld = fw_procs_start(&s_procs, (char *[]){"/usr/sbin/slurmctld", "-D", "-i", "-f",
                                                    conf, NULL}, log);
    int slurmd = fw_procs_start(&s_procs, (char *[]){"/usr/sbin/slurmd", "-D", "-N", S_NODE,
                                                      "-f", conf, NULL}, log);
    cr_assert(ctld >= 0 && slurmd >= 0);
    if (s_wait_idle(s_dir, 30000) != 0) {
        s_stop(slurmd);
        s_stop(ctld);
        s_stop(munged);
        s_skip("the node did not become idle in 30 s (see slurmctld.log and slurmd.log)");
    }

    /* The same sweep here and through Slurm. */
    char spec[1200], here[1200], out[1200], sbatch[1300], flog[1200], sc[1024];
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    snprintf(spec, sizeof spec, "%s/spec.yaml", s_dir);
    snprintf(here, sizeof here, "%s/here", s_dir);
    snprintf(out, sizeof out, "%s/slurm-sweep", s_dir);
    snprintf(sbatch, sizeof sbatch, "%s/sweep.sbatch", out);
    snprintf(flog, sizeof flog, "%s/flywheel.log", s_dir);
    FILE *f = fopen(spec, "w");
    cr_assert_not_null(f);
    fprintf(f, "scenario: %s\nseeds: 3\nticks: 6\nparameters:\n"
               "  market.reach_convergence: [0.005, 0.02]\n  lab.max_price: [2500, 4000]\n", sc);
    fclose(f);
    cr_assert_eq(s_flywheel((char *[]){"sweep", spec, "--out", out, "--emit", "slurm", NULL},
                            flog), 0);
    int rc = s_run((char *[]){"/usr/bin/sbatch", "--wait", "--quiet", sbatch, NULL}, flog, 180000);
    char *text = fw_test_read_file(flog, NULL);
    cr_assert_eq(rc, 0, "sbatch --wait: exit %d\n%s", rc, text ? text : "");
    free(text);
    rc = s_flywheel((char *[]){"sweep", "--collect", out, "--quiet", NULL}, flog);
    s_stop(slurmd);
    s_stop(ctld);
    s_stop(munged);
    text = fw_test_read_file(flog, NULL);
    cr_assert_eq(rc, 0, "collect: exit %d\n%s", rc, text ? text : "");
    free(text);
    cr_assert_eq(s_flywheel((char *[]){"sweep", spec, "--out", here, "--quiet", NULL}, flog), 0);

    char a[1300], b[1300];
    snprintf(a, sizeof a, "%s/sweep.csv", out);
    snprintf(b, sizeof b, "%s/sweep.csv", here);
    char *slurm_csv = fw_test_read_file(a, NULL), *here_csv = fw_test_read_file(b, NULL);
    cr_assert(slurm_csv && here_csv);
    cr_assert_str_eq(slurm_csv, here_csv);
    free(slurm_csv);
    free(here_csv);
}
