//! The documented query-string request form of Alibaba Cloud's RPC API:
//!
//! ```text
//! http(s)://[Endpoint]/?Action=UpdateIpsecServer
//! &RegionId=cn-shanghai
//! &IkeConfig={"IkeVersion":"ikev2",...}
//! ```
//!
//! becomes an object of string values (URL-decoded). Dotted keys (`VpnGateway.InternetIp`) nest.
//! Line breaks around `&` are allowed, as in the documentation's samples; the documentation's
//! placeholder line `&Common request parameters` is skipped.

use std::collections::HashMap;

use crate::diag::Diagnostic;
use crate::line_index::LineIndex;
use crate::tree::{Key, Node, Span, Value};

/// Whether `text` is in the query-string form.
pub fn is_query(text: &str) -> bool {
    let first = text.trim_start().lines().next().unwrap_or_default();
    (first.starts_with("http://")
        || first.starts_with("https://")
        || first.starts_with("http(s)://")
        || first.starts_with('?'))
        && text.contains("Action=")
}

fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = raw.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Put `value` at the dotted `key` (`VpnGateway.InternetIp` nests). `branches` holds every
/// dotted prefix (`Seen::add` has added those of `key`) with its place in its parent mapping,
/// so finding where a parameter goes costs one lookup per dot instead of a search of every
/// parameter before it.
fn insert(
    map: &mut Vec<(Key, Node)>,
    branches: &mut HashMap<String, Branch>,
    key: &str,
    key_span: Span,
    value: Node,
) {
    let name = |s: &str| Key {
        name: s.to_owned(),
        span: key_span,
    };
    let mut current = map;
    let mut parts = key.split('.').peekable();
    let mut prefix_end = 0;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            current.push((name(part), value));
            return;
        }
        prefix_end += part.len();
        let prefix = &key[..prefix_end];
        prefix_end += 1;
        let Some(branch) = branches.get_mut(prefix) else {
            return;
        };
        let idx = match branch.at {
            Some(i) => i,
            None => {
                current.push((
                    name(part),
                    Node {
                        // Most objects given by parts have one or two (each is 96 bytes).
                        value: Value::Map(Vec::with_capacity(1)),
                        span: key_span,
                    },
                ));
                branch.at = Some(current.len() - 1);
                current.len() - 1
            }
        };
        crate::work::add(crate::work::Unit::MapEntry, 1);
        let Value::Map(inner) = &mut current[idx].1.value else {
            return;
        };
        current = inner;
    }
}

/// The documentation's stand-in for the common parameters, which a copied sample ends with:
/// `&<公共请求参数>`, `&Common request parameters`, with or without angle brackets.
fn is_placeholder(part: &str) -> bool {
    let inner = part
        .strip_prefix('<')
        .and_then(|p| p.strip_suffix('>'))
        .unwrap_or(part)
        .trim();
    (part.starts_with('<') && part.ends_with('>') && !part.contains('='))
        || inner.eq_ignore_ascii_case("Common request parameters")
        || inner == "公共请求参数"
}

/// Where the text holds such placeholders (skipped by `parse`; the dialect says so).
pub fn placeholders(text: &str) -> Vec<Span> {
    let start = text.find('?').map_or(0, |i| i + 1);
    let mut out = Vec::new();
    let mut offset = start;
    for part in text[start..].split('&') {
        let lead = part.len() - part.trim_start().len();
        let trimmed = part.trim();
        if !trimmed.is_empty() && is_placeholder(trimmed) {
            out.push(Span::new(offset + lead, trimmed.len()));
        }
        offset += part.len() + 1;
    }
    out
}

/// The parameters given so far: each key once, and a key either whole (`IkeConfig={...}`) or by
/// dotted parts (`IkeConfig.IkeVersion=...`), never both. A repeat is `input.syntax` at the
/// second occurrence, as a repeated key is in JSON or YAML (the API would take one of them, and
/// which one is not documented).
struct Seen {
    /// Full keys given a value, with where.
    leaves: HashMap<String, Span>,
    /// Proper prefixes of dotted keys (`IkeConfig` of `IkeConfig.IkeVersion`).
    branches: HashMap<String, Branch>,
}

/// A proper prefix of dotted keys: where the first full key that used it stands, and the
/// place of its object in its parent (found by one lookup however many parameters there are).
struct Branch {
    first: Span,
    at: Option<usize>,
}

impl Seen {
    fn add(&mut self, text: &str, key: &str, span: Span) -> Result<(), Diagnostic> {
        let conflict = |message: String, first: Span, fix: &str| {
            let (line, col) = LineIndex::new("", text).line_col(first.offset);
            Diagnostic::error("input.syntax", message)
                .at(Some(span), "given again here")
                .help(format!("first given at line {line}, column {col}; {fix}"))
        };
        const ONCE: &str = "the API takes each parameter once: keep one";
        const WHOLE_OR_PARTS: &str =
            "give the object either whole (Key={...}) or by its parts (Key.Field=...), not both";
        if let Some(first) = self.leaves.get(key) {
            return Err(conflict(format!("`{key}` is given twice"), *first, ONCE));
        }
        if let Some(Branch { first, .. }) = self.branches.get(key) {
            let raw = &text[first.offset..first.offset + first.len];
            let part = percent_decode(raw).unwrap_or_else(|| raw.to_owned());
            return Err(conflict(
                format!("`{key}` is given whole and as `{part}`"),
                *first,
                WHOLE_OR_PARTS,
            ));
        }
        let prefixes = key.match_indices('.').map(|(i, _)| &key[..i]);
        for prefix in prefixes.clone() {
            if let Some(first) = self.leaves.get(prefix) {
                return Err(conflict(
                    format!("`{prefix}` is given whole and as `{key}`"),
                    *first,
                    WHOLE_OR_PARTS,
                ));
            }
        }
        for prefix in prefixes {
            if !self.branches.contains_key(prefix) {
                self.branches.insert(
                    prefix.to_owned(),
                    Branch {
                        first: span,
                        at: None,
                    },
                );
            }
        }
        self.leaves.insert(key.to_owned(), span);
        Ok(())
    }
}

/// Parse the query-string form into a tree (spans point into `text`).
pub fn parse(text: &str) -> Result<Node, Diagnostic> {
    let start = text.find('?').map_or(0, |i| i + 1);
    let mut map: Vec<(Key, Node)> = Vec::new();
    // Sized for every parameter at once: growing two tables of a million keys rehashed each
    // key about twice more (a fifth of the time).
    let params = text[start..].bytes().filter(|&c| c == b'&').count() + 1;
    // The value limit of JSON and YAML documents, decided before anything is built: each
    // parameter is at least one value (a million of them took 3.5 s and 560 MiB to refuse
    // otherwise, as unknown fields).
    let max = super::max_nodes(text.len());
    if params > max {
        return Err(Diagnostic::error(
            "input.limit",
            format!("the request has {params} parameters, more than the {max} values a document may hold"),
        )
        .at(Some(Span::new(start, 1)), "the parameters start here")
        .help("an API request has a few dozen parameters: is this the request you meant?"));
    }
    let mut seen = Seen {
        leaves: HashMap::with_capacity(params),
        branches: HashMap::with_capacity(params.min(text.bytes().filter(|&c| c == b'.').count())),
    };
    let mut offset = start;
    for part in text[start..].split('&') {
        let part_offset = offset;
        offset += part.len() + 1;
        let lead = part.len() - part.trim_start().len();
        let trimmed = part.trim();
        if trimmed.is_empty() || is_placeholder(trimmed) {
            continue;
        }
        let at = part_offset + lead;
        let Some(eq) = trimmed.find('=') else {
            return Err(Diagnostic::error(
                "input.syntax",
                format!("`{trimmed}` is not a key=value parameter"),
            )
            .at(Some(Span::new(at, trimmed.len())), "expected key=value")
            .help("the request form is ?Action=...&Key=value&Key=value"));
        };
        let (raw_key, raw_value) = (&trimmed[..eq], &trimmed[eq + 1..]);
        let key_span = Span::new(at, raw_key.len());
        let value_span = Span::new(at + eq + 1, raw_value.len());
        let (Some(key), Some(value)) = (percent_decode(raw_key), percent_decode(raw_value)) else {
            return Err(
                Diagnostic::error("input.syntax", "a parameter has an invalid %-escape")
                    .at(Some(Span::new(at, trimmed.len())), "invalid %-escape"),
            );
        };
        seen.add(text, &key, key_span)?;
        insert(
            &mut map,
            &mut seen.branches,
            &key,
            key_span,
            Node {
                value: Value::Str(value),
                span: value_span,
            },
        );
    }
    Ok(Node {
        value: Value::Map(map),
        span: Span::new(0, text.len()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_sample() {
        let text = "http(s)://[Endpoint]/?Action=UpdateIpsecServer\n&RegionId=cn-shanghai\n&IkeConfig={\"IkeVersion\":\"ikev2\"}\n&VpnGateway.InternetIp=203.0.113.9\n&Common request parameters\n";
        assert!(is_query(text));
        let n = parse(text).expect("parses");
        let ike = n.get("IkeConfig").expect("IkeConfig");
        assert_eq!(ike.value, Value::Str("{\"IkeVersion\":\"ikev2\"}".into()));
        assert_eq!(
            &text[ike.span.offset..ike.span.offset + ike.span.len],
            "{\"IkeVersion\":\"ikev2\"}"
        );
        let ip = n
            .get("VpnGateway")
            .and_then(|g| g.get("InternetIp"))
            .expect("nested");
        assert_eq!(ip.value, Value::Str("203.0.113.9".into()));
        assert_eq!(
            n.get("Action").map(|a| a.value.clone()),
            Some(Value::Str("UpdateIpsecServer".into()))
        );
    }

    #[test]
    fn skips_the_documentations_placeholder_lines() {
        for tail in [
            "&<公共请求参数>",
            "&Common request parameters",
            "&<Common request parameters>",
        ] {
            let text = format!(
                "http(s)://[Endpoint]/?Action=CreateVpnConnection\n&RegionId=cn-shanghai\n{tail}\n"
            );
            let n = parse(&text).expect("parses");
            assert!(n.get("RegionId").is_some());
            let spans = placeholders(&text);
            assert_eq!(spans.len(), 1, "{tail}");
            assert_eq!(
                &text[spans[0].offset..spans[0].offset + spans[0].len],
                &tail[1..]
            );
        }
    }

    /// More parameters than a document may hold values is refused before any is read.
    #[test]
    fn more_parameters_than_the_value_limit_are_refused_at_once() {
        let mut text = String::from("?Action=X");
        for i in 0..=crate::source::MAX_NODES {
            text.push_str(&format!("&P{i}=1"));
        }
        let d = parse(&text).expect_err("refused");
        assert_eq!(d.code, "input.limit");
        assert!(d.message.contains("1000002 parameters"), "{}", d.message);
    }

    #[test]
    fn decodes_percent_escapes() {
        let n = parse("?Action=X&Name=a%20b").expect("parses");
        assert_eq!(
            n.get("Name").map(|a| a.value.clone()),
            Some(Value::Str("a b".into()))
        );
    }
}
