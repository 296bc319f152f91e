//! ecs-onoff: turn Amazon ECS services on and off on a schedule with EventBridge Scheduler.
//!
//! The core (`expression`, `window`) does no I/O and has no AWS dependency; the command-line
//! edge is `cli`, `commands` and `output`.

pub mod arn;
pub mod aws;
pub mod checks;
pub mod cli;
pub mod commands;
pub mod exit;
pub mod expression;
pub mod fleet;
pub mod iam;
pub mod naming;
pub mod output;
pub mod plan;
pub mod window;
