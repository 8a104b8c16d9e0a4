//! Rendering: targets are data (a folder of templates + `target.toml`); the IR is mapped to
//! each target's words in Rust (`context`), and templates only print.

pub mod context;
mod environment;
pub mod filters;
pub mod matrix;
pub mod quote;
pub mod target;

use crate::diag::{did_you_mean, Diagnostic, Diagnostics};
use crate::ir::Connection;

pub use context::{RenderOptions, TunnelMode};
pub use environment::{builtin_files, example_files, registry, use_overrides, Registry};
pub use target::{Target, When};

/// One rendered file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    /// The file name, relative to the output directory.
    pub path: String,
    pub content: String,
    /// Contains secrets: written with mode 0600.
    pub secret: bool,
    /// A script: written executable.
    pub executable: bool,
}

/// Look a target up by name, with a "did you mean" for near misses.
pub fn find_target(name: &str) -> Result<&'static Target, Diagnostic> {
    let reg = registry();
    if let Some(e) = &reg.error {
        return Err(Diagnostic::error(
            "template.broken",
            format!("the built-in templates are broken: {e}"),
        )
        .help("this is a defect of this ipsecgen build; please report it"));
    }
    reg.target(name).ok_or_else(|| {
        let names: Vec<&str> = reg.targets().map(|t| t.name.as_str()).collect();
        let d = Diagnostic::error("usage.target", format!("unknown target `{name}`"));
        match did_you_mean(name, names.iter().copied()) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help(format!("known targets: {}", names.join(", "))),
        }
    })
}

/// Render every file of `target` for `conn` as `opts` asks.
pub fn render(
    conn: &Connection,
    opts: RenderOptions,
    target: &Target,
    input: &str,
) -> Result<Vec<Output>, Diagnostics> {
    let ctx = context::build(conn, opts, target, input)?;
    let reg = registry();
    let mut out = Vec::new();
    for file in &target.files {
        let wanted = match file.when {
            None => true,
            Some(When::RouteBased) => ctx.tunnel.route,
            Some(When::Bgp) => ctx.bgp.is_some(),
            Some(When::HealthMonitor) => {
                ctx.tunnel.route
                    && ctx.bgp.is_none()
                    && ctx.health.as_ref().is_some_and(|h| h.revoke_route)
            }
        };
        if !wanted {
            continue;
        }
        let name = format!("{}/{}", target.name, file.template);
        let content = reg.render(&name, &ctx).map_err(|e| {
            let mut d = Diagnostics::default();
            d.push(Diagnostic::error(
                "template.error",
                format!("template {name} failed: {e}"),
            ));
            d
        })?;
        out.push(Output {
            path: file.path.clone(),
            content,
            secret: file.secret,
            executable: file.executable,
        });
    }
    Ok(out)
}
