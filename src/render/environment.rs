//! The template environment: built once per process from the templates embedded at build time.

use std::sync::OnceLock;

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;

use super::target::Target;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/templates.rs"));
}

/// Every target and the one template environment.
pub struct Registry {
    env: Environment<'static>,
    /// By name. A target's table is read when it is first asked for: a run for one target
    /// does not parse the other twelve (that was 70% of the instructions of rendering one
    /// file).
    targets: Vec<LazyTarget>,
    /// Why the built-in templates could not be loaded (a build defect).
    load_error: Option<String>,
}

struct LazyTarget {
    folder: &'static str,
    table: Table,
    parsed: OnceLock<Result<Target, String>>,
}

/// A target's table: built in (as JSON, converted at build time) or a user's override.
enum Table {
    Json(&'static str),
    Toml(&'static str),
}

impl LazyTarget {
    fn get(&self) -> &Result<Target, String> {
        self.parsed.get_or_init(|| {
            crate::work::add(crate::work::Unit::TargetTable, 1);
            match self.table {
                Table::Json(json) => Target::parse_json(self.folder, json),
                Table::Toml(text) => Target::parse(self.folder, text),
            }
        })
    }
}

/// The built-in table of `folder` as JSON.
fn builtin_json(folder: &str) -> Option<&'static str> {
    embedded::TARGETS_JSON
        .iter()
        .find(|(f, _)| *f == folder)
        .map(|(_, json)| *json)
}

/// Each built-in target table as read from its TOML and from the JSON a run reads, formatted
/// (tests compare the two).
pub fn builtin_tables_both_ways() -> Vec<(String, String, String)> {
    embedded::TARGETS_JSON
        .iter()
        .map(|(folder, json)| {
            let toml = embedded::EMBEDDED
                .iter()
                .find(|(p, _)| p.strip_suffix("/target.toml") == Some(folder))
                .map_or("", |(_, t)| t);
            (
                (*folder).to_owned(),
                format!("{:?}", Target::parse(folder, toml)),
                format!("{:?}", Target::parse_json(folder, json)),
            )
        })
        .collect()
}

/// The built-in template files: (path relative to templates/, contents).
pub fn builtin_files() -> &'static [(&'static str, &'static str)] {
    embedded::EMBEDDED
}

/// The shipped examples: (path relative to examples/, contents).
pub fn example_files() -> &'static [(&'static str, &'static str)] {
    embedded::EXAMPLES
}

impl Registry {
    /// Load the built-ins, with `overrides` (path, contents) replacing files of the same path.
    fn load(overrides: &[(String, &'static str)]) -> Result<Registry, String> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| AutoEscape::None);
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .map_err(|e| format!("template syntax: {e}"))?;
        env.set_syntax(syntax);
        super::filters::register(&mut env);
        env.set_formatter(one_line_formatter);
        let mut targets = Vec::new();
        let mut sources: Vec<(&'static str, &'static str)> = Vec::new();
        for (path, builtin) in embedded::EMBEDDED {
            let overridden = overrides.iter().find(|(p, _)| p == path).map(|(_, t)| *t);
            let text: &'static str = overridden.unwrap_or(builtin);
            if let Some(folder) = path.strip_suffix("/target.toml") {
                let table = match (overridden, builtin_json(folder)) {
                    (None, Some(json)) => Table::Json(json),
                    _ => Table::Toml(text),
                };
                targets.push(LazyTarget {
                    folder,
                    table,
                    parsed: OnceLock::new(),
                });
            } else if path.ends_with(".j2") {
                sources.push((path, text));
            }
        }
        // Templates are compiled when first used, so a run pays only for the target it renders
        // (the test suite renders every template, so a broken one still fails there).
        env.set_loader(move |name| {
            Ok(sources
                .iter()
                .find(|(p, _)| *p == name)
                .map(|(_, t)| (*t).to_owned()))
        });
        targets.sort_by(|a, b| a.folder.cmp(b.folder));
        Ok(Registry {
            env,
            targets,
            load_error: None,
        })
    }

    /// The target of this name (a target's name is its folder's); its table is read now if it
    /// was not yet. A table that does not load is left out (`error` names it).
    pub fn target(&self, name: &str) -> Option<&Target> {
        self.targets
            .iter()
            .find(|t| t.folder == name)
            .and_then(|t| t.get().as_ref().ok())
    }

    /// Why the built-in templates, or one of the target tables, could not be loaded (a build
    /// defect; tests assert `None`). Reads every table.
    pub fn error(&self) -> Option<&str> {
        self.load_error.as_deref().or_else(|| {
            self.targets
                .iter()
                .find_map(|t| t.get().as_ref().err().map(String::as_str))
        })
    }

    /// Why the target of this name could not be loaded, if it could not (reads only its table).
    pub fn target_error(&self, name: &str) -> Option<&str> {
        self.load_error.as_deref().or_else(|| {
            self.targets
                .iter()
                .find(|t| t.folder == name)
                .and_then(|t| t.get().as_ref().err().map(String::as_str))
        })
    }

    /// Whether a template (`<target>/<file>.j2`) is built in.
    pub fn has_template(&self, name: &str) -> bool {
        self.env.get_template(name).is_ok()
    }

    /// Every target that loads, by name (reads every table).
    pub fn targets(&self) -> impl Iterator<Item = &Target> {
        self.targets.iter().filter_map(|t| t.get().as_ref().ok())
    }

    pub fn render<S: Serialize>(
        &self,
        template: &str,
        ctx: &S,
    ) -> Result<String, minijinja::Error> {
        let mut out = self
            .env
            .get_template(template)?
            .render(minijinja::value::Serde(ctx))?;
        // minijinja starts each output with a generous buffer; a fleet keeps 10,000s of outputs.
        out.shrink_to_fit();
        crate::work::add(crate::work::Unit::Template, 1);
        crate::work::add(crate::work::Unit::OutputByte, out.len());
        Ok(out)
    }
}

/// Prints every `{{ value }}` as minijinja would, after making sure that a string holds no
/// character that could end the line it stands on or hide what it says (`quote::is_unsafe_char`).
/// Values are validated and quoted before they reach a template; this is the last line of
/// defence for any value a rule missed (input paths, titles, names, metadata): such a render
/// fails instead of writing a line the device would read as a command. A template that prints
/// text of several lines on purpose (the json target's pretty-printed model) marks it `safe`.
fn one_line_formatter(
    out: &mut minijinja::Output<'_>,
    state: &mut minijinja::State<'_, '_>,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    if !value.is_safe() {
        if let Some(c) = value
            .as_str()
            .and_then(|s| s.chars().find(|&c| super::quote::is_unsafe_char(c)))
        {
            return Err(minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                format!(
                    "a value holding the character U+{:04X} reached the output",
                    c as u32
                ),
            ));
        }
    }
    minijinja::escape_formatter(out, state, value)
}

/// The process-wide registry. The embedded templates are part of the binary and covered by the
/// test suite; if one is broken anyway, the registry is empty and carries the error, which
/// `find_target` reports as a diagnostic.
pub fn registry() -> &'static Registry {
    REGISTRY.get_or_init(|| load_or_error(&[]))
}

static REGISTRY: OnceLock<Registry> = OnceLock::new();

fn load_or_error(overrides: &[(String, &'static str)]) -> Registry {
    Registry::load(overrides).unwrap_or_else(|e| Registry {
        env: Environment::new(),
        targets: Vec::new(),
        load_error: Some(e),
    })
}

/// The largest template override file read.
const MAX_TEMPLATE_BYTES: u64 = 1024 * 1024;

/// Use the files under `dir` in place of the built-in files with the same relative path
/// (`swanctl/swanctl.conf.j2`, `frr/target.toml`, ...). Call before anything renders.
pub fn use_overrides(dir: &std::path::Path) -> Result<Vec<String>, crate::diag::Diagnostic> {
    use crate::diag::{did_you_mean, Diagnostic};
    let mut overrides = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| {
            Diagnostic::error(
                "template.override",
                format!("cannot read the template directory {}: {e}", d.display()),
            )
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            if !embedded::EMBEDDED.iter().any(|(p, _)| *p == rel) {
                let d = Diagnostic::error(
                    "template.override",
                    format!("{rel} overrides no built-in template file"),
                );
                return Err(match did_you_mean(&rel, embedded::EMBEDDED.iter().map(|(p, _)| *p)) {
                    Some(s) => d.help(format!("did you mean {s}? (`ipsecgen templates export DIR` writes the built-ins)")),
                    None => d.help("override files keep the built-in paths; `ipsecgen templates export DIR` writes them"),
                });
            }
            // The shared bounded reader: a FIFO or device here is refused, not waited on.
            let text = crate::source::file::read_regular(&path, MAX_TEMPLATE_BYTES)
                .map_err(|e| e.to_string())
                .and_then(|b| String::from_utf8(b).map_err(|_| "it is not UTF-8 text".into()))
                .map_err(|e| {
                    Diagnostic::error(
                        "template.override",
                        format!("cannot read {}: {e}", path.display()),
                    )
                })?;
            overrides.push((rel, &*Box::leak(text.into_boxed_str())));
        }
    }
    overrides.sort();
    let registry = load_or_error(&overrides);
    // Compile the overriding templates now, so a broken one is reported before anything renders.
    let broken = overrides
        .iter()
        .filter(|(p, _)| p.ends_with(".j2"))
        .find_map(|(p, _)| {
            registry
                .env
                .get_template(p)
                .err()
                .map(|e| format!("{p}: {e}"))
        });
    if let Some(e) = registry.error().or(broken.as_deref()) {
        return Err(Diagnostic::error(
            "template.override",
            format!("the override templates do not load: {e}"),
        )
        .help("they are rendered with the same strict settings as the built-ins"));
    }
    let names = overrides.iter().map(|(p, _)| p.clone()).collect();
    REGISTRY.set(registry).map_err(|_| {
        Diagnostic::error(
            "template.override",
            "templates were already loaded before the overrides",
        )
    })?;
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The formatter refuses any printed string that could end its line, whatever the template.
    #[test]
    fn no_template_can_print_a_line_break_from_a_value() {
        let template = "# from {{ meta.input }}\n";
        let reg = Registry::load(&[("swanctl/swanctl.conf.j2".into(), template)]).unwrap();
        let ctx = |input: &str| serde_json::json!({"meta": {"input": input}});
        assert_eq!(
            reg.render("swanctl/swanctl.conf.j2", &ctx("a.json"))
                .unwrap(),
            "# from a.json\n"
        );
        for bad in [
            "a\nb",
            "a\rb",
            "a\u{85}b",
            "a\u{2028}b",
            "a\u{202e}b",
            "a\u{1b}b",
        ] {
            let e = reg
                .render("swanctl/swanctl.conf.j2", &ctx(bad))
                .unwrap_err();
            assert!(e.to_string().contains("reached the output"), "{bad:?}: {e}");
        }
    }
}
