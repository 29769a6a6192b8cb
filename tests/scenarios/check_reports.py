"""grovesim run/sweep --report: the JUnit XML validates against the JUnit structure CI systems read, the JSON keeps
every 64-bit value exact (as a string), and --trace - writes the trace, only the trace, to standard output.

    python3 check_reports.py GROVESIM WORKDIR PASSING.toml FAILING.toml
"""
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

grovesim, work, passing, failing = sys.argv[1:5]
os.makedirs(work, exist_ok=True)


def run(*args, status):
    done = subprocess.run([grovesim, *args], capture_output=True, text=True, check=False)
    assert done.returncode == status, f"{args}: exit {done.returncode}, not {status}\n{done.stdout}{done.stderr}"
    return done


def check_junit(path, names, failed):
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites", root.tag
    suites = root.findall("testsuite")
    assert len(suites) == 1, suites
    cases = suites[0].findall("testcase")
    for element in (root, suites[0]):
        assert int(element.get("tests")) == len(cases), (element.tag, element.attrib)
        assert int(element.get("failures")) == len(failed), element.attrib
        assert int(element.get("errors")) == 0, element.attrib
        float(element.get("time"))
    assert [case.get("name") for case in cases] == names, [case.get("name") for case in cases]
    for case in cases:
        assert case.get("classname"), case.attrib
        float(case.get("time"))
        failures = case.findall("failure")
        if case.get("name") in failed:
            assert len(failures) == 1 and failures[0].get("message") and failures[0].get("type") == "failed"
            assert "reproduce: grovesim run " in failures[0].text, failures[0].text
        else:
            assert not failures and not case.findall("error"), ET.tostring(case)


junit = os.path.join(work, "run_report.xml")
run("run", "--no-trace", "--report", "junit", junit, passing, failing, status=1)
check_junit(junit, ["crash-never", "wrong-expectation"], {"wrong-expectation"})

report = os.path.join(work, "run_report.json")
run("run", "--no-trace", "--seed", "18446744073709551615", "--report", "json", report, passing, status=0)
with open(report, encoding="utf-8") as f:
    results = json.load(f)
assert results["cases"] == 1 and results["passed"] == 1, results
case = results["results"][0]
assert case["seed"] == "18446744073709551615", case  # a string: exact beyond 2^53
assert re.fullmatch("[0-9a-f]{16}", case["digest"]), case

sweep = os.path.join(work, "sweep_report.xml")
run("sweep", failing, "--seeds", "2..3", "--report", "junit", sweep, status=1)
check_junit(sweep, ["seed 2", "seed 3"], {"seed 2", "seed 3"})

trace = run("run", "--trace", "-", passing, status=0)
lines = trace.stdout.splitlines()
events = [json.loads(line) for line in lines]
assert "final" in events[-1] and all("event" in e and "run_hash" in e for e in events[:-1]), lines[:3]
assert "verdict: PASS" in trace.stderr, trace.stderr
print(f"reports valid: junit {junit}, json {report}, sweep junit {sweep}; --trace - gave {len(lines)} lines")
