#!/usr/bin/env python3
"""fault_proxy.py: the fault campaign's network between the fleet and PostgreSQL / Redis.

    fault_proxy.py --control PORT --route NAME:LISTEN_PORT:TARGET_PORT [--route ...] [--pidfile F]

A TCP proxy on 127.0.0.1 (asyncio, one process): every connection to LISTEN_PORT is forwarded to
127.0.0.1:TARGET_PORT, byte for byte and in order. Each route has a fault setting, changed at run
time through the control port:

    POST /faults {"pg": {"delay_ms": 80, "jitter_ms": 40, "loss": 0.1}, "redis": {}}
    GET  /faults -> {"pg": {"delay_ms": ..., ...}, ...} and per-route counters

  delay_ms, jitter_ms  every chunk is delivered delay_ms + uniform(0, jitter_ms) after it was read
                       (latency: chunks stay pipelined, the throughput of a link is not capped)
  loss                 the share of chunks "lost" once: delivered one retransmission timeout (200
                       ms, Linux's minimum RTO) late, and every later chunk of that direction waits
                       behind it, as TCP's in-order delivery makes a lost segment do
An empty object (or {"loss": 0}) clears a route's faults. Connections that are open when a fault
starts are affected too. A target that refuses the connection (PostgreSQL restarting) closes the
client's connection at once, as the server would.

Used by scripts/fleet (--net-faults) and scripts/chaos (faults net-pg and net-redis). Standard
library only.
"""
import argparse
import asyncio
import json
import os
import random
import time

RTO_S = 0.2


class Route:
    def __init__(self, name, listen_port, target_port):
        self.name = name
        self.listen_port = listen_port
        self.target_port = target_port
        self.delay_ms = 0.0
        self.jitter_ms = 0.0
        self.loss = 0.0
        self.rng = random.Random(listen_port)
        self.counters = {"connections": 0, "refused": 0, "chunks": 0, "delayed": 0, "lost": 0}

    def setting(self):
        return {"delay_ms": self.delay_ms, "jitter_ms": self.jitter_ms, "loss": self.loss}

    def configure(self, fault):
        self.delay_ms = max(0.0, float(fault.get("delay_ms", 0)))
        self.jitter_ms = max(0.0, float(fault.get("jitter_ms", 0)))
        self.loss = min(1.0, max(0.0, float(fault.get("loss", 0))))

    def extra_delay(self):
        """Seconds this chunk is held beyond its arrival (latency, and a retransmission if lost)."""
        self.counters["chunks"] += 1
        extra = 0.0
        if self.delay_ms or self.jitter_ms:
            extra += (self.delay_ms + self.rng.uniform(0, self.jitter_ms)) / 1000
            self.counters["delayed"] += 1
        if self.loss and self.rng.random() < self.loss:
            extra += RTO_S
            self.counters["lost"] += 1
        return extra


async def pipe(route, reader, writer):
    """One direction: read chunks, deliver each at its time, in order."""
    queue = asyncio.Queue()
    done = object()

    async def read():
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                queue.put_nowait((time.monotonic() + route.extra_delay(), data))
        except (ConnectionError, OSError):
            pass
        queue.put_nowait((0.0, done))

    async def deliver():
        last = 0.0
        try:
            while True:
                at, data = await queue.get()
                if data is done:
                    break
                at = max(at, last)  # in order: nothing overtakes a held chunk
                last = at
                wait = at - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            try:
                writer.close()
            except (ConnectionError, OSError):
                pass

    await asyncio.gather(read(), deliver())


async def serve_route(route):
    async def accept(client_reader, client_writer):
        route.counters["connections"] += 1
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", route.target_port)
        except OSError:
            route.counters["refused"] += 1
            client_writer.close()
            return
        await asyncio.gather(pipe(route, client_reader, server_writer), pipe(route, server_reader, client_writer))

    return await asyncio.start_server(accept, "127.0.0.1", route.listen_port, reuse_address=True)


async def serve_control(routes, port):
    async def handle(reader, writer):
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            length = 0
            for line in lines[1:]:
                if line.lower().startswith("content-length:"):
                    length = int(line.split(":", 1)[1])
            body = await reader.readexactly(length) if length else b""
            status, answer = 404, {"error": "GET or POST /faults"}
            if path == "/faults" and method == "POST":
                request = json.loads(body or b"{}")
                unknown = [name for name in request if name not in routes]
                if unknown or not isinstance(request, dict):
                    status, answer = 400, {"error": f"unknown routes {unknown}; known: {sorted(routes)}"}
                else:
                    for name, fault in request.items():
                        routes[name].configure(fault or {})
                    status = 200
            if path == "/faults" and status != 400 and method in ("GET", "POST"):
                status = 200
                answer = {name: dict(route.setting(), **route.counters) for name, route in routes.items()}
            text = json.dumps(answer).encode()
            writer.write(b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                         b"Connection: close\r\n\r\n" % (status, len(text)) + text)
            await writer.drain()
        except (ValueError, asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", port, reuse_address=True)


async def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--control", type=int, required=True)
    parser.add_argument("--route", action="append", required=True, help="NAME:LISTEN_PORT:TARGET_PORT")
    parser.add_argument("--pidfile")
    args = parser.parse_args()
    routes = {}
    for spec in args.route:
        name, listen, target = spec.split(":")
        routes[name] = Route(name, int(listen), int(target))
    servers = [await serve_route(route) for route in routes.values()]
    servers.append(await serve_control(routes, args.control))
    if args.pidfile:
        with open(args.pidfile + ".tmp", "w") as f:
            f.write(f"{os.getpid()}\n")
        os.replace(args.pidfile + ".tmp", args.pidfile)
    await asyncio.gather(*(server.serve_forever() for server in servers))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
