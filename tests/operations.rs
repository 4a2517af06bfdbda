//! Every operation reaches every place it must: a command-line entry, a
//! form in the TUI (or a declared one-key or command-line-only entry), a
//! key bound to it in the default keymap, and a permission rule that lets
//! 管理员 act and keeps 只读 out.

use std::collections::HashMap;

use clap::CommandFactory;
use duty_desk::cli::Cli;
use duty_desk::desk::api::Lists;
use duty_desk::desk::ops::{Entry, Op};
use duty_desk::domain::lists::Role;
use duty_desk::domain::officer::Officer;
use duty_desk::tui::flows::flow_ops;
use duty_desk::tui::form::{Ctx, FieldKind, Form, FormKind};
use duty_desk::tui::keymap::{Keymap, Layer};

fn officer(role: Role) -> Officer {
    Officer::new("t1", "测试员", "综治中心", role).unwrap()
}

/// The operations some bound key of the default keymap asks for.
fn bound_ops() -> Vec<Op> {
    let map = Keymap::default_map();
    Layer::ALL
        .iter()
        .flat_map(|&layer| map.bindings(layer).iter())
        .filter(|b| !b.keys.is_empty())
        .filter_map(|b| flow_ops(b.action))
        .flat_map(|(on_case, on_person)| [on_case, on_person])
        .flatten()
        .collect()
}

#[test]
fn every_operation_has_a_cli_entry_a_form_or_a_declared_entry_a_key_and_a_rule() {
    let cli = Cli::command();
    let lists = Lists::default();
    let officers = HashMap::new();
    let ctx = Ctx {
        today: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        lists: &lists,
        officers: &officers,
        persons: &[],
        periods: &[],
    };
    let keyed = bound_ops();
    for &op in Op::ALL {
        let spec = op.spec();
        // The command line: `desk assign`, `desk person visit` …
        let mut cmd = &cli;
        for word in spec.cli.split(' ') {
            cmd = cmd
                .find_subcommand(word)
                .unwrap_or_else(|| panic!("{op:?}: no `desk {}`", spec.cli));
        }
        // The TUI: a form with fields, or a declared entry without one.
        match (spec.entry, FormKind::of(op)) {
            (Entry::Form(title), Some(kind)) => {
                assert_eq!((kind.title(), kind.op()), (title, Some(op)));
                let form = Form::new(kind, Vec::new(), None, None, &ctx);
                let fields = form.fields.iter().filter(|f| f.kind != FieldKind::Submit);
                assert!(fields.count() > 0, "{op:?}: an empty form");
            }
            (Entry::OneKey | Entry::CliOnly, None) => {}
            (entry, kind) => panic!("{op:?}: entry {entry:?} but form {kind:?}"),
        }
        // A key asks for it, unless it is for the command line only.
        let has_key = keyed.contains(&op);
        assert_eq!(has_key, spec.entry != Entry::CliOnly, "{op:?}: key bound?");
        assert!(spec.who.may_ever(&officer(Role::Admin)), "{op:?}");
        assert!(!spec.who.may_ever(&officer(Role::ReadOnly)), "{op:?}");
    }
}
