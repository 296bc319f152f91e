"""Runs moto_server on a free loopback port for the test suite.

Prints the server's URL on stdout once it answers, then waits until its standard input closes
(the test process ended, however it ended) and stops the server.
"""

import shutil
import socket
import subprocess
import sys
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url + "/moto-api/data.json", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def main():
    try:
        import moto.server  # noqa: F401  (this Python has it: run it with this Python)
        command = [sys.executable, "-m", "moto.server"]
    except ImportError:
        exe = shutil.which("moto_server")
        if exe is None:
            print("moto_server is not installed: run scripts/test.sh, which installs it into .venv",
                  file=sys.stderr)
            return 1
        command = [exe]
    for _ in range(5):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        proc = subprocess.Popen(command + ["-H", "127.0.0.1", "-p", str(port)],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None and not answers(url):
            time.sleep(0.1)
        if proc.poll() is None and answers(url):
            print(url, flush=True)
            try:
                sys.stdin.read()
            finally:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
            return 0
        proc.kill()
        proc.wait()
    print("moto_server did not start on a loopback port", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
