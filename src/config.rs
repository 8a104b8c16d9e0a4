//! The project configuration `ipsecgen.toml`: found in the current directory or any parent
//! (or given with `--config`). Unknown keys are errors that point at the key.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Diagnostic, Severity};
use crate::dialect::psk_text;
use crate::ir::{At, Connection, Psk, PskOrigin, Side};
use crate::render::device::{self, DeviceInput};
use crate::source::secret_file::SecretFiles;
use crate::tree::Span;

pub const FILE_NAME: &str = "ipsecgen.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub render: RenderDefaults,
    /// Lint levels by code: "allow" (drop), "warn" (default), "deny" (make it an error).
    #[serde(default)]
    pub lints: BTreeMap<String, LintLevel>,
    /// Facts and secret references applied to connections whose name matches.
    #[serde(default)]
    pub overlay: Vec<Overlay>,
    /// Device facts (`[device]` for every target, `[device.<target>]` for one), as read.
    #[serde(default)]
    pub device: DeviceTable,
    /// The same facts, checked (known facts, safe values).
    #[serde(skip)]
    pub device_facts: DeviceInput,
    /// Where the file was found (set after loading).
    #[serde(skip)]
    pub path: Option<PathBuf>,
    /// More folders overlay PSK files may lead into (`--psk-root`), canonical.
    #[serde(skip)]
    pub psk_roots: Vec<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenderDefaults {
    /// Targets rendered when `--target` is not given (several need an output directory).
    #[serde(default)]
    pub targets: Vec<String>,
    pub side: Option<String>,
    /// Output directory when `-o` is not given.
    pub output: Option<PathBuf>,
    /// "route" or "policy".
    pub tunnel_mode: Option<String>,
    /// Template override directory (relative to ipsecgen.toml).
    pub templates: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LintLevel {
    Allow,
    Warn,
    Deny,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overlay {
    /// Connection name, or a prefix ending in `*`.
    #[serde(rename = "match")]
    pub pattern: String,
    pub cloud_ip: Option<IpAddr>,
    pub customer_ip: Option<IpAddr>,
    pub customer_asn: Option<u32>,
    pub psk: Option<PskRef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PskRef {
    pub env: Option<String>,
    pub file: Option<PathBuf>,
}

/// `[device]` as written: `wan = "ethernet1/3"` for every target, and tables of facts for one
/// target (`[device.panos]`), each key with its place for diagnostics.
#[derive(Debug, Default)]
pub struct DeviceTable(Vec<(Spanned<String>, DeviceEntry)>);

#[derive(Debug)]
pub enum DeviceEntry {
    Value(String),
    Target(Vec<(Spanned<String>, String)>),
}

impl<'de> Deserialize<'de> for DeviceTable {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = DeviceTable;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table of device facts")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<DeviceTable, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = m.next_key::<Spanned<String>>()? {
                    out.push((k, m.next_value::<DeviceEntry>()?));
                }
                Ok(DeviceTable(out))
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for DeviceEntry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = DeviceEntry;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a device fact's value (a string) or a target's table of facts")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DeviceEntry, E> {
                Ok(DeviceEntry::Value(v.to_owned()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<DeviceEntry, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = m.next_key::<Spanned<String>>()? {
                    out.push((k, m.next_value::<String>()?));
                }
                Ok(DeviceEntry::Target(out))
            }
        }
        d.deserialize_any(V)
    }
}

impl DeviceTable {
    /// The facts, checked: an unknown fact or an unsafe value is a diagnostic at its key.
    fn check(&self) -> Result<DeviceInput, Diagnostic> {
        let mut out = DeviceInput::default();
        let at = |k: &Spanned<String>, d: Diagnostic| {
            let r = k.span();
            d.at(Some(Span::new(r.start, (r.end - r.start).max(1))), "here")
        };
        for (key, entry) in &self.0 {
            match entry {
                DeviceEntry::Value(v) => out
                    .give(None, key.get_ref(), v, device::FactSource::Config)
                    .map_err(|d| at(key, d))?,
                DeviceEntry::Target(facts) => {
                    for (fact, v) in facts {
                        out.give(
                            Some(key.get_ref()),
                            fact.get_ref(),
                            v,
                            device::FactSource::Config,
                        )
                        .map_err(|d| at(fact, d))?;
                    }
                }
            }
        }
        Ok(out)
    }
}

/// A config problem, with the config's text for the report.
pub struct ConfigError {
    pub path: String,
    pub text: String,
    pub diagnostic: Diagnostic,
}

/// The largest ipsecgen.toml read.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;
/// The most files and folders a config's template folder may hold (each is checked).
const MAX_TEMPLATE_ENTRIES: usize = 10_000;

/// How the config file was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Found by walking up from the current directory: it must be trusted (owned by the user
    /// or root, in a folder only they can write), and so must its template folder.
    Discovered,
    /// Named with `--config`: the user vouches for it; no ownership check.
    Explicit,
}

/// Find `ipsecgen.toml` in `start` or its parents, up to the repository root (a folder holding
/// `.git`) or `home`, both included, never above. Found is not yet trusted: `load` checks it.
pub fn find(start: &Path, home: Option<&Path>) -> Option<PathBuf> {
    let home = home.and_then(|h| std::fs::canonicalize(h).ok());
    for dir in start.ancestors() {
        let candidate = dir.join(FILE_NAME);
        // Anything by that name counts (a dangling link too): `load` says what is wrong with it.
        if candidate.symlink_metadata().is_ok() {
            return Some(candidate);
        }
        let at_home = home
            .as_deref()
            .is_some_and(|h| dir == h || std::fs::canonicalize(dir).is_ok_and(|d| d == h));
        if at_home || dir.join(".git").symlink_metadata().is_ok() {
            break;
        }
    }
    None
}

fn read_error(shown: &str, why: impl std::fmt::Display) -> Box<ConfigError> {
    Box::new(ConfigError {
        path: shown.to_owned(),
        text: String::new(),
        diagnostic: Diagnostic::error("config.read", format!("cannot read {shown}: {why}")),
    })
}

/// A discovered config (or what it names) that others could have written: `message` says
/// which path and why, `what` is the path to fix.
fn unsafe_config(shown: &str, message: String, what: &Path) -> Box<ConfigError> {
    Box::new(ConfigError {
        path: shown.to_owned(),
        text: String::new(),
        diagnostic: Diagnostic::error("config.unsafe", format!("refusing {shown}: {message}"))
            .help(format!(
                "whoever can write there chooses this run's templates, output folder and PSK \
                 files. Make it yours and only yours (`chown \"$(id -u)\" {0}`, `chmod go-w {0}`), \
                 move the config, pass --config {shown} to use it anyway, or --no-config",
                what.display()
            )),
    })
}

/// Load the config at `path`; a discovered one must be trusted (see `Origin`).
pub fn load(path: &Path, origin: Origin) -> Result<Config, Box<ConfigError>> {
    let shown = path.display().to_string();
    let (file, meta) = crate::source::file::open_regular(path, MAX_CONFIG_BYTES)
        .map_err(|e| read_error(&shown, e))?;
    if origin == Origin::Discovered {
        if let Some(why) = crate::trust::distrust(&meta) {
            return Err(unsafe_config(&shown, why, path));
        }
        // The folder holding it, as named and (through links) as it really is.
        let folders = [
            path.parent().map(Path::to_path_buf),
            std::fs::canonicalize(path)
                .ok()
                .and_then(|p| p.parent().map(Path::to_path_buf)),
        ];
        for dir in folders.into_iter().flatten() {
            let dir = if dir.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                dir
            };
            let meta = std::fs::metadata(&dir).map_err(|e| read_error(&shown, e))?;
            if let Some(why) = crate::trust::distrust(&meta) {
                let why = why.trim_start_matches("it ");
                return Err(unsafe_config(
                    &shown,
                    format!("its folder {} {why}", dir.display()),
                    &dir,
                ));
            }
        }
    }
    let bytes = crate::source::file::read_bounded(file, MAX_CONFIG_BYTES)
        .map_err(|e| read_error(&shown, e))?;
    let text = String::from_utf8(bytes).map_err(|_| read_error(&shown, "it is not UTF-8 text"))?;
    let mut config = parse(path, &shown, text)?;
    if origin == Origin::Discovered {
        if let Some(dir) = config.templates_dir().filter(|d| d.exists()) {
            if let Some((p, why)) = crate::trust::distrust_tree(&dir, MAX_TEMPLATE_ENTRIES) {
                let why = why.trim_start_matches("it ");
                return Err(unsafe_config(
                    &shown,
                    format!(
                        "its render.templates folder holds {}, which {why}",
                        p.display()
                    ),
                    &p,
                ));
            }
        }
    }
    config.path = Some(path.to_path_buf());
    Ok(config)
}

fn parse(path: &Path, shown: &str, text: String) -> Result<Config, Box<ConfigError>> {
    match toml::from_str::<Config>(&text) {
        Ok(mut c) => {
            c.path = Some(path.to_path_buf());
            match c.device.check() {
                Ok(facts) => c.device_facts = facts,
                Err(diagnostic) => {
                    return Err(Box::new(ConfigError {
                        path: shown.to_owned(),
                        text,
                        diagnostic,
                    }))
                }
            }
            Ok(c)
        }
        Err(e) => {
            let span = e
                .span()
                .map(|r| Span::new(r.start, r.end.saturating_sub(r.start).max(1)));
            let message = e.message().to_owned();
            let help = if message.contains("unknown field") {
                "see the README's ipsecgen.toml section for the keys"
            } else {
                "check the value's type and quoting"
            };
            Err(Box::new(ConfigError {
                path: shown.to_owned(),
                text,
                diagnostic: Diagnostic::error(
                    "config.invalid",
                    format!("ipsecgen.toml: {message}"),
                )
                .at(span, "here")
                .help(help),
            }))
        }
    }
}

impl Config {
    fn dir(&self) -> PathBuf {
        self.path
            .as_ref()
            .and_then(|p| p.parent())
            .filter(|d| !d.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    }

    /// The template override directory, resolved against the config's directory.
    pub fn templates_dir(&self) -> Option<PathBuf> {
        self.render.templates.as_ref().map(|t| self.dir().join(t))
    }

    /// Apply lint levels: "allow" drops a warning, "deny" makes it an error.
    pub fn apply_lints(&self, diags: &mut crate::diag::Diagnostics) {
        // Only warnings can be allowed: an error is what the cloud or the device would refuse,
        // and a config checked in with the inputs must not be able to wave it through.
        diags.0.retain(|d| {
            d.severity == Severity::Error || self.lints.get(&d.code) != Some(&LintLevel::Allow)
        });
        for d in &mut diags.0 {
            if self.lints.get(&d.code) == Some(&LintLevel::Deny) {
                d.severity = Severity::Error;
            }
        }
    }

    /// Apply the overlays whose pattern matches a connection's name.
    pub fn apply_overlays(&self, conns: &mut [Connection]) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        for conn in conns {
            let name = conn.name.clone();
            for o in self.overlay.iter().filter(|o| matches(&o.pattern, &name)) {
                let set_gateway = |conn: &mut Connection, side: Side, ip: IpAddr| {
                    let ep = if conn.local.side == side {
                        &mut conn.local
                    } else {
                        &mut conn.remote
                    };
                    ep.gateway = Some(At::bare(ip));
                };
                if let Some(ip) = o.cloud_ip {
                    set_gateway(conn, Side::Cloud, ip);
                }
                if let Some(ip) = o.customer_ip {
                    set_gateway(conn, Side::Customer, ip);
                }
                if let Some(asn) = o.customer_asn {
                    let ep = if conn.local.side == Side::Customer {
                        &mut conn.local
                    } else {
                        &mut conn.remote
                    };
                    ep.bgp.asn = Some(At::bare(asn));
                }
                if let Some(r) = &o.psk {
                    match self.resolve_psk(r, &o.pattern) {
                        Ok((psk, warning)) => {
                            conn.psk = Some(psk);
                            problems.extend(warning);
                        }
                        Err(d) => problems.push(d),
                    }
                }
            }
        }
        problems
    }

    /// An overlay's PSK, trimmed as the dialects trim theirs (with the warning when something
    /// was removed).
    fn resolve_psk(
        &self,
        r: &PskRef,
        pattern: &str,
    ) -> Result<(Psk, Option<Diagnostic>), Diagnostic> {
        let field = format!("ipsecgen.toml overlay \"{pattern}\" psk");
        let cleaned = |raw: &str, from_file: bool, origin: &str| {
            let c = psk_text::clean(raw, from_file);
            let warning = c
                .trimmed
                .then(|| psk_text::whitespace_warning(&field, origin, None));
            (c.key, warning)
        };
        match (&r.env, &r.file) {
            (Some(var), None) => {
                let origin = format!("environment variable `{var}`");
                let (key, warning) = std::env::var(var)
                    .map(|v| cleaned(&v, false, &origin))
                    .unwrap_or_default();
                if key.is_empty() {
                    return Err(Diagnostic::error(
                        "config.psk",
                        format!(
                            "ipsecgen.toml: the environment variable `{var}` is not set, empty or only whitespace"
                        ),
                    ));
                }
                Ok((
                    Psk::referenced(key, None, PskOrigin::Env(var.clone())),
                    warning,
                ))
            }
            (None, Some(file)) => {
                let files = SecretFiles {
                    base: self.dir(),
                    base_kind: "the config's folder",
                    extra_roots: self.psk_roots.clone(),
                };
                let origin = format!("file `{}`", file.display());
                let text = files.read(file).map_err(|e| {
                    Diagnostic::error("config.psk", format!("ipsecgen.toml: {}", e.message))
                        .help(e.help)
                })?;
                let (key, warning) = cleaned(&text, true, &origin);
                if key.is_empty() {
                    return Err(Diagnostic::error(
                        "config.psk",
                        format!(
                            "ipsecgen.toml: the PSK file {} holds no key: it is empty or only whitespace",
                            file.display()
                        ),
                    ));
                }
                Ok((
                    Psk::referenced(key, None, PskOrigin::File(file.display().to_string())),
                    warning,
                ))
            }
            _ => Err(Diagnostic::error(
                "config.psk",
                "ipsecgen.toml: an overlay psk needs exactly one of env or file",
            )),
        }
    }
}

/// `name` matches `pattern` exactly, or by prefix when the pattern ends in `*`.
fn matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => pattern == name,
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn patterns() {
        assert!(matches("dc1-*", "dc1-hangzhou"));
        assert!(matches("exact", "exact"));
        assert!(!matches("exact", "exactly"));
    }
}
