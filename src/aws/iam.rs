//! IAM calls for `iam create-role`: read, create and update the execution role and its inline
//! policy. IAM returns documents URL-encoded; they are decoded here.

use super::{found, AwsError, Call};
use aws_sdk_iam::types::Tag;
use aws_sdk_iam::Client;
use serde_json::Value;

/// Decodes `%XX` escapes (IAM returns policy documents URL-encoded).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            if let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses a document as IAM returns it (URL-encoded or not).
pub fn parse_document(text: &str) -> Option<Value> {
    serde_json::from_str(text)
        .ok()
        .or_else(|| serde_json::from_str(&percent_decode(text)).ok())
}

/// The role's ARN and trust policy, when the role exists.
pub async fn get_role(
    client: &Client,
    name: &str,
) -> Result<Option<(String, Option<Value>)>, AwsError> {
    let got = client
        .get_role()
        .role_name(name)
        .send()
        .await
        .call("GetRole");
    Ok(found(got)?.and_then(|out| {
        let role = out.role()?;
        let trust = role.assume_role_policy_document().and_then(parse_document);
        Some((role.arn().to_string(), trust))
    }))
}

pub async fn create_role(client: &Client, name: &str, trust: &Value) -> Result<String, AwsError> {
    let out = client
        .create_role()
        .role_name(name)
        .assume_role_policy_document(trust.to_string())
        .description("Assumed by EventBridge Scheduler to turn ECS services on and off (ecs-onoff)")
        .tags(
            Tag::builder()
                .key("managed-by")
                .value("ecs-onoff")
                .build()
                .expect("key and value are set"),
        )
        .send()
        .await
        .call("CreateRole")?;
    Ok(out.role().map(|r| r.arn().to_string()).unwrap_or_default())
}

pub async fn update_trust(client: &Client, name: &str, trust: &Value) -> Result<(), AwsError> {
    client
        .update_assume_role_policy()
        .role_name(name)
        .policy_document(trust.to_string())
        .send()
        .await
        .call("UpdateAssumeRolePolicy")?;
    Ok(())
}

/// An inline policy of the role, when it exists.
pub async fn get_role_policy(
    client: &Client,
    role: &str,
    policy: &str,
) -> Result<Option<Value>, AwsError> {
    let got = client
        .get_role_policy()
        .role_name(role)
        .policy_name(policy)
        .send()
        .await
        .call("GetRolePolicy");
    Ok(found(got)?.and_then(|out| parse_document(out.policy_document())))
}

pub async fn put_role_policy(
    client: &Client,
    role: &str,
    policy: &str,
    doc: &Value,
) -> Result<(), AwsError> {
    client
        .put_role_policy()
        .role_name(role)
        .policy_name(policy)
        .policy_document(doc.to_string())
        .send()
        .await
        .call("PutRolePolicy")?;
    Ok(())
}

/// Reads a role's documents; `None` when the role does not exist.
pub async fn role_documents(
    client: &Client,
    name: &str,
) -> Result<Option<crate::iam::RoleDocuments>, AwsError> {
    let Some((_, trust)) = get_role(client, name).await? else {
        return Ok(None);
    };
    let mut policies = Vec::new();
    let mut inline = client
        .list_role_policies()
        .role_name(name)
        .into_paginator()
        .send();
    let mut names = Vec::new();
    while let Some(page) = inline.next().await {
        names.extend(page.call("ListRolePolicies")?.policy_names().to_vec());
    }
    for policy in names {
        policies.extend(get_role_policy(client, name, &policy).await?);
    }
    let mut attached = client
        .list_attached_role_policies()
        .role_name(name)
        .into_paginator()
        .send();
    let mut arns = Vec::new();
    while let Some(page) = attached.next().await {
        let page = page.call("ListAttachedRolePolicies")?;
        arns.extend(
            page.attached_policies()
                .iter()
                .filter_map(|p| p.policy_arn().map(str::to_string)),
        );
    }
    for arn in arns {
        let policy = client
            .get_policy()
            .policy_arn(&arn)
            .send()
            .await
            .call("GetPolicy")?;
        let Some(version) = policy.policy().and_then(|p| p.default_version_id()) else {
            continue;
        };
        let got = client
            .get_policy_version()
            .policy_arn(&arn)
            .version_id(version)
            .send()
            .await
            .call("GetPolicyVersion")?;
        policies.extend(
            got.policy_version()
                .and_then(|v| v.document())
                .and_then(parse_document),
        );
    }
    Ok(Some(crate::iam::RoleDocuments { trust, policies }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_url_encoded_documents() {
        assert_eq!(percent_decode("%7B%22a%22%3A1%7D"), r#"{"a":1}"#);
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%+1"), "%+1");
        assert_eq!(percent_decode("caf%C3%A9"), "café");
        assert_eq!(
            parse_document("%7B%22a%22%3A1%7D"),
            Some(serde_json::json!({"a": 1}))
        );
        assert_eq!(
            parse_document(r#"{"a":"%41"}"#),
            Some(serde_json::json!({"a": "%41"}))
        );
    }
}
