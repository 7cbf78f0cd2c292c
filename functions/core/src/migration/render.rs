//! The plan for people: plain text for a terminal, Markdown to paste into a ticket. (JSON is
//! the plan itself, serialized.)

use std::fmt::Write;

use super::plan::{AppPlan, InstancePlan, MigrationPlan};

/// How many users and groups, as far as read.
fn assigned(app: &AppPlan) -> String {
    let count = |n: Option<usize>, what: &str| match n {
        Some(1) => format!("1 {what}"),
        Some(n) => format!("{n} {what}s"),
        None => format!("{what}s unknown"),
    };
    format!(
        "{}, {}",
        count(app.users, "user"),
        count(app.groups, "group")
    )
}

fn store(instance: &InstancePlan) -> String {
    match instance.store {
        Some(s) => format!("identity store: {} users, {} groups", s.users, s.groups),
        None => "identity store: size unknown".to_owned(),
    }
}

fn kind(app: &AppPlan) -> String {
    if app.known {
        app.kind_name.clone()
    } else {
        "unknown to the catalog: generic plan".to_owned()
    }
}

/// Plain text, for a terminal.
pub fn table(plan: &MigrationPlan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Account {}: {} account instance(s) with applications bound",
        plan.account_id,
        plan.instances.len()
    );
    for instance in &plan.instances {
        let _ = writeln!(
            out,
            "\nAccount instance {} ({}), {}",
            instance.instance_arn,
            instance.region,
            store(instance)
        );
        for note in &instance.notes {
            let _ = writeln!(out, "  ! {note}");
        }
        for unread in &instance.unread {
            let _ = writeln!(out, "  ! Not read, the plan is incomplete here: {unread}");
        }
        for group in &instance.together {
            let _ = writeln!(out, "  Move together: {}", group.join(", "));
        }
        for (n, app) in instance.apps.iter().enumerate() {
            let _ = writeln!(
                out,
                "\n  {}. {} [{}] provider {}, {}, {}",
                n + 1,
                app.name,
                kind(app),
                app.provider,
                app.status,
                assigned(app)
            );
            if !app.principals.is_empty() {
                let _ = writeln!(out, "     assigned: {}", app.principals.join(", "));
            }
            for (s, step) in app.steps.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "     {}) {}\n        {}",
                    s + 1,
                    step.action,
                    step.source
                );
            }
            let _ = writeln!(out, "     Lost: {}", app.lost.join("; "));
            let _ = writeln!(out, "     Down: {}", app.down);
        }
        let _ = writeln!(
            out,
            "\n  Finally: {}\n    {}",
            instance.finally.action, instance.finally.source
        );
    }
    out
}

/// Markdown, to paste into a ticket.
pub fn markdown(plan: &MigrationPlan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Leaving the account instances of account {}\n",
        plan.account_id
    );
    for instance in &plan.instances {
        let _ = writeln!(
            out,
            "## `{}` ({})\n\n{}.\n",
            instance.instance_arn,
            instance.region,
            store(instance)
        );
        for note in &instance.notes {
            let _ = writeln!(out, "> {note}\n");
        }
        for unread in &instance.unread {
            let _ = writeln!(
                out,
                "> **Not read, the plan is incomplete here:** {unread}\n"
            );
        }
        for group in &instance.together {
            let _ = writeln!(out, "**Move together:** {}\n", group.join(", "));
        }
        let _ = writeln!(out, "| Application | Kind | Provider | Status | Assigned |");
        let _ = writeln!(out, "|---|---|---|---|---|");
        for app in &instance.apps {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                app.name,
                kind(app),
                app.provider,
                app.status,
                assigned(app)
            );
        }
        for app in &instance.apps {
            let _ = writeln!(out, "\n### {} ({})\n", app.name, kind(app));
            if !app.principals.is_empty() {
                let _ = writeln!(out, "Assigned: {}\n", app.principals.join(", "));
            }
            for (s, step) in app.steps.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{}. {} ([source]({}))",
                    s + 1,
                    step.action,
                    step.source
                );
            }
            let _ = writeln!(out, "\n- **Lost:** {}", app.lost.join("; "));
            let _ = writeln!(out, "- **Down:** {}", app.down);
        }
        let _ = writeln!(
            out,
            "\n**Finally:** {} ([source]({}))\n",
            instance.finally.action, instance.finally.source
        );
    }
    out
}
