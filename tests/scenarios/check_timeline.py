"""grovesim run --timeline: the file is Chrome trace-event JSON that Perfetto and chrome://tracing open: every event
has the keys its phase needs, every flow that starts (ph "s") finishes (ph "f", once, not earlier), and the run's
groves, threads, slices, instants and arrows are there.

    python3 check_timeline.py GROVESIM WORKDIR FLOOD.toml CRASH.toml
"""
import json
import os
import subprocess
import sys

grovesim, work, flood, crash = sys.argv[1:5]
os.makedirs(work, exist_ok=True)
REQUIRED = {"X": {"name", "ph", "pid", "tid", "ts", "dur"}, "i": {"name", "ph", "pid", "tid", "ts", "s"},
            "s": {"name", "ph", "pid", "tid", "ts", "id"}, "f": {"name", "ph", "pid", "tid", "ts", "id", "bp"},
            "M": {"name", "ph", "pid", "tid", "args"}}


def timeline(scenario, name):
    path = os.path.join(work, name)
    done = subprocess.run([grovesim, "run", "--no-trace", "--timeline", path, scenario], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    with open(path, encoding="utf-8") as f:
        document = json.load(f)
    events = document["traceEvents"]
    assert isinstance(events, list) and events
    starts, finishes = {}, {}
    for event in events:
        missing = REQUIRED[event["ph"]] - event.keys()
        assert not missing, (missing, event)
        if event["ph"] == "X":
            assert event["dur"] >= 0, event
        if event["ph"] == "s":
            assert event["id"] not in starts, event
            starts[event["id"]] = event
        if event["ph"] == "f":
            assert event["id"] not in finishes, event
            finishes[event["id"]] = event
    assert starts.keys() == finishes.keys(), (starts.keys() ^ finishes.keys())
    for flow, start in starts.items():
        assert finishes[flow]["ts"] >= start["ts"], (start, finishes[flow])
    names = {e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "process_name"}
    return events, starts, names


events, flows, groves = timeline(flood, "flood_timeline.json")
assert {"echo", "client", "flooder", "kernel"} <= groves, groves
assert len(flows) > 10, len(flows)
slices = {e["name"] for e in events if e["ph"] == "X"}
assert {"running", "blocked"} <= slices, slices
assert "throttled" in {e["name"] for e in events if e["ph"] == "i"}

events, flows, groves = timeline(crash, "crash_timeline.json")
instants = {e["name"] for e in events if e["ph"] == "i"}
assert {"crashed", "respawned", "gave_up"} <= instants, instants
print(f"timelines valid: {len(events)} events in the last, every flow closed")
