//! Every cell of every target table means something: a typo in a target.toml fails here.

use ipsecgen::ir::{Cipher, DhGroup, Integrity, Prf};
use std::collections::BTreeMap;

use ipsecgen::render::{matrix, registry};

/// (table name, its cells, which keys are IR ids)
type Table<'a> = (
    &'static str,
    &'a BTreeMap<String, String>,
    &'a dyn Fn(&str) -> bool,
);

/// The semantic keys of every word category and whether an IPsec target must cover them all.
const WORD_CATEGORIES: &[(&str, &[&str], bool)] = &[
    ("ike_version", &["ikev1", "ikev2"], false),
    // A second notation of the IKE version (libreswan 5's keyexchange=), optional.
    ("ike_version_alt", &["ikev1", "ikev2"], false),
    (
        "start_action",
        &["immediately", "on_traffic", "respond"],
        true,
    ),
    (
        "dpd_action",
        &["immediately", "on_traffic", "respond"],
        true,
    ),
    ("bool", &["true", "false"], true),
    ("ts", &["dynamic"], false),
];

fn word_ok(w: &str) -> bool {
    !w.is_empty() && w.trim() == w && !w.chars().any(char::is_control)
}

#[test]
fn every_table_cell_is_known_and_well_formed() {
    assert_eq!(registry().error(), None, "the built-in templates must load");
    let mut problems = Vec::new();
    for t in registry().targets() {
        check_names(&t.name, "", &t.names, t.features.ipsec, &mut problems);
        for (prefix, n) in [
            ("ikev1.", t.names.ikev1.as_deref()),
            ("ikev2.", t.names.ikev2.as_deref()),
        ] {
            if let Some(n) = n {
                check_names(&t.name, prefix, n, false, &mut problems);
                if n.ikev1.is_some() || n.ikev2.is_some() {
                    problems.push(format!(
                        "{}: names.{prefix} cannot nest another version",
                        t.name
                    ));
                }
            }
        }
        for (cat, words) in &t.words {
            match WORD_CATEGORIES.iter().find(|(c, _, _)| c == cat) {
                None => problems.push(format!("{}: words.{cat} is not a known category", t.name)),
                Some((_, keys, complete)) => {
                    for (k, v) in words {
                        if !keys.contains(&k.as_str()) {
                            problems
                                .push(format!("{}: words.{cat}.{k} is not a known value", t.name));
                        }
                        if !word_ok(v) {
                            problems
                                .push(format!("{}: words.{cat}.{k}: malformed word {v:?}", t.name));
                        }
                    }
                    if *complete && t.features.ipsec {
                        for k in *keys {
                            if !words.contains_key(*k) {
                                problems.push(format!("{}: words.{cat} lacks `{k}`", t.name));
                            }
                        }
                    }
                }
            }
        }
        if t.features.ipsec {
            for (ver, on) in [("ikev1", t.features.ikev1), ("ikev2", t.features.ikev2)] {
                if on && t.word("ike_version", ver).is_err() {
                    problems.push(format!(
                        "{}: supports {ver} but words.ike_version lacks it",
                        t.name
                    ));
                }
            }
        }
        for f in &t.files {
            let name = format!("{}/{}", t.name, f.template);
            if !registry().has_template(&name) {
                problems.push(format!(
                    "{}: file {} names a missing template {name}",
                    t.name, f.path
                ));
            }
        }
        if t.files.is_empty() {
            problems.push(format!("{}: produces no files", t.name));
        }
        if t.max_name < 8 {
            problems.push(format!("{}: max_name {} is too small", t.name, t.max_name));
        }
    }
    assert!(
        problems.is_empty(),
        "target tables:\n{}",
        problems.join("\n")
    );
}

/// Every cell of one set of name tables (`prefix` names the per-version override, if any).
fn check_names(
    name: &str,
    prefix: &str,
    n: &ipsecgen::render::target::Names,
    ipsec: bool,
    problems: &mut Vec<String>,
) {
    let tables: [Table; 7] = [
        ("ike_cipher", &n.ike_cipher, &|k| {
            Cipher::from_id(k).is_some()
        }),
        ("esp_cipher", &n.esp_cipher, &|k| {
            Cipher::from_id(k).is_some()
        }),
        ("ike_integrity", &n.ike_integrity, &|k| {
            Integrity::from_id(k).is_some()
        }),
        ("esp_integrity", &n.esp_integrity, &|k| {
            Integrity::from_id(k).is_some()
        }),
        ("ike_prf", &n.ike_prf, &|k| Prf::from_id(k).is_some()),
        ("ike_dh", &n.ike_dh, &|k| {
            k.parse::<u16>()
                .is_ok_and(|g| DhGroup::KNOWN.iter().any(|(n, _)| *n == g))
        }),
        ("esp_dh", &n.esp_dh, &|k| {
            k.parse::<u16>()
                .is_ok_and(|g| DhGroup::KNOWN.iter().any(|(n, _)| *n == g))
        }),
    ];
    for (table, map, known) in tables {
        for (k, v) in map {
            if !known(k) {
                problems.push(format!(
                    "{}: names.{prefix}{table}: `{k}` is not an IR id",
                    name
                ));
            }
            if !word_ok(v) {
                problems.push(format!(
                    "{}: names.{prefix}{table}.{k}: malformed word {v:?}",
                    name
                ));
            }
        }
        if ipsec && table != "ike_prf" && map.is_empty() {
            problems.push(format!(
                "{}: names.{prefix}{table} is empty for an IPsec target",
                name
            ));
        }
    }
}

/// The README's target table and support matrix are the generated ones.
#[test]
fn readme_target_tables_are_generated() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let generated = matrix::markdown();
    let (Some(a), Some(b)) = (readme.find(matrix::BEGIN), readme.find(matrix::END)) else {
        panic!("README.md lacks the generated target tables; paste `ipsecgen targets --markdown`");
    };
    let current = &readme[a..b + matrix::END.len()];
    assert_eq!(
        current.trim(),
        generated.trim(),
        "README's target tables are stale: run `cargo run -- targets --markdown` and paste"
    );
}

/// A run reads each built-in target table from the JSON build.rs made of its target.toml: the
/// same table, field by field, as reading the TOML (every target, none left out).
#[test]
fn built_in_tables_read_from_json_equal_their_toml() {
    let both = ipsecgen::render::builtin_tables_both_ways();
    let tomls = ipsecgen::render::builtin_files()
        .iter()
        .filter(|(p, _)| p.ends_with("/target.toml"))
        .count();
    assert_eq!(both.len(), tomls);
    for (target, from_toml, from_json) in both {
        assert!(from_toml.starts_with("Ok("), "{target}: {from_toml}");
        assert_eq!(from_toml, from_json, "{target}");
    }
}
