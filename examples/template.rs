//! Renders a Python `str.format` template with a JSON context.
//!
//! ```text
//! cargo run -q --example template -- TEMPLATE [CONTEXT.json]
//! cargo run -q --example template -- '{prompt[message]!r:.20} (score {response[score]:.0%})' examples/data/context.json
//! ```
//!
//! The rendered text goes to stdout; a bad template or context exits with status 1 and says
//! what is wrong and where on stderr.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(template) = args.next() else {
        eprintln!("usage: template TEMPLATE [CONTEXT.json]");
        return ExitCode::from(2);
    };
    let path = args.next().unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/context.json").into()
    });
    let context: serde_json::Value = match std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()))
    {
        Ok(value) => value,
        Err(e) => {
            eprintln!("error: {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match memor::template::Template::parse(&template).and_then(|t| t.render(&context)) {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
