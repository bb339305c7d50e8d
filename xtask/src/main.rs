//! `cargo run -p xtask -- codegen [--check]`: generate `crates/memor-presets/src/generated.rs`
//! from `crates/memor-presets/data/`, or check that it is up to date.

use std::process::ExitCode;

use xtask::{GENERATED_PATH, Status};

const USAGE: &str = "usage: cargo run -p xtask -- codegen [--check]

  codegen          write crates/memor-presets/src/generated.rs from crates/memor-presets/data/
  codegen --check  exit with status 1 when the generated file is stale";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let root = xtask::workspace_root();
    match args.as_slice() {
        ["codegen"] => match xtask::write(&root) {
            Ok(true) => {
                eprintln!("wrote {GENERATED_PATH}");
                ExitCode::SUCCESS
            }
            Ok(false) => {
                eprintln!("{GENERATED_PATH} is up to date");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
        ["codegen", "--check"] => match xtask::check(&root) {
            Ok(Status::Fresh) => {
                eprintln!("{GENERATED_PATH} is up to date");
                ExitCode::SUCCESS
            }
            Ok(Status::Stale) => {
                eprintln!(
                    "{GENERATED_PATH} is stale: run `cargo run -p xtask -- codegen` and commit it"
                );
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}
