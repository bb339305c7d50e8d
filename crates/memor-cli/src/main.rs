//! `memor`: render, convert, import, count, search and check LLM conversations, offline.
//!
//! JSON goes to stdout, diagnostics to stderr. Exit codes: 0 on success, 1 on bad input (a
//! file memor refuses, a payload that breaks its target's rules), 2 on wrong usage.

mod args;
mod commands;
mod output;
#[cfg(feature = "table")]
mod table;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::from(failure.code)
        }
    }
}
