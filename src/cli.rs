//! Command-line arguments (clap derive). Global flags follow the AWS CLI's names. Every value is
//! parsed here into its domain type (`FromStr` in the core), so a bad value is a usage error
//! (exit 2) with the specific message, before anything else runs.

use crate::arn::{AccountId, QueueArn, Region, RoleArn};
use crate::calendar::SkipRule;
use crate::expression::timezone::Zone;
use crate::expression::ScheduleExpression;
use crate::iam::RoleName;
use crate::naming::{ClusterName, GroupName, ServiceName};
use crate::schedule::State;
use crate::window::{parse_expression, Window, Written};
use clap::{Args, Parser, Subcommand, ValueEnum};
use jiff::Timestamp;
use std::time::Duration;

const GLOBAL: &str = "Global options";

/// An RFC 3339 instant such as `2026-03-07T00:00:00Z`.
pub fn parse_instant(text: &str) -> Result<Timestamp, String> {
    text.trim()
        .parse::<Timestamp>()
        .map_err(|_| format!("'{text}' is not an RFC 3339 instant such as 2026-03-07T00:00:00Z"))
}

/// A named profile: no control characters.
fn parse_profile(text: &str) -> Result<String, String> {
    if text.is_empty() || text.chars().any(char::is_control) {
        Err(format!(
            "'{}' is not a profile name (empty, or with control characters)",
            crate::text::printable(text)
        ))
    } else {
        Ok(text.to_string())
    }
}

/// An endpoint URL: `http://` or `https://` and a host.
fn parse_endpoint(text: &str) -> Result<String, String> {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    match host {
        Some(h) if !h.is_empty() && !h.chars().any(|c| c.is_control() || c.is_whitespace()) => {
            Ok(text.to_string())
        }
        _ => Err(format!(
            "'{}' is not an http:// or https:// URL with a host",
            crate::text::printable(text)
        )),
    }
}

/// Seconds, 1 to 3600.
fn parse_timeout(text: &str) -> Result<Duration, String> {
    match text.parse::<u64>() {
        Ok(n) if (1..=3600).contains(&n) => Ok(Duration::from_secs(n)),
        _ => Err(format!(
            "'{text}' is not a number of seconds from 1 to 3600"
        )),
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "ecs-onoff",
    version,
    args_override_self = true,
    about = "Turn ECS services on and off on a schedule with EventBridge Scheduler",
    long_about = "Turn ECS services on and off on a schedule with EventBridge Scheduler.\n\n\
        ecs-onoff checks schedule expressions and time zones offline, exactly as AWS reads them, \
        and shows when they fire across daylight-saving changes.",
    after_help = "Examples:\n  ecs-onoff schedule --cluster staging --service web --window 'MON-FRI 08:00-19:00' \\\n      \
        --timezone Europe/Berlin --role-arn arn:aws:iam::123456789012:role/ecs-onoff-scheduler\n  \
        ecs-onoff next 'MON-FRI 09:00-18:00' --timezone Europe/Berlin\n  \
        ecs-onoff next 'cron(0 8 ? * MON-FRI *)' --count 5 --output json\n\n\
        Exit codes: 0 success, 1 runtime or AWS failure, 2 invalid input or usage."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// The global flags that only commands calling AWS use.
const AWS_FLAGS: [&str; 4] = ["region", "profile", "endpoint_url", "timeout"];
/// The commands that make no AWS call.
const OFFLINE_COMMANDS: [&str; 4] = ["next", "schema", "completions", "man"];

impl Cli {
    /// The command line definition, as parsed: the offline commands carry hidden copies of the
    /// AWS flags (see [`Cli::parse_args`]).
    pub fn definition() -> clap::Command {
        use clap::CommandFactory;
        let mut command = Cli::command();
        // A subcommand that has an argument of a global's name does not get the global: give
        // the offline commands hidden copies.
        let hidden: Vec<clap::Arg> = command
            .get_arguments()
            .filter(|a| AWS_FLAGS.contains(&a.get_id().as_str()))
            .map(|a| a.clone().global(false).hide(true))
            .collect();
        for name in OFFLINE_COMMANDS {
            command = command.mut_subcommand(name, |sub| sub.args(hidden.clone()));
        }
        command
    }

    /// Parses the process's arguments (exits with usage on error). The help of commands that
    /// make no AWS call does not list the AWS flags (they are still accepted, and unused).
    pub fn parse_args() -> Cli {
        use clap::FromArgMatches;
        let matches = Cli::definition().get_matches();
        Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    }
}

/// Flags every subcommand takes, named as in the AWS CLI.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// AWS Region (default: from the environment or profile); GovCloud Regions are unverified
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub region: Option<Region>,
    /// Named profile from the AWS config and credentials files
    #[arg(long, global = true, value_parser = parse_profile, help_heading = GLOBAL)]
    pub profile: Option<String>,
    /// Send AWS requests to this endpoint instead of AWS's own (e.g. a local emulator)
    #[arg(long, global = true, value_name = "URL", value_parser = parse_endpoint, help_heading = GLOBAL)]
    pub endpoint_url: Option<String>,
    /// Longest one attempt of an AWS request may take, in seconds
    #[arg(long, global = true, value_name = "SECONDS", default_value = "30", value_parser = parse_timeout, help_heading = GLOBAL)]
    pub timeout: Duration,
    /// Output format: text for people, json for machines
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Text, help_heading = GLOBAL)]
    pub output: OutputFormat,
    /// When to use colour (NO_COLOR is honoured with auto)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, help_heading = GLOBAL)]
    pub color: ColorChoice,
    /// Print only the data, no notes or warnings
    #[arg(short, long, global = true, conflicts_with = "verbose", help_heading = GLOBAL)]
    pub quiet: bool,
    /// Print more detail about what is done
    #[arg(short, long, global = true, help_heading = GLOBAL)]
    pub verbose: bool,
}

impl GlobalArgs {
    /// How to reach AWS.
    pub fn aws_settings(&self) -> crate::aws::Settings {
        crate::aws::Settings {
            region: self.region.clone(),
            profile: self.profile.clone(),
            endpoint_url: self.endpoint_url.clone(),
            timeout: self.timeout,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    /// GitHub-flavoured Markdown (savings; other commands print text)
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Schedule(ScheduleArgs),
    Unschedule(UnscheduleArgs),
    List(ListArgs),
    Status(StatusArgs),
    Next(NextArgs),
    Plan(PlanArgs),
    Apply(ApplyArgs),
    Override(OverrideArgs),
    Iam(IamArgs),
    Schema(SchemaArgs),
    Export(ExportArgs),
    Import(ImportArgs),
    Doctor(DoctorArgs),
    Savings(SavingsArgs),
    Timeline(TimelineArgs),
    Completions(CompletionsArgs),
    Man(ManArgs),
}

/// Print what `apply` would write for a fleet file as Terraform or a CloudFormation template.
#[derive(Debug, Args)]
#[command(
    after_help = "Every schedule carries exactly the fields `apply` sends (the same \
    desiredCounts: read from the live services, like `plan`; with --offline, from on_count or 1). \
    Terraform uses aws_scheduler_schedule_group, aws_scheduler_schedule and, with --with-iam, \
    aws_iam_role and aws_iam_role_policy, with addresses from the schedule names (one provider \
    alias per Region when the file uses several). CloudFormation (JSON) uses \
    AWS::Scheduler::ScheduleGroup, AWS::Scheduler::Schedule and AWS::IAM::Role; a template is \
    for one Region.\n\n\
    Examples:\n  \
    ecs-onoff export -f fleet.toml --format terraform > ecs-onoff.tf\n  \
    ecs-onoff export -f fleet.toml --format cloudformation --with-iam --offline > stack.json"
)]
pub struct ExportArgs {
    /// The fleet file
    #[arg(long, short = 'f', value_name = "FILE")]
    pub file: std::path::PathBuf,
    /// What to write
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Also the execution roles and their policies
    #[arg(long)]
    pub with_iam: bool,
    /// Make no AWS call: desiredCounts from on_count, else 1 (Regions from the file or --region)
    #[arg(long)]
    pub offline: bool,
}

/// The services a week-reading command is about: those of a fleet file, or one given by flags
/// with its schedule options.
#[derive(Debug, Args)]
pub struct WeekServicesArgs {
    /// ECS cluster name
    #[arg(long, short = 'c', requires = "service", conflicts_with = "file")]
    pub cluster: Option<ClusterName>,
    /// ECS service name
    #[arg(long, short = 's', requires = "cluster", conflicts_with = "file")]
    pub service: Option<ServiceName>,
    #[command(flatten)]
    pub times: TimesArgs,
    /// IANA time zone the times are read in
    #[arg(long, short = 't', value_name = "TZ", default_value = "UTC")]
    pub timezone: Zone,
    /// desiredCount at the on time [default: the live desiredCount if above 0, else 1]
    #[arg(long, value_name = "N", value_parser = crate::schedule::parse_count)]
    pub on_count: Option<u32>,
    /// desiredCount at the off time
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = crate::schedule::parse_count)]
    pub off_count: u32,
    /// Every service of a fleet file
    #[arg(long, short = 'f', value_name = "FILE")]
    pub file: Option<std::path::PathBuf>,
}

/// What the schedules save, in hours and dollars, per service and in total.
#[derive(Debug, Args)]
#[command(
    after_help = "Hours off are computed from the schedules the service would have (time zone, \
    DST, skipped days, a fleet override), in each service's time zone, over --days local days \
    from --from (default: today). Task size and capacity come from the live service and its task \
    definition (DescribeServices, DescribeTaskDefinition), or from the flags and fleet keys \
    (task_cpu, task_memory, task_storage, arch, capacity, on_count): a service given cpu and \
    memory needs no AWS call. Prices: data/fargate-prices.toml (built in, with its sources and \
    date) or --prices FILE in the same format; a Region missing from the table is an error. \
    Services on EC2 save $0 in tasks (said why).\n\n\
    Examples:\n  \
    ecs-onoff savings -c staging -s web --window 'MON-FRI 08:00-19:00' -t Europe/Berlin \\\n      \
    --task-cpu 256 --task-memory 512 --on-count 2 --region eu-west-1\n  \
    ecs-onoff savings -f fleet.toml --days 30 --output markdown\n  \
    ecs-onoff savings -f fleet.toml --against old-fleet.toml --output json"
)]
pub struct SavingsArgs {
    #[command(flatten)]
    pub services: WeekServicesArgs,
    /// How many local days, 1 to 366
    #[arg(long, default_value_t = 30)]
    pub days: u32,
    /// First local day of the period [default: today]
    #[arg(long, value_name = "DATE")]
    pub from: Option<jiff::civil::Date>,
    /// A price table to use instead of the built-in one (format of data/fargate-prices.toml)
    #[arg(long, value_name = "FILE")]
    pub prices: Option<std::path::PathBuf>,
    /// Another fleet file: the difference the change makes, per service
    #[arg(long, value_name = "OLD_FLEET", requires = "file")]
    pub against: Option<std::path::PathBuf>,
    /// Task CPU units (1024 = 1 vCPU)
    #[arg(long, value_name = "UNITS")]
    pub task_cpu: Option<u32>,
    /// Task memory, MiB
    #[arg(long, value_name = "MIB")]
    pub task_memory: Option<u32>,
    /// Task ephemeral storage, GiB [default: the task definition's, else 20]
    #[arg(long, value_name = "GIB")]
    pub task_storage: Option<u32>,
    /// X86_64 or ARM64 [default: the task definition's, else X86_64]
    #[arg(long, value_name = "ARCH")]
    pub arch: Option<crate::savings::Arch>,
    /// FARGATE, FARGATE_SPOT or EC2 [default: the service's]
    #[arg(long, value_name = "CAPACITY")]
    pub capacity: Option<crate::savings::Capacity>,
}

/// Draw a week of the schedules: on and off per hour, transitions, skipped days, overrides.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    ecs-onoff timeline -c staging -s web --window 'MON-FRI 08:00-19:00' -t Europe/Berlin\n  \
    ecs-onoff timeline -f fleet.toml --week 2026-12-21 --svg week.svg")]
pub struct TimelineArgs {
    #[command(flatten)]
    pub services: WeekServicesArgs,
    /// A day of the week to draw [default: this week]
    #[arg(long, value_name = "DATE")]
    pub week: Option<jiff::civil::Date>,
    /// Also write the week as an SVG image
    #[arg(long, value_name = "FILE")]
    pub svg: Option<std::path::PathBuf>,
}

/// Find every reason a service's schedules would fail at fire time or save nothing.
#[derive(Debug, Args)]
#[command(
    after_help = "Reads the service (DescribeServices), its Application Auto Scaling target and \
    scheduled actions, its schedules (with the capacity schedules of its Auto Scaling group), \
    every other Scheduler schedule that calls UpdateService or RegisterScalableTarget for it (any \
    group, any name), the Region's enabled EventBridge rules, its execution role, its \
    dead-letter queues and the Auto Scaling groups under its capacity providers; reports each \
    finding with its severity (error: a schedule fails or leaves the service on or off; \
    warning: it saves nothing or will stop working), the fix and the command that applies it. \
    What could not be read (permissions) is listed as not checked, never as healthy.\n\n\
    Findings: DAEMON strategy, service missing or not ACTIVE, short service ARN; scalable target \
    with MinCapacity above 0 and desiredCount schedules; other writers of the count (scheduled \
    actions, other schedules) and EventBridge rules whose target's input names the service; EC2 \
    launch type or EC2 capacity provider without capacity-aware schedules (saves nothing unless \
    the instances go too); an Auto Scaling group whose MinSize keeps instances at night, or that protects \
    them from scale-in; \
    execution role missing, not trusting Scheduler for the group, or not allowing what the \
    schedules call (UpdateService, RegisterScalableTarget, UpdateAutoScalingGroup, sns:Publish, \
    the dead-letter queue's sqs:SendMessage); a dead-letter queue that does not exist; \
    schedules missing, DISABLED or expired; an on count that differs from the live count; a \
    calendar compiled for less than 30 more days; on or off times in a DST gap or fold within 12 \
    months.\n\n\
    Exit codes: 0 nothing found, 3 findings (or something not checked), 1 error, 2 invalid \
    input.\n\n\
    Examples:\n  \
    ecs-onoff doctor --cluster staging --service web --region eu-central-1\n  \
    ecs-onoff doctor -f fleet.toml --output json"
)]
pub struct DoctorArgs {
    /// ECS cluster name
    #[arg(
        long,
        short = 'c',
        required_unless_present = "file",
        conflicts_with = "file",
        requires = "service"
    )]
    pub cluster: Option<ClusterName>,
    /// ECS service name
    #[arg(
        long,
        short = 's',
        required_unless_present = "file",
        conflicts_with = "file",
        requires = "cluster"
    )]
    pub service: Option<ServiceName>,
    /// Scheduler schedule group holding the service's schedules
    #[arg(long, short = 'g', default_value = crate::naming::DEFAULT_GROUP, conflicts_with = "file")]
    pub group: GroupName,
    /// Every service of a fleet file (its selectors resolved)
    #[arg(long, short = 'f', value_name = "FILE")]
    pub file: Option<std::path::PathBuf>,
}

/// Write a fleet file from the schedules that turn ECS services on and off, whoever made them.
#[derive(Debug, Args)]
#[command(
    after_help = "Reads every schedule whose target is ECS UpdateService (made by ecs-onoff, in \
    the console, by Terraform: any name, camelCase or PascalCase Input) in the groups given \
    (default: the groups 'default' and 'ecs-onoff'), pairs on and off per service, writes \
    windows where the crons form them and skipped days where ecs-onoff's calendar segments show \
    them. The file goes to stdout; a summary to stderr.\n\n\
    For ecs-onoff's own schedules the entry is checked: `plan` reports no change. A schedule \
    with another name is listed under `adopt`: `apply` creates ecs-onoff's schedules, then \
    deletes it (plan shows a delete and a create). Schedules a fleet entry cannot reproduce \
    exactly are listed as comments with the reason; schedules with other targets are left \
    alone.\n\n\
    Examples:\n  \
    ecs-onoff import --region eu-central-1 > fleet.toml\n  \
    ecs-onoff import --group default --group nightly > fleet.toml && ecs-onoff plan -f fleet.toml\n  \
    ecs-onoff import --all-groups --output json | jq '.left_out'"
)]
pub struct ImportArgs {
    /// A schedule group to read (repeatable)
    #[arg(long, value_name = "GROUP", conflicts_with = "all_groups")]
    pub group: Vec<crate::naming::GroupName>,
    /// Read every schedule group of the Region
    #[arg(long)]
    pub all_groups: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Terraform,
    Cloudformation,
}

/// Print a shell completion script.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    ecs-onoff completions bash > ~/.local/share/bash-completion/completions/ecs-onoff\n  \
    ecs-onoff completions zsh > ~/.zfunc/_ecs-onoff\n  \
    ecs-onoff completions fish > ~/.config/fish/completions/ecs-onoff.fish")]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Print the manual page (roff), or write one page per command into a folder.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    ecs-onoff man | man -l -\n  \
    ecs-onoff man --dir /usr/local/share/man/man1")]
pub struct ManArgs {
    /// Write ecs-onoff.1 and one ecs-onoff-<command>.1 per subcommand into this folder
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
}

/// Keep a service on (or off) until a time, whatever its schedules say; list or cancel overrides.
#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = "The override takes effect at once (UpdateService, unless the service already \
    has the count). Until its end none of the service's schedules fires: each one that would \
    fire before then gets StartDate = the end (or is disabled, when its EndDate comes first), \
    with what it had recorded in its Description. At the end a one-time schedule \
    <cluster>.<service>.override, at(END) in UTC, deletes itself after it sets the count the \
    schedules give at that moment. Nothing else runs in the account, and no state is kept \
    locally: `status`, `override list` and `plan` read it back from AWS. `plan`, `apply` and \
    `schedule` keep an override that has not ended; `unschedule` removes it with the schedules.\n\n\
    TIME is RFC 3339, or YYYY-MM-DD HH:MM or HH:MM (the next such time) in the service's \
    schedule time zone. DURATION is 30m, 3h, 2d, 1w or a combination such as 1h30m.\n\n\
    Examples:\n  \
    ecs-onoff override --cluster staging --service web --on --for 3h\n  \
    ecs-onoff override -c staging -s web --on --count 4 --until '2026-12-01 20:00'\n  \
    ecs-onoff override -c staging -s worker --off --for 2d\n  \
    ecs-onoff override list --output json\n  \
    ecs-onoff override cancel -c staging -s web"
)]
pub struct OverrideArgs {
    #[command(subcommand)]
    pub action: Option<OverrideAction>,
    #[command(flatten)]
    pub set: OverrideSetArgs,
}

#[derive(Debug, Subcommand)]
pub enum OverrideAction {
    /// List the overrides in a group, with their ends in local time
    List(OverrideListArgs),
    /// End a service's override now: its schedules as they were, and the count they give now
    Cancel(OverrideCancelArgs),
}

/// A new override (or one that replaces the service's current one). Which flags are required
/// is checked by the command, since `override list` and `override cancel` take none of them.
#[derive(Debug, Args)]
pub struct OverrideSetArgs {
    /// ECS cluster name
    #[arg(long, short = 'c')]
    pub cluster: Option<ClusterName>,
    /// ECS service name
    #[arg(long, short = 's')]
    pub service: Option<ServiceName>,
    /// Scheduler schedule group holding the service's schedules
    #[arg(long, short = 'g', default_value = crate::naming::DEFAULT_GROUP)]
    pub group: GroupName,
    /// Keep the service on
    #[arg(long, conflicts_with = "off")]
    pub on: bool,
    /// Keep the service off
    #[arg(long)]
    pub off: bool,
    /// desiredCount to keep [default: the count of its on (or off) schedule]
    #[arg(long, value_name = "N", value_parser = crate::schedule::parse_count)]
    pub count: Option<u32>,
    /// How long, from now: 30m, 3h, 2d, 1h30m
    #[arg(long = "for", id = "for_", value_name = "DURATION", conflicts_with = "until", value_parser = crate::overrides::parse_duration)]
    pub for_: Option<jiff::SignedDuration>,
    /// Until when: RFC 3339, or YYYY-MM-DD HH:MM or HH:MM in the service's time zone
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// The furthest an override may end
    #[arg(long, value_name = "DURATION", default_value = "14d", value_parser = crate::overrides::parse_duration)]
    pub max: jiff::SignedDuration,
    /// Override a service that has no ecs-onoff schedules (its end schedule needs --role-arn)
    #[arg(long, requires = "role_arn")]
    pub force: bool,
    /// With --force: the execution role the end schedule runs as
    #[arg(long, value_name = "ARN", requires = "force")]
    pub role_arn: Option<RoleArn>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  ecs-onoff override list\n  ecs-onoff override list --cluster staging --output json"
)]
pub struct OverrideListArgs {
    /// Scheduler schedule group to list
    #[arg(long, short = 'g', default_value = crate::naming::DEFAULT_GROUP)]
    pub group: GroupName,
    /// Only this cluster's services
    #[arg(long, short = 'c')]
    pub cluster: Option<ClusterName>,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  ecs-onoff override cancel --cluster staging --service web")]
pub struct OverrideCancelArgs {
    #[command(flatten)]
    pub target: ServiceArgs,
}

/// Print the JSON Schema of the fleet file format.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  ecs-onoff schema > fleet.schema.json")]
pub struct SchemaArgs {}

/// Show what `apply` would change for a fleet file: create, update, delete (with --prune), unchanged.
#[derive(Debug, Args)]
#[command(
    after_help = "Reads what exists (ListSchedules per group, GetSchedule for details, concurrently) and \
    compares it, field by field, with the file. Nothing is written.\n\n\
    Exit codes: 0 success; with --detailed-exitcode, 0 no changes, 3 changes present, 1 error, \
    2 invalid input.\n\n\
    Examples:\n  ecs-onoff plan -f examples/fleet.toml\n  \
    ecs-onoff plan -f fleet.toml --prune --detailed-exitcode --output json"
)]
pub struct PlanArgs {
    /// The fleet file (TOML; see `ecs-onoff schema` and examples/fleet.toml)
    #[arg(long, short = 'f', value_name = "FILE")]
    pub file: std::path::PathBuf,
    /// Also delete ecs-onoff schedules in the file's groups whose services are not in the file
    #[arg(long)]
    pub prune: bool,
    /// Exit 3 when there are changes, 0 when there are none
    #[arg(long)]
    pub detailed_exitcode: bool,
}

/// Make the schedules match a fleet file: plan, confirm, then create, update and delete.
#[derive(Debug, Args)]
#[command(
    after_help = "The whole file is validated and every service confirmed with DescribeServices \
    before the first write. On a terminal apply asks for confirmation unless --yes; without one \
    it writes nothing unless --yes is given. When some writes fail, the rest still complete, each \
    failure is listed, the exit code is 1, and running apply again converges.\n\n\
    Examples:\n  ecs-onoff apply -f examples/fleet.toml\n  \
    ecs-onoff apply -f fleet.toml --prune --yes --output json"
)]
pub struct ApplyArgs {
    /// The fleet file (TOML; see `ecs-onoff schema` and examples/fleet.toml)
    #[arg(long, short = 'f', value_name = "FILE")]
    pub file: std::path::PathBuf,
    /// Also delete ecs-onoff schedules in the file's groups whose services are not in the file
    #[arg(long)]
    pub prune: bool,
    /// Apply without asking
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Requests in flight at once
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub concurrency: u32,
}

/// Build the least-privilege IAM documents ecs-onoff needs, or create the execution role.
#[derive(Debug, Args)]
#[command(
    after_help = "The documents are printed as JSON (2-space indentation, fixed key order), ready \
    to review and commit. The partition in every ARN follows the Region: cn-* is aws-cn, \
    us-gov-* is aws-us-gov, any other is aws.\n\n\
    Examples:\n  \
    ecs-onoff iam trust-policy --account-id 123456789012 --region eu-central-1\n  \
    ecs-onoff iam execution-policy --account-id 123456789012 --region eu-central-1 \\\n      --cluster staging --service web --service worker\n  \
    ecs-onoff iam create-role --role-name ecs-onoff-scheduler --cluster staging --service web"
)]
pub struct IamArgs {
    #[command(subcommand)]
    pub command: IamCommand,
}

#[derive(Debug, Subcommand)]
pub enum IamCommand {
    TrustPolicy(TrustPolicyArgs),
    ExecutionPolicy(ExecutionPolicyArgs),
    OperatorPolicy(OperatorPolicyArgs),
    CreateRole(CreateRoleArgs),
}

/// The account the documents are for.
#[derive(Debug, Args, Clone)]
pub struct AccountArgs {
    /// 12-digit AWS account id [default: the caller's, from STS GetCallerIdentity]
    #[arg(long, value_name = "ID")]
    pub account_id: Option<AccountId>,
}

/// Print the execution role's trust policy: Scheduler may assume it for one schedule group only.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  ecs-onoff iam trust-policy --account-id 123456789012 --region eu-central-1\n  \
    ecs-onoff iam trust-policy --account-id 123456789012 --region cn-north-1 \\\n      --group team-a > trust.json"
)]
pub struct TrustPolicyArgs {
    #[command(flatten)]
    pub account: AccountArgs,
    /// Scheduler schedule group the role serves
    #[arg(long, short = 'g', default_value = crate::naming::DEFAULT_GROUP)]
    pub group: GroupName,
}

/// The services an execution role may update.
#[derive(Debug, Args, Clone)]
pub struct ServicesArgs {
    /// ECS cluster name
    #[arg(
        long,
        short = 'c',
        required_unless_present = "from_file",
        conflicts_with = "from_file"
    )]
    pub cluster: Option<ClusterName>,
    /// ECS service name (repeat for more services)
    #[arg(
        long,
        short = 's',
        required_unless_present = "from_file",
        conflicts_with = "from_file"
    )]
    pub service: Vec<ServiceName>,
    /// Standard SQS queue the schedules send failed invocations to
    #[arg(long, value_name = "ARN")]
    pub dead_letter_arn: Option<QueueArn>,
    /// SNS topic the heads-up schedules publish to (sns:Publish on exactly it)
    #[arg(long, value_name = "ARN")]
    pub notify_topic: Option<crate::arn::TopicArn>,
    /// Leave out what autoscaling-aware schedules call (Application Auto Scaling
    /// RegisterScalableTarget): for services scheduled with --no-autoscaling
    #[arg(long)]
    pub no_autoscaling: bool,
    /// Auto Scaling group that capacity-aware schedules resize (autoscaling:UpdateAutoScalingGroup
    /// on exactly it; repeat for more groups)
    #[arg(long = "asg", value_name = "NAME", conflicts_with = "from_file")]
    pub asgs: Vec<crate::capacity::AsgName>,
}

/// Print the execution role's permissions: ecs:UpdateService on exactly the given services.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  ecs-onoff iam execution-policy --account-id 123456789012 --region eu-central-1 \\\n      \
    --cluster staging --service web --service worker\n  \
    ecs-onoff iam execution-policy --account-id 123456789012 --region us-east-1 -c prod -s api \\\n      \
    --dead-letter-arn arn:aws:sqs:us-east-1:123456789012:ecs-onoff-dlq"
)]
pub struct ExecutionPolicyArgs {
    #[command(flatten)]
    pub account: AccountArgs,
    #[command(flatten)]
    pub services: ServicesArgs,
    /// Cover every service in a fleet file: one policy per execution role (its role_arn), for
    /// all the Regions it serves
    #[arg(long, short = 'f', value_name = "FILE")]
    pub from_file: Option<std::path::PathBuf>,
}

/// Print what an operator or CI runner needs to run schedule, unschedule, list and status.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  ecs-onoff iam operator-policy --account-id 123456789012 --region eu-central-1 \\\n      \
    --role-name ecs-onoff-scheduler"
)]
pub struct OperatorPolicyArgs {
    #[command(flatten)]
    pub account: AccountArgs,
    /// Name of the execution role the operator passes to Scheduler
    #[arg(
        long,
        required_unless_present = "role_arn",
        conflicts_with = "role_arn"
    )]
    pub role_name: Option<RoleName>,
    /// ARN of the execution role, for a role with a path (role/service-role/NAME)
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<RoleArn>,
    /// Scheduler schedule group the operator manages
    #[arg(long, short = 'g', default_value = crate::naming::DEFAULT_GROUP)]
    pub group: GroupName,
}

/// Create the execution role (trust policy and inline policy ecs-onoff-execution), or add to
/// an existing one what it must allow; prints the role ARN.
#[derive(Debug, Args)]
#[command(
    after_help = "One role serves every Region and schedule group: each run adds its group (in its \
    Region) to the trust policy and its services to the inline policy, and removes nothing unless \
    --exact is given. What was added is printed.\n\n\
    Examples:\n  ecs-onoff iam create-role --role-name ecs-onoff-scheduler --cluster staging \\\n      \
    --service web --service worker --region eu-central-1\n  \
    ecs-onoff iam create-role --role-name ecs-onoff-scheduler --from-file fleet.toml"
)]
pub struct CreateRoleArgs {
    #[command(flatten)]
    pub account: AccountArgs,
    /// Name of the execution role
    #[arg(long)]
    pub role_name: RoleName,
    #[command(flatten)]
    pub services: ServicesArgs,
    /// Scheduler schedule group the role serves
    #[arg(long, short = 'g', default_value = crate::naming::DEFAULT_GROUP, conflicts_with = "from_file")]
    pub group: GroupName,
    /// Every group, service and queue of the fleet file's entries whose role_arn names this role,
    /// in every Region
    #[arg(long, short = 'f', value_name = "FILE")]
    pub from_file: Option<std::path::PathBuf>,
    /// Make the documents allow exactly what is asked, removing groups and services the role
    /// allowed before
    #[arg(long)]
    pub exact: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StateArg {
    Enabled,
    Disabled,
}

impl From<StateArg> for State {
    fn from(s: StateArg) -> State {
        match s {
            StateArg::Enabled => State::Enabled,
            StateArg::Disabled => State::Disabled,
        }
    }
}

/// The service a command is about.
#[derive(Debug, Args, Clone)]
pub struct ServiceArgs {
    /// ECS cluster name
    #[arg(long, short = 'c')]
    pub cluster: ClusterName,
    /// ECS service name
    #[arg(long, short = 's')]
    pub service: ServiceName,
    /// Scheduler schedule group holding the service's schedules
    #[arg(long, short = 'g', default_value = crate::naming::DEFAULT_GROUP)]
    pub group: GroupName,
}

/// Capacity-aware switching (EC2): the Auto Scaling group that carries the service too.
#[derive(Debug, Clone, Args)]
pub struct CapacityArgs {
    /// Also switch the Auto Scaling group whose instances carry the service (EC2 launch type or
    /// EC2 capacity provider): off after the last service on it is off, on before the first is
    /// on. Found through the capacity provider strategy; the plain EC2 launch type needs --asg
    #[arg(long)]
    pub capacity: bool,
    /// The Auto Scaling group of a service on the EC2 launch type without capacity providers
    /// (ecs-onoff does not guess it)
    #[arg(long, value_name = "NAME", requires = "capacity")]
    pub asg: Option<crate::capacity::AsgName>,
    /// How long before the first service is on the group is scaled out (instances must boot
    /// and register)
    #[arg(long, value_name = "DURATION", default_value = "10m", requires = "capacity", value_parser = crate::capacity::parse_margin)]
    pub lead: jiff::SignedDuration,
    /// How long after the last service is off the group is scaled in (tasks drain)
    #[arg(long, value_name = "DURATION", default_value = "10m", requires = "capacity", value_parser = crate::capacity::parse_margin)]
    pub drain: jiff::SignedDuration,
    /// Schedule the group although services ecs-onoff does not switch run on it (they lose
    /// their instances while it is off)
    #[arg(long, requires = "capacity")]
    pub force: bool,
}

impl CapacityArgs {
    /// The mode asked for, if any.
    pub fn mode(&self) -> Option<crate::capacity::CapacityMode> {
        self.capacity.then(|| crate::capacity::CapacityMode {
            asg: self.asg.clone(),
            lead: self.lead,
            drain: self.drain,
            force: self.force,
        })
    }
}

/// Turn an ECS service on and off on a schedule (creates or updates its schedules).
#[derive(Debug, Args)]
#[command(
    after_help = "Creates EventBridge Scheduler schedules, <cluster>.<service>.on and \
    <cluster>.<service>.off (and on2, off2, on-YYYYMMDD... for several times and skipped days), \
    whose targets call ECS UpdateService with a desiredCount. Running the \
    same command again changes nothing; changing a flag updates only the schedule it affects. \
    Every input is validated, and the service confirmed with DescribeServices, before anything is \
    written.\n\n\
    EXPR is anything `ecs-onoff next` accepts: cron(...), rate(...), at(...), a bare 6-field AWS \
    cron, or a 5-field Unix cron. --window takes \"DAYS HH:MM-HH:MM\" instead of --on and --off, \
    and may be repeated; --on or --off alone is valid (off alone: a nightly safety net).\n\n\
    A service with an Application Auto Scaling target whose MinCapacity is above 0 gets \
    autoscaling-aware schedules instead (unless --no-autoscaling): they call \
    RegisterScalableTarget, setting MinCapacity and MaxCapacity to the off count at the off \
    times (the service goes to it at once, and no scaling policy can raise it) and back to the \
    bounds recorded at apply at the on times (the service comes back at its MinCapacity).\n\n\
    Skipped days (--skip, --skip-ics) are local dates in the time zone on which the service is \
    not turned on (it is still turned off). They are compiled into more schedules: each on \
    schedule is split into segments between skipped days, with StartDate and EndDate, \
    compiled 400 days ahead (apply again within that time; `status` warns 30 days before).\n\n\
    Examples:\n  \
    ecs-onoff schedule --cluster staging --service web --window 'MON-FRI 08:00-19:00' \\\n      \
    --timezone Europe/Berlin --role-arn arn:aws:iam::123456789012:role/ecs-onoff-scheduler\n  \
    ecs-onoff schedule -c staging -s worker --on 'cron(0 7 ? * MON-FRI *)' --off '0 20 * * 1-5' \\\n      \
    --on-count 3 --timezone America/New_York \\\n      \
    --role-arn arn:aws:iam::123456789012:role/ecs-onoff-scheduler\n  \
    ecs-onoff schedule -c staging -s web --window 'MON-FRI 08:00-19:00' \\\n      \
    --window 'SAT 10:00-14:00' --skip 2026-12-24..2027-01-01 --skip '*-05-01' \\\n      \
    --timezone Europe/Berlin --region eu-central-1 --dry-run\n  \
    ecs-onoff schedule -c staging -s batch --off 'cron(0 22 * * ? *)' --timezone Europe/Berlin \\\n      \
    --role-arn arn:aws:iam::123456789012:role/ecs-onoff-scheduler\n  \
    ecs-onoff schedule -c staging -s web --window 'MON-FRI 08:00-19:00' --timezone Europe/Berlin \\\n      \
    --notify-topic arn:aws:sns:eu-central-1:123456789012:staging --notify-before 15m \\\n      \
    --role-arn arn:aws:iam::123456789012:role/ecs-onoff-scheduler\n  \
    ecs-onoff schedule -c ec2-staging -s web --window 'MON-FRI 08:00-19:00' --timezone Europe/Berlin \\\n      \
    --capacity --asg staging-nodes --lead 15m --drain 10m \\\n      \
    --role-arn arn:aws:iam::123456789012:role/ecs-onoff-scheduler"
)]
pub struct ScheduleArgs {
    #[command(flatten)]
    pub target: ServiceArgs,
    #[command(flatten)]
    pub times: TimesArgs,
    /// desiredCount at the on time [default: the service's current desiredCount if above 0, else
    /// the existing on schedule's, else 1]
    #[arg(long, value_name = "N", value_parser = crate::schedule::parse_count)]
    pub on_count: Option<u32>,
    /// desiredCount at the off time
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = crate::schedule::parse_count)]
    pub off_count: u32,
    /// IANA time zone the times are read in [default: the zone of the service's existing
    /// schedules, else UTC]
    #[arg(long, short = 't', value_name = "TZ")]
    pub timezone: Option<Zone>,
    /// IAM role Scheduler assumes to call UpdateService (see `ecs-onoff iam`); required unless --dry-run
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<RoleArn>,
    /// Create the schedules enabled or disabled
    #[arg(long, value_enum, default_value_t = StateArg::Enabled)]
    pub state: StateArg,
    /// First instant the schedules may fire (RFC 3339)
    #[arg(long, value_name = "RFC3339", value_parser = parse_instant)]
    pub start_date: Option<Timestamp>,
    /// Last instant the schedules may fire (RFC 3339)
    #[arg(long, value_name = "RFC3339", value_parser = parse_instant)]
    pub end_date: Option<Timestamp>,
    /// Standard SQS queue for invocations that fail after all retries
    #[arg(long, value_name = "ARN")]
    pub dead_letter_arn: Option<QueueArn>,
    /// SNS topic (standard, in the service's Region) that gets a heads-up before each off, with
    /// the command that keeps the service on
    #[arg(long, value_name = "ARN")]
    pub notify_topic: Option<crate::arn::TopicArn>,
    /// How long before each off the heads-up is published
    #[arg(long, value_name = "DURATION", default_value = "15m", requires = "notify_topic", value_parser = crate::notify::parse_before)]
    pub notify_before: jiff::SignedDuration,
    /// With an Application Auto Scaling target whose MinCapacity is above 0, switch the
    /// service by desiredCount anyway (by default its schedules set the target's bounds)
    #[arg(long)]
    pub no_autoscaling: bool,
    #[command(flatten)]
    pub capacity: CapacityArgs,
    /// Print the CreateSchedule requests as JSON; make no AWS call and need no credentials
    #[arg(long)]
    pub dry_run: bool,
    /// Skip the DescribeServices check that the cluster and service exist
    #[arg(long)]
    pub no_verify: bool,
}

/// Delete a service's on and off schedules.
#[derive(Debug, Args)]
#[command(
    after_help = "Schedules that do not exist are reported as absent; that is not an error.\n\n\
    Examples:\n  ecs-onoff unschedule --cluster staging --service web\n  \
    ecs-onoff unschedule -c staging -s web --group team-a --output json"
)]
pub struct UnscheduleArgs {
    #[command(flatten)]
    pub target: ServiceArgs,
}

/// List the schedules ecs-onoff manages in a group.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  ecs-onoff list\n  ecs-onoff list --cluster staging --output json"
)]
pub struct ListArgs {
    /// Scheduler schedule group to list
    #[arg(long, short = 'g', default_value = crate::naming::DEFAULT_GROUP)]
    pub group: GroupName,
    /// Only this cluster's services
    #[arg(long, short = 'c')]
    pub cluster: Option<ClusterName>,
}

/// Show a service's schedules, its live task counts and its next transition.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  ecs-onoff status --cluster staging --service web\n  \
    ecs-onoff status -c staging -s web --output json"
)]
pub struct StatusArgs {
    #[command(flatten)]
    pub target: ServiceArgs,
}

/// When a service is turned on and off, and the days it is not turned on: shared by `schedule`
/// and `next`.
#[derive(Debug, Clone, Args)]
pub struct TimesArgs {
    /// On and off in one: "DAYS HH:MM-HH:MM", e.g. "MON-FRI 09:00-18:00" (24:00 ends a day);
    /// repeat for several windows
    #[arg(long, short = 'w', value_name = "WINDOW", conflicts_with_all = ["on", "off"])]
    pub window: Vec<Window>,
    /// When to turn the service on (alone: it is never turned off by schedule)
    #[arg(long, value_name = "EXPR", value_parser = parse_expression)]
    pub on: Option<ScheduleExpression>,
    /// When to turn the service off (alone: a nightly safety net, never turned on by schedule)
    #[arg(long, value_name = "EXPR", value_parser = parse_expression)]
    pub off: Option<ScheduleExpression>,
    /// A local date not to turn the service on: YYYY-MM-DD, a range YYYY-MM-DD..YYYY-MM-DD (both
    /// included), or every year *-MM-DD; repeatable
    #[arg(long, value_name = "DAYS", value_parser = parse_skip_flag)]
    pub skip: Vec<SkipRule>,
    /// An iCalendar file whose all-day events (and yearly ones) are skipped days; repeatable
    #[arg(long, value_name = "FILE")]
    pub skip_ics: Vec<std::path::PathBuf>,
}

impl TimesArgs {
    /// Whether any on or off time is given.
    pub fn any_times(&self) -> bool {
        !self.window.is_empty() || self.on.is_some() || self.off.is_some()
    }
}

fn parse_skip_flag(text: &str) -> Result<SkipRule, String> {
    crate::calendar::parse_skip(text, "--skip").map_err(|e| e.to_string())
}

/// Show when a schedule expression fires, in local time and UTC.
#[derive(Debug, Args)]
#[command(after_help = "EXPR may be any of:\n  \
    cron(0 9 ? * MON-FRI *)     an AWS cron, rate or at expression\n  \
    0 9 ? * MON-FRI *           a bare 6-field AWS cron\n  \
    0 9 * * 1-5                 a 5-field Unix cron (converted to AWS cron)\n  \
    \"MON-FRI 09:00-18:00\"       a window: prints its on and its off times, labelled\n\n\
    Instead of EXPR, the schedule options of `ecs-onoff schedule` show a service's transitions: \
    --window (repeatable), --on and/or --off, with --skip and --skip-ics marking the on times of \
    skipped days as skipped.\n\n\
    A window prints COUNT on times and COUNT off times, in time order. rate() counts from --after.\n\
    Daylight saving follows EventBridge Scheduler: a local time in a spring-forward gap is \
    skipped that day, and one repeated by a fall-back fold fires once, at its first occurrence. \
    Both are reported on stderr.\n\n\
    Examples:\n  \
    ecs-onoff next 'MON-FRI 09:00-18:00' --timezone Europe/Berlin\n  \
    ecs-onoff next 'cron(30 2 * * ? *)' --timezone America/New_York \\\n      --after 2026-03-07T00:00:00Z --count 3\n  \
    ecs-onoff next '0 9 * * 1-5' --timezone Asia/Seoul --output json\n  \
    ecs-onoff next --window 'MON-FRI 08:00-19:00' --window 'SAT 10:00-14:00' \\\n      \
    --skip 2026-12-25 --timezone Asia/Seoul")]
pub struct NextArgs {
    /// The schedule: AWS expression, 6-field AWS cron, 5-field Unix cron, or window
    #[arg(value_name = "EXPR", required_unless_present_any = ["window", "on", "off"], conflicts_with_all = ["window", "on", "off"])]
    pub expr: Option<Written>,
    #[command(flatten)]
    pub times: TimesArgs,
    /// IANA time zone the expression is read in
    #[arg(long, short = 't', default_value = "UTC", value_name = "TZ")]
    pub timezone: Zone,
    /// How many fire times to print
    #[arg(long, short = 'n', default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub count: u32,
    /// List fire times strictly after this instant (RFC 3339, e.g. 2026-03-07T00:00:00Z; default: now)
    #[arg(long, value_name = "RFC3339", value_parser = parse_instant)]
    pub after: Option<Timestamp>,
    /// The schedule's StartDate: no fire before it, and a rate() counts from it (RFC 3339)
    #[arg(long, value_name = "RFC3339", value_parser = parse_instant)]
    pub start_date: Option<Timestamp>,
    /// The schedule's EndDate: no fire after it (RFC 3339)
    #[arg(long, value_name = "RFC3339", value_parser = parse_instant)]
    pub end_date: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_subcommand_help_has_an_example() {
        let mut cli = Cli::command();
        for sub in cli.get_subcommands_mut() {
            let help = sub.render_long_help().to_string();
            assert!(
                help.contains("Examples:"),
                "{} --help lacks examples",
                sub.get_name()
            );
            assert!(
                help.contains("ecs-onoff "),
                "{} --help lacks examples",
                sub.get_name()
            );
        }
    }

    /// Example lines copy and paste as they are: each is a command, or the continuation of
    /// one that ends in a backslash; none is wrapped by the help renderer.
    #[test]
    fn help_examples_are_not_wrapped() {
        fn check(cmd: &mut clap::Command, name: &str) {
            let help = cmd.render_long_help().to_string();
            let mut previous = String::new();
            for line in help
                .lines()
                .skip_while(|l| !l.starts_with("Examples:"))
                .skip(1)
            {
                if line.is_empty() || line.starts_with("Exit codes") {
                    break;
                }
                let continued = previous.ends_with('\\') && line.starts_with("      ");
                assert!(
                    line.starts_with("  ecs-onoff ") || continued,
                    "{name}: example line {line:?} is wrapped"
                );
                previous = line.to_string();
            }
            for sub in cmd.get_subcommands_mut() {
                let sub_name = format!("{name} {}", sub.get_name());
                check(sub, &sub_name);
            }
        }
        check(&mut Cli::command(), "ecs-onoff");
    }

    #[test]
    fn global_flags_parse_anywhere() {
        let cli = Cli::try_parse_from([
            "ecs-onoff",
            "next",
            "rate(1 hour)",
            "--output",
            "json",
            "--region",
            "eu-west-1",
            "--color",
            "never",
            "-q",
        ])
        .unwrap();
        assert_eq!(cli.global.output, OutputFormat::Json);
        assert_eq!(cli.global.region.as_deref(), Some("eu-west-1"));
        assert_eq!(cli.global.color, ColorChoice::Never);
        assert!(cli.global.quiet);
        assert!(Cli::try_parse_from(["ecs-onoff", "-q", "-v", "next", "rate(1 hour)"]).is_err());
        assert!(
            Cli::try_parse_from(["ecs-onoff", "next", "rate(1 hour)", "--count", "0"]).is_err()
        );
    }
}
