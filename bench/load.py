"""Load test: N concurrent clients against a running server on loopback, bounded in requests and time.

    python -m bench.load --url http://127.0.0.1:8000 --clients 16 --requests 160 --duration 300

Each client sends /ask, /search and /health in turn (the mix is set by --mix), waits for each reply
(at most --timeout seconds), and on a 503 pauses for the Retry-After it was given (capped at 2 s)
before its next request. The run stops after --requests requests or --duration seconds, whichever
comes first. It passes when no reply is a 5xx other than 503 and no request hit its timeout, and
prints p50/p95/max latency per endpoint and status.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

QUESTIONS = [
    "How many countries formally committed to the reassurance force in September 2025?",
    "Which country will lead the multinational force?",
    "How much aid has France given Ukraine?",
    "What did the coalition of the willing agree in March?",
]
SEARCHES = ["reassurance force troops", "security guarantees Ukraine", "aid package billion"]


@dataclass(frozen=True)
class Result:
    endpoint: str
    status: int  # 0: no reply (timeout or connection failure)
    seconds: float
    error: str = ""


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)
    clients: int = 0
    wall_seconds: float = 0.0

    @property
    def bad(self) -> list[Result]:
        """Replies the service must never give: a 5xx other than 503, or none at all."""
        return [r for r in self.results if r.status == 0 or (r.status >= 500 and r.status != 503)]

    def summary(self) -> dict[str, object]:
        rows: dict[str, object] = {}
        for (endpoint, status), group in _grouped(self.results).items():
            times = sorted(r.seconds for r in group)
            rows[f"{endpoint} {status}"] = {"n": len(times), "p50": _pct(times, 50), "p95": _pct(times, 95),
                                            "max": round(times[-1], 3)}
        return {"clients": self.clients, "requests": len(self.results), "wall_seconds": round(self.wall_seconds, 1),
                "statuses": dict(Counter(str(r.status) for r in self.results)), "latency": rows,
                "bad": len(self.bad), "ok": not self.bad}


def _grouped(results: list[Result]) -> dict[tuple[str, int], list[Result]]:
    groups: dict[tuple[str, int], list[Result]] = {}
    for r in results:
        groups.setdefault((r.endpoint, r.status), []).append(r)
    return dict(sorted(groups.items()))


def _pct(sorted_times: list[float], pct: int) -> float:
    index = min(len(sorted_times) - 1, max(0, round(pct / 100 * len(sorted_times) + 0.5) - 1))
    return round(sorted_times[index], 3)


def _request(client: httpx.Client, endpoint: str, n: int) -> httpx.Response:
    if endpoint == "ask":
        return client.post("/ask", json={"question": QUESTIONS[n % len(QUESTIONS)]})
    if endpoint == "search":
        return client.post("/search", json={"query": SEARCHES[n % len(SEARCHES)]})
    return client.get("/health")


def run_load(url: str, clients: int = 16, requests: int = 160, duration: float = 300.0, timeout: float = 120.0,
             mix: str = "ask:1,search:1,health:1", api_key: str | None = None) -> Report:
    """Run the load and return every result; bounded by `requests` and `duration`."""
    plan = [name for name, weight in (part.split(":") for part in mix.split(",")) for _ in range(int(weight))]
    tickets = itertools.count()
    report, lock = Report(clients=clients), threading.Lock()
    started = time.perf_counter()
    deadline = started + duration
    headers = {"X-API-Key": api_key} if api_key else {}

    def client_loop() -> None:
        with httpx.Client(base_url=url, timeout=timeout, headers=headers) as client:
            while (n := next(tickets)) < requests and time.perf_counter() < deadline:
                endpoint = plan[n % len(plan)]
                result, pause = _one(client, endpoint, n)
                with lock:
                    report.results.append(result)
                time.sleep(pause)

    threads = [threading.Thread(target=client_loop, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + timeout + 5)  # a request already sent at the deadline may take its timeout
    report.wall_seconds = time.perf_counter() - started
    return report


def _one(client: httpx.Client, endpoint: str, n: int) -> tuple[Result, float]:
    begun = time.perf_counter()
    try:
        response = _request(client, endpoint, n)
    except httpx.HTTPError as exc:
        return Result(endpoint, 0, time.perf_counter() - begun, type(exc).__name__), 0.0
    pause = min(2.0, float(response.headers.get("retry-after", 0))) if response.status_code == 503 else 0.0
    return Result(endpoint, response.status_code, time.perf_counter() - begun), pause


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=160, help="stop after this many requests in all")
    parser.add_argument("--duration", type=float, default=300.0, help="stop sending after this many seconds")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds one request may take (above RAG_QUEUE_TIMEOUT plus one answer)")
    parser.add_argument("--mix", default="ask:1,search:1,health:1")
    parser.add_argument("--api-key", default=None)
    args = parser.parse_args(argv)
    host = httpx.URL(args.url).host
    if host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("127."):
        parser.error("the load test only targets loopback addresses")
    report = run_load(args.url, args.clients, args.requests, args.duration, args.timeout, args.mix, args.api_key)
    print(json.dumps(report.summary(), indent=2))
    return 0 if not report.bad else 1


if __name__ == "__main__":
    sys.exit(main())
