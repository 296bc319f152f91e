//! Proves the moto harness: a schedule group created through aws-sdk-scheduler reads back.

mod common;

#[tokio::test]
async fn schedule_group_round_trip_through_moto() {
    let moto = common::moto();
    let config = common::sdk_config(&moto.url).await;
    let client = aws_sdk_scheduler::Client::new(&config);

    let created = client
        .create_schedule_group()
        .name("smoke-group")
        .tags(
            aws_sdk_scheduler::types::Tag::builder()
                .key("managed-by")
                .value("ecs-onoff")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("CreateScheduleGroup");
    let arn = created.schedule_group_arn().to_string();
    assert!(arn.ends_with(":schedule-group/smoke-group"), "{arn}");

    let got = client
        .get_schedule_group()
        .name("smoke-group")
        .send()
        .await
        .expect("GetScheduleGroup");
    assert_eq!(got.name(), Some("smoke-group"));
    assert_eq!(got.arn(), Some(arn.as_str()));
    assert_eq!(
        got.state(),
        Some(&aws_sdk_scheduler::types::ScheduleGroupState::Active)
    );

    let tags = client
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .expect("ListTagsForResource");
    assert!(tags
        .tags()
        .iter()
        .any(|t| t.key() == "managed-by" && t.value() == "ecs-onoff"));

    let missing = client
        .get_schedule_group()
        .name("no-such-group")
        .send()
        .await;
    assert!(missing
        .expect_err("a missing group is an error")
        .into_service_error()
        .is_resource_not_found_exception());
}
