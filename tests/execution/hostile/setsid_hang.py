# A setsid grandchild sleeps forever and the parent waits for it: only the time limit ends this.
import os
import time

if os.fork() == 0:
    os.setsid()
    time.sleep(100000)
os.wait()
time.sleep(100000)
