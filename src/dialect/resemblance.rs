//! Whether a document looks like a VPN document at all, for `check --skip-other` (the pre-commit
//! hook, which is handed every JSON and YAML file of a repository).
//!
//! The rule: a document looks like a VPN document when one of its top-level keys is a key that
//! some dialect reads at the top level (the same keys as the JSON Schemas, so the list cannot
//! drift from the readers), except the few generic words below that unrelated files carry too.
//! A single such key is enough: a payload whose signature key is misspelt (`RemoteSubnets`) still
//! carries `IkeConfig` or `LocalSubnet`, and must fail, not be skipped. A document that does not
//! parse (a Helm template, a multi-document Kubernetes file, a broken payload) is judged by its
//! text: it looks like one when it names such a key as a key (`Key:` or `"Key":`).

use std::collections::BTreeSet;
use std::sync::OnceLock;

use crate::source::Source;
use crate::tree::{Node, Value};

use super::Dialect;

/// Top-level keys some dialect reads that unrelated documents carry too: schema references,
/// API envelopes and metadata (every dialect ignores them or reads them as plain names).
const GENERIC: &[&str] = &[
    "$schema",
    "Name",
    "Description",
    "Tags",
    "Status",
    "State",
    "Action",
    "RequestId",
    "RegionId",
    "ResourceGroupId",
    "ClientToken",
    "DryRun",
    "error",
    "success",
];

/// The keys that mark a VPN document: every dialect's top-level keys, less the generic ones.
pub fn vpn_keys() -> &'static BTreeSet<String> {
    static KEYS: OnceLock<BTreeSet<String>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut keys = BTreeSet::new();
        for d in Dialect::ALL {
            let schema = super::schema::schema(*d);
            if let Some(props) = schema
                .get("properties")
                .and_then(serde_json::Value::as_object)
            {
                keys.extend(props.keys().cloned());
            }
        }
        keys.retain(|k| !GENERIC.contains(&k.as_str()));
        keys
    })
}

/// Whether `source` looks like a VPN document (see the module documentation for the rule).
pub fn looks_like_vpn(source: &Source) -> bool {
    match source.parse() {
        Ok(root) => node_has_vpn_key(&root),
        Err(_) => text_names_vpn_key(&source.text),
    }
}

/// A mapping with a VPN key, or a list holding one (a pasted `[connection]`).
fn node_has_vpn_key(node: &Node) -> bool {
    match &node.value {
        Value::Map(entries) => entries.iter().any(|(k, _)| vpn_keys().contains(&k.name)),
        Value::Seq(items) => items
            .iter()
            .any(|n| matches!(n.value, Value::Map(_)) && node_has_vpn_key(n)),
        _ => false,
    }
}

/// Whether unparsed text names a VPN key as a key: the word (not inside a longer identifier),
/// optionally quoted, then optional spaces and a colon.
fn text_names_vpn_key(text: &str) -> bool {
    vpn_keys().iter().any(|key| {
        text.match_indices(key.as_str()).any(|(at, _)| {
            let before = text[..at].trim_end_matches(['"', '\'']);
            let word_start = !before
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.');
            let after = text[at + key.len()..]
                .trim_start_matches(['"', '\''])
                .trim_start_matches([' ', '\t']);
            word_start && after.starts_with(':')
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn looks(name: &str, text: &str) -> bool {
        looks_like_vpn(&Source::new(name, text))
    }

    #[test]
    fn ordinary_repository_files_do_not_look_like_vpn_documents() {
        assert!(!looks(
            "package.json",
            r#"{"name": "x", "version": "1.0.0"}"#
        ));
        assert!(!looks(
            "tsconfig.json",
            r#"{"$schema": "https://json.schemastore.org/tsconfig", "compilerOptions": {}}"#
        ));
        assert!(!looks(
            "ci.yml",
            "name: CI\non: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
        ));
        assert!(!looks(".pre-commit-hooks.yaml", "- id: x\n  name: y\n"));
        assert!(!looks("k8s.yaml", "kind: A\n---\nkind: B\n"));
        assert!(!looks(
            "helm.yaml",
            "metadata:\n  name: {{ .Values.name }}\n"
        ));
        assert!(!looks(
            "api.json",
            r#"{"Name": "x", "RequestId": "y", "success": true}"#
        ));
        // A longer identifier that ends in a VPN key is not that key.
        assert!(!looks("x.yaml", "myvip: 1\n---\nb: 2\n"));
    }

    #[test]
    fn one_known_key_is_enough_even_when_the_document_is_broken() {
        assert!(looks("conn.yaml", "IkeConfig: {IkeVersion: ikev2}\n"));
        assert!(looks(
            "conn.json",
            r#"{"RemoteSubnets": "x", "LocalSubnet": "10.0.0.0/24"}"#
        ));
        assert!(looks("fleet.yaml", "connections: []\n"));
        assert!(looks("list.json", r#"[{"VpnConnectionId": "vco-1"}]"#));
        // Not JSON/YAML, but it names a key: a broken payload, reported.
        assert!(looks("broken.json", "{\"IkeConfig\": {\"IkeVersion\": }"));
        assert!(looks("two.yaml", "vip: {ip: 1.2.3.4}\n---\nb: 2\n"));
    }

    #[test]
    fn the_keys_include_every_signature_and_no_generic_word() {
        for d in Dialect::ALL {
            for key in d.signature() {
                assert!(vpn_keys().contains(*key), "{key} of {}", d.id());
            }
        }
        for key in GENERIC {
            assert!(!vpn_keys().contains(*key), "{key}");
        }
    }
}
