/* pid 1 of every sandbox: runs the program as its child, reaps every process, and reports the
 * program's exit status and the CPU time and peak memory of everything it reaped, as one JSON line
 * on the report fd (closed for the program, so it cannot write there). Exits like the program.
 *
 * usage: waiter REPORT_FD [--count FD PREFIX] COMMAND...
 * With --count, the program gets a pipe as FD and the report adds how often PREFIX appeared on it
 * (used to count valgrind's system-call trace without writing it anywhere). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static long long counted = 0;
static char carry[256];
static size_t carry_len = 0;

/* Count PREFIX in the stream, also across read boundaries (carry holds the last prefix_len-1 bytes). */
static void count_chunk(const char *prefix, const char *data, size_t len) {
    size_t plen = strlen(prefix);
    char buf[65536 + sizeof carry];
    memcpy(buf, carry, carry_len);
    memcpy(buf + carry_len, data, len);
    size_t total = carry_len + len;
    for (size_t i = 0; i + plen <= total; i++)
        if (memcmp(buf + i, prefix, plen) == 0) counted++;
    carry_len = total < plen - 1 ? total : plen - 1;
    memcpy(carry, buf + total - carry_len, carry_len);
}

static int drain(int fd, const char *prefix) {
    char data[65536];
    ssize_t n;
    while ((n = read(fd, data, sizeof data)) > 0) count_chunk(prefix, data, (size_t)n);
    return n == 0 ? 0 : (errno == EAGAIN ? 1 : 0);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: waiter REPORT_FD [--count FD PREFIX] COMMAND...\n");
        return 125;
    }
    int report = atoi(argv[1]);
    fcntl(report, F_SETFD, FD_CLOEXEC);
    char **command = argv + 2;
    int count_fd = -1, pipe_fds[2] = {-1, -1};
    const char *prefix = NULL;
    if (strcmp(argv[2], "--count") == 0 && argc >= 6) {
        count_fd = atoi(argv[3]);
        prefix = argv[4];
        command = argv + 5;
        if (strlen(prefix) == 0 || strlen(prefix) >= sizeof carry || pipe(pipe_fds) != 0) return 125;
    }
    pid_t child = fork();
    if (child < 0) {
        perror("waiter: fork");
        return 125;
    }
    if (child == 0) {
        if (count_fd >= 0) {
            dup2(pipe_fds[1], count_fd);
            close(pipe_fds[0]);
            if (pipe_fds[1] != count_fd) close(pipe_fds[1]);
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
            if (poll(&pfd, 1, 50) > 0) open_pipe = drain(pipe_fds[0], prefix);
            if (waitpid(child, &child_status, WNOHANG) == child) child_done = 1;
        }
        drain(pipe_fds[0], prefix);
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
    dprintf(report,
            "{\"exit_code\": %d, \"signal\": %d, \"cpu_s\": %ld.%06ld, \"max_rss_kb\": %ld, \"counted\": %lld}\n",
            code, exited ? 0 : WTERMSIG(child_status), micros / 1000000L, micros % 1000000L, usage.ru_maxrss,
            count_fd >= 0 ? counted : -1LL);
    return code;
}
