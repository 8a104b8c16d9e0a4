//! `ipsecgen templates export DIR`: the built-in templates as a starting point for overrides.

use std::path::PathBuf;

use crate::render::Output;
use crate::report::Format;

use super::{emit_plain, EXIT_INVALID, EXIT_OK};

/// Work with the built-in templates
#[derive(Debug, clap::Args)]
pub struct TemplatesArgs {
    #[command(subcommand)]
    pub command: TemplatesCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum TemplatesCommand {
    /// Write every built-in template file into DIR (edit some, then render with --templates DIR)
    #[command(after_help = "Example:
  ipsecgen templates export my-templates/
  $EDITOR my-templates/cisco-ios-xe/cisco-ios-xe.cfg.j2      # keep only the files you change
  ipsecgen render conn.json --target cisco-ios-xe --templates my-templates/")]
    Export {
        /// The directory to write into
        dir: PathBuf,
        /// Overwrite files that are already there
        #[arg(long)]
        force: bool,
    },
}

pub fn run(a: &TemplatesArgs) -> u8 {
    match &a.command {
        TemplatesCommand::Export { dir, force } => {
            let files: Vec<(String, Output)> = crate::render::builtin_files()
                .iter()
                .map(|(path, text)| {
                    let out = Output {
                        path: (*path).to_owned(),
                        content: (*text).to_owned(),
                        secret: false,
                        executable: false,
                        ..Default::default()
                    };
                    (String::new(), out)
                })
                .collect();
            match crate::write::to_dir(dir, &files, *force) {
                Ok(paths) => {
                    eprintln!(
                        "wrote {} template files under {}",
                        paths.files.len(),
                        dir.display()
                    );
                    EXIT_OK
                }
                Err(d) => {
                    emit_plain(&d, Format::Human);
                    EXIT_INVALID
                }
            }
        }
    }
}
