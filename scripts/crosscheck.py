#!/usr/bin/env python3
"""Writes tests/data/aws_cron_fires.json: next fire times of AWS cron expressions computed by
independent implementations of AWS cron, for tests/expression_crosscheck.rs to compare with.

Sources: the PyPI packages aws-croniter and pyawscron (UTC evaluation). An expression goes into
the table only where every source that can evaluate it agrees; an expression no source reads is
left out. Run it in a virtual environment with both packages installed:

    python3 -m venv /tmp/xc && /tmp/xc/bin/pip install aws-croniter pyawscron
    /tmp/xc/bin/python scripts/crosscheck.py
"""

import datetime
import json
import os
import random
from importlib.metadata import version

from aws_croniter import AwsCroniter
from pyawscron import AWSCron

AFTER = datetime.datetime(2026, 11, 25, 10, 17, tzinfo=datetime.timezone.utc)
COUNT = 5
FIXED = [
    "0 10 * * ? *", "15 12 * * ? *", "0 18 ? * MON-FRI *", "0 8 1 * ? *", "0/15 * * * ? *",
    "0/10 * ? * MON-FRI *", "0/5 8-17 ? * MON-FRI *", "0 9 ? * 2#1 *", "0 0 L * ? *",
    "0 0 ? * 6L *", "0 12 31W * ? *", "0 12 1W * ? *",
    "0 0 * jan ? *", "0 0 ? * mon *",
    "05 09 ? * MON *", "0 0 1-31/2 * ? *", "0 0 ? * 1,3,5,7 *", "0 0 ? * 7#5 *",
    "0 0 ? * 1L *", "0 0 ? JAN,FEB,MAR MON *", "0 0 * * ? 2026,2028-2030", "0 12 L 2 ? *",
    "0 12 29 2 ? *", "0 12 ? * 5#5 *", "30 2 * * ? *",
]


def generated(seed=7, n=400):
    rnd = random.Random(seed)

    def item(lo, hi, steps):
        a, b = sorted([rnd.randint(lo, hi), rnd.randint(lo, hi)])
        k = rnd.randint(0, 4 if steps else 1)
        if k == 0:
            return str(rnd.randint(lo, hi))
        if k == 1:
            return f"{a}-{b}"
        s = rnd.randint(1, max(1, hi - lo))
        return [f"{a}/{s}", f"*/{s}", f"{a}-{b}/{s}"][k - 2]

    def lst(lo, hi, steps):
        if rnd.random() < 0.2:
            return "*"
        return ",".join(item(lo, hi, steps) for _ in range(rnd.randint(1, 3)))

    out = []
    for _ in range(n):
        m, h = lst(0, 59, True), lst(0, 23, True)
        r = rnd.random()
        if r < 0.4:
            dom, dow = lst(1, 31, True), "?"
        elif r < 0.5:
            dom, dow = "L", "?"
        elif r < 0.6:
            dom, dow = f"{rnd.randint(1, 28)}W", "?"
        elif r < 0.8:
            dom, dow = "?", lst(1, 7, False)
        elif r < 0.9:
            dom, dow = "?", f"{rnd.randint(1, 7)}#{rnd.randint(1, 5)}"
        else:
            dom, dow = "?", f"{rnd.randint(1, 7)}L"
        out.append(f"{m} {h} {dom} {lst(1, 12, True)} {dow} *")
    return out


def fmt(dates):
    return [d.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") for d in dates]


def main():
    rows = []
    for expr in FIXED + generated():
        results = {}
        try:
            results["aws-croniter"] = fmt(AwsCroniter(expr).get_next(AFTER, COUNT))
        except Exception:
            pass
        try:
            results["pyawscron"] = fmt(AWSCron.get_next_n_schedule(COUNT, AFTER, expr))
        except Exception:
            pass
        answers = {json.dumps(v) for v in results.values()}
        if len(answers) == 1:
            rows.append({"expression": f"cron({expr})", "fires": list(results.values())[0],
                         "sources": sorted(results)})
    table = {
        "after": fmt([AFTER])[0],
        "sources": {p: version(p) for p in ("aws-croniter", "pyawscron")},
        "rows": rows,
    }
    path = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "aws_cron_fires.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(table, f, indent=1)
        f.write("\n")
    print(f"{len(rows)} expressions written to {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
