# Leaves a grandchild in its own session that sleeps forever, then the parent exits normally.
import os
import time

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(100000)
    os._exit(0)
print("parent done")
