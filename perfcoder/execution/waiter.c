/* pid 1 of every sandbox: runs the program as its child, reaps every process, and reports the
 * program's exit status and the CPU time and peak memory of everything it reaped, as one JSON line
 * on the report fd (closed for the program, so it cannot write there). Exits like the program.
 *
 * usage: waiter REPORT_FD [--repeatable] [--count FD PREFIX] COMMAND...
 * The program starts with every signal at its default action and none blocked, however perfcoder itself
 * was started: exec keeps ignored signals (nohup ignores SIGHUP, a shell's background job SIGINT and
 * SIGQUIT), and Python's start-up and shutdown do a system call and tens of instructions more or less
 * for each, which made counts differ with the shell a run was started from.
 * With --repeatable, the program runs without address-space randomisation and with the getrandom system
 * call failing (ENOSYS), so that it reads entropy from /dev/urandom, which the sandbox replaces with a
 * fixed file for measured runs: counts then repeat exactly (numpy's import alone varies by thousands of
 * instructions with the seed it draws).
 * With --count, the program gets a pipe as FD and the report adds how often PREFIX appeared on it, in
 * all and by the number that follows it (used to count valgrind's system-call trace, per process,
 * without writing it anywhere). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static long long counted = 0;

/* Counting runs byte by byte (KMP over PREFIX), so matches split across reads are found. The decimal
 * number right after a match (valgrind's pid in "SYSCALL[pid,tid]") is tallied too, so a run of many
 * processes reports each one's count. */
#define MAX_PREFIX 255
#define MAX_KEYS 4096 /* distinct numbers tallied; more are counted in the total only */
static const char *prefix;
static size_t prefix_len, matched = 0;
static size_t border[MAX_PREFIX];
static int in_number = 0; /* 1: right after a match, 2: reading its digits */
static long long number = 0;
static long long keys[MAX_KEYS], tallies[MAX_KEYS];
static int used[MAX_KEYS];

static void prepare_prefix(const char *text) {
    prefix = text;
    prefix_len = strlen(text);
    border[0] = 0;
    for (size_t i = 1, k = 0; i < prefix_len; i++) {
        while (k > 0 && text[i] != text[k]) k = border[k - 1];
        if (text[i] == text[k]) k++;
        border[i] = k;
    }
}

static void tally(long long key) {
    size_t slot = (size_t)(key % MAX_KEYS);
    for (size_t probe = 0; probe < MAX_KEYS; probe++, slot = (slot + 1) % MAX_KEYS) {
        if (!used[slot]) {
            used[slot] = 1;
            keys[slot] = key;
        }
        if (keys[slot] == key) {
            tallies[slot]++;
            return;
        }
    }
}

static void count_byte(char c) {
    if (in_number) {
        if (c >= '0' && c <= '9' && number < 1000000000LL) {
            number = number * 10 + (c - '0');
            in_number = 2;
            return;
        }
        if (in_number == 2) tally(number);
        in_number = 0;
    }
    while (matched > 0 && c != prefix[matched]) matched = border[matched - 1];
    if (c == prefix[matched]) matched++;
    if (matched == prefix_len) {
        counted++;
        matched = border[matched - 1];
        in_number = 1;
        number = 0;
    }
}

static int drain(int fd) {
    char data[65536];
    ssize_t n;
    while ((n = read(fd, data, sizeof data)) > 0)
        for (ssize_t i = 0; i < n; i++) count_byte(data[i]);
    return n == 0 ? 0 : (errno == EAGAIN ? 1 : 0);
}

static void report_tallies(int fd) {
    const char *separator = "";
    dprintf(fd, "{");
    for (size_t slot = 0; slot < MAX_KEYS; slot++)
        if (used[slot]) {
            dprintf(fd, "%s\"%lld\": %lld", separator, keys[slot], tallies[slot]);
            separator = ", ";
        }
    dprintf(fd, "}");
}

/* No address-space randomisation, and getrandom(2) fails with ENOSYS (C libraries and interpreters then
 * read /dev/urandom); inherited by everything the program starts. */
#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#endif
static int make_repeatable(void) {
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 0, 3), /* another ABI's numbers: allowed */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getrandom, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog program = {sizeof filter / sizeof filter[0], filter};
    if (personality(ADDR_NO_RANDOMIZE) < 0) return -1;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program);
}

static void default_signals(void) {
    struct sigaction action = {.sa_handler = SIG_DFL};
    sigemptyset(&action.sa_mask);
    for (int sig = 1; sig < NSIG; sig++) sigaction(sig, &action, NULL); /* SIGKILL, SIGSTOP: EINVAL */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: waiter REPORT_FD [--repeatable] [--count FD PREFIX] COMMAND...\n");
        return 125;
    }
    int report = atoi(argv[1]);
    fcntl(report, F_SETFD, FD_CLOEXEC);
    char **command = argv + 2;
    int repeatable = 0, count_fd = -1, pipe_fds[2] = {-1, -1};
    if (command[0] != NULL && strcmp(command[0], "--repeatable") == 0) {
        repeatable = 1;
        command++;
    }
    if (command[0] != NULL && strcmp(command[0], "--count") == 0 && command[1] && command[2] && command[3]) {
        count_fd = atoi(command[1]);
        if (strlen(command[2]) == 0 || strlen(command[2]) > MAX_PREFIX || pipe(pipe_fds) != 0) return 125;
        prepare_prefix(command[2]);
        command += 3;
    }
    if (command[0] == NULL) return 125;
    pid_t child = fork();
    if (child < 0) {
        perror("waiter: fork");
        return 125;
    }
    if (child == 0) {
        default_signals();
        if (count_fd >= 0) {
            dup2(pipe_fds[1], count_fd);
            close(pipe_fds[0]);
            if (pipe_fds[1] != count_fd) close(pipe_fds[1]);
        }
        if (repeatable && make_repeatable() != 0) {
            perror("waiter: repeatable");
            _exit(125);
        }
        execvp(command[0], command);
        perror("waiter: exec");
        _exit(127);
    }
    int status = 0, child_status = 0, child_done = 0;
    if (count_fd >= 0) {
        close(pipe_fds[1]);
        fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
        struct pollfd pfd = {.fd = pipe_fds[0], .events = POLLIN};
        int open_pipe = 1;
        while (open_pipe && !child_done) {
            if (poll(&pfd, 1, 50) > 0) open_pipe = drain(pipe_fds[0]);
            if (waitpid(child, &child_status, WNOHANG) == child) child_done = 1;
        }
        drain(pipe_fds[0]);
        if (in_number == 2) tally(number);
    }
    while (!child_done) {
        pid_t done = wait(&status);
        if (done == child) {
            child_status = status;
            child_done = 1;
        }
        if (done < 0 && errno == ECHILD) break;
    }
    struct rusage usage;
    getrusage(RUSAGE_CHILDREN, &usage);
    long micros = (long)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000L + usage.ru_utime.tv_usec +
                  usage.ru_stime.tv_usec;
    int exited = WIFEXITED(child_status);
    int code = exited ? WEXITSTATUS(child_status) : 128 + WTERMSIG(child_status);
    dprintf(report, "{\"exit_code\": %d, \"signal\": %d, \"cpu_s\": %ld.%06ld, \"max_rss_kb\": %ld, \"counted\": %lld, ",
            code, exited ? 0 : WTERMSIG(child_status), micros / 1000000L, micros % 1000000L, usage.ru_maxrss,
            count_fd >= 0 ? counted : -1LL);
    dprintf(report, "\"counted_by\": ");
    report_tallies(report);
    dprintf(report, "}\n");
    return code;
}
