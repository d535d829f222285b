#!/usr/bin/env python3
"""Minimal QMP client: run one QMP command on QEMU's monitor socket.

usage: qmp.py SOCKET COMMAND [ARGUMENTS-JSON]
Prints the "return" value as JSON; exit 0 on return, 1 on a QMP error,
2 on bad input or a connection problem (one line on stderr).
"""
import json
import socket
import sys


def main():
    if len(sys.argv) not in (3, 4) or sys.argv[1] in ("-h", "--help"):
        print("usage: qmp.py SOCKET COMMAND [ARGUMENTS-JSON]", file=sys.stderr)
        return 2
    path, command = sys.argv[1], sys.argv[2]
    try:
        arguments = json.loads(sys.argv[3]) if len(sys.argv) == 4 else None
    except ValueError as e:
        print(f"qmp: arguments are not JSON: {e}", file=sys.stderr)
        return 2
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(120)  # a screendump under TCG on a busy host can take a while
        sock.connect(path)
        stream = sock.makefile("rw", encoding="utf-8")

        def call(execute, args=None):
            msg = {"execute": execute}
            if args is not None:
                msg["arguments"] = args
            stream.write(json.dumps(msg) + "\n")
            stream.flush()
            for line in stream:  # events may come first; skip them
                reply = json.loads(line)
                if "return" in reply or "error" in reply:
                    return reply
            raise ConnectionError("QEMU closed the monitor")

        json.loads(stream.readline())  # greeting
        call("qmp_capabilities")
        reply = call(command, arguments)
    except (OSError, ValueError, ConnectionError) as e:
        print(f"qmp: {path}: {e}", file=sys.stderr)
        return 2
    if "error" in reply:
        print(f"qmp: {command}: {reply['error'].get('desc')}", file=sys.stderr)
        return 1
    print(json.dumps(reply["return"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
