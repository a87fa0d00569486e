"""
Starts a moto server for one jest worker and prints "<port> <pid>" once it listens.

The server binds 127.0.0.1 port 0, so the operating system assigns a free port to the socket the server keeps: no port
is probed, released and reused (another process could take it in between). It runs in a session of its own, detached
from this launcher, which exits after printing, so that a synchronous caller (spawnSync) learns the endpoint. The server
exits by itself when the process given by --watch-pid (the jest worker) is gone; the jest global teardown also stops it.
"""
import argparse
import os
import select
import subprocess
import sys
import threading
import time


def serve(watch_pid: int) -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    server = make_server('127.0.0.1', 0, DomainDispatcherApplication(create_backend_app), threaded=True)
    # make_server has bound and is listening: connections queue until serve_forever runs.
    sys.stdout.write(f'{server.server_port} {os.getpid()}\n')
    sys.stdout.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)

    def watch() -> None:
        while True:
            time.sleep(1)
            try:
                os.kill(watch_pid, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:
                pass

    threading.Thread(target=watch, daemon=True).start()
    server.serve_forever()


def launch(watch_pid: int, timeout: float) -> int:
    child = subprocess.Popen(
        [sys.executable, __file__, '--serve', '--watch-pid', str(watch_pid)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    ready, _, _ = select.select([child.stdout], [], [], timeout)
    line = child.stdout.readline().decode().strip() if ready else ''
    if not line:
        child.kill()
        sys.stderr.write(f'moto server did not start within {timeout} s (exit code {child.poll()})\n')
        return 1
    print(line)
    return 0


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--serve', action='store_true')
    parser.add_argument('--watch-pid', type=int, required=True)
    parser.add_argument('--timeout', type=float, default=60)
    args = parser.parse_args()
    if args.serve:
        serve(args.watch_pid)
    else:
        sys.exit(launch(args.watch_pid, args.timeout))
