#!/usr/bin/env python3
"""Calendar benchmark against one local moto_server; every figure comes from this one run.

The same N services (default 300) are applied twice, each in its own cluster and group:
once with a window alone, once with the same window and a calendar of 12 skipped days a
year. For each: schedules written, `apply` time, and the time of a re-plan that must find
0 changes and send 0 writes. Prints the ratios calendar / plain.

Usage: scripts/bench_calendar.py --binary target/release/ecs-onoff [--services 300]
Talks only to 127.0.0.1.
"""

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (start_moto, env, timed_apply, timed_clean_replan)

HOLIDAYS = ["*-01-01", "*-03-01", "*-05-01", "*-05-05", "*-06-06", "*-08-15",
            "*-10-03", "*-10-09", "*-11-01", "*-12-24", "*-12-25", "*-12-31"]


def fleet_text(group, cluster, names, calendar):
    head = (f'[defaults]\nregion = "{bench.REGION}"\ntimezone = "Europe/Berlin"\n'
            f'role_arn = "{bench.ROLE}"\ngroup = "{group}"\nwindow = "MON-FRI 08:00-19:00"\n')
    if calendar:
        skips = ", ".join(f'"{d}"' for d in HOLIDAYS)
        head += f'calendar = "holidays"\n\n[calendars.holidays]\nskip = [{skips}]\n'
    return head + "".join(f'\n[[service]]\ncluster = "{cluster}"\nservice = "{n}"\n'
                          for n in names)


def run(base, fleet, log_path):
    summary, apply_s = bench.timed_apply(base, fleet)
    plan_s = bench.timed_clean_replan(base, fleet, log_path)
    return summary["created"], apply_s, plan_s


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--services", type=int, default=300)
    args = parser.parse_args()
    os.environ.update(bench.env())
    import boto3  # installed with moto

    work = tempfile.mkdtemp(prefix="ecs-onoff-bench-calendar-")
    log_path = os.path.join(work, "moto.log")
    proc, url = bench.start_moto(log_path)
    try:
        ecs = boto3.session.Session(region_name=bench.REGION).client("ecs", endpoint_url=url)
        names = [f"svc-{i:04d}" for i in range(args.services)]
        ecs.register_task_definition(family="bench", containerDefinitions=[
            {"name": "app", "image": "nginx", "memory": 512}])
        results = {}
        for kind, calendar in (("plain", False), ("calendar", True)):
            cluster = f"bench-{kind}"
            ecs.create_cluster(clusterName=cluster)
            for name in names:
                ecs.create_service(cluster=cluster, serviceName=name, taskDefinition="bench",
                                   desiredCount=2, launchType="FARGATE")
            fleet = os.path.join(work, f"{kind}.toml")
            with open(fleet, "w") as f:
                f.write(fleet_text(f"g-{kind}", cluster, names, calendar))
            base = [args.binary, "--endpoint-url", url, "-q"]
            results[kind] = run(base, fleet, log_path)
    finally:
        proc.terminate()
        proc.wait()

    n = args.services
    (p_count, p_apply, p_plan), (c_count, c_apply, c_plan) = results["plain"], results["calendar"]
    print(f"calendar benchmark: {n} services, window MON-FRI 08:00-19:00 in Europe/Berlin, "
          f"{len(HOLIDAYS)} skipped days a year")
    print(f"  schedules written   plain {p_count} ({p_count / n:.1f}/service)   "
          f"calendar {c_count} ({c_count / n:.1f}/service)   ratio {c_count / p_count:.2f}x")
    print(f"  apply               plain {p_apply:.2f} s   calendar {c_apply:.2f} s   "
          f"ratio {c_apply / p_apply:.2f}x")
    print(f"  re-plan (0 changes) plain {p_plan:.2f} s   calendar {c_plan:.2f} s   "
          f"ratio {c_plan / p_plan:.2f}x")


if __name__ == "__main__":
    main()
