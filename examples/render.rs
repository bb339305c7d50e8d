//! Renders a memor file for a target.
//!
//! ```text
//! cargo run -q --example render -- FILE TARGET
//! cargo run -q --example render -- examples/data/session.json anthropic
//! ```
//!
//! FILE is a memor session, prompt or response file. The payload goes to stdout (JSON, or the
//! raw string for chat templates), the report and warnings to stderr. A bad file or an unknown
//! target exits with status 1 and a message; wrong usage with status 2.

use std::process::ExitCode;

use memor::Object;
use memor_render::{RenderOptions, targets};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [file, name] = args.as_slice() else {
        eprintln!("usage: render FILE TARGET");
        eprintln!("targets: {}", names());
        return ExitCode::from(2);
    };
    let Some(target) = memor_render::target(name) else {
        eprintln!("error: unknown target {name:?} (known: {})", names());
        return ExitCode::FAILURE;
    };
    let object = match Object::load(file) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let options = RenderOptions::default();
    let rendered = match object {
        Object::Session(s) => target.render(&s, &options),
        Object::Prompt(p) => target.render_message(&p.into(), &options),
        Object::Response(r) => target.render_message(&r.into(), &options),
        Object::Template(_) => {
            eprintln!("error: {file} is a template; render a session, prompt or response");
            return ExitCode::FAILURE;
        }
    };
    match rendered {
        Ok(r) => {
            println!("{}", r.payload.to_json_string());
            for change in r.report.iter() {
                eprintln!("report: {change}");
            }
            for warning in &r.warnings {
                eprintln!("warning: {warning}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn names() -> String {
    targets()
        .iter()
        .map(|t| t.name().to_owned())
        .collect::<Vec<_>>()
        .join(", ")
}
