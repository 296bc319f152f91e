//! `completions` and `man`: produced for every shell, and naming every subcommand.

mod common;

use common::offline;

const SUBCOMMANDS: [&str; 13] = [
    "schedule",
    "unschedule",
    "list",
    "status",
    "next",
    "plan",
    "apply",
    "override",
    "iam",
    "schema",
    "completions",
    "man",
    "cancel",
];

#[test]
fn completions_for_every_shell_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let r = offline(&format!("completions {shell}")).ok();
        assert!(r.stdout.len() > 1000, "{shell}: {}", r.stdout.len());
        for sub in SUBCOMMANDS {
            assert!(r.stdout.contains(sub), "{shell} completion lacks {sub}");
        }
        assert!(r.stdout.contains("notify-topic"), "{shell}: flags too");
    }
    offline("completions tcsh").fails_with(2, "invalid value");
}

#[test]
fn manual_pages() {
    let r = offline("man").ok();
    assert!(r.stdout.starts_with(".ie"), "roff: {}", &r.stdout[..40]);
    assert!(r.stdout.contains(".TH ECS-ONOFF 1"));
    for sub in SUBCOMMANDS.iter().filter(|s| **s != "cancel") {
        assert!(r.stdout.contains(sub), "the main page lacks {sub}");
    }
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("man1");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    offline(&format!("man --dir {}", dir.display())).ok();
    for page in [
        "ecs-onoff.1",
        "ecs-onoff-schedule.1",
        "ecs-onoff-override.1",
        "ecs-onoff-override-cancel.1",
        "ecs-onoff-iam-create-role.1",
    ] {
        let text =
            std::fs::read_to_string(dir.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.contains(".SH SYNOPSIS"), "{page}");
    }
    let cancel = std::fs::read_to_string(dir.join("ecs-onoff-override-cancel.1")).unwrap();
    assert!(
        cancel.contains("ecs\\-onoff\\-override\\-cancel"),
        "{cancel}"
    );
    offline("man --dir /nonexistent/folder").fails_with(2, "is not a folder");
}
