#!/usr/bin/env python3
"""Fleet benchmark against one local moto_server; every figure comes from this one run.

1. Creates N ECS services (default 500) and a fleet file for them.
2. Times `ecs-onoff apply` (2N CreateSchedule).
3. Times `ecs-onoff plan` on the applied fleet: it must report 0 changes and send 0 writes
   (checked in moto_server's request log).
4. Measures moto's own ceiling: 2N CreateSchedule from a concurrent boto3 client (8 threads).
5. Times an `aws scheduler create-schedule` loop for a sample of the same schedules.
6. Prints the per-schedule cost of each and their ratios.

Usage: scripts/bench.py --binary target/release/ecs-onoff [--services 500] [--sample 20]
Talks only to 127.0.0.1.
"""

import argparse
import concurrent.futures
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/ecs-onoff"
WINDOW = ("cron(0 8 ? * MON-FRI *)", "cron(0 19 ? * MON-FRI *)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto(log_path):
    port = free_port()
    exe = shutil.which("moto_server")
    command = [exe] if exe else [sys.executable, "-m", "moto.server"]
    log = open(log_path, "w")
    proc = subprocess.Popen(command + ["-H", "127.0.0.1", "-p", str(port)],
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for _ in range(600):
        try:
            opener.open(url + "/moto-api/data.json", timeout=2)
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("moto_server did not start")


def env():
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    e.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_REGION=REGION,
             AWS_DEFAULT_REGION=REGION, AWS_EC2_METADATA_DISABLED="true",
             AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent")
    return e


def writes_in_log(log_path, start):
    """Scheduler write requests (POST/PUT/DELETE on /schedules) logged after byte `start`."""
    with open(log_path, errors="replace") as f:
        f.seek(start)
        return sum(1 for line in f
                   if ('"POST /schedules' in line or '"PUT /schedules' in line
                       or '"DELETE /schedules' in line))


def timed_apply(base, fleet):
    """`apply -f fleet --yes`: its summary and the seconds it took; exits on any failure."""
    t = time.monotonic()
    r = subprocess.run(base + ["apply", "-f", fleet, "--yes", "--output", "json"],
                       capture_output=True, text=True)
    seconds = time.monotonic() - t
    if r.returncode != 0:
        sys.exit(f"apply failed ({r.returncode}): {r.stderr}")
    summary = json.loads(r.stdout)["summary"]
    if summary["failed"]:
        sys.exit(f"apply had failures: {summary}")
    return summary, seconds


def timed_clean_replan(base, fleet, log_path):
    """The seconds of a `plan -f fleet` that must find 0 changes and send 0 writes (checked in
    moto's request log); exits otherwise."""
    log_mark = os.path.getsize(log_path)
    t = time.monotonic()
    r = subprocess.run(base + ["plan", "-f", fleet, "--detailed-exitcode", "--output", "json"],
                       capture_output=True, text=True)
    seconds = time.monotonic() - t
    time.sleep(0.5)
    plan_writes = writes_in_log(log_path, log_mark)
    summary = json.loads(r.stdout)["summary"] if r.stdout else {}
    changes = summary.get("create", -1) + summary.get("update", 0) + summary.get("delete", 0)
    if r.returncode != 0 or changes != 0 or plan_writes != 0:
        sys.exit(f"re-plan was not clean: exit {r.returncode}, {changes} changes, "
                 f"{plan_writes} writes: {r.stderr}")
    return seconds


def schedule_params(group, name, cluster, service, count, expression):
    return dict(
        Name=name, GroupName=group, ScheduleExpression=expression,
        ScheduleExpressionTimezone="Europe/Berlin", State="ENABLED",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": "arn:aws:scheduler:::aws-sdk:ecs:updateService", "RoleArn": ROLE,
                "Input": json.dumps({"Cluster": cluster, "Service": service, "DesiredCount": count}),
                "RetryPolicy": {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 10}})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--services", type=int, default=500)
    parser.add_argument("--sample", type=int, default=20)
    args = parser.parse_args()
    os.environ.update(env())
    import boto3  # installed with moto

    work = tempfile.mkdtemp(prefix="ecs-onoff-bench-")
    log_path = os.path.join(work, "moto.log")
    proc, url = start_moto(log_path)
    try:
        session = boto3.session.Session(region_name=REGION)
        ecs = session.client("ecs", endpoint_url=url)
        sched = session.client("scheduler", endpoint_url=url,
                               config=boto3.session.Config(max_pool_connections=16))
        n = args.services
        cluster = "bench"
        ecs.create_cluster(clusterName=cluster)
        ecs.register_task_definition(family="bench", containerDefinitions=[
            {"name": "app", "image": "nginx", "memory": 512}])
        names = [f"svc-{i:04d}" for i in range(n)]
        for name in names:
            ecs.create_service(cluster=cluster, serviceName=name, taskDefinition="bench",
                               desiredCount=2, launchType="FARGATE")
        fleet = os.path.join(work, "fleet.toml")
        with open(fleet, "w") as f:
            f.write(f'[defaults]\nregion = "{REGION}"\ntimezone = "Europe/Berlin"\n'
                    f'role_arn = "{ROLE}"\ngroup = "bench"\n'
                    f'on = "{WINDOW[0]}"\noff = "{WINDOW[1]}"\n')
            for name in names:
                f.write(f'\n[[service]]\ncluster = "{cluster}"\nservice = "{name}"\n')

        base = [args.binary, "--endpoint-url", url, "-q"]
        summary, apply_s = timed_apply(base, fleet)
        created = summary["created"]
        assert created == 2 * n, created
        plan_s = timed_clean_replan(base, fleet, log_path)

        # moto's ceiling: the same 2N creates from a concurrent SDK client.
        sched.create_schedule_group(Name="ceiling")
        jobs = [schedule_params("ceiling", f"{cluster}.{name}.{sw}", cluster, name, c, e)
                for name in names for sw, c, e in (("on", 2, WINDOW[0]), ("off", 0, WINDOW[1]))]
        t = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda p: sched.create_schedule(**p), jobs))
        ceiling_s = time.monotonic() - t

        # The awscli loop, one process per schedule, for a sample.
        sched.create_schedule_group(Name="awscli")
        sample = jobs[: args.sample]
        t = time.monotonic()
        for p in sample:
            subprocess.run(["aws", "--endpoint-url", url, "scheduler", "create-schedule",
                            "--name", p["Name"], "--group-name", "awscli",
                            "--schedule-expression", p["ScheduleExpression"],
                            "--schedule-expression-timezone", p["ScheduleExpressionTimezone"],
                            "--state", "ENABLED", "--flexible-time-window", "Mode=OFF",
                            "--target", json.dumps(p["Target"])],
                           check=True, capture_output=True)
        cli_s = time.monotonic() - t
    finally:
        proc.terminate()
        proc.wait()

    total = 2 * n
    per = lambda seconds, count: seconds / count * 1000
    apply_ms, ceiling_ms, cli_ms = per(apply_s, total), per(ceiling_s, total), per(cli_s, len(sample))
    print(f"services: {n}; schedules: {total}; awscli sample: {len(sample)}")
    print(f"ecs-onoff apply:          {apply_s:7.2f} s  {apply_ms:7.2f} ms/schedule  {total / apply_s:6.1f}/s")
    print(f"moto ceiling (boto3 x8):  {ceiling_s:7.2f} s  {ceiling_ms:7.2f} ms/schedule  {total / ceiling_s:6.1f}/s")
    print(f"aws scheduler loop:       {cli_s:7.2f} s  {cli_ms:7.2f} ms/schedule")
    print(f"ecs-onoff re-plan:        {plan_s:7.2f} s  for {total} unchanged schedules, 0 changes, 0 writes")
    print(f"ratio apply / moto ceiling:     {apply_ms / ceiling_ms:.2f}x (target <= 1.5)")
    print(f"ratio awscli loop / apply:      {cli_ms / apply_ms:.1f}x (target >= 50)")
    print(f"re-plan under 10 s:             {'yes' if plan_s < 10 else 'no'}")


if __name__ == "__main__":
    main()
