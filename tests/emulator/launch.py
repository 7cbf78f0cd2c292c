"""Start the local AWS emulator: moto server with the idc-guardrail extension, on 127.0.0.1.

Usage: python tests/emulator/launch.py [--port-file PATH] [--port N]

Binds 127.0.0.1 only, on a free port unless --port is given. Once the server answers it prints
``IDC_EMULATOR_URL=http://127.0.0.1:PORT`` on stdout and, with --port-file, writes the URL to PATH
(atomically, so a reader never sees half a line). Runs until SIGTERM or SIGINT, then stops
cleanly and removes the port file. Accounts come from the credentials of each request (STS
AssumeRole keys), so MOTO_ACCOUNT_ID must not be set: it would pin every request to one account.
"""

import argparse
import logging
import os
import signal
import sys
import threading
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port-file", help="write http://127.0.0.1:PORT here once ready")
    parser.add_argument("--port", type=int, default=0, help="port to bind (default: a free one)")
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    args = parser.parse_args()
    if not args.verbose:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    if os.environ.pop("MOTO_ACCOUNT_ID", None):
        print("launch.py: ignoring MOTO_ACCOUNT_ID (multi-account needs per-request accounts)", file=sys.stderr)

    import idc_moto_ext  # noqa: F401  -- patches moto before the server handles anything
    from moto.server import ThreadedMotoServer

    stop = threading.Event()  # handlers first: a signal right after the URL line must stop us
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    direct.open(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=10).read()

    if args.port_file:
        tmp = f"{args.port_file}.tmp"
        with open(tmp, "w") as f:
            f.write(url + "\n")
        os.replace(tmp, args.port_file)
    print(f"IDC_EMULATOR_URL={url}", flush=True)

    while not stop.wait(0.5):
        pass
    server.stop()
    if args.port_file and os.path.exists(args.port_file):
        os.remove(args.port_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
