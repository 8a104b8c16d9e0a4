//! The ipsecgen binary: parse the command line, run it, exit with its code.

use clap::Parser;

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(ipsecgen::cli::run(ipsecgen::cli::Cli::parse()))
}
