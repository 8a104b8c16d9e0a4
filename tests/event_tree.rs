//! The event reader (`src/source/event_tree.rs`) gives the tree serde-saphyr gives, spans
//! included, wherever it reads a text at all; and it reads the YAML fleets and examples.

use ipsecgen::source::{event_tree, parse_yaml_within, Limits};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

#[path = "common/corpus.rs"]
mod corpus;
#[path = "common/growth.rs"]
mod growth;

fn limits(text: &str) -> Limits {
    Limits::for_len(text.len())
}

/// `Some(true)`: read by the event reader, the same tree as serde-saphyr's; `false`: left to
/// serde-saphyr; a difference fails.
fn same_or_declined(name: &str, text: &str) -> bool {
    same_or_declined_within(name, text, limits(text))
}

fn same_or_declined_within(name: &str, text: &str, limits: Limits) -> bool {
    let Some(fast) = event_tree::parse(text, limits) else {
        return false;
    };
    let slow = parse_yaml_within(text, limits).unwrap_or_else(|e| {
        panic!("{name}: the event reader took a text serde-saphyr refuses: {e:?}\n{text}")
    });
    assert_eq!(fast, slow, "{name}\n{text}");
    true
}

#[test]
fn every_shipped_and_published_document_reads_the_same_both_ways() {
    let (mut yaml, mut read, mut all) = (0, 0, 0);
    for (name, text) in &corpus::documents() {
        let is_yaml = name.ends_with(".yaml") || name.ends_with(".yml");
        yaml += usize::from(is_yaml);
        all += 1;
        let taken = same_or_declined(name, text);
        read += usize::from(taken && is_yaml);
    }
    eprintln!("{read} of {yaml} YAML files ({all} files in all) read by the event reader");
    assert!(read * 10 >= yaml * 8, "{read} of {yaml}");
}

#[test]
fn fleets_read_the_same_both_ways() {
    for n in [0, 1, 2, 7, 100] {
        for text in [
            growth::fleet(n),
            growth::fleet_spread(n),
            growth::fleet_inline(n),
        ] {
            if n > 0 {
                assert!(same_or_declined("fleet", &text), "fleet of {n} declined");
            }
            // The same items in block form, with comments and CR LF.
            let block = text
                .replace("- {", "  - {")
                .replace(", psk:", ",  # psk next\n    psk:")
                .replace('\n', "\r\n");
            same_or_declined("fleet in block form", &block);
        }
    }
}

/// A document at the node limit is read; one value more, and it is left to serde-saphyr
/// (which refuses it).
#[test]
fn the_limits_are_counted_as_the_parser_counts_them() {
    let text = growth::fleet(20);
    let (_, counts) = event_tree::parse_shared(&text, limits(&text), None).expect("read");
    let at = Limits {
        nodes: counts.nodes,
    };
    assert!(same_or_declined_within("at the limit", &text, at));
    let under = Limits {
        nodes: counts.nodes - 1,
    };
    assert!(event_tree::parse(&text, under).is_none());
    assert!(parse_yaml_within(&text, under).is_err());
    // The events: every one counts (comments, the stream's and document's).
    let commented = text.replace("\n-", "\n# c\n-");
    let (_, c) = event_tree::parse_shared(&commented, limits(&commented), None).expect("read");
    assert_eq!(c.events, counts.events + 20);
    // A shared count over the limit stops every reading that adds to it.
    let most = limits(&text).nodes;
    let shared = std::sync::atomic::AtomicUsize::new(most);
    assert!(event_tree::parse_shared(
        &text,
        limits(&text),
        Some(shared_count(&shared, most, &text))
    )
    .is_none());
    let shared = std::sync::atomic::AtomicUsize::new(most - counts.nodes);
    assert!(event_tree::parse_shared(
        &text,
        limits(&text),
        Some(shared_count(&shared, most, &text))
    )
    .is_some());
}

/// A shared count for a whole `text` read as one part.
fn shared_count<'a>(
    count: &'a std::sync::atomic::AtomicUsize,
    most: usize,
    text: &str,
) -> event_tree::Shared<'a> {
    event_tree::Shared {
        count,
        most,
        own_end: text.len(),
    }
}

/// Texts the reader must decline: serde-saphyr decides (and refuses or types them its way).
#[test]
fn what_the_reader_is_not_sure_of_goes_to_serde_saphyr() {
    for text in [
        "a: 1\na: 2\n",
        // A tag other than a core-schema scalar one, anchored, on a key, on a block or
        // multi-line scalar, on a collection.
        "a: !e!custom x\n",
        "a: !!binary aGk=\n",
        "a: &x !!str 1\n",
        "!!str k: v\n",
        "a: !!str |\n  block\n",
        "a: !!str multi\n  line\n",
        "a: !!map {b: 1}\n",
        // An anchor or an alias in a key; a recursive alias.
        "&k a: 1\nb: *k\n",
        "a: &x b\n*x : 1\n",
        "a: &x [1, *x]\n",
        // A merge key in an anchored value, a tag in a merge value, a list in a merge list,
        // a merge value serde-saphyr refuses, a tagged merge key.
        "d: &d {<<: {a: 1}}\n",
        "<<: {a: !!str 1}\n",
        "<<: [[{a: 1}]]\n",
        "<<: 1\n",
        "<<: [{a: 1}, b]\n",
        "<<: ''\n",
        "!!merge <<: {a: 1}\n",
        "<<: {a: 1, a: 2}\n",
        // A merged key with the name of an entry before it that is not a string when plain
        // (the reader's names do not tell `1` from `"1"`).
        "1: a\n<<: {\"1\": b}\n",
        "\"1\": a\n<<: {\"1\": b, c: d}\n",
        "? [a]\n: 1\n",
        "0x10: a\n",
        "yes: a\n",
        "~: a\n",
        "1: a\n\"1\": b\n",
        "1: a\n1: b\n",
        "%YAML 1.2\n---\na: 1\n",
        "a: 1\n---\nb: 2\n",
        "# only a comment\n",
        "a: [1, 2\n",
        "a:\n  b: c\n d: e\n",
        "a: \"b\n",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    ] {
        assert!(event_tree::parse(text, limits(text)).is_none(), "{text:?}");
    }
    let many = (0..300).map(|i| format!("k{i}: {i}\n")).collect::<String>() + "k7: x\n";
    assert!(event_tree::parse(&many, limits(&many)).is_none());
    let many = (0..300).map(|i| format!("k{i}: {i}\n")).collect::<String>();
    assert!(same_or_declined("300 keys", &many));
}

/// Anchors and aliases: the replayed values placed at the alias, as serde-saphyr places them.
#[test]
fn aliases_read_the_same_both_ways() {
    for text in [
        "a: &x 1\nb: *x\n",
        "a: &x {k: v, l: [1, 2]}\nb: *x\nc: [*x, *x]\n",
        "a: &x {k: &y [1, {m: n}]}\nb: *y\nc: *x\n",
        "a: &x 1\nb: &x two\nc: *x\n",
        "- &a\n  k: v\n- *a\n- {x: *a}\n",
        "a: &e\nb: *e\n",
        "a: &q 'quoted'\nb: *q\nc: &n 12\nd: *n\ne: &f 1.5\nf: *f\n",
        "a: &x [&y 1, *y]\nb: *x\n",
        "[&a 1, *a, &b [*a], *b]",
    ] {
        assert!(same_or_declined(text, text), "{text:?} declined");
    }
}

/// Scalars with a core-schema tag are read, typed by serde-saphyr from the scalar alone;
/// their tags count as serde-saphyr's budget counts them (the resolved handle and suffix as
/// scalar bytes).
#[test]
fn tagged_scalars_read_the_same_both_ways() {
    for text in [
        "a: !!str 1\nb: !!int \"12\"\nc: !!float 1\nd: !!bool yes\ne: !!null ''\n",
        "[!!str 0x10, !!int 0x10, !!float -2, !!str, !!str ~, !!int -0b11]",
        "{\"a\": !!str 1, \"b\": !<tag:yaml.org,2002:int> 5}",
        "a: !!str 'it''s'\nb: !!str \"\\u00e9\"\n",
        "a: !site c\nb: ! 12\nc: !x 0x10\nd: !x-y.z 'q'\n",
    ] {
        assert!(same_or_declined(text, text), "{text:?} declined");
        let (_, counts) = event_tree::parse_shared(text, limits(text), None).expect("read");
        let mut budget = serde_saphyr::Budget::default();
        budget.max_nodes = usize::MAX;
        let report = serde_saphyr::budget::check_yaml_budget(
            text,
            budget,
            serde_saphyr::budget::EnforcingPolicy::AllContent,
        )
        .expect("a report");
        assert_eq!(counts.scalar_bytes, report.total_scalar_bytes, "{text}");
        assert!(counts.own.tag_bytes > 0);
    }
    // A tag serde-saphyr refuses for its value: left to serde-saphyr, which refuses it.
    for text in ["a: !!int x\n", "a: !!bool maybe\n", "a: !!float .inf\n"] {
        assert!(event_tree::parse(text, limits(text)).is_none(), "{text}");
        assert!(parse_yaml_within(text, limits(text)).is_err(), "{text}");
    }
}

/// Texts that are read: the same tree as serde-saphyr's.
#[test]
fn yaml_forms_read_the_same_both_ways() {
    for text in [
        "a: b\n",
        "---\na: b\n...\n",
        "a: 'single ''quoted'''\nb: \"double \\t \\u00e9 \\n\"\n",
        "a: |\n  literal\n   text\nb: >-\n  folded\n  text\n",
        "a:\n- 1\n- -2\n- 0\n- ~\n- null\n- \n- TRUE\n- false\n",
        "a: plain text with spaces\nb: multi\n  line plain\n",
        "{a: [b, {c: d}], 'e': \"f\"}",
        "- a\n- - b\n  - c\n- d: e\n  f: g\n",
        "a: 10.0.0.0/24\nb: 203.0.113.1\nc: fd00::1\nd: aes256-sha256-modp2048\n",
        "\"quoted key\": 1\n'1': 2\n\"true\": 3\n",
        "a: b # comment\n# comment\nc: d\n",
        "é: ü\nb: \"日本\"\n",
        "a:\n  b:\n    c:\n      d: e\n",
        "[]",
        "{}",
        "a: []\nb: {}\n",
        "? a\n: b\n",
        "a: -x\nb: .hidden\nc: 1.2.3\n",
        // YAML 1.1 booleans and decimal floats, typed as serde-saphyr types them.
        "a: yes\nb: Off\nc: n\nd: Y\ne: tRuE\nf: NO\n",
        "a: 1.5\nb: -2.\nc: .5\nd: 1e5\ne: +1.5E-3\nf: 0.0\ng: -0.0\nh: 1.7976931348623157e308\n",
        "[1.5, yes, 2e-3, off, 1.5.5]",
        // Keys of other types than strings, written as serde-saphyr names them.
        "1: a\ntrue: b\n1.5: c\nnull: d\n-7: e\n18446744073709551615: f\n",
        "{1: a, \"2\": b, 3: c}",
        // Integers in other bases and forms, and what serde-saphyr makes of them.
        "a: 0x10\nb: 012\nc: +1\nd: 1_000\ne: -0\nf: 12345678901234567890\ng: 0o17\nh: 0b1\n",
        "[inf, nan, -0x1F, 1__0, 0x, -9223372036854775809, 18446744073709551615]",
    ] {
        assert!(same_or_declined(text, text), "{text:?} declined");
    }
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let scalar = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        (-1e12f64..1e12).prop_map(|f| serde_json::json!(f)),
        "\\PC{0,12}".prop_map(serde_json::Value::String),
        "[a-zA-Z0-9 ./:#&*!?,_+~<=|>%@`'\\[\\]{}\"\\\\-]{0,12}".prop_map(serde_json::Value::String),
    ];
    scalar.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map("[a-zA-Z0-9 ./:#_-]{0,8}", inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A plain scalar's text of the kinds a YAML document may hold, typed or not.
fn plain_word() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z][a-zA-Z0-9_./:-]{0,10}",
        "[-+]?[0-9]{1,20}",
        "[-+]?[0-9._xXoObBeE]{1,8}",
        "[-+]?0[xXoObB][0-9a-fA-F_]{0,8}",
        "[-+]?[0-9_]{1,22}",
        "[-+]?[0-9]{1,3}[eE][-+]?[0-9]{1,4}",
        "[-+]?\\.?(inf|Inf|INF|nan|NaN|NAN|infinity)",
        "[-+]?[0-9]{0,4}\\.?[0-9]{0,4}([eE][-+]?[0-9]{0,3})?",
        "(y|Y|yes|No|on|OFF|true|False|null|NULL|~|inf|nan|\\.inf|-\\.NaN)",
        "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}(/[0-9]{1,2})?",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn generated_yaml_reads_the_same_both_ways(v in json_value()) {
        let wrapped = serde_json::json!({ "doc": v });
        // serde-saphyr's block YAML, and JSON (YAML's flow form).
        let yaml = serde_saphyr::to_string(&wrapped).expect("yaml");
        same_or_declined("generated YAML", &yaml);
        let json = serde_json::to_string_pretty(&wrapped).expect("json");
        same_or_declined("generated JSON", &json);
    }

    #[test]
    fn plain_scalars_read_the_same_both_ways(
        words in prop::collection::vec(plain_word(), 1..8),
        keys in prop::collection::vec(plain_word(), 1..8),
    ) {
        let block: String = keys
            .iter()
            .zip(words.iter().cycle())
            .map(|(k, w)| format!("{k}: {w}\n"))
            .collect();
        same_or_declined("plain block", &block);
        let flow = format!("[{}]", words.join(", "));
        same_or_declined("plain flow", &flow);
        let list: String = words.iter().map(|w| format!("- {w}\n")).collect();
        // Every plain value serde-saphyr takes is read (`source::plain_scalar`); a word that
        // ends with `:` is a key (not a string one, maybe: left to serde-saphyr).
        let taken = parse_yaml_within(&list, limits(&list)).is_ok();
        let read = same_or_declined("plain list", &list);
        if !list.contains(":\n") {
            prop_assert_eq!(read, taken, "{}", list);
        }
    }
}

/// A document of entries that define anchors and alias the ones defined before them
/// (complete ones, and now and then one still being read: a recursive alias).
fn anchored_document() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        "[a-z0-9]{1,4}",
        "\\[[a-z0-9]{1,3}, [a-z0-9]{1,3}\\]",
        "\\{k: [a-z0-9]{1,3}, l: \\[1, 2\\]\\}",
    ];
    let entry = (
        0..6u8,
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        value,
    );
    prop::collection::vec(entry, 1..14).prop_map(|entries| {
        let mut defined: Vec<String> = Vec::new();
        let mut text = String::new();
        for (i, (kind, j, k, v)) in entries.into_iter().enumerate() {
            let name = format!("a{}", i % 5);
            let alias = |x: &prop::sample::Index| {
                if defined.is_empty() {
                    v.clone()
                } else {
                    format!("*{}", defined[x.index(defined.len())])
                }
            };
            let entry = match kind {
                0 => v.clone(),
                1 => format!("&{name} {v}"),
                2 => alias(&j),
                3 => format!("[{}, {}]", alias(&j), alias(&k)),
                4 => format!("&{name} {{x: {}, y: {v}}}", alias(&j)),
                _ => format!("&{name} [*{name}]"),
            };
            text.push_str(&format!("k{i}: {entry}\n"));
            if matches!(kind, 1 | 4) && !defined.contains(&name) {
                defined.push(name);
            }
        }
        text
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6_000))]

    /// Replayed values count against the node and event limits as serde-saphyr counts them
    /// (and the alias itself as one event), and merge keys merge as serde-saphyr merges them:
    /// under a limit anywhere from a few values to more than the document holds, a text the
    /// reader takes is one serde-saphyr takes, the same tree, at the exact limits and not one
    /// under (or one comment over).
    #[test]
    fn aliases_and_merges_count_as_serde_saphyr_counts_them(
        text in prop_oneof![anchored_document(), merged_document()],
        nodes in 1usize..120,
        comments in 0usize..80,
    ) {
        counted_as_serde_saphyr_counts(&text, nodes, comments)?;
    }
}

/// Under a node limit `nodes`, with `comments` comment lines before it, `text` is read the
/// same as serde-saphyr reads it or declined; and when it is read, it is at the exact node and
/// event limits it counts, and refused by both one value under them or one comment over.
fn counted_as_serde_saphyr_counts(
    text: &str,
    nodes: usize,
    comments: usize,
) -> Result<(), TestCaseError> {
    // Comments are events but not values: with them, the event limit is reached first.
    let text = "#\n".repeat(comments) + text;
    same_or_declined_within("counted", &text, Limits { nodes });
    if let Some((_, c)) = event_tree::parse_shared(&text, limits(&text), None) {
        // Exactly at the limits (nodes, or events: two a node), and one node under.
        let at = Limits {
            nodes: c.nodes.max(c.events.div_ceil(2)),
        };
        prop_assert!(same_or_declined_within("at the limit", &text, at));
        let under = Limits {
            nodes: at.nodes - 1,
        };
        prop_assert!(event_tree::parse(&text, under).is_none());
        prop_assert!(parse_yaml_within(&text, under).is_err());
        // A refusal the reader makes itself there is serde-saphyr's.
        refused_the_same(&text, under)?;
        // Exactly at the event limit (comments added up to it), and one comment over.
        let full = "#\n".repeat(at.events() - c.events) + &text;
        prop_assert!(same_or_declined_within("at the event limit", &full, at));
        let over = format!("#\n{full}");
        prop_assert!(event_tree::parse(&over, at).is_none());
        prop_assert!(parse_yaml_within(&over, at).is_err());
        refused_the_same(&over, at)?;
    }
    Ok(())
}

/// When the reader refuses `text` itself under `limits`, serde-saphyr refuses it the same way
/// (code, message, place).
fn refused_the_same(text: &str, limits: Limits) -> Result<(), TestCaseError> {
    if let Err(event_tree::Stop::Refused(fast)) = event_tree::read(text, limits, None) {
        let slow = parse_yaml_within(text, limits).expect_err("refused");
        prop_assert_eq!(
            (&fast.code, &fast.message, &fast.label),
            (&slow.code, &slow.message, &slow.label),
            "{}",
            text
        );
    }
    Ok(())
}

/// One value over the node limit, the reader refuses a document itself, as serde-saphyr does
/// (issue 20: a 3.3 MiB list of 1.1 M numbers under a key, which no count refuses first, was
/// read by serde-saphyr to its limit, 1.0 s; a fleet at the limit with an alias of its last
/// connection after it, 1.95 s); not while an anchored value is being recorded (serde-saphyr
/// counts each event recorded too), where serde-saphyr decides.
#[test]
fn over_the_node_limit_the_reader_refuses_as_serde_saphyr_does() {
    let numbers = |n: usize| format!("a: [{}]\n", vec!["1"; n].join(", "));
    let block = |n: usize| format!("a:\n{}", "- x\n".repeat(n));
    let nested = |n: usize| format!("{}1{}\n", "{a: ".repeat(n), "}".repeat(n));
    let replayed = "d: &d [1, 2, {x: 3}, [4, 5]]\nl: [*d, *d, *d, *d, *d, *d]\n";
    let in_anchor = "d: &d [1, 2, 3]\ne: &e [*d, *d, *d, *d, *d]\nl: [*e, *e]\n";
    for (what, text, nodes, refused) in [
        ("a flow list", numbers(50), 40, true),
        ("a block list", block(50), 40, true),
        ("nested mappings", nested(20), 30, true),
        ("a replay", replayed.to_owned(), 30, true),
        (
            "a replay in an anchored value",
            in_anchor.to_owned(),
            20,
            false,
        ),
    ] {
        let limits = Limits { nodes };
        let slow = parse_yaml_within(&text, limits).expect_err(what);
        assert!(slow.message.contains("Nodes {"), "{what}: {}", slow.message);
        match event_tree::read(&text, limits, None) {
            Err(event_tree::Stop::Refused(fast)) if refused => assert_eq!(
                (&fast.code, &fast.message, &fast.label),
                (&slow.code, &slow.message, &slow.label),
                "{what}"
            ),
            Err(event_tree::Stop::Declined(None)) if !refused => {}
            other => panic!("{what}: {other:?}"),
        }
        // Every limit from the document's size down to one value.
        for nodes in 1..=nodes {
            refused_the_same(&text, Limits { nodes }).expect(what);
        }
    }
}

/// The alias limits: at most 1000 aliases and 1000 anchors, and (at the end of the document)
/// no more than 10 aliases an anchor once there are 100.
#[test]
fn alias_limits_are_serde_saphyrs() {
    let doc = |anchors: usize, aliases: usize| {
        let mut t: String = (0..anchors).map(|i| format!("a{i}: &x{i} v\n")).collect();
        t.extend((0..aliases).map(|i| format!("b{i}: *x{}\n", i % anchors)));
        t
    };
    // 100 aliases of 10 anchors: read; of 9: refused, by the reader as serde-saphyr refuses
    // it (the breach and its place).
    assert!(same_or_declined("ratio at 10", &doc(10, 100)));
    refused_as_serde_saphyr_refuses(&doc(9, 100), "AliasAnchorRatio");
    // 99 aliases of one anchor: under the ratio's floor.
    assert!(same_or_declined("99 of one", &doc(1, 99)));
    // 1000 aliases: read; 1001: refused.
    assert!(same_or_declined("1000", &doc(100, 1000)));
    refused_as_serde_saphyr_refuses(&doc(101, 1001), "Aliases");
    // With a comment and blank lines at the end (the ratio's place is the stream's end).
    refused_as_serde_saphyr_refuses(&(doc(9, 100) + "# end\n\n\n"), "AliasAnchorRatio");
    refused_as_serde_saphyr_refuses(
        &format!("{{{}}}", doc(9, 100).replace('\n', ", ")),
        "AliasAnchorRatio",
    );
    // Replayed scalars count their bytes again: 17 KB replayed 999 times is over 16 MiB.
    let bytes = |aliases: usize| {
        (0..99)
            .map(|i| format!("c{i}: &z{i} v\n"))
            .collect::<String>()
            + &format!("a: &x {}\n", "y".repeat(17_000))
            + &(0..aliases)
                .map(|i| format!("b{i}: *x\n"))
                .collect::<String>()
    };
    let big = bytes(999);
    assert!(event_tree::parse(&big, limits(&big)).is_none());
    let refused = parse_yaml_within(&big, limits(&big)).expect_err("over the scalar bytes");
    assert!(
        refused.message.contains("ScalarBytes"),
        "{}",
        refused.message
    );
    assert!(same_or_declined("fewer", &bytes(950)));
    // 1000 anchors: read; 1001: refused.
    assert!(same_or_declined("1000 anchors", &doc(1000, 0)));
    refused_as_serde_saphyr_refuses(&doc(1001, 0), "Anchors");
    let collections = doc(1001, 0).replace(" v\n", " [v]\n");
    refused_as_serde_saphyr_refuses(&collections, "Anchors");
}

/// A duplicate key is refused by the reader itself, as serde-saphyr refuses it (its words,
/// the key's place): before, the whole text was read again by serde-saphyr (1.7 s for a
/// 7.5 MiB flow fleet with a duplicate key in its last item).
#[test]
fn duplicate_keys_are_refused_as_serde_saphyr_refuses_them() {
    let long: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
    for text in [
        "a: 1\na: 2\n".to_owned(),
        "a: 1\n\"a\": 2\n".to_owned(),
        "{\"a\": 1, \"b\": {\"c\": 2, \"c\": 3}}".to_owned(),
        "x:\n  - {name: a, name: b}\n".to_owned(),
        "é: 1\nb: 2\né: 3\n".to_owned(),
        "'it''s': 1\n\"it's\": 2\n".to_owned(),
        "a: 1\r\nb: 2\r\na: 3\r\n".to_owned(),
        "a: 1\na: [unclosed\n".to_owned(),
        "a: 1\na:\n".to_owned(),
        "{a: 1, a}".to_owned(),
        format!("{long}k7: again\n"),
    ] {
        if parse_yaml_within(&text, limits(&text))
            .is_err_and(|e| e.message.contains("duplicate mapping key"))
        {
            refused_as_serde_saphyr_refuses(&text, "duplicate mapping key");
        } else {
            panic!("serde-saphyr does not refuse a duplicate: {text}");
        }
    }
    // A key serde-saphyr's words would escape (a tab): left to serde-saphyr.
    let tab = "a: 1\n\"a\\tb\": 2\n\"a\\tb\": 3\n";
    assert!(matches!(
        event_tree::read(tab, limits(tab), None),
        Err(event_tree::Stop::Declined(_))
    ));
}

/// A float that is not finite is refused by the reader itself, as serde-saphyr refuses it.
#[test]
fn a_float_that_is_not_finite_is_refused_as_serde_saphyr_refuses_it() {
    for text in [
        "a: .inf\n",
        "b: x\na: [1, -.Inf]\n",
        "a: 1e999\n",
        "{\"a\": 1e400}",
        "a: .NaN\n",
        "é: ü\nb: [+.INF]\n",
    ] {
        refused_as_serde_saphyr_refuses(text, "non-finite float");
    }
}

/// A second document is refused by the reader itself at its first value, as serde-saphyr
/// refuses it: before, the whole text was read again by serde-saphyr.
#[test]
fn a_second_document_is_refused_as_serde_saphyr_refuses_it() {
    for text in [
        "a: 1\n---\nb: 2\n",
        "a: 1\n...\n---\nb: 2\n",
        "a: 1\n--- x\n",
        "a: 1\n---\n",
        "a: 1\n---",
        "a: 1\n---\n# a comment\n\n  [1, 2]\n",
        "{\"a\": 1}\r\n---\r\n{\"b\": 2}\r\n",
        "a: 1\n...\nb: 2\n",
        "- a\n---\n- b\n---\n- c\n",
    ] {
        refused_as_serde_saphyr_refuses(text, "multiple YAML documents");
    }
    // A directive, a tag, an anchor on the second document: left to serde-saphyr.
    for text in [
        "a: 1\n...\n%YAML 1.2\n---\nb\n",
        "a: 1\n--- !!str b\n",
        "a: 1\n--- &x b\n",
    ] {
        assert!(matches!(
            event_tree::read(text, limits(text), None),
            Err(event_tree::Stop::Declined(_))
        ));
    }
}

/// The reader refuses `text` itself, for `breach` (a budget, a duplicate key), with
/// serde-saphyr's diagnostic (code, message, place).
fn refused_as_serde_saphyr_refuses(text: &str, breach: &str) {
    let Err(event_tree::Stop::Refused(fast)) = event_tree::read(text, limits(text), None) else {
        panic!("not refused by the reader: {text}");
    };
    let slow = parse_yaml_within(text, limits(text)).expect_err("refused");
    assert_eq!(
        (&fast.code, &fast.message, &fast.label),
        (&slow.code, &slow.message, &slow.label)
    );
    assert!(fast.message.contains(breach), "{}", fast.message);
}

/// Merge keys, merged as serde-saphyr merges them: the mapping's own entries first, then each
/// merge key's (a list's mappings in order), an entry left out when a key before it has its
/// name; every merged key and value placed at the merge value's reference (the alias, or the
/// mapping's first token).
#[test]
fn merge_keys_read_the_same_both_ways() {
    for text in [
        "a: 1\n<<: {b: 2, a: 9}\nc: 3\n",
        "d: &d {x: 1, z: 2}\ne:\n  <<: *d\n  z: 3\n",
        "d: &d {x: 1, z: 2}\nf: &f {q: 1, x: 7}\ne: {<<: [*d, *f], q: 1}\n",
        "e: {<<: [{a: 1}, {b: 2, a: 3}], q: 1}\n",
        "e: {<<: ~, q: 1}\ne2: {<<: , q: 1}\ne3: {<<: null}\ne4: {<<: [~, NULL]}\n",
        "e: {<<: {a: 1}, <<: {b: 1}, a: 2}\n",
        "e: {<<: {a: 1, <<: {c: 5, a: 7}}, b: 2}\n",
        "e: {<<: {}}\nf: {<<: []}\n",
        "e: [<<, '<<', =]\nf: <<\n=: 1\n'<<': {a: 1}\n\"==\": 2\n",
        "<<: {=: 1, '<<': 2}\n",
        "e: {<<: {a: 1}}\nf: {<<: {a: 1}}\n",
        "d: &d {x: 1, z: [1, {r: s}]}\ne:\n  <<: *d\n",
        "e: {x: &x {a: 1}, <<: *x}\n",
        "e: {<<: &x {a: 1}, w: *x}\n",
        "s: &s [{a: 1}, ~, {b: 2}]\ne: {<<: *s}\n",
        "<<:\n  a: 1\n  b:\n    - c\nb: 2\n",
        "- <<: {mtu: 1400, name: x}\n  name: site-1\n- name: site-2\n  <<: {mtu: 1500}\n",
    ] {
        assert!(same_or_declined(text, text), "{text:?} declined");
    }
    // A long mapping (its names in a set) with as many merged entries.
    let own: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
    let merged: String = (20..60).map(|i| format!("k{i}: m{i}, ")).collect();
    let text = format!("{own}<<: {{{merged}}}\n");
    assert!(same_or_declined("long", &text));
}

/// serde-saphyr's merge-key budget (10,000 a document), refused at the first key over it;
/// a duplicate explicit key after a merge refused in its words.
#[test]
fn merge_keys_are_refused_as_serde_saphyr_refuses_them() {
    let text: String = (0..10_001)
        .map(|i| format!("k{i}: {{<<: {{a: 1}}}}\n"))
        .collect();
    refused_as_serde_saphyr_refuses(&text, "MergeKeys");
    let text: String = (0..10_000)
        .map(|i| format!("k{i}: {{<<: {{a: 1}}}}\n"))
        .collect();
    assert!(same_or_declined("10,000 merge keys", &text));
    refused_as_serde_saphyr_refuses("e: {a: 1, <<: {a: 1}, a: 3}\n", "duplicate mapping key");
    // serde-saphyr refuses an item of a merge list that is not a mapping as it comes, before a
    // later error of the parser's (the fuzz target found the reader refusing for that error).
    for text in [
        "<<: [{a: 1}, A {b: 1}]\n",
        "d: &d {a: 1}\ne:\n  <<: [*d,A {dpd: 10}, ~]\n",
        "s: &s x\ne: {<<: [*s, {b]}\n",
        "e: {<<: [[{a: 1}], {b: 1} c: d]}\n",
    ] {
        let one_pass = ipsecgen::source::parse_whole_within(text, limits(text)).expect_err(text);
        let slow = parse_yaml_within(text, limits(text)).expect_err(text);
        assert_eq!(
            (&one_pass.code, &one_pass.message, &one_pass.label),
            (&slow.code, &slow.message, &slow.label),
            "{text}"
        );
    }
}

/// Documents with merge keys: inline mappings, aliases, lists of both with nulls, nested
/// merges, keys that collide with explicit and earlier merged ones, anchors on merge values.
fn merged_document() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        "[a-z0-9]{1,3}",
        Just("[1, 2]".to_owned()),
        Just("{q: r}".to_owned())
    ];
    let entry = (
        0..9u8,
        0..6usize,
        0..6usize,
        any::<prop::sample::Index>(),
        value,
    );
    prop::collection::vec(entry, 1..12).prop_map(|entries| {
        let mut anchors: Vec<String> = Vec::new();
        let mut text = String::new();
        for (i, (kind, j, k, pick, v)) in entries.into_iter().enumerate() {
            let alias = anchors
                .get(pick.index(anchors.len().max(1)))
                .map_or_else(|| format!("{{k{j}: {v}}}"), |a| format!("*{a}"));
            let line = match kind {
                0 => format!("k{j}: {v}"),
                1 => {
                    anchors.push(format!("a{i}"));
                    format!("m{i}: &a{i} {{k{j}: {v}, k{k}x: 1}}")
                }
                2 => format!("<<: {{k{j}: {v}, k{k}: m}}"),
                3 => format!("<<: {alias}"),
                4 => format!("<<: [{alias}, {{k{k}: {v}}}, ~]"),
                5 => format!("n{i}: {{<<: {alias}, k{j}: {v}}}"),
                6 => format!("<<: {{k{j}: {v}, <<: {{k{k}: n}}}}"),
                7 => {
                    anchors.push(format!("b{i}"));
                    format!("<<: &b{i} {{k{j}y: {v}}}")
                }
                _ => format!("<<:\n  k{j}: {v}\n  k{k}z: w"),
            };
            text.push_str(&line);
            text.push('\n');
        }
        text
    })
}

/// How often the generated documents with merge keys are read, not declined: a generator
/// the reader always declines would test nothing.
#[test]
fn generated_merges_are_mostly_read() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut read, mut all) = (0, 0);
    for _ in 0..500 {
        let text = merged_document()
            .new_tree(&mut runner)
            .expect("a document")
            .current();
        all += 1;
        read += usize::from(same_or_declined("merges", &text));
    }
    eprintln!("{read} of {all} generated documents with merge keys read");
    assert!(read * 3 >= all, "{read} of {all} read");
}

/// A document with YAML the event reader leaves to serde-saphyr (here a tag on a mapping) is
/// read by serde-saphyr up to 300,000 values (about half a second), the same tree; one over
/// them is refused, at the place of what the reader left, whatever the document's own limit
/// (at once when the reader read more than that before it left it).
#[test]
fn the_full_parser_reads_at_most_300_000_values() {
    use ipsecgen::source::{parse_whole_within, MAX_FULL_PARSER_NODES};
    // Five values an item, two for the list and the document's mapping and key.
    let doc = |items: usize, tagged: usize| {
        let list: Vec<String> = (0..items)
            .map(|i| {
                let tag = if i == tagged { "!!map " } else { "" };
                format!("{tag}{{a: {i}, b: x}}")
            })
            .collect();
        format!("list: [{}]\n", list.join(", "))
    };
    let most = (MAX_FULL_PARSER_NODES - 3) / 5;
    for tagged in [0, most - 1] {
        let text = doc(most, tagged);
        let limits = limits(&text);
        assert!(limits.nodes > MAX_FULL_PARSER_NODES);
        assert!(matches!(
            event_tree::read(&text, limits, None),
            Err(event_tree::Stop::Declined(Some(_)))
        ));
        let read = parse_whole_within(&text, limits).expect("within the full parser's limit");
        assert_eq!(Ok(read), parse_yaml_within(&text, limits));
    }
    // The tag at the start, at the end (serde-saphyr's reading stops at its budget), and
    // after more than 300,000 values (the event reader's count tells, no second reading).
    for (items, tagged) in [(most + 1, 0), (most + 1, most), (most + 10, most + 5)] {
        let text = doc(items, tagged);
        let limits = limits(&text);
        assert!(
            parse_yaml_within(&text, limits).is_ok(),
            "within the document's limit"
        );
        let refused = parse_whole_within(&text, limits).expect_err("over 300,000 values");
        assert_eq!(refused.code, "input.limit");
        assert!(
            refused.message.contains("only the full parser reads"),
            "{}",
            refused.message
        );
        // The tagged mapping (its first token, as the parser places it).
        let at = text
            .match_indices('{')
            .nth(tagged)
            .expect("the tagged item")
            .0;
        assert_eq!(&text[at - "!!map ".len()..at], "!!map ");
        assert_eq!(refused.label.expect("a place").0.offset, at);
    }
    // Without the tag, the event reader reads it.
    let text = doc(most + 1, usize::MAX);
    assert!(same_or_declined("no tag", &text));
}
