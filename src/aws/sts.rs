//! STS GetCallerIdentity: the account id when `--account-id` is not given.

use super::Call;
use crate::arn::AccountId;

pub async fn account_id(config: &aws_config::SdkConfig) -> anyhow::Result<AccountId> {
    let out = aws_sdk_sts::Client::new(config)
        .get_caller_identity()
        .send()
        .await
        .call("STS GetCallerIdentity (to find the account id; or pass --account-id)")?;
    let account = out
        .account()
        .ok_or_else(|| anyhow::anyhow!("STS GetCallerIdentity returned no account"))?;
    Ok(account.parse()?)
}
