//! Command-line arguments (clap derive). Global flags follow the AWS CLI's names. Values are
//! only parsed here; they are validated into domain types by each command before any I/O.

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "ecs-onoff",
    version,
    about = "Turn ECS services on and off on a schedule with EventBridge Scheduler",
    long_about = "Turn ECS services on and off on a schedule with EventBridge Scheduler.\n\n\
        ecs-onoff checks schedule expressions and time zones offline, exactly as AWS reads them, \
        and shows when they fire across daylight-saving changes.",
    after_help = "Examples:\n  ecs-onoff next 'MON-FRI 09:00-18:00' --timezone Europe/Berlin\n  \
        ecs-onoff next 'cron(0 8 ? * MON-FRI *)' --count 5 --output json\n\n\
        Exit codes: 0 success, 1 runtime or AWS failure, 2 invalid input or usage."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every subcommand takes, named as in the AWS CLI.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// AWS Region (default: from the environment or profile)
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Named profile from the AWS config and credentials files
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// Send AWS requests to this endpoint instead of AWS's own (e.g. a local emulator)
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Output format: text for people, json for machines
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
    /// When to use colour (NO_COLOR is honoured with auto)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print only the data, no notes or warnings
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail about what is done
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Next(NextArgs),
}

/// Show when a schedule expression fires, in local time and UTC.
#[derive(Debug, Args)]
#[command(after_help = "EXPR may be any of:\n  \
    cron(0 9 ? * MON-FRI *)     an AWS cron, rate or at expression\n  \
    0 9 ? * MON-FRI *           a bare 6-field AWS cron\n  \
    0 9 * * 1-5                 a 5-field Unix cron (converted to AWS cron)\n  \
    \"MON-FRI 09:00-18:00\"       a window: prints its on and its off times, labelled\n\n\
    A window prints COUNT on times and COUNT off times, in time order. rate() counts from --after.\n\
    Daylight saving follows EventBridge Scheduler: a local time in a spring-forward gap is \
    skipped that day, and one repeated by a fall-back fold fires once, at its first occurrence. \
    Both are reported on stderr.\n\n\
    Examples:\n  \
    ecs-onoff next 'MON-FRI 09:00-18:00' --timezone Europe/Berlin\n  \
    ecs-onoff next 'cron(30 2 * * ? *)' --timezone America/New_York --after 2026-03-07T00:00:00Z --count 3\n  \
    ecs-onoff next '0 9 * * 1-5' --timezone Asia/Seoul --output json")]
pub struct NextArgs {
    /// The schedule: AWS expression, 6-field AWS cron, 5-field Unix cron, or window
    #[arg(value_name = "EXPR")]
    pub expr: String,
    /// IANA time zone the expression is read in
    #[arg(long, short = 't', default_value = "UTC", value_name = "TZ")]
    pub timezone: String,
    /// How many fire times to print
    #[arg(long, short = 'n', default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub count: u32,
    /// List fire times strictly after this instant (RFC 3339, e.g. 2026-03-07T00:00:00Z; default: now)
    #[arg(long, value_name = "RFC3339")]
    pub after: Option<String>,
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
