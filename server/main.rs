//! The `agora` binary: parse the command line, run it, and on failure print one line.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    agora::observability::init_tracing();
    match agora::cli::run(agora::cli::Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("agora: {e:#}");
            ExitCode::FAILURE
        }
    }
}
