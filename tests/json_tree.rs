//! The JSON reader (`src/source/json_tree.rs`) gives the tree the YAML parser gives, spans
//! included, wherever it reads a text at all; and it reads the JSON the clouds print.

use ipsecgen::source::{json_tree, parse_yaml_within, Limits};
use proptest::prelude::*;

#[path = "common/corpus.rs"]
mod corpus;

fn limits(text: &str) -> Limits {
    Limits::for_len(text.len())
}

/// `Some(true)`: read by the JSON reader, the same tree as the parser's; `Some(false)`: left
/// to the parser; a difference fails.
fn same_or_declined(name: &str, text: &str) -> bool {
    same_or_declined_within(name, text, limits(text))
}

fn same_or_declined_within(name: &str, text: &str, limits: Limits) -> bool {
    let Some(fast) = json_tree::parse(text, limits) else {
        return false;
    };
    let slow = parse_yaml_within(text, limits).unwrap_or_else(|e| {
        panic!("{name}: the JSON reader took a text the parser refuses: {e:?}")
    });
    assert_eq!(fast, slow, "{name}");
    true
}

#[test]
fn every_shipped_and_published_json_reads_the_same_both_ways() {
    let (mut json, mut read) = (0, 0);
    for (name, text) in &corpus::documents() {
        let is_json = name.ends_with(".json");
        json += usize::from(is_json);
        let taken = same_or_declined(name, text);
        read += usize::from(taken);
        // Every shipped JSON example is plain JSON: the reader must take it (else it would
        // silently leave every input to the slow path).
        if is_json && name.contains("/examples/") {
            assert!(taken, "{name}: the JSON reader declined a shipped example");
        }
    }
    eprintln!("{read} of {json} JSON files read by the JSON reader");
    assert!(read > 20, "{read}");
}

/// Numbers past 64 bits are typed as the parser types them (`source::plain_scalar`): an
/// integer that fits a `u64` an integer, a larger one a float.
#[test]
fn numbers_past_64_bits_read_the_same_both_ways() {
    for text in [
        r#"{"a": 12345678901234567890}"#,
        r#"{"a": 18446744073709551615, "b": 18446744073709551616}"#,
        r#"{"a": -9223372036854775808, "b": -9223372036854775809}"#,
        r#"[99999999999999999999, -1e300, 0.0000000000001]"#,
        r#"[123456789012345678901234567890, 0.000000000000000000000000000001234567891]"#,
    ] {
        assert!(same_or_declined(text, text), "{text}");
    }
}

/// Texts the reader must decline: the parser decides (and refuses or types them its way).
#[test]
fn what_the_reader_is_not_sure_of_goes_to_the_parser() {
    for text in [
        r#"{"a": 1, "a": 2}"#,
        "\u{feff}{\"a\": 1}",
        r#"{"a": "\ud83d\ude00"}"#,
        r#"{"a": "\u0007"}"#,
        "{\"a\": \"\u{7f}\"}",
        r#"{"a": 1e999}"#,
        r#"{"a": 01}"#,
        r#"{"a": 0x10}"#,
        r#"{"a": .5}"#,
        r#"{"a": yes}"#,
        r#"{"a": 1,}"#,
        r#"{a: 1}"#,
        r#"{"a": 1} {"b": 2}"#,
        r#""a""#,
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    ] {
        assert!(json_tree::parse(text, limits(text)).is_none(), "{text:?}");
    }
    let many = format!(
        "{{{}}}",
        (0..300)
            .map(|i| format!("\"k{i}\": {i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    assert!(json_tree::parse(&many, limits(&many)).is_none());
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let scalar = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        any::<u64>().prop_map(|n| serde_json::json!(n)),
        (-1e12f64..1e12).prop_map(|f| serde_json::json!(f)),
        "\\PC{0,12}".prop_map(serde_json::Value::String),
        "[a-z0-9 ./:#&*!?,\\[\\]{}\"'\\\\-]{0,12}".prop_map(serde_json::Value::String),
    ];
    scalar.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map("\\PC{0,8}", inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn generated_json_reads_the_same_both_ways(
        v in json_value(),
        pretty in any::<bool>(),
        ascii in any::<bool>(),
        spaces in prop::collection::vec(0..8usize, 1..64),
    ) {
        let wrapped = serde_json::json!({ "doc": v });
        let mut text = if pretty {
            serde_json::to_string_pretty(&wrapped).expect("json")
        } else {
            serde_json::to_string(&wrapped).expect("json")
        };
        if ascii {
            // Non-ASCII as \u escapes, as some SDKs print it.
            text = text
                .chars()
                .map(|c| if c.is_ascii() { c.to_string() } else {
                    c.encode_utf16(&mut [0; 2]).iter().map(|u| format!("\\u{u:04x}")).collect()
                })
                .collect();
        }
        same_or_declined("generated", &text);
        // JSON's whitespace (tabs, CR LF, none) after each bracket, comma and colon outside
        // strings, as printers indent it (Alibaba's published samples indent with tabs).
        const WS: [&str; 8] = ["", " ", "\t", "\n", "\r\n", "\n\t\t", "  \t ", "\n    "];
        let (mut out, mut in_str, mut esc, mut k) = (String::new(), false, false, 0);
        for c in text.chars() {
            out.push(c);
            if in_str {
                match (esc, c) {
                    (true, _) => esc = false,
                    (false, '\\') => esc = true,
                    (false, '"') => in_str = false,
                    _ => {}
                }
            } else if c == '"' {
                in_str = true;
            } else if "{[,:".contains(c) {
                out.push_str(WS[spaces[k % spaces.len()]]);
                k += 1;
            }
        }
        same_or_declined("generated with whitespace", &out);
    }

    /// The reader holds a text to the parser's node and event limits as the parser counts
    /// them: at the least limits the parser takes the text under, the reader takes it too;
    /// one value fewer, and it declines (the parser refuses). Before, it declined any text
    /// over half the node limit (a JSON fleet at the limit was read twice: 0.99 -> 0.58 s).
    #[test]
    fn the_limits_are_counted_as_the_parser_counts_them(v in json_value()) {
        let text = serde_json::to_string(&serde_json::json!({ "doc": v })).expect("json");
        if json_tree::parse(&text, limits(&text)).is_some() {
            // The parser's own count (its budget's report).
            let mut budget = serde_saphyr::Budget::default();
            budget.max_nodes = usize::MAX;
            budget.max_events = usize::MAX;
            let c = serde_saphyr::budget::check_yaml_budget(
                &text,
                budget,
                serde_saphyr::budget::EnforcingPolicy::AllContent,
            )
            .expect("a report");
            let at = Limits { nodes: c.nodes.max(c.events.div_ceil(2)) };
            prop_assert!(same_or_declined_within("at the limits", &text, at));
            let under = Limits { nodes: at.nodes - 1 };
            prop_assert!(json_tree::parse(&text, under).is_none());
            prop_assert!(parse_yaml_within(&text, under).is_err());
        }
    }
}
