//! SQS: whether a dead-letter queue exists.

use super::{AwsError, Call};
use aws_sdk_sqs::Client;

/// Whether the queue of a standard SQS queue ARN (`arn:P:sqs:REGION:ACCOUNT:NAME`) exists
/// (GetQueueUrl with its name and owner). `client` must be of the queue's Region.
pub async fn queue_exists(client: &Client, arn: &str) -> Result<bool, AwsError> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let (account, name) = match parts.as_slice() {
        [_, _, _, _, account, name] => (*account, *name),
        _ => return Ok(false),
    };
    let found = client
        .get_queue_url()
        .queue_name(name)
        .queue_owner_aws_account_id(account)
        .send()
        .await
        .call("GetQueueUrl");
    match found {
        Ok(_) => Ok(true),
        Err(e) if NOT_FOUND.contains(&e.code.as_str()) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The error codes SQS answers for a queue that does not exist (JSON and query protocols).
const NOT_FOUND: [&str; 3] = [
    "QueueDoesNotExist",
    "AWS.SimpleQueueService.NonExistentQueue",
    "NonExistentQueue",
];
