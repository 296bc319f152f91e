//! STS GetCallerIdentity: the account id when `--account-id` is not given.

use super::aws_error;

pub async fn account_id(config: &aws_config::SdkConfig) -> anyhow::Result<String> {
    let out = aws_sdk_sts::Client::new(config)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| {
            aws_error(
                "STS GetCallerIdentity (to find the account id; or pass --account-id)",
                e,
            )
        })?;
    out.account()
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("STS GetCallerIdentity returned no account"))
}
