//! Autoscaling-aware schedules against moto_server: a service with an Application Auto Scaling
//! target (MinCapacity 2, MaxCapacity 6) gets schedules that call RegisterScalableTarget. Their
//! Inputs, read back from moto and replayed in order (off, then on), leave the target at 0/0 and
//! then 2/6, and the service at 0 and then 2. moto stores the bounds but does not move the
//! service's count into them as Application Auto Scaling does ("If it is below the minimum
//! capacity or above the maximum capacity, Application Auto Scaling adjusts the capacity of the
//! scalable target to place it within these bounds", RegisterScalableTarget API reference), so
//! the replay applies that documented rule itself with UpdateService. Drift between the recorded
//! and the live bounds shows in `plan`; the bounds of the night are never recorded.

mod common;

use aws_sdk_applicationautoscaling::types::{ScalableDimension, ServiceNamespace};
use aws_sdk_ecs::types::LaunchType;
use common::{register_scalable_target, write_file, Env};
use serde_json::Value;

const ROLE: &str = "arn:aws:iam::123456789012:role/ecs-onoff";

/// Calls what a schedule's target calls, with its Input, as Scheduler would; then moves the
/// service's count into the new bounds, as Application Auto Scaling does.
async fn replay(env: &Env, group: &str, name: &str) {
    let s = env.get(group, name).await.expect("the schedule exists");
    let target = s.target().unwrap();
    assert_eq!(
        target.arn(),
        "arn:aws:scheduler:::aws-sdk:applicationautoscaling:registerScalableTarget"
    );
    let input: Value = serde_json::from_str(target.input().unwrap()).unwrap();
    let (min, max) = (
        input["MinCapacity"].as_i64().unwrap() as i32,
        input["MaxCapacity"].as_i64().unwrap() as i32,
    );
    assert_eq!(input["ServiceNamespace"], "ecs");
    assert_eq!(input["ScalableDimension"], "ecs:service:DesiredCount");
    let resource = input["ResourceId"].as_str().unwrap().to_string();
    aws_sdk_applicationautoscaling::Client::new(&env.config)
        .register_scalable_target()
        .service_namespace(ServiceNamespace::Ecs)
        .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
        .resource_id(&resource)
        .min_capacity(min)
        .max_capacity(max)
        .send()
        .await
        .unwrap();
    let (_, cluster, service) = {
        let mut parts = resource.splitn(3, '/');
        (
            parts.next().unwrap().to_string(),
            parts.next().unwrap().to_string(),
            parts.next().unwrap().to_string(),
        )
    };
    let now = env.desired(&cluster, &service).await;
    let placed = now.clamp(min, max);
    if placed != now {
        env.ecs()
            .update_service()
            .cluster(&cluster)
            .service(&service)
            .desired_count(placed)
            .send()
            .await
            .unwrap();
    }
}

async fn bounds(env: &Env, cluster: &str, service: &str) -> (i32, i32) {
    let out = aws_sdk_applicationautoscaling::Client::new(&env.config)
        .describe_scalable_targets()
        .service_namespace(ServiceNamespace::Ecs)
        .resource_ids(format!("service/{cluster}/{service}"))
        .send()
        .await
        .unwrap();
    let t = &out.scalable_targets()[0];
    (t.min_capacity(), t.max_capacity())
}

fn fleet(extra: &str) -> String {
    format!(
        "[[service]]\ncluster = \"as\"\nservice = \"web\"\nregion = \"eu-west-3\"\n\
         timezone = \"Europe/Paris\"\nrole_arn = \"{ROLE}\"\ngroup = \"g-as\"\n\
         window = \"MON-FRI 08:00-19:00\"\n{extra}"
    )
}

#[tokio::test]
async fn bounds_switch_the_service_and_are_restored_exactly() {
    let env = Env::in_region("eu-west-3").await;
    env.services("as", &["web"], 3, LaunchType::Fargate).await;
    register_scalable_target(&env.config, "as", "web", 2, 6).await;
    let path = write_file("autoscaling.toml", &fleet(""));
    let path = path.display();

    let plan = env.cli(&format!("plan -f {path} --output json")).json();
    let rows = plan["actions"].as_array().unwrap();
    let on = rows.iter().find(|r| r["name"] == "as.web.on").unwrap();
    assert_eq!(
        on["bounds"],
        serde_json::json!({"min": 2, "max": 6}),
        "{on}"
    );
    assert_eq!(on["desired_count"], 2);
    let off = rows.iter().find(|r| r["name"] == "as.web.off").unwrap();
    assert_eq!(off["bounds"], serde_json::json!({"min": 0, "max": 0}));
    let r = env.cli(&format!("apply -f {path} --yes -v")).ok();
    assert!(r.stderr.contains("autoscaling-aware"), "{}", r.stderr);
    assert!(
        !r.stderr.contains("a scale-out alarm can raise"),
        "no warning once the schedules handle it: {}",
        r.stderr
    );

    // The evening: the off schedule's call.
    replay(&env, "g-as", "as.web.off").await;
    assert_eq!(bounds(&env, "as", "web").await, (0, 0));
    assert_eq!(env.desired("as", "web").await, 0);
    // At night the target is at 0/0: the recorded bounds stay, nothing to change.
    let r = env
        .cli(&format!("plan -f {path} --detailed-exitcode"))
        .run();
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    // The morning: bounds restored exactly, the service at its MinCapacity.
    replay(&env, "g-as", "as.web.on").await;
    assert_eq!(bounds(&env, "as", "web").await, (2, 6));
    assert_eq!(env.desired("as", "web").await, 2);

    // Changed in the console: plan shows the drift; apply records the new bounds.
    register_scalable_target(&env.config, "as", "web", 3, 8).await;
    let r = env
        .cli(&format!("plan -f {path} --detailed-exitcode --output json"))
        .run();
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("changed since they were recorded"),
        "{}",
        r.stderr
    );
    let plan = r.json();
    let update = plan["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action"] == "update")
        .unwrap();
    assert_eq!(update["name"], "as.web.on");
    let fields: Vec<&str> = update["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"Target.Input"), "{update}");
    env.cli(&format!("apply -f {path} --yes")).ok();
    replay(&env, "g-as", "as.web.off").await;
    replay(&env, "g-as", "as.web.on").await;
    assert_eq!(bounds(&env, "as", "web").await, (3, 8));
    assert_eq!(env.desired("as", "web").await, 3);

    // An override keeps the on bounds now (at night the target is at 0/0), and its end
    // schedule sets the bounds the schedules give then.
    replay(&env, "g-as", "as.web.off").await;
    env.cli("--region eu-west-3 override -c as -s web -g g-as --on --for 2h --count 5")
        .fails_with(2, "leave out --count");
    let r = env
        .cli("--region eu-west-3 override -c as -s web -g g-as --on --for 2h")
        .ok();
    assert!(
        r.stderr
            .contains("bounds set to MinCapacity 3, MaxCapacity 8 now"),
        "{}",
        r.stderr
    );
    assert_eq!(bounds(&env, "as", "web").await, (3, 8));
    let end = env.get("g-as", "as.web.override").await.unwrap();
    let target = end.target().unwrap();
    assert_eq!(
        target.arn(),
        "arn:aws:scheduler:::aws-sdk:applicationautoscaling:registerScalableTarget"
    );
    let input: Value = serde_json::from_str(target.input().unwrap()).unwrap();
    let then = (
        input["MinCapacity"].as_i64().unwrap(),
        input["MaxCapacity"].as_i64().unwrap(),
    );
    assert!(then == (0, 0) || then == (3, 8), "{input}");
    // Re-planned during the override: nothing changes, the override is kept.
    let r = env
        .cli(&format!("plan -f {path} --detailed-exitcode"))
        .run();
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    // Cancelled: the schedules are released, the bounds of now are set.
    env.cli("--region eu-west-3 override cancel -c as -s web -g g-as")
        .ok();
    assert!(env.get("g-as", "as.web.override").await.is_none());

    // Turned off (in the daytime): the schedules set desiredCount again, with the warning.
    register_scalable_target(&env.config, "as", "web", 3, 8).await;
    let plain = write_file("autoscaling-off.toml", &fleet("autoscaling = false\n"));
    let r = env
        .cli(&format!("apply -f {} --yes --output json", plain.display()))
        .ok();
    assert!(r.stderr.contains("MinCapacity 3"), "{}", r.stderr);
    let on = env.get("g-as", "as.web.on").await.unwrap();
    assert_eq!(
        on.target().unwrap().arn(),
        "arn:aws:scheduler:::aws-sdk:ecs:updateService"
    );
}

#[tokio::test]
async fn a_target_at_its_off_bounds_with_nothing_recorded_is_not_guessed() {
    let env = Env::in_region("eu-west-3").await;
    env.services("as-night", &["web"], 0, LaunchType::Fargate)
        .await;
    register_scalable_target(&env.config, "as-night", "web", 1, 1).await;
    let path = write_file(
        "autoscaling-night.toml",
        &fleet("off_count = 1\n")
            .replace("\"as\"", "\"as-night\"")
            .replace("g-as", "g-as-night"),
    );
    let r = env
        .cli(&format!("plan -f {} --output json", path.display()))
        .ok();
    assert!(
        r.stderr.contains("no bounds to restore are recorded"),
        "{}",
        r.stderr
    );
    let on = r.json()["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "as-night.web.on")
        .cloned()
        .unwrap();
    assert_eq!(on["bounds"], Value::Null);
}
