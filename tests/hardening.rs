//! Hostile input: no panic, no injection, no leaked secret, deterministic output.

use ipsecgen::ir::Side;
use ipsecgen::render::{registry, RenderOptions};
use ipsecgen::source::Source;
use proptest::prelude::*;

#[path = "common/hostile.rs"]
mod hostile;
use hostile::{document, document_with, HOSTILE};

/// Every target x side for a document: Ok(outputs as one text) or the error codes.
fn render_everything(text: &str) -> Vec<Result<String, Vec<String>>> {
    render_everything_named("hostile.json", text)
}

/// The same, for a document read from a file of the given name.
fn render_everything_named(name: &str, text: &str) -> Vec<Result<String, Vec<String>>> {
    let checked = ipsecgen::check(Source::new(name, text), &Default::default());
    if checked.diagnostics.has_errors() {
        return vec![Err(checked
            .diagnostics
            .iter()
            .map(|d| d.code.clone())
            .collect())];
    }
    let mut out = Vec::new();
    for t in registry().targets() {
        for side in [Side::Customer, Side::Cloud] {
            out.push(
                ipsecgen::render_all(&checked, RenderOptions::side(side), t)
                    .map(|o| ipsecgen::write::concatenated(&o, &t.comment))
                    .map_err(|d| d.iter().map(|x| x.code.clone()).collect()),
            );
        }
    }
    out
}

/// A hostile string in any free-text field is rejected with a diagnostic, or rendered without
/// adding, removing or breaking a single line of any target's output.
#[test]
fn hostile_strings_cannot_change_the_structure_of_any_output() {
    let long = "A".repeat(10_000);
    let mut values: Vec<&str> = HOSTILE.to_vec();
    values.push(&long);
    for field in ["Name", "Description", "Psk", "LocalId", "RemoteId"] {
        let baseline = render_everything(&document(field, "Benign1234567890Xy"));
        assert!(
            baseline.iter().any(Result::is_ok),
            "{field}: the benign document must render"
        );
        for value in &values {
            let results = render_everything(&document(field, value));
            if let [Err(codes)] = results.as_slice() {
                assert!(
                    codes.iter().all(|c| !c.is_empty()),
                    "{field}={value:?}: rejected without a code"
                );
                continue;
            }
            assert_eq!(results.len(), baseline.len());
            for (got, want) in results.iter().zip(&baseline) {
                match (got, want) {
                    (Ok(g), Ok(w)) => {
                        assert_eq!(
                            g.lines().count(),
                            w.lines().count(),
                            "{field}={value:?} changed the line structure:\n{g}"
                        );
                        assert!(
                            !g.contains(['\r', '\0', '\u{2028}', '\u{2029}']),
                            "{field}={value:?}: control character in output"
                        );
                        for (gl, wl) in g.lines().zip(w.lines()) {
                            same_line_grammar(gl, wl, &format!("{field}={value:?}"));
                        }
                    }
                    (Err(codes), _) => assert!(
                        codes.iter().all(|c| c.starts_with("target.")),
                        "{field}={value:?}: unexpected render error {codes:?}"
                    ),
                    (Ok(_), Err(_)) => {}
                }
            }
        }
    }
}

/// The input's file name reaches every output (header, regenerate command, scripts): a hostile
/// name renders every target without adding, removing or breaking a line, and the command in
/// the header reads the name back as one shell word.
#[test]
fn hostile_file_names_cannot_change_the_structure_of_any_output() {
    let doc = document("Name", "benign");
    let baseline = render_everything_named("conn.json", &doc);
    assert!(
        baseline.iter().filter(|r| r.is_ok()).count() >= 20,
        "the benign name renders for most targets and sides"
    );
    let names = HOSTILE.iter().map(|h| format!("dir/{h}.json")).chain([
        "x\ntouch PWNED\n#.json".to_owned(),
        "x\r\nconnections {\n evil {\n remote_addrs = %any\n }\n}\n#.json".to_owned(),
        "x\n router bgp 666\n!.json".to_owned(),
        "x\u{85}touch PWNED.json".to_owned(),
        "x\u{1b}[2J\u{202e}nosj.json".to_owned(),
        "a b; $(touch PWNED) `id` 'q'.json".to_owned(),
    ]);
    for name in names {
        let results = render_everything_named(&name, &doc);
        assert_eq!(results.len(), baseline.len());
        for (got, want) in results.iter().zip(&baseline) {
            let (Ok(g), Ok(w)) = (got, want) else {
                assert_eq!(got, want, "{name:?}: a file name must not change a result");
                continue;
            };
            assert_eq!(
                g.lines().count(),
                w.lines().count(),
                "{name:?} changed the line structure:\n{g}"
            );
            assert!(
                !g.chars().any(ipsecgen::render::quote::is_unsafe_char)
                    || w.chars().any(ipsecgen::render::quote::is_unsafe_char),
                "{name:?}: a control or format character reached the output:\n{g}"
            );
            assert!(
                !g.lines().any(|l| l.trim_start().starts_with("touch")),
                "{name:?}:\n{g}"
            );
            for (gl, wl) in g.lines().zip(w.lines()) {
                same_line_grammar(gl, wl, &format!("name {name:?}"));
            }
        }
    }
}

/// `explain` prints the file name too: on one line, quoted as a shell word.
#[test]
fn explain_prints_a_hostile_file_name_on_one_line() {
    let doc = document("Name", "benign");
    let name = "x\ntouch PWNED\u{2028}\u{1b}[2J.json";
    let checked = ipsecgen::check(Source::new(name, doc), &Default::default());
    let text = ipsecgen::explain::text(
        &checked.connections[0],
        &checked.source.name,
        &checked.diagnostics,
    );
    let first = text.lines().next().unwrap();
    assert_eq!(
        first,
        "Connection benign, read from $'x\\x0atouch PWNED\\u2028\\x1b[2J.json' as aliyun-connection"
    );
    assert!(!text.lines().any(|l| l.starts_with("touch")));
}

/// A line the hostile value changed keeps its grammar: the same indentation, a comment stays a
/// comment (and nothing else becomes one), and the keyword that starts it is the same, unless
/// that first word is the connection's own name.
fn same_line_grammar(got: &str, want: &str, case: &str) {
    if got == want {
        return;
    }
    let indent = |l: &str| l.len() - l.trim_start().len();
    assert_eq!(
        indent(got),
        indent(want),
        "{case}: indentation changed:\n{got}\n{want}"
    );
    let comment = |l: &str| {
        let t = l.trim_start();
        t.starts_with('#') || t.starts_with('!') || t.starts_with("//") || t.starts_with(';')
    };
    assert_eq!(
        comment(got),
        comment(want),
        "{case}: comment-ness changed:\n{got}\n{want}"
    );
    // The first word up to `=` or `:` (RouterOS `key=value`, YAML-ish `key: value`).
    let first = |l: &str| {
        let w = l.split_whitespace().next().unwrap_or_default();
        w.split(['=', ':']).next().unwrap_or_default().to_owned()
    };
    let named = ["benign", "hostile"]
        .iter()
        .any(|n| first(want).to_ascii_lowercase().contains(n));
    if !comment(want) && !named {
        assert_eq!(
            first(got),
            first(want),
            "{case}: keyword changed:\n{got}\n{want}"
        );
    }
}

/// Rendering is byte-identical across runs and between the sequential and the parallel path.
#[test]
fn rendering_is_deterministic_across_threads() {
    let mut files: Vec<String> = std::fs::read_dir("examples/aliyun")
        .expect("examples")
        .map(|e| e.expect("entry").path().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let render = |p: &String| {
        let text = std::fs::read_to_string(p).expect("readable");
        render_everything(&text)
    };
    let sequential: Vec<_> = files.iter().map(render).collect();
    let parallel = ipsecgen::parallel::map_ordered(&files, render);
    let again = ipsecgen::parallel::map_ordered(&files, render);
    assert_eq!(sequential, parallel);
    assert_eq!(parallel, again);
}

fn scalar() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        "[ -~\\n\\t\u{e9}]{0,40}".prop_map(serde_json::Value::from),
        prop::sample::select(vec![
            "aes",
            "aes256",
            "sha1",
            "md5",
            "group2",
            "group14",
            "disabled",
            "ikev1",
            "ikev2",
            "main",
            "aggressive",
            "10.1.1.0/24",
            "10.1.1.0/24,10.1.2.0/24",
            "169.254.11.0/30",
            "169.254.11.1",
            "0.0.0.0/0",
            "true",
            "false",
            "86400",
            "0",
            "-1",
            "99999999999",
            "{\"IkeVersion\":\"ikev2\"}",
            "{",
            "",
        ])
        .prop_map(serde_json::Value::from),
    ]
}

fn document_strategy() -> impl Strategy<Value = String> {
    let keys = prop::sample::select(vec![
        "Name",
        "LocalSubnet",
        "RemoteSubnet",
        "EffectImmediately",
        "EnableDpd",
        "EnableNatTraversal",
        "ClientIpPool",
        "PskEnabled",
        "Psk",
        "IpsecServerName",
        "NetworkType",
        "Bogus",
    ]);
    let inner_keys = prop::sample::select(vec![
        "Psk",
        "IkeVersion",
        "IkeMode",
        "IkeEncAlg",
        "IkeAuthAlg",
        "IkePfs",
        "IkeLifetime",
        "LocalId",
        "RemoteId",
        "IpsecEncAlg",
        "IpsecAuthAlg",
        "IpsecPfs",
        "IpsecLifetime",
        "EnableBgp",
        "LocalAsn",
        "TunnelCidr",
        "LocalBgpIp",
        "enable",
        "sip",
        "dip",
        "interval",
        "retry",
        "Policy",
        "InternetIp",
        "IpAddress",
        "Asn",
    ]);
    let objects = prop::sample::select(vec![
        "IkeConfig",
        "IpsecConfig",
        "BgpConfig",
        "VpnBgpConfig",
        "HealthCheckConfig",
        "VcoHealthCheck",
        "VpnGateway",
        "CustomerGateway",
    ]);
    (
        prop::collection::vec((keys, scalar()), 0..8),
        prop::collection::vec(
            (
                objects,
                prop::collection::vec((inner_keys, scalar()), 0..8),
                any::<bool>(),
            ),
            0..6,
        ),
    )
        .prop_map(|(top, nested)| {
            let mut m = serde_json::Map::new();
            for (k, v) in top {
                m.insert(k.to_owned(), v);
            }
            for (k, fields, as_string) in nested {
                let inner: serde_json::Map<String, serde_json::Value> =
                    fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
                let inner = serde_json::Value::Object(inner);
                // The request form carries nested objects as JSON text.
                m.insert(
                    k.to_owned(),
                    if as_string {
                        inner.to_string().into()
                    } else {
                        inner
                    },
                );
            }
            serde_json::Value::Object(m).to_string()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Any bytes: a diagnostic or a result, never a panic.
    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(source) = Source::from_bytes("fuzz", bytes) {
            let checked = ipsecgen::check(source, &Default::default());
            for d in checked.diagnostics.iter() {
                prop_assert!(!d.code.is_empty() && !d.message.is_empty());
            }
        }
    }

    /// Random documents of the API's own keys and values: every target renders or returns a
    /// diagnostic with a code; never a panic, never the PSK in a diagnostic.
    #[test]
    fn random_documents_render_or_diagnose(doc in document_strategy()) {
        let checked = ipsecgen::check(Source::new("fuzz.json", doc.clone()), &Default::default());
        let psk = serde_json::from_str::<serde_json::Value>(&doc).ok()
            .and_then(|v| v.get("Psk").and_then(|p| p.as_str()).map(str::to_owned))
            // A PSK that also stands elsewhere in the document may be quoted as that other value.
            .filter(|p| p.len() >= 6 && doc.matches(p.as_str()).count() == 1);
        for d in checked.diagnostics.iter() {
            prop_assert!(!d.code.is_empty());
            if let Some(p) = &psk {
                prop_assert!(!d.message.contains(p.as_str()), "PSK in a diagnostic: {}", d.message);
            }
        }
        if !checked.diagnostics.has_errors() {
            for t in registry().targets() {
                for side in [Side::Customer, Side::Cloud] {
                    if let Err(diags) = ipsecgen::render_all(&checked, RenderOptions::side(side), t) {
                        prop_assert!(diags.iter().all(|d| !d.code.is_empty()));
                    }
                }
            }
        }
    }
}

/// Parser budgets: an alias bomb, deep nesting and oversize input get a diagnostic, fast.
#[test]
fn input_limits_are_diagnosed() {
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        bomb.push_str(&format!(
            "{}: &{} [*{}, *{}, *{}, *{}, *{}, *{}, *{}, *{}, *{}, *{}]\n",
            (b'a' + i) as char,
            (b'a' + i) as char,
            (b'a' + i - 1) as char,
            (b'a' + i - 1) as char,
            (b'a' + i - 1) as char,
            (b'a' + i - 1) as char,
            (b'a' + i - 1) as char,
            (b'a' + i - 1) as char,
            (b'a' + i - 1) as char,
            (b'a' + i - 1) as char,
            (b'a' + i - 1) as char,
            (b'a' + i - 1) as char
        ));
    }
    let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    for (what, text) in [("alias bomb", bomb), ("deep nesting", deep)] {
        let started = std::time::Instant::now();
        let checked = ipsecgen::check(Source::new("limits.yaml", text), &Default::default());
        let codes: Vec<&str> = checked
            .diagnostics
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        assert_eq!(codes, ["input.limit"], "{what}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{what}: took {:?}",
            started.elapsed()
        );
    }
    let big = vec![b' '; ipsecgen::source::MAX_INPUT_BYTES + 1];
    let err = Source::from_bytes("big.json", big).expect_err("over the cap");
    assert_eq!(err.code, "input.too-large");
}

/// The line grammar check catches what an injection does to a line.
#[test]
#[should_panic(expected = "comment-ness changed")]
fn line_grammar_catches_a_value_that_comments_out_a_line() {
    same_line_grammar("    # secret = x", "    secret = x", "canary");
}

#[test]
#[should_panic(expected = "keyword changed")]
fn line_grammar_catches_a_value_that_changes_a_keyword() {
    same_line_grammar(
        "    remote_addrs = 10.0.0.1",
        "    local_addrs = 10.0.0.1",
        "canary",
    );
}

/// A fleet file is verified and rendered on every core: the result is byte-identical to
/// rendering its connections one by one, in file order, and to a second run.
#[test]
fn fleet_files_render_the_same_in_parallel_and_in_sequence() {
    let mut text = String::from("connections:\n");
    for i in 0..300 {
        text.push_str(&format!(
            "  - name: c{i}\n    cloud: {{gateway: 203.0.113.{g}, subnets: [10.{a}.{b}.0/24], asn: 64600, bgp_ip: 169.254.{a}.{h}}}\n    customer: {{gateway: 198.51.100.{g}, subnets: [172.16.{b}.0/24], asn: {asn}, bgp_ip: 169.254.{a}.{h2}}}\n    bgp: {{enabled: true, tunnel_cidr: 169.254.{a}.{t}/30}}\n    psk: Zr5tW8yBn3QxL6vDkk{i}\n",
            g = 1 + i % 250,
            a = 10 + i / 60,
            b = i % 250,
            t = (i % 60) * 4,
            h = (i % 60) * 4 + 1,
            h2 = (i % 60) * 4 + 2,
            asn = 65000 + i
        ));
    }
    let checked = ipsecgen::check(Source::new("fleet.yaml", text), &Default::default());
    assert!(
        !checked.diagnostics.has_errors(),
        "{:?}",
        checked.diagnostics
    );
    assert_eq!(checked.connections.len(), 300);
    for name in ["swanctl", "frr"] {
        let target = ipsecgen::render::find_target(name).expect("target");
        let opts = RenderOptions::side(Side::Customer);
        let parallel = ipsecgen::render_all(&checked, opts, target).expect("renders");
        let again = ipsecgen::render_all(&checked, opts, target).expect("renders");
        assert_eq!(parallel, again, "{name}: two runs differ");
        let numbers =
            ipsecgen::render::number_tunnels(checked.connections.iter().map(|c| c.name.as_str()))
                .expect("enough ids");
        let sequential: Vec<_> = checked
            .connections
            .iter()
            .zip(numbers)
            .flat_map(|(c, n)| {
                ipsecgen::render::render_numbered(c, opts, target, "fleet.yaml", Some(n))
                    .expect("renders")
                    .into_iter()
                    .map(|f| (c.name.clone(), f))
            })
            .collect();
        assert_eq!(
            parallel[..sequential.len()],
            sequential[..],
            "{name}: the parallel path changed order or bytes"
        );
    }
}

/// A key that starts with 0x or 0s is written so that each target reads it literally: as the
/// hex of its bytes where the device decodes those prefixes (strongSwan, libreswan, RouterOS,
/// VyOS), as it is elsewhere.
#[test]
fn keys_with_a_decoding_prefix_are_written_as_their_bytes() {
    let psk = "0x4142434445464748Zr5tW8yB";
    let hex: String = psk.bytes().map(|b| format!("{b:02x}")).collect();
    let checked = ipsecgen::check(
        Source::new("k.json", document_with("Psk", psk, false)),
        &Default::default(),
    );
    assert!(!checked.diagnostics.has_errors());
    for (target, decodes) in [
        ("swanctl", true),
        ("libreswan", true),
        ("mikrotik", true),
        ("vyos", true),
        ("juniper-srx", false),
        ("fortios", false),
        ("cisco-ios-xe", false),
    ] {
        let t = ipsecgen::render::find_target(target).unwrap();
        let text = ipsecgen::render_all(&checked, RenderOptions::side(Side::Customer), t)
            .map(|o| ipsecgen::write::concatenated(&o, &t.comment))
            .unwrap();
        assert_eq!(
            text.contains(&format!("0x{hex}")),
            decodes,
            "{target}:\n{text}"
        );
        assert_eq!(text.contains(psk), !decodes, "{target}:\n{text}");
    }
}

/// IKEv1 negotiates one SA per subnet pair: a cross product past the limit is refused with the
/// count, before any child is built (200 x 2,000 subnets took 51 s and 661 MiB to render).
#[test]
fn ikev1_cross_products_past_the_limit_are_refused_with_the_count() {
    let local: Vec<String> = (0..200).map(|i| format!("172.16.{i}.0/24")).collect();
    let remote: Vec<String> = (0..2000)
        .map(|i| format!("10.{}.{}.0/24", i / 256, i % 256))
        .collect();
    let doc = serde_json::json!({
        "Name": "cross", "LocalSubnet": local.join(","), "RemoteSubnet": remote.join(","),
        "IkeConfig": {"Psk": "Zr5tW8yBn3QxL6vDkk", "IkeVersion": "ikev1"},
        "VpnGateway": {"InternetIp": "203.0.113.10"}, "CustomerGateway": {"IpAddress": "198.51.100.20"}
    });
    let checked = ipsecgen::check(
        Source::new("cross.json", doc.to_string()),
        &Default::default(),
    );
    assert!(
        !checked.diagnostics.has_errors(),
        "{:?}",
        checked.diagnostics
    );
    let t = ipsecgen::render::find_target("swanctl").unwrap();
    let err = ipsecgen::render_all(&checked, RenderOptions::side(Side::Customer), t).unwrap_err();
    let d = err.iter().next().unwrap();
    assert_eq!(d.code, "target.unsupported");
    assert!(
        d.message.contains("2000 x 200 subnets would be 400000 SAs"),
        "{}",
        d.message
    );
    // At the limit it still renders, one child per pair.
    let doc = serde_json::json!({
        "Name": "cross", "LocalSubnet": local[..32].join(","), "RemoteSubnet": remote[..32].join(","),
        "IkeConfig": {"Psk": "Zr5tW8yBn3QxL6vDkk", "IkeVersion": "ikev1"},
        "VpnGateway": {"InternetIp": "203.0.113.10"}, "CustomerGateway": {"IpAddress": "198.51.100.20"}
    });
    let checked = ipsecgen::check(
        Source::new("cross.json", doc.to_string()),
        &Default::default(),
    );
    let out = ipsecgen::render_all(&checked, RenderOptions::side(Side::Customer), t).unwrap();
    let text = ipsecgen::write::concatenated(&out, &t.comment);
    assert_eq!(text.matches("local_ts = ").count(), 1024);
}

/// A document with thousands of unknown fields is not a misspelling: the first 100 are each
/// explained, the rest counted in one diagnostic (40,000 of them took 24 s).
#[test]
fn unknown_fields_past_the_first_hundred_are_counted() {
    let mut doc = serde_json::json!({"RemoteSubnet": "10.0.0.0/8", "LocalSubnet": "172.16.0.0/12"});
    for i in 0..1000 {
        doc[format!("P{i}")] = serde_json::json!(1);
    }
    let checked = ipsecgen::check(Source::new("u.json", doc.to_string()), &Default::default());
    let unknown: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code == "input.unknown-field")
        .collect();
    assert_eq!(unknown.len(), 101);
    assert_eq!(
        unknown.last().unwrap().message,
        "900 more unknown fields in the document"
    );
}

/// Connections rendered together never share a tunnel interface: ids derived from names
/// collide by chance in a large fleet (4,000 ids), and a hostile name can be chosen to collide
/// with another connection's, putting both tunnels (0.0.0.0/0 selectors) on one xfrm
/// interface.
#[test]
fn connections_rendered_together_get_distinct_tunnel_interfaces() {
    use ipsecgen::render::context::if_id;
    let victim = "vpc-to-office-berlin";
    let evil = (0..100_000)
        .map(|i| format!("evil-{i}"))
        .find(|n| if_id(n) == if_id(victim))
        .expect("a colliding name");
    let text = format!(
        "connections:\n  - name: {victim}\n    cloud: {{gateway: 203.0.113.1, subnets: [10.60.0.0/24]}}\n    customer: {{gateway: 198.51.100.1, subnets: [172.16.1.0/24]}}\n    psk: Zr5tW8yBn3QxL6vDkk1\n  - name: {evil}\n    cloud: {{gateway: 192.0.2.66, subnets: [10.61.0.0/24]}}\n    customer: {{gateway: 198.51.100.1, subnets: [172.16.2.0/24]}}\n    psk: Zr5tW8yBn3QxL6vDkk2\n"
    );
    let checked = ipsecgen::check(Source::new("fleet.yaml", text), &Default::default());
    assert!(
        !checked.diagnostics.has_errors(),
        "{:?}",
        checked.diagnostics
    );
    let target = ipsecgen::render::find_target("swanctl").expect("target");
    let opts = RenderOptions {
        side: Side::Customer,
        tunnel_mode: Some(ipsecgen::render::TunnelMode::Route),
        device: &ipsecgen::render::device::NO_FACTS,
    };
    let out = ipsecgen::render_all(&checked, opts, target).expect("renders");
    let ids: Vec<String> = out
        .iter()
        .filter(|(dir, o)| !dir.is_empty() && o.path == "swanctl.conf")
        .flat_map(|(_, o)| {
            o.content
                .lines()
                .filter(|l| l.trim_start().starts_with("if_id_in = "))
                .map(|l| l.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert_ne!(ids[0], ids[1], "two connections share a tunnel interface");
    // The first keeps the id its name gives, alone or in the fleet.
    assert_eq!(ids[0], format!("if_id_in = {}", if_id(victim)));
}

/// Names shortened to a target's limit (FortiOS keeps 15 characters and a hash) that end up
/// equal are refused: the second would reconfigure the first's objects.
#[test]
fn names_that_shorten_to_the_same_object_name_are_refused() {
    // Found by search: both shorten to the same FortiOS name.
    let (a, b) = find_short_name_collision(15);
    let text = format!(
        "connections:\n  - name: {a}\n    cloud: {{gateway: 203.0.113.1, subnets: [10.1.0.0/24]}}\n    customer: {{gateway: 198.51.100.1, subnets: [172.16.1.0/24]}}\n    psk: Zr5tW8yBn3QxL6vDkk1\n  - name: {b}\n    cloud: {{gateway: 203.0.113.2, subnets: [10.2.0.0/24]}}\n    customer: {{gateway: 198.51.100.2, subnets: [172.16.2.0/24]}}\n    psk: Zr5tW8yBn3QxL6vDkk2\n"
    );
    let checked = ipsecgen::check(Source::new("fleet.yaml", text), &Default::default());
    assert!(
        !checked.diagnostics.has_errors(),
        "{:?}",
        checked.diagnostics
    );
    let fortios = ipsecgen::render::find_target("fortios").expect("target");
    let err =
        ipsecgen::render_all(&checked, RenderOptions::side(Side::Customer), fortios).unwrap_err();
    assert_eq!(err.iter().next().unwrap().code, "target.name-collision");
    // swanctl keeps long names: no collision there.
    let swanctl = ipsecgen::render::find_target("swanctl").expect("target");
    ipsecgen::render_all(&checked, RenderOptions::side(Side::Customer), swanctl).expect("renders");
}

/// Two names of 20 characters that `short_name(_, max)` maps to the same text.
fn find_short_name_collision(max: usize) -> (String, String) {
    let mut seen = std::collections::HashMap::new();
    for i in 0..200_000u32 {
        let name = format!("office-berlin-{i:06}");
        let short = ipsecgen::render::quote::short_name(&name, max);
        if let Some(prev) = seen.insert(short, name.clone()) {
            return (prev, name);
        }
    }
    panic!("no collision found");
}

/// A file name that starts with `-` is printed as `./-...` in the regenerate command, so pasting
/// it runs ipsecgen on that file instead of passing an option (independent attack, L6).
#[test]
fn file_names_never_read_as_options_in_the_regenerate_command() {
    let doc = document("Name", "benign");
    let checked = ipsecgen::check(Source::new("-oevil.json", doc), &Default::default());
    let t = ipsecgen::render::find_target("swanctl").unwrap();
    let out = ipsecgen::render_all(&checked, RenderOptions::side(Side::Customer), t).unwrap();
    let text = ipsecgen::write::concatenated(&out, &t.comment);
    assert!(
        text.contains(
            "# Regenerate rather than edit: ipsecgen render ./-oevil.json --target swanctl"
        ),
        "{text}"
    );
}

/// Only route-based tunnels take an interface id: a policy-based fleet larger than the 4,000
/// ids renders, the same fleet route-based is refused with the count (it was refused in both
/// modes, and `cargo bench --bench fleet`'s 10,000 connections with it).
#[test]
fn only_route_based_tunnels_need_interface_ids() {
    let n = ipsecgen::render::context::IF_IDS as usize + 1;
    let mut text = String::from("connections:\n");
    for i in 0..n {
        text.push_str(&format!(
            "  - name: c{i}\n    cloud: {{gateway: 203.0.113.1, subnets: [10.{}.{}.0/24]}}\n    customer: {{gateway: 198.51.{}.{}, subnets: [172.16.0.0/24]}}\n    psk: Zr5tW8yBn3QxL6vDkk{i:05}\n",
            i / 256,
            i % 256,
            100 + i / 250,
            1 + i % 250
        ));
    }
    let checked = ipsecgen::check(Source::new("fleet.yaml", text), &Default::default());
    assert!(
        !checked.diagnostics.has_errors(),
        "{:?}",
        checked.diagnostics.iter().next()
    );
    let target = ipsecgen::render::find_target("swanctl").expect("target");
    let policy = ipsecgen::render_all(&checked, RenderOptions::side(Side::Customer), target)
        .expect("a policy-based fleet renders");
    assert_eq!(policy.iter().filter(|(d, _)| !d.is_empty()).count(), n);
    let route = RenderOptions {
        side: Side::Customer,
        tunnel_mode: Some(ipsecgen::render::TunnelMode::Route),
        device: &ipsecgen::render::device::NO_FACTS,
    };
    let err = ipsecgen::render_all(&checked, route, target).expect_err("refused");
    let d = err.iter().next().expect("one diagnostic");
    assert_eq!(d.code, "target.unsupported");
    assert!(
        d.message
            .starts_with(&format!("{n} route-based tunnels in one run")),
        "{}",
        d.message
    );
}

/// Device facts (`--device`, `[device]` in ipsecgen.toml) are the one free text a user types
/// straight into device configs: every hostile value is refused for every fact, from either
/// source, and the widest value allowed keeps every line of every target's output (examples x
/// side x tunnel mode) the same line, with the same grammar.
#[test]
fn hostile_device_facts_are_refused_and_allowed_ones_add_no_line() {
    use ipsecgen::render::device::{DeviceInput, FactSource, FACTS};
    let long = "A".repeat(64);
    let extra = [
        long.as_str(),
        "",
        "-x",
        "/x",
        ".x",
        "a=b",
        "a:b",
        "a?b",
        "a|b",
        "a,b",
    ];
    for (fact, _) in FACTS {
        for value in HOSTILE.iter().copied().chain(extra) {
            for target in [None, Some("panos")] {
                for source in [FactSource::Flag, FactSource::Config] {
                    let err = DeviceInput::default()
                        .give(target, fact, value, source)
                        .expect_err("refused");
                    assert_eq!(err.code, "device.unsafe-value", "{fact}={value:?}");
                }
            }
            let err = DeviceInput::default()
                .give_flag(&format!("{fact}={value}"))
                .expect_err("refused");
            assert_eq!(err.code, "device.unsafe-value", "--device {fact}={value:?}");
            assert!(
                !err.message.contains(['\n', '\r', '\u{2028}', '\u{2029}']),
                "{fact}={value:?}: the diagnostic echoes a line break"
            );
        }
    }

    // A fact that takes one of a few words (platform) refuses any other safe word.
    for (fact, choices) in ipsecgen::render::device::CHOICES {
        let err = DeviceInput::default()
            .give(None, fact, "a./-_9", FactSource::Flag)
            .expect_err("not one of the choices");
        assert_eq!(err.code, "device.unknown-value", "{fact}");
        for c in *choices {
            DeviceInput::default()
                .give(None, fact, c, FactSource::Config)
                .expect("a choice");
        }
    }

    // The widest allowed value: 63 characters of every allowed kind, for every fact that names
    // something of the device's, on every platform: compared with the same platform's output
    // without them.
    let odd = format!("{}abc", "a./-_9".repeat(10));
    assert_eq!(odd.len(), 63);
    let mut rendered = 0;
    for platform in ["router", "firewall"] {
        let mut base = DeviceInput::default();
        base.give(None, "platform", platform, FactSource::Flag)
            .expect("a platform");
        let mut device = base.clone();
        for (fact, _) in FACTS {
            if ipsecgen::render::device::choices(fact).is_none() {
                device
                    .give(None, fact, &odd, FactSource::Flag)
                    .expect("a safe value");
            }
        }
        rendered += render_with_facts(&base, &device);
    }
    assert!(rendered > 40, "only {rendered} outputs used a device fact");
}

/// How many outputs `device` changed from `base`, asserting each keeps every line's grammar.
fn render_with_facts(
    base: &ipsecgen::render::device::DeviceInput,
    device: &ipsecgen::render::device::DeviceInput,
) -> usize {
    let mut rendered = 0;
    for path in [
        "examples/native/bgp.yaml",
        "examples/aliyun/connection-static.json",
        "examples/aliyun/dual-tunnel-bgp.json",
        "examples/huawei/connection-policy.json",
    ] {
        let text = std::fs::read_to_string(path).expect("example");
        let checked = ipsecgen::check(Source::new(path, text), &Default::default());
        for t in registry().targets() {
            for side in [Side::Customer, Side::Cloud] {
                for mode in [
                    ipsecgen::render::TunnelMode::Route,
                    ipsecgen::render::TunnelMode::Policy,
                ] {
                    let opts = |device| RenderOptions {
                        side,
                        tunnel_mode: Some(mode),
                        device,
                    };
                    let (Ok(want), Ok(got)) = (
                        ipsecgen::render_all(&checked, opts(base), t),
                        ipsecgen::render_all(&checked, opts(device), t),
                    ) else {
                        continue;
                    };
                    let want = ipsecgen::write::concatenated(&want, &t.comment);
                    let got = ipsecgen::write::concatenated(&got, &t.comment);
                    let case = format!("{path} {} {side:?} {mode:?}", t.name);
                    assert_eq!(
                        got.lines().count(),
                        want.lines().count(),
                        "{case}: a device fact changed the line structure:\n{got}"
                    );
                    for (gl, wl) in got.lines().zip(want.lines()) {
                        same_line_grammar(gl, wl, &case);
                    }
                    rendered += usize::from(got != want);
                }
            }
        }
    }
    rendered
}
