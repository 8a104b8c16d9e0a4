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
    targets: Vec<Target>,
    /// Why the built-in templates could not be loaded (a build defect; tests assert `None`).
    pub error: Option<String>,
}

impl Registry {
    fn load() -> Result<Registry, String> {
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
        let mut targets = Vec::new();
        for (path, text) in embedded::EMBEDDED {
            if let Some(folder) = path.strip_suffix("/target.toml") {
                targets.push(Target::parse(folder, text)?);
            } else if path.ends_with(".j2") {
                env.add_template(path, text)
                    .map_err(|e| format!("templates/{path}: {e}"))?;
            }
        }
        targets.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Registry {
            env,
            targets,
            error: None,
        })
    }

    pub fn target(&self, name: &str) -> Option<&Target> {
        self.targets.iter().find(|t| t.name == name)
    }

    /// Whether a template (`<target>/<file>.j2`) is built in.
    pub fn has_template(&self, name: &str) -> bool {
        self.env.get_template(name).is_ok()
    }

    pub fn targets(&self) -> impl Iterator<Item = &Target> {
        self.targets.iter()
    }

    pub fn render<S: Serialize>(
        &self,
        template: &str,
        ctx: &S,
    ) -> Result<String, minijinja::Error> {
        self.env
            .get_template(template)?
            .render(minijinja::value::Serde(ctx))
    }
}

/// The process-wide registry. The embedded templates are part of the binary and covered by the
/// test suite; if one is broken anyway, the registry is empty and carries the error, which
/// `find_target` reports as a diagnostic.
pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        Registry::load().unwrap_or_else(|e| Registry {
            env: Environment::new(),
            targets: Vec::new(),
            error: Some(e),
        })
    })
}
