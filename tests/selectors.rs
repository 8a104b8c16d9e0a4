//! Traffic selectors follow Alibaba's routing mode, read from LocalSubnet/RemoteSubnet
//! (docs/alibaba-reference.md 10.4): specific subnets are the selectors of a route-based tunnel
//! too (with BGP or static routes, one tunnel or two), on both sides; targets whose tunnel
//! interface is any/any only refuse; 0.0.0.0/0 on both fields keeps 0.0.0.0/0. Every case runs
//! the real binary and asserts exact lines or the exact code.

fn render(args: &[&str]) -> (Option<i32>, String, String) {
    let out = assert_cmd::cargo::cargo_bin_cmd!("ipsecgen")
        .env("NO_COLOR", "1")
        .arg("render")
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().map(str::trim).collect()
}

fn has_all(text: &str, want: &[&str]) {
    let got = lines(text);
    for w in want {
        assert!(got.contains(w), "missing `{w}` in:\n{text}");
    }
}

const BGP: &str = "examples/aliyun/connection-bgp.json";
const STATIC: &str = "examples/aliyun/connection-static.json";

/// BGP + protected data flows, route-based (the default with BGP): the subnets are the
/// selectors on the interface; the customer keeps its BGP child (unverified), the cloud
/// emulation proposes none.
#[test]
fn bgp_with_specific_subnets_negotiates_the_subnets_on_the_interface() {
    let (code, out, err) = render(&[BGP, "--target", "swanctl"]);
    assert_eq!(code, Some(0), "{err}");
    has_all(
        &out,
        &[
            "local_ts = 192.168.100.0/24,192.168.101.0/24",
            "remote_ts = 172.20.0.0/16",
            "if_id_in = 3281",
            "shanghai-bgp-dc2-bgp {",
            "local_ts = 169.254.20.2/32",
        ],
    );
    assert!(!out.contains("_ts = 0.0.0.0/0"), "{out}");
    assert!(err.contains("alibaba.bgp-protected-flows"), "{err}");

    let (code, out, err) = render(&[BGP, "--target", "swanctl", "--side", "cloud"]);
    assert_eq!(code, Some(0), "{err}");
    has_all(
        &out,
        &[
            "local_ts = 172.20.0.0/16",
            "remote_ts = 192.168.100.0/24,192.168.101.0/24",
            "if_id_in = 3281",
        ],
    );
    assert!(
        !out.contains("-bgp {"),
        "the cloud proposes no BGP child:\n{out}"
    );
    assert!(!out.contains("_ts = 0.0.0.0/0"), "{out}");

    let (code, out, err) = render(&[BGP, "--target", "libreswan"]);
    assert_eq!(code, Some(0), "{err}");
    has_all(
        &out,
        &[
            "leftsubnets={192.168.100.0/24,192.168.101.0/24}",
            "rightsubnet=172.20.0.0/16",
            "ipsec-interface=3281",
        ],
    );

    let (code, out, err) = render(&[BGP, "--target", "fortios"]);
    assert_eq!(code, Some(0), "{err}");
    has_all(
        &out,
        &[
            "set src-subnet 192.168.100.0 255.255.255.0",
            "set src-subnet 192.168.101.0 255.255.255.0",
            "set dst-subnet 172.20.0.0 255.255.0.0",
        ],
    );
    assert!(!out.contains("set src-subnet 0.0.0.0 0.0.0.0"), "{out}");

    let (code, out, err) = render(&[BGP, "--target", "panos"]);
    assert_eq!(code, Some(0), "{err}");
    has_all(
        &out,
        &[
            "set network tunnel ipsec shanghai-bgp-dc2 tunnel-interface tunnel.3281",
            "set network tunnel ipsec shanghai-bgp-dc2 auto-key proxy-id shanghai-bgp-dc2-1 local 192.168.100.0/24",
            "set network tunnel ipsec shanghai-bgp-dc2 auto-key proxy-id shanghai-bgp-dc2-1 remote 172.20.0.0/16",
        ],
    );
}

/// Targets whose tunnel interface negotiates any/any only, and Junos with BGP on st0, refuse.
#[test]
fn any_any_tunnel_interfaces_refuse_protected_data_flows() {
    for (target, what) in [
        ("vyos", "specific traffic selectors on a route-based tunnel"),
        (
            "cisco-ios-xe",
            "specific traffic selectors on a route-based tunnel",
        ),
        (
            "cisco-asa",
            "specific traffic selectors on a route-based tunnel",
        ),
        (
            "huawei-vrp",
            "specific traffic selectors on a route-based tunnel",
        ),
        (
            "h3c-comware",
            "specific traffic selectors on a route-based tunnel",
        ),
        (
            "juniper-srx",
            "specific traffic selectors on a route-based tunnel with BGP",
        ),
    ] {
        for side in ["customer", "cloud"] {
            let (code, out, err) =
                render(&[BGP, "--target", target, "--side", side, "--format", "json"]);
            assert_eq!(code, Some(1), "{target} {side}: {out}{err}");
            let errors: Vec<(String, String)> = out
                .lines()
                .chain(err.lines())
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .filter(|v| v["severity"] == "error")
                .map(|v| {
                    (
                        v["code"].as_str().unwrap_or("").to_owned(),
                        v["message"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect();
            assert!(
                errors.contains(&(
                    "target.unsupported".to_owned(),
                    format!("target `{target}` cannot express {what}")
                )),
                "{target} {side}: {errors:?}"
            );
        }
    }
    // with the selectors in policies, or with destination routing, they render
    let (code, _, err) = render(&[BGP, "--target", "cisco-ios-xe", "--tunnel-mode", "policy"]);
    assert_eq!(code, Some(0), "{err}");
    let (code, out, err) = render(&[
        "examples/aliyun/connection-bgp-destination-routing.json",
        "--target",
        "vyos",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("set vpn ipsec site-to-site peer hangzhou-bgp-dc3 vti bind 'vti"),
        "{out}"
    );
}

/// Static, route-based, specific CIDRs: the same rule; Junos writes its traffic selectors on
/// st0 (no dynamic routing there).
#[test]
fn static_route_based_tunnels_carry_the_subnets() {
    let (code, out, err) = render(&[STATIC, "--target", "swanctl", "--tunnel-mode", "route"]);
    assert_eq!(code, Some(0), "{err}");
    has_all(
        &out,
        &[
            "local_ts = 10.1.3.0/24,10.1.4.0/24",
            "remote_ts = 10.1.1.0/24,10.1.2.0/24",
        ],
    );
    assert!(out.contains("if_id_in = "), "{out}");
    let (code, out, err) = render(&[STATIC, "--target", "juniper-srx", "--tunnel-mode", "route"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        lines(&out).iter().any(|l| l
            .starts_with("set security ipsec vpn hangzhou-to-dc1 traffic-selector ")
            && l.ends_with("local-ip 10.1.3.0/24")),
        "{out}"
    );
    assert!(out.contains("bind-interface st0."), "{out}");
}

/// Two tunnels: each carries the same selectors on its own interface.
#[test]
fn dual_tunnels_carry_identical_selectors() {
    let (code, out, err) = render(&[
        "examples/aliyun/dual-tunnel-static.json",
        "--target",
        "swanctl",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let got = lines(&out);
    let local: Vec<_> = got
        .iter()
        .filter(|l| l.starts_with("local_ts = "))
        .collect();
    let remote: Vec<_> = got
        .iter()
        .filter(|l| l.starts_with("remote_ts = "))
        .collect();
    assert_eq!(local, [&"local_ts = 10.30.0.0/24"; 2], "{out}");
    assert_eq!(remote, [&"remote_ts = 172.16.0.0/22"; 2], "{out}");
    let ids: Vec<_> = got
        .iter()
        .filter(|l| l.starts_with("if_id_in = "))
        .collect();
    assert_eq!(ids.len(), 2, "{out}");
    assert_ne!(ids[0], ids[1], "each tunnel on its own interface: {out}");
}

/// 10.4 (c): IKEv2 with several subnets per side. libreswan 4.x (the default) keeps a conn per
/// pair (`leftsubnets={..}`) and its header says Alibaba's one multi-selector Child SA is expected
/// to be narrowed or refused; `--device version=5` writes `leftsubnet=a,b`, one Child SA with
/// every selector (libreswan issue 917). IKEv1 keeps a conn per pair in either version.
#[test]
fn libreswan_5_writes_several_subnets_as_one_child_sa() {
    let base = [STATIC, "--target", "libreswan", "--tunnel-mode", "policy"];
    let (code, four, err) = render(&base);
    assert_eq!(code, Some(0), "{err}");
    has_all(
        &four,
        &[
            "#   version = 4 (default: replace before applying)",
            "leftsubnets={10.1.3.0/24,10.1.4.0/24}",
            "rightsubnets={10.1.1.0/24,10.1.2.0/24}",
            "# Several subnets per side (IKEv2): libreswan 4.x writes leftsubnets={..}, a conn and so a Child",
            "# the pair pluto proposes is sure to come up. When that peer initiates (Alibaba does once the",
            "# connection is applied), pluto 4.10 narrows its Child SA to the first pair, and each later",
            "# libreswan 5 carries them in one Child SA: render with --device version=5. Or set up the",
        ],
    );
    let (code, five, err) = render(&[&base[..], &["--device", "version=5"]].concat());
    assert_eq!(code, Some(0), "{err}");
    has_all(
        &five,
        &[
            "#   version = 5 (--device)",
            "leftsubnet=10.1.3.0/24,10.1.4.0/24",
            "rightsubnet=10.1.1.0/24,10.1.2.0/24",
            "# Several subnets per side (IKEv2): leftsubnet=a,b / rightsubnet=c,d, one Child SA with every",
        ],
    );
    assert!(!five.contains("subnets="), "{five}");
    assert_eq!(five.matches("\nconn ").count(), 1, "{five}");
    // IKEv1: one selector pair per SA, whatever the version
    let (code, v1, err) = render(&[
        "examples/aliyun/connection-ikev1.json",
        "--target",
        "libreswan",
        "--device",
        "version=5",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!v1.contains("Several subnets"), "{v1}");
    assert!(
        !v1.lines()
            .any(|l| l.trim().starts_with("leftsubnet=") && l.contains(',')),
        "{v1}"
    );
    // only 4 and 5
    let (code, _, err) = render(&[&base[..], &["--device", "version=6"]].concat());
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("device.unknown-value"), "{err}");
}

/// 10.4 (c): the targets that negotiate one SA per subnet pair say, for Alibaba IKEv2 with
/// several subnets, that Alibaba's one multi-selector Child SA is expected to be narrowed or
/// refused and what to do instead; the targets that write one child with every subnet (swanctl,
/// vyos) and one pair do not.
#[test]
fn one_sa_per_pair_targets_say_what_alibaba_builds() {
    let first =
        "Several subnets per side (IKEv2): this device negotiates one SA per subnet pair. Alibaba";
    let last = "the Alibaba connection with 0.0.0.0/0 on both fields and routes, or summarize each side into";
    for target in [
        "juniper-srx",
        "fortios",
        "cisco-ios-xe",
        "cisco-asa",
        "panos",
        "huawei-vrp",
        "h3c-comware",
        "mikrotik",
    ] {
        let (code, out, err) = render(&[STATIC, "--target", target, "--tunnel-mode", "policy"]);
        assert_eq!(code, Some(0), "{target}: {err}");
        let c = if target.starts_with("cisco") {
            "!"
        } else {
            "#"
        };
        has_all(&out, &[&format!("{c} {first}"), &format!("{c} {last}")]);
        // the cloud side stands in for Alibaba: nothing to say there
        let (code, cloud, err) = render(&[
            STATIC,
            "--target",
            target,
            "--tunnel-mode",
            "policy",
            "--side",
            "cloud",
        ]);
        assert_eq!(code, Some(0), "{target}: {err}");
        assert!(!cloud.contains(first), "{target}: {cloud}");
        // one pair: nothing to say
        let (code, one, err) = render(&[
            "examples/aliyun/connection-ikev1-one-pair.json",
            "--target",
            target,
        ]);
        if code == Some(0) {
            assert!(!one.contains(first), "{target}: {one}");
        } else {
            assert!(err.contains("target.unsupported"), "{target}: {err}");
        }
    }
    for target in ["swanctl", "vyos"] {
        let (code, out, err) = render(&[STATIC, "--target", target, "--tunnel-mode", "policy"]);
        assert_eq!(code, Some(0), "{target}: {err}");
        assert!(!out.contains(first), "{target}: {out}");
    }
}

/// 0.0.0.0/0 (Alibaba's destination routing) is never a policy-based tunnel (10.4): asked for
/// with `--tunnel-mode policy` it is refused on every target that has policy mode, on both
/// sides; without BGP and without the flag it is route-based (before: a 0.0.0.0/0 crypto
/// policy, which would have drawn every packet of the device into the tunnel).
#[test]
fn all_traffic_is_never_a_policy_based_tunnel() {
    const ROUTED: &str = "examples/aliyun/connection-bgp-destination-routing.json";
    for target in [
        "swanctl",
        "libreswan",
        "cisco-ios-xe",
        "cisco-asa",
        "juniper-srx",
        "fortios",
        "panos",
        "huawei-vrp",
        "h3c-comware",
        "mikrotik",
        "vyos",
    ] {
        for side in ["customer", "cloud"] {
            let (code, out, err) = render(&[
                ROUTED,
                "--target",
                target,
                "--side",
                side,
                "--tunnel-mode",
                "policy",
            ]);
            assert_eq!(code, Some(1), "{target} {side}: {out}{err}");
            assert!(
                err.contains("render.policy-all-traffic") || err.contains("target.unsupported"),
                "{target} {side}: {err}"
            );
            assert!(!out.contains("0.0.0.0/0"), "{target} {side}: {out}");
        }
    }
    let (_, _, err) = render(&[ROUTED, "--target", "swanctl", "--tunnel-mode", "policy"]);
    assert!(err.contains("render.policy-all-traffic"), "{err}");
    // Without BGP, 0.0.0.0/0 is route-based by default.
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(ROUTED).expect("example");
    let plain = dir.path().join("routed-static.json");
    let no_bgp = serde_json::from_str::<serde_json::Value>(&text).map(|mut v| {
        if let Some(o) = v.as_object_mut() {
            o.remove("BgpConfig");
        }
        v
    });
    std::fs::write(&plain, no_bgp.expect("json").to_string()).expect("write");
    let (code, out, err) = render(&[plain.to_str().expect("utf-8"), "--target", "swanctl"]);
    assert_eq!(code, Some(0), "{err}");
    has_all(&out, &["local_ts = 0.0.0.0/0", "if_id_in = 3661"]);
}
