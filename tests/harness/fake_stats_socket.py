"""A stand-in for zc-compositor's --stats-socket (docs/stats-socket.md).

serve(path, lines) listens on the Unix socket PATH, sends LINES to the first
reader and closes, as a compositor that exits would.  Returns the thread;
join it after the reader is done.
"""
import socket
import threading


def serve(sock_path, lines):
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(sock_path)
    srv.listen(1)

    def loop():
        conn, _ = srv.accept()
        with conn:
            for line in lines:
                conn.sendall(line.encode())
        srv.close()

    t = threading.Thread(target=loop, daemon=True)
    t.start()
    return t
