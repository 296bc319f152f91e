//! ecs-onoff: turn Amazon ECS services on and off on a schedule with EventBridge Scheduler.
//!
//! A pure core and a thin edge. The core does no I/O and has no AWS dependency: `expression`
//! (AWS schedule expressions), `window` (friendly forms), `calendar` and `ics` (skipped days),
//! `compile` (times and skipped days into schedules), `overrides`, `export` (Terraform and CloudFormation), `naming`, `arn`, `schedule` (the
//! Scheduler schedule model), `spec` (a validated request for one service), `fleet` (fleet
//! files), `plan` (planning and diffing), `checks` (warnings), `iam` (IAM documents), `report`
//! (typed command output) and `text`. The edge: `cli` (arguments), `commands` (one per
//! subcommand), `reconcile` (the read-and-write pipeline), `interrupt` (stop signals), `aws` (the SDK),
//! `input` (files) and `output` (the terminal).

#[macro_use]
mod newtype;

pub mod arn;
pub mod aws;
pub mod calendar;
pub mod capacity;
pub mod checks;
pub mod cli;
pub mod commands;
pub mod compile;
pub mod doctor;
pub mod exit;
pub mod export;
pub mod expression;
pub mod fleet;
pub mod iam;
pub mod ics;
pub mod import;
pub mod input;
pub mod interrupt;
pub mod naming;
pub mod notify;
pub mod output;
pub mod overrides;
pub mod plan;
pub mod reconcile;
pub mod report;
pub mod savings;
pub mod schedule;
pub mod spec;
pub mod text;
pub mod timeline;
pub mod window;
