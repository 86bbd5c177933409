# Tries to reach a server on the host's loopback; the port is given on stdin.
import socket

port = int(input())
with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
    conn.sendall(b"escaped the sandbox\n")
print("connected")
