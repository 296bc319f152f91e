#!/usr/bin/env python3
"""Fleet-file validation benchmark: how validation time grows with the number of services.

For each size (default 5,000, 10,000, 20,000 and 40,000 services) it writes a fleet file whose
last entry has an invalid role ARN, and times `ecs-onoff plan -f FILE`: the whole file is read,
parsed and validated, every error is reported, and the run ends with exit 2 before any AWS call
(the endpoint is a closed loopback port). Best of --repeat runs per size. It prints the time per
size, the time per service, a least-squares linear fit, and the ratio of the largest to the
smallest time against the ratio of their sizes (equal ratios mean linear growth).

Usage: scripts/bench_validate.py --binary target/release/ecs-onoff [--sizes 5000,10000] [--repeat 3]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

ROLE = "arn:aws:iam::123456789012:role/ecs-onoff"


def write_fleet(path, n):
    with open(path, "w") as f:
        f.write('[defaults]\nregion = "eu-central-1"\ntimezone = "Europe/Berlin"\n'
                f'role_arn = "{ROLE}"\nwindow = "MON-FRI 08:00-19:00"\n')
        for i in range(n):
            cluster = f"cluster-{i % 50:02d}"
            f.write(f'\n[[service]]\ncluster = "{cluster}"\nservice = "svc-{i:06d}"\n')
            if i == n - 1:
                f.write('role_arn = "not-an-arn"\n')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--sizes", default="5000,10000,20000,40000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_EC2_METADATA_DISABLED="true")
    work = tempfile.mkdtemp(prefix="ecs-onoff-validate-")
    times = []
    for n in sizes:
        path = os.path.join(work, f"fleet-{n}.toml")
        write_fleet(path, n)
        best = None
        for _ in range(args.repeat):
            t = time.monotonic()
            r = subprocess.run([args.binary, "--endpoint-url", "http://127.0.0.1:9", "plan",
                                "-f", path], capture_output=True, text=True, env=env)
            took = time.monotonic() - t
            if r.returncode != 2 or "not-an-arn" not in r.stderr:
                sys.exit(f"expected exit 2 naming the bad ARN, got {r.returncode}: {r.stderr[:500]}")
            best = took if best is None else min(best, took)
        times.append(best)
        print(f"{n:7d} services: {best:7.3f} s  {best / n * 1e6:6.1f} us/service", flush=True)
    # Least-squares fit t = a + b n.
    k = len(sizes)
    mean_n, mean_t = sum(sizes) / k, sum(times) / k
    b = sum((n - mean_n) * (t - mean_t) for n, t in zip(sizes, times)) / \
        sum((n - mean_n) ** 2 for n in sizes)
    a = mean_t - b * mean_n
    ss_tot = sum((t - mean_t) ** 2 for t in times)
    ss_res = sum((t - (a + b * n)) ** 2 for n, t in zip(sizes, times))
    r2 = 1 - ss_res / ss_tot if ss_tot else 1.0
    print(f"linear fit: {a:.3f} s + {b * 1e6:.2f} us x services (R^2 = {r2:.4f})")
    print(f"time ratio {sizes[-1]}/{sizes[0]}: {times[-1] / times[0]:.1f}x "
          f"for {sizes[-1] / sizes[0]:.0f}x the services (linear growth: equal ratios)")


if __name__ == "__main__":
    main()
