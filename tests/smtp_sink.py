"""A real SMTP listener for the integration tests, on aiosmtpd.

    python3 tests/smtp_sink.py PORT DIR MODE

Saves each accepted message as DIR/<time>.eml, with its envelope recipients in
DIR/<time>.rcpt. MODE is `ok` (accept), `refuse` (answer 451, a temporary failure) or
`hang` (accept the connection, then never answer the message). Prints `ready` once it
listens; the test harness kills and restarts it to play a relay outage.
"""

import asyncio
import os
import sys
import threading
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder, mode):
        self.folder = folder
        self.mode = mode

    async def handle_DATA(self, server, session, envelope):
        if self.mode == "refuse":
            return "451 4.3.0 Mailbox busy, try again later"
        if self.mode == "hang":
            await asyncio.sleep(3600)
        name = os.path.join(self.folder, str(time.time_ns()))
        with open(name + ".part", "wb") as f:
            f.write(envelope.original_content)
        with open(name + ".rcpt", "w") as f:
            f.write("\n".join(envelope.rcpt_tos))
        os.rename(name + ".part", name + ".eml")
        return "250 2.0.0 OK"


def main():
    port, folder, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    controller = Controller(Sink(folder, mode), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
