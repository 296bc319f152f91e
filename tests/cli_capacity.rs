//! Capacity-aware schedules against moto_server: two services on the EC2 launch type with
//! different windows share one Auto Scaling group, which gets one pair of schedules calling
//! UpdateAutoScalingGroup. The schedules read back from moto are replayed in time order for a
//! week (UpdateService and UpdateAutoScalingGroup on moto, with each schedule's own Input): no
//! service is ever on while the group has no instances, and the group's sizes come back exactly.
//! A service on the group that the fleet does not switch blocks capacity mode unless forced.
//!
//! moto's DescribeServices returns no capacityProviderStrategy (a service created with one reads
//! back as the EC2 launch type), so discovery through capacity providers is tested in the core
//! (`capacity::Placement`); here the group is named with `asg`, as the plain EC2 launch type
//! needs.

mod common;

use aws_sdk_ecs::types::LaunchType;
use common::{create_auto_scaling_group, write_file, Env, Proxy};
use ecs_onoff::expression::timezone::Zone;
use ecs_onoff::expression::ScheduleExpression;
use ecs_onoff::schedule::{Input, Schedule};

const ROLE: &str = "arn:aws:iam::123456789012:role/ecs-onoff";
const REGION: &str = "eu-north-1";

async fn create_group(env: &Env, name: &str, min: i32, max: i32, desired: i32) {
    create_auto_scaling_group(&env.config, REGION, name, min, max, desired).await;
}

async fn group_arn(env: &Env, name: &str) -> String {
    aws_sdk_autoscaling::Client::new(&env.config)
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(name)
        .send()
        .await
        .unwrap()
        .auto_scaling_groups()[0]
        .auto_scaling_group_arn()
        .unwrap()
        .to_string()
}

/// An EC2 capacity provider of a group, with managed scaling, and with managed termination
/// protection when `mtp`.
async fn create_provider(ecs: &aws_sdk_ecs::Client, name: &str, group_arn: &str, mtp: bool) {
    use aws_sdk_ecs::types::{
        AutoScalingGroupProvider, ManagedScaling, ManagedScalingStatus,
        ManagedTerminationProtection,
    };
    let protection = if mtp {
        ManagedTerminationProtection::Enabled
    } else {
        ManagedTerminationProtection::Disabled
    };
    ecs.create_capacity_provider()
        .name(name)
        .auto_scaling_group_provider(
            AutoScalingGroupProvider::builder()
                .auto_scaling_group_arn(group_arn)
                .managed_scaling(
                    ManagedScaling::builder()
                        .status(ManagedScalingStatus::Enabled)
                        .build(),
                )
                .managed_termination_protection(protection)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}

async fn sizes(env: &Env, name: &str) -> (i32, i32, i32) {
    let out = aws_sdk_autoscaling::Client::new(&env.config)
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(name)
        .send()
        .await
        .unwrap();
    let g = &out.auto_scaling_groups()[0];
    (
        g.min_size().unwrap(),
        g.max_size().unwrap(),
        g.desired_capacity().unwrap(),
    )
}

/// The fleet of [`fleet`] for cluster `ec2{suffix}`, group `nodes{suffix}` and schedule group
/// `g-cap{suffix}`: each test its own, on one moto server.
fn fleet_for(suffix: &str, extra: &str) -> String {
    fleet(extra)
        .replace("\"ec2\"", &format!("\"ec2{suffix}\""))
        .replace("\"nodes\"", &format!("\"nodes{suffix}\""))
        .replace("\"g-cap\"", &format!("\"g-cap{suffix}\""))
}

fn fleet(extra: &str) -> String {
    format!(
        "[defaults]\nregion = \"{REGION}\"\ntimezone = \"Europe/Berlin\"\nrole_arn = \"{ROLE}\"\n\
         group = \"g-cap\"\ncapacity = true\nasg = \"nodes\"\n{extra}\n\
         [[service]]\ncluster = \"ec2\"\nservice = \"web\"\nwindow = \"MON-FRI 08:00-19:00\"\n\n\
         [[service]]\ncluster = \"ec2\"\nservice = \"api\"\nwindow = \"MON-FRI 10:00-22:00\"\n"
    )
}

/// Calls what a schedule's target calls, with its Input, as Scheduler would.
async fn replay(env: &Env, s: &Schedule) {
    match &s.input {
        Input::UpdateService(u) => {
            env.ecs()
                .update_service()
                .cluster(u.service.cluster.as_str())
                .service(u.service.service.as_str())
                .desired_count(u.desired_count as i32)
                .send()
                .await
                .unwrap();
        }
        Input::GroupSize(g) => {
            assert_eq!(
                s.target_arn,
                "arn:aws:scheduler:::aws-sdk:autoscaling:updateAutoScalingGroup"
            );
            let client = aws_sdk_autoscaling::Client::new(&env.config);
            client
                .update_auto_scaling_group()
                .auto_scaling_group_name(g.group.as_str())
                .min_size(g.min as i32)
                .set_max_size(g.max.map(|n| n as i32))
                .set_desired_capacity(g.desired.map(|n| n as i32))
                .send()
                .await
                .unwrap();
        }
        other => panic!("{}: unexpected Input {other:?}", s.name),
    }
}

#[tokio::test]
async fn one_group_pair_covers_two_services_and_the_replay_never_strands_one() {
    let env = Env::in_region(REGION).await;
    env.services("ec2", &["web", "api"], 2, LaunchType::Ec2)
        .await;
    create_group(&env, "nodes", 2, 6, 2).await;
    let path = write_file("capacity.toml", &fleet(""));
    let path = path.display();

    let plan = env.cli(&format!("plan -f {path} --output json")).json();
    let rows = plan["actions"].as_array().unwrap();
    let on = rows
        .iter()
        .find(|r| r["name"] == "nodes.capacity-on")
        .unwrap();
    let off = rows
        .iter()
        .find(|r| r["name"] == "nodes.capacity-off")
        .unwrap();
    assert_eq!(on["expression"], "cron(50 7 ? * MON-FRI *)", "{on}");
    assert_eq!(off["expression"], "cron(10 22 ? * MON-FRI *)", "{off}");
    assert_eq!(on["auto_scaling_group"], "nodes");
    assert_eq!(
        on["group_size"],
        serde_json::json!({"min": 2, "max": 6, "desired": 2})
    );
    assert_eq!(
        off["group_size"],
        serde_json::json!({"min": 0, "max": 0, "desired": 0})
    );
    env.cli(&format!("apply -f {path} --yes")).ok();
    let r = env
        .cli(&format!("plan -f {path} --detailed-exitcode"))
        .run();
    assert_eq!(
        r.code, 0,
        "applied: nothing to change\n{}{}",
        r.stdout, r.stderr
    );

    // Every schedule as moto holds it, replayed in time order through one week.
    let client = env.scheduler();
    let mut schedules = Vec::new();
    for name in env.names("g-cap").await {
        let s = ecs_onoff::aws::scheduler::get(&client, "g-cap", &name)
            .await
            .unwrap()
            .unwrap();
        schedules.push(s);
    }
    assert_eq!(schedules.len(), 6, "{schedules:?}");
    let from: jiff::Timestamp = "2026-11-29T23:00:00Z".parse().unwrap();
    let to: jiff::Timestamp = "2026-12-06T23:00:00Z".parse().unwrap();
    let mut fires: Vec<(jiff::Timestamp, &Schedule)> = Vec::new();
    for s in &schedules {
        let expr = ScheduleExpression::parse(&s.expression).unwrap();
        let zone = Zone::parse(&s.timezone).unwrap();
        for f in expr.next_fires_active(&zone, from, 20, &s.active()).fires {
            if f.utc < to {
                fires.push((f.utc, s));
            }
        }
    }
    fires.sort_by_key(|(t, s)| (*t, s.name.clone()));
    assert_eq!(
        fires.len(),
        30,
        "5 days x (2 services + 1 group) x on and off"
    );
    // Sunday night: everything off.
    for name in ["ec2.web.off", "ec2.api.off", "nodes.capacity-off"] {
        let s = schedules.iter().find(|s| s.name == name).unwrap();
        replay(&env, s).await;
    }
    assert_eq!(sizes(&env, "nodes").await, (0, 0, 0));
    let mut order = Vec::new();
    for (at, s) in &fires {
        replay(&env, s).await;
        order.push(format!("{at} {}", s.name));
        let group_on = sizes(&env, "nodes").await.2 > 0;
        for service in ["web", "api"] {
            let running = env.desired("ec2", service).await > 0;
            assert!(
                !running || group_on,
                "after {at} {}: ec2/{service} is on while group nodes has no instances",
                s.name
            );
        }
    }
    // Monday: the group first, 10 minutes before web; off 10 minutes after api.
    assert_eq!(
        &order[..6],
        &[
            "2026-11-30T06:50:00Z nodes.capacity-on",
            "2026-11-30T07:00:00Z ec2.web.on",
            "2026-11-30T09:00:00Z ec2.api.on",
            "2026-11-30T18:00:00Z ec2.web.off",
            "2026-11-30T21:00:00Z ec2.api.off",
            "2026-11-30T21:10:00Z nodes.capacity-off",
        ]
    );
    // Friday night: off; the sizes recorded at apply come back exactly on the next on.
    assert_eq!(sizes(&env, "nodes").await, (0, 0, 0));
    let on = schedules
        .iter()
        .find(|s| s.name == "nodes.capacity-on")
        .unwrap();
    replay(&env, on).await;
    assert_eq!(sizes(&env, "nodes").await, (2, 6, 2));
    // Keep web on for 8 days: the group's off schedule waits for the end of the override (and
    // the drain time), a hold end exists, and the fleet re-plans to no change.
    let now = jiff::Timestamp::now();
    env.cli(&format!(
        "override --on --cluster ec2 --service web --for 8d --group g-cap --region {REGION}"
    ))
    .ok();
    let off = ecs_onoff::aws::scheduler::get(&client, "g-cap", "nodes.capacity-off")
        .await
        .unwrap()
        .unwrap();
    let held = off.start_date.expect("the group's off is held");
    assert!(
        held >= now
            + jiff::SignedDuration::from_hours(8 * 24)
            + jiff::SignedDuration::from_mins(10)
            - jiff::SignedDuration::from_secs(1),
        "{held}"
    );
    let end = ecs_onoff::aws::scheduler::get(&client, "g-cap", "nodes.capacity-override")
        .await
        .unwrap()
        .expect("the hold's end");
    assert_eq!(
        end.capacity_override_of().map(|g| g.to_string()),
        Some("nodes".into())
    );
    let r = env
        .cli(&format!("plan -f {path} --detailed-exitcode"))
        .run();
    assert_eq!(
        r.code, 0,
        "held: nothing to change\n{}{}",
        r.stdout, r.stderr
    );
    // Cancelled: the next apply releases the group and deletes the hold's end.
    env.cli(&format!(
        "override cancel --cluster ec2 --service web --group g-cap --region {REGION}"
    ))
    .ok();
    env.cli(&format!("apply -f {path} --yes")).ok();
    let off = ecs_onoff::aws::scheduler::get(&client, "g-cap", "nodes.capacity-off")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(off.start_date, None);
    assert!(env.get("g-cap", "nodes.capacity-override").await.is_none());
}

#[tokio::test]
async fn a_service_on_the_group_that_the_fleet_does_not_switch_blocks_it() {
    let env = Env::in_region(REGION).await;
    env.services("ec2-b", &["web", "api", "legacy"], 1, LaunchType::Ec2)
        .await;
    create_group(&env, "nodes-b", 1, 3, 1).await;
    let text = fleet_for("-b", "");
    let path = write_file("capacity-blocked.toml", &text);
    let r = env
        .cli(&format!("apply -f {} --yes", path.display()))
        .fails_with(2, "ec2-b/legacy");
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert!(env.names("g-cap-b").await.is_empty() && !env.group_exists("g-cap-b").await);
    let forced = write_file(
        "capacity-forced.toml",
        &text.replace("capacity = true", "capacity = true\nforce = true"),
    );
    let r = env
        .cli(&format!("plan -f {} --output json", forced.display()))
        .ok();
    assert!(r.stderr.contains("ec2-b/legacy"), "{}", r.stderr);
    let plan = r.json();
    assert!(plan["actions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["name"] == "nodes-b.capacity-off"));
}

#[tokio::test]
async fn a_fargate_service_needs_no_group_and_a_plain_ec2_service_needs_asg() {
    let env = Env::in_region(REGION).await;
    env.services("mixed", &["fg"], 1, LaunchType::Fargate).await;
    env.services("plain", &["old"], 1, LaunchType::Ec2).await;
    let fg = write_file(
        "capacity-fargate.toml",
        &format!(
            "[[service]]\ncluster = \"mixed\"\nservice = \"fg\"\nregion = \"{REGION}\"\n\
             role_arn = \"{ROLE}\"\nwindow = \"MON-FRI 08:00-19:00\"\ncapacity = true\n"
        ),
    );
    let r = env.cli(&format!("plan -f {}", fg.display())).ok();
    assert!(r.stderr.contains("Fargate"), "{}", r.stderr);
    let r = env
        .cli(&format!(
            "schedule --cluster plain --service old --window 'MON-FRI 08:00-19:00' --role-arn {ROLE} \
             --region {REGION} --capacity"
        ))
        .fails_with(2, "--asg");
    assert!(r.stderr.contains("does not guess"), "{}", r.stderr);
}

#[tokio::test]
async fn unscheduling_a_service_removes_its_groups_schedules_and_leaves_the_group_on() {
    let env = Env::in_region(REGION).await;
    env.services("ec2-u", &["web", "api"], 2, LaunchType::Ec2)
        .await;
    create_group(&env, "nodes-u", 2, 6, 2).await;
    let text = fleet_for("-u", "");
    let path = write_file("capacity-unschedule.toml", &text);
    env.cli(&format!("apply -f {} --yes", path.display())).ok();
    // Exported with the live state: the group's schedules, and the role may resize the group.
    let doc = env
        .cli(&format!(
            "export -f {} --format cloudformation --with-iam",
            path.display()
        ))
        .ok()
        .json();
    let text = doc.to_string();
    assert!(
        text.contains("aws-sdk:autoscaling:updateAutoScalingGroup"),
        "{text}"
    );
    assert!(
        text.contains("autoScalingGroupName/nodes-u") && text.contains("UpdateAutoScalingGroup"),
        "{text}"
    );
    let r = env
        .cli(&format!(
            "export -f {} --format terraform --offline",
            path.display()
        ))
        .ok();
    assert!(r.stderr.contains("not exported"), "{}", r.stderr);
    assert!(!r.stdout.contains("updateAutoScalingGroup"));
    assert!(env
        .names("g-cap-u")
        .await
        .contains(&"nodes-u.capacity-off".to_string()));
    let r = env
        .cli(&format!(
            "unschedule --cluster ec2-u --service web --group g-cap-u --region {REGION}"
        ))
        .ok();
    assert!(
        r.stderr.contains("Auto Scaling group nodes-u"),
        "{}",
        r.stderr
    );
    let names = env.names("g-cap-u").await;
    assert_eq!(
        names,
        ["ec2-u.api.off", "ec2-u.api.on"],
        "api keeps its schedules"
    );
    // The group is left with instances (on now, or set to its on sizes at once).
    assert!(sizes(&env, "nodes-u").await.2 > 0);
}

#[tokio::test]
async fn a_service_on_the_group_without_capacity_switching_still_shapes_its_times() {
    let env = Env::in_region(REGION).await;
    env.services("ec2-m", &["web", "api"], 1, LaunchType::Ec2)
        .await;
    create_group(&env, "nodes-m", 1, 3, 1).await;
    // Only web asks for capacity-aware switching; api (on the same instances) is scheduled too.
    let text = format!(
        "[defaults]\nregion = \"{REGION}\"\ntimezone = \"Europe/Berlin\"\nrole_arn = \"{ROLE}\"\n\
         group = \"g-cap-m\"\n\n\
         [[service]]\ncluster = \"ec2-m\"\nservice = \"web\"\nwindow = \"MON-FRI 08:00-19:00\"\n\
         capacity = true\nasg = \"nodes-m\"\n\n\
         [[service]]\ncluster = \"ec2-m\"\nservice = \"api\"\nwindow = \"MON-FRI 10:00-22:00\"\n"
    );
    let path = write_file("capacity-mixed.toml", &text);
    let plan = env
        .cli(&format!("plan -f {} --output json", path.display()))
        .json();
    let rows = plan["actions"].as_array().unwrap();
    let expression = |name: &str| {
        rows.iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {plan}"))["expression"]
            .clone()
    };
    assert_eq!(
        expression("nodes-m.capacity-on"),
        "cron(50 7 ? * MON-FRI *)"
    );
    assert_eq!(
        expression("nodes-m.capacity-off"),
        "cron(10 22 ? * MON-FRI *)"
    );
}

/// What discovery reads through capacity providers, read from moto: a cluster's default
/// strategy, and a provider's Auto Scaling group (by ARN) and managed scaling. (moto returns no
/// capacityProviderStrategy for services, so which services use them is tested in the core.)
#[tokio::test]
async fn capacity_providers_name_their_groups() {
    let env = Env::in_region(REGION).await;
    create_group(&env, "nodes-cp", 0, 4, 0).await;
    let arn = group_arn(&env, "nodes-cp").await;
    let ecs = env.ecs();
    use aws_sdk_ecs::types::CapacityProviderStrategyItem;
    create_provider(&ecs, "cp-nodes", &arn, false).await;
    ecs.create_cluster()
        .cluster_name("ec2-cp")
        .send()
        .await
        .unwrap();
    ecs.put_cluster_capacity_providers()
        .cluster("ec2-cp")
        .capacity_providers("cp-nodes")
        .default_capacity_provider_strategy(
            CapacityProviderStrategyItem::builder()
                .capacity_provider("cp-nodes")
                .weight(1)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let default = ecs_onoff::aws::ecs::default_strategy(&ecs, "ec2-cp")
        .await
        .unwrap();
    assert_eq!(default, Some(vec!["cp-nodes".to_string()]));
    assert_eq!(
        ecs_onoff::aws::ecs::default_strategy(&ecs, "no-such-cluster")
            .await
            .unwrap(),
        None
    );
    let providers = ecs_onoff::aws::ecs::providers(&ecs, &["cp-nodes".to_string()])
        .await
        .unwrap();
    assert_eq!(providers.len(), 1);
    assert!(providers[0].managed);
    let group = ecs_onoff::capacity::AsgName::from_arn(providers[0].group_arn.as_deref().unwrap());
    assert_eq!(group.map(|g| g.to_string()), Some("nodes-cp".to_string()));
    // A service with neither launch type nor strategy is placed by that default, and the
    // provider names its group; one with the EC2 launch type is not.
    let by_default = ecs_onoff::checks::Capacity {
        launch_type: None,
        capacity_providers: vec![],
    };
    let ec2 = ecs_onoff::checks::Capacity {
        launch_type: Some("EC2".into()),
        capacity_providers: vec![],
    };
    let placements =
        ecs_onoff::aws::ecs::placements(&ecs, &[("ec2-cp", &by_default), ("ec2-cp", &ec2)])
            .await
            .unwrap();
    let names = vec!["cp-nodes".to_string()];
    assert_eq!(
        placements.of,
        [
            ecs_onoff::capacity::Placement::Providers(names.clone()),
            ecs_onoff::capacity::Placement::Ec2LaunchType
        ]
    );
    let group: ecs_onoff::capacity::AsgName = "nodes-cp".parse().unwrap();
    assert_eq!(placements.groups(&names), [(group.clone(), true)]);
    // Managed scaling without managed termination protection lifts no scale-in protection;
    // with it, ECS lifts it from idle instances.
    assert!(!providers[0].lifts_protection && !placements.lifts_protection(&group));
    create_group(&env, "nodes-mtp", 0, 4, 0).await;
    let arn = group_arn(&env, "nodes-mtp").await;
    create_provider(&ecs, "cp-mtp", &arn, true).await;
    let guarded = ecs_onoff::aws::ecs::providers(&ecs, &["cp-mtp".to_string()])
        .await
        .unwrap();
    assert!(
        guarded[0].managed && guarded[0].lifts_protection,
        "{guarded:?}"
    );
    let with_mtp = ecs_onoff::aws::ecs::Placements {
        of: Vec::new(),
        providers: [("cp-mtp".to_string(), guarded[0].clone())].into(),
    };
    assert!(with_mtp.lifts_protection(&"nodes-mtp".parse().unwrap()));
    assert!(!with_mtp.lifts_protection(&group));
}

/// The flags: one service with `--capacity --asg` gets its group's pair, shown in the plan text.
#[tokio::test]
async fn schedule_with_capacity_flags_switches_the_group() {
    let env = Env::in_region(REGION).await;
    env.services("ec2-f", &["solo"], 1, LaunchType::Ec2).await;
    create_group(&env, "nodes-f", 1, 2, 1).await;
    let r = env
        .cli(&format!(
            "schedule -c ec2-f -s solo --window 'MON-FRI 09:00-17:00' -t Europe/Berlin \
             --role-arn {ROLE} -g g-cap-f --region {REGION} --capacity --asg nodes-f --lead 20m \
             --drain 5m"
        ))
        .ok();
    assert!(r.stdout.contains("nodes-f.capacity-on"), "{}", r.stdout);
    assert!(
        r.stdout.contains("ASG 1/2/1") && r.stdout.contains("ASG 0/0/0"),
        "{}",
        r.stdout
    );
    let names = env.names("g-cap-f").await;
    assert_eq!(
        names,
        [
            "ec2-f.solo.off",
            "ec2-f.solo.on",
            "nodes-f.capacity-off",
            "nodes-f.capacity-on"
        ]
    );
    let client = env.scheduler();
    let on = ecs_onoff::aws::scheduler::get(&client, "g-cap-f", "nodes-f.capacity-on")
        .await
        .unwrap()
        .unwrap();
    let off = ecs_onoff::aws::scheduler::get(&client, "g-cap-f", "nodes-f.capacity-off")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(on.expression, "cron(40 8 ? * MON-FRI *)");
    assert_eq!(off.expression, "cron(5 17 ? * MON-FRI *)");
    assert_eq!(
        on.input.render(),
        r#"{"AutoScalingGroupName":"nodes-f","MinSize":1,"MaxSize":2,"DesiredCapacity":1}"#
    );
    // Again: nothing to change.
    let r = env
        .cli(&format!(
            "schedule -c ec2-f -s solo --window 'MON-FRI 09:00-17:00' -t Europe/Berlin \
             --role-arn {ROLE} -g g-cap-f --region {REGION} --capacity --asg nodes-f --lead 20m \
             --drain 5m --output json"
        ))
        .ok();
    let summary = &r.json()["summary"];
    assert_eq!(
        (
            &summary["created"],
            &summary["updated"],
            &summary["deleted"]
        ),
        (
            &serde_json::json!(0),
            &serde_json::json!(0),
            &serde_json::json!(0)
        ),
        "{}",
        r.stdout
    );
    // Imported back: the entry is capacity-aware and names its group; with `asg` (the plain EC2
    // launch type) and its lead and drain it plans as no change.
    let fleet = env
        .cli(&format!("import --group g-cap-f --region {REGION}"))
        .ok()
        .stdout;
    assert!(fleet.contains("capacity = true"), "{fleet}");
    assert!(fleet.contains("add asg = \"nodes-f\""), "{fleet}");
    let completed = fleet.replace(
        "capacity = true\n",
        "capacity = true\nasg = \"nodes-f\"\nlead = \"20m\"\ndrain = \"5m\"\n",
    );
    let path = write_file("capacity-imported.toml", &completed);
    let r = env
        .cli(&format!("plan -f {} --detailed-exitcode", path.display()))
        .run();
    assert_eq!(r.code, 0, "{completed}\n{}{}", r.stdout, r.stderr);
}

/// Through a proxy that meets about a third of all requests (reads, writes, EC2 Auto Scaling's
/// query API) with a fault, and never answers the group's on create: the run fails, saying so,
/// and leaves no group off schedule without its on (the off is skipped, never written alone).
/// The next run through faults writes the rest: every schedule once and exactly as planned, and
/// the group's sizes are never touched by day.
#[tokio::test]
async fn faults_on_every_api_end_in_the_planned_schedules() {
    let env = Env::in_region(REGION).await;
    env.services("ec2-z", &["web", "api"], 2, LaunchType::Ec2)
        .await;
    create_group(&env, "nodes-z", 2, 6, 2).await;
    let path = write_file("capacity-faults.toml", &fleet_for("-z", ""));
    let path = path.display();
    let apply = format!("apply -f {path} --yes --output json --timeout 1");
    let mixed = ["--seed", "13", "--mixed", "0.3", "--stall", "2"];

    let mut options = mixed.to_vec();
    options.extend([
        "--blackhole",
        "^CreateSchedule /schedules/nodes-z\\.capacity-on",
    ]);
    let proxy = Proxy::start(&options);
    let r = proxy.cli(&apply).run();
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let report = r.json();
    let failures: Vec<(&str, &str)> = report["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["name"].as_str().unwrap(), f["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        failures,
        [
            ("nodes-z.capacity-off", "Skipped"),
            ("nodes-z.capacity-on", "Timeout")
        ],
        "{report}"
    );
    assert_eq!(
        env.names("g-cap-z").await,
        [
            "ec2-z.api.off",
            "ec2-z.api.on",
            "ec2-z.web.off",
            "ec2-z.web.on"
        ]
    );
    assert!(
        proxy.faults_total() > 0,
        "faults were injected: {}",
        proxy.stats()
    );
    drop(proxy);

    let proxy = Proxy::start(&mixed);
    let r = proxy.cli(&apply).run();
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.json()["summary"]["created"], 2, "{}", r.stdout);
    assert!(proxy.faults_total() > 0, "{}", proxy.stats());
    assert_eq!(
        env.names("g-cap-z").await,
        [
            "ec2-z.api.off",
            "ec2-z.api.on",
            "ec2-z.web.off",
            "ec2-z.web.on",
            "nodes-z.capacity-off",
            "nodes-z.capacity-on"
        ]
    );
    let r = env
        .cli(&format!("plan -f {path} --detailed-exitcode"))
        .run();
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(sizes(&env, "nodes-z").await, (2, 6, 2));
}

/// A group that protects its instances from scale-in would keep them at night whatever its
/// sizes: `plan` warns, and `doctor` reports it for the group its schedules switch (a plain EC2
/// launch-type group, named only by its schedules), with the command that lifts it.
#[tokio::test]
async fn a_group_that_protects_its_instances_is_warned_about() {
    let env = Env::in_region(REGION).await;
    env.services("ec2-p", &["web", "api"], 1, LaunchType::Ec2)
        .await;
    create_group(&env, "nodes-p", 1, 3, 1).await;
    aws_sdk_autoscaling::Client::new(&env.config)
        .update_auto_scaling_group()
        .auto_scaling_group_name("nodes-p")
        .new_instances_protected_from_scale_in(true)
        .send()
        .await
        .unwrap();
    let path = write_file("capacity-protected.toml", &fleet_for("-p", ""));
    let path = path.display();
    let r = env.cli(&format!("apply -f {path} --yes")).ok();
    assert!(
        r.stderr.contains(
            "Auto Scaling group nodes-p in eu-north-1 protects its instances from scale-in"
        ),
        "{}",
        r.stderr
    );
    let r = env.cli(&format!("doctor -f {path} --output json")).run();
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    let report = r.json();
    for service in report["services"].as_array().unwrap() {
        let codes: Vec<&str> = service["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&"group-protected"), "{report}");
    }
    aws_sdk_autoscaling::Client::new(&env.config)
        .update_auto_scaling_group()
        .auto_scaling_group_name("nodes-p")
        .new_instances_protected_from_scale_in(false)
        .send()
        .await
        .unwrap();
    let r = env.cli(&format!("plan -f {path}")).ok();
    assert!(!r.stderr.contains("protects its instances"), "{}", r.stderr);
}
