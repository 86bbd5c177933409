# Tries to write to a host file named on stdin and to system paths; prints what succeeded.
import sys

target = sys.stdin.readline().strip()
for path in (target, "/etc/perfcoder-was-here", "/usr/perfcoder-was-here", "/tmp/box/../perfcoder-escape"):
    try:
        with open(path, "a") as handle:
            handle.write("overwritten by an untrusted program\n")
        print("wrote", path)
    except OSError as error:
        print("refused", path, type(error).__name__)
with open("/tmp/box/scratch.txt", "w") as handle:
    handle.write("the work dir is writable\n")
print("work dir ok")
