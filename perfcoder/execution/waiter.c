/* pid 1 of every sandbox: runs the program as its child, reaps every process, and reports the
 * program's exit status and the CPU time and peak memory of everything it reaped, as one JSON line
 * on the report fd (closed for the program, so it cannot write there). Exits like the program. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: waiter REPORT_FD COMMAND...\n");
        return 125;
    }
    int report = atoi(argv[1]);
    fcntl(report, F_SETFD, FD_CLOEXEC);
    pid_t child = fork();
    if (child < 0) {
        perror("waiter: fork");
        return 125;
    }
    if (child == 0) {
        execvp(argv[2], argv + 2);
        perror("waiter: exec");
        _exit(127);
    }
    int status = 0, child_status = 0;
    for (;;) {
        pid_t done = wait(&status);
        if (done == child) child_status = status;
        if (done < 0 && errno == ECHILD) break;
        if (done == child) break;
    }
    struct rusage usage;
    getrusage(RUSAGE_CHILDREN, &usage);
    int exited = WIFEXITED(child_status);
    int code = exited ? WEXITSTATUS(child_status) : 128 + WTERMSIG(child_status);
    dprintf(report, "{\"exit_code\": %d, \"signal\": %d, \"cpu_s\": %ld.%06ld, \"max_rss_kb\": %ld}\n", code,
            exited ? 0 : WTERMSIG(child_status), (long)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + (long)((usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000000),
            (long)((usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) % 1000000), usage.ru_maxrss);
    return code;
}
