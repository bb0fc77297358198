#!/usr/bin/python3
"""A real SMTP server for tests: Debian's aiosmtpd (python3-aiosmtpd), run with /usr/bin/python3.

Every message it accepts is written to DIR as msg-<n>.json ({"from", "to", "data", "tls",
"auth"}), atomically (written to a temporary name, then renamed). When it listens it writes its
port to DIR/port. It stops on SIGTERM or SIGINT.

  smtp_sink.py --dir DIR [--cert PEM --key PEM] [--auth USER:PASSWORD]

--cert/--key: offer STARTTLS and require it before MAIL. --auth: require AUTH PLAIN/LOGIN with
these credentials (only after STARTTLS when --cert is given).
"""
import argparse
import json
import os
import signal
import socket
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Mailbox:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            number = self.count
        record = {
            "from": envelope.mail_from,
            "to": list(envelope.rcpt_tos),
            "data": envelope.content.decode("utf-8", errors="replace"),
            "tls": session.ssl is not None,
            "auth": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
        }
        final = os.path.join(self.directory, "msg-%06d.json" % number)
        with open(final + ".tmp", "w", encoding="utf-8") as out:
            json.dump(record, out)
        os.rename(final + ".tmp", final)
        return "250 OK"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--auth")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    options = {}
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        options.update(tls_context=context, require_starttls=True)
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
                  and auth_data.password.decode() == password)
            return AuthResult(success=ok, auth_data=auth_data)

        options.update(authenticator=authenticate, auth_required=True,
                       auth_require_tls=bool(args.cert))

    port = free_port()
    controller = Controller(Mailbox(args.dir), hostname="127.0.0.1", port=port, **options)
    controller.start()
    with open(os.path.join(args.dir, "port.tmp"), "w") as out:
        out.write(str(port))
    os.rename(os.path.join(args.dir, "port.tmp"), os.path.join(args.dir, "port"))

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
