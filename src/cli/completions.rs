//! `ipsecgen completions SHELL` and `ipsecgen man`.

use clap::CommandFactory;

use super::{Cli, EXIT_INVALID, EXIT_OK};

/// Print a shell completion script
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  ipsecgen completions bash > /etc/bash_completion.d/ipsecgen
  ipsecgen completions zsh > \"${fpath[1]}/_ipsecgen\"")]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Print the man page (roff)
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  ipsecgen man > /usr/local/share/man/man1/ipsecgen.1")]
pub struct ManArgs {}

pub fn completions(a: &CompletionsArgs) -> u8 {
    let mut buf = Vec::new();
    clap_complete::generate(a.shell, &mut Cli::command(), "ipsecgen", &mut buf);
    super::out(&String::from_utf8_lossy(&buf));
    EXIT_OK
}

pub fn man(_: &ManArgs) -> u8 {
    let mut out = Vec::new();
    match clap_mangen::Man::new(Cli::command()).render(&mut out) {
        Ok(()) => {
            super::out(&String::from_utf8_lossy(&out));
            EXIT_OK
        }
        Err(e) => {
            eprintln!("cannot render the man page: {e}");
            EXIT_INVALID
        }
    }
}
