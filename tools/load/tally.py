"""What the load clients saw, shared by all of them (one asyncio thread: no locks)."""
import collections

# Outcomes that are perchd behaving as documented (docs/api-limits.md), not faults.
EXPECTED = {
    "503 too many connections",
    "connect refused (listen backlog full)",
    "408 request timeout (deliberate stalled head)",
    "slow event reader cut off by server",
    "pipelined non-reader cut off by server",
    "event stream cut off by server",
}
# Outcomes that are faults of perchd: they fail the run.
FAULTS = {
    "malformed response",
    "unexpected status",
    "event sequence broken",
    "infer answer without scores",
}


class Tally:
    def __init__(self):
        self.outcomes = collections.Counter()
        self.examples = {}           # kind -> first detail seen
        self.responses = 0           # complete responses read by the clients
        self.responses_by_path = collections.Counter()
        self.infers = 0              # POST /v1/infer answered with scores
        self.event_lines = 0
        self.event_bytes = 0         # of those lines, newline included
        self.stream_ranges = []      # (since, last seq seen) per event-stream connection
        self.seen_seqs = set()
        self.gap_lines = 0
        self.slow_reader_bytes = 0
        self.cutoff_seconds = []     # pipelined non-readers: connect → cut-off, seconds
        self.disconnects = collections.Counter()  # abandoned requests by kind

    def count(self, kind, detail=None):
        self.outcomes[kind] += 1
        if detail is not None and kind not in self.examples:
            self.examples[kind] = detail

    def faults(self):
        return sum(n for kind, n in self.outcomes.items() if kind in FAULTS)

    def response(self, path):
        self.responses += 1
        self.responses_by_path[path] += 1
