//! Inputs that grow along one axis each, for the sweeps (`benches/sweeps.rs`) and the work
//! counter tests (`tests/linear.rs`): `n` subnets, unknown fields, query parameters, IKEv1
//! subnet pairs or fleet connections around one otherwise valid connection.

#![allow(dead_code)]

/// The PSK every generated connection uses (a fleet reads it from [`PSK_VAR`]).
pub const PSK: &str = "Hq7sN2vXk9PbT4mWsweep";
/// The environment variable a generated fleet names for its PSK.
pub const PSK_VAR: &str = "SWEEP_PSK";

/// The 24-bit number `i` as three octets.
pub fn octets(i: usize) -> (usize, usize, usize) {
    ((i >> 16) & 255, (i >> 8) & 255, i & 255)
}

/// A /24 per `i`, all different, none overlapping the connection's local 10.0.0.0/16.
pub fn cidr(i: usize) -> String {
    let (a, b, c) = octets(i);
    format!("{}.{b}.{c}.0/24", 100 + a)
}

/// An Alibaba connection (DescribeVpnConnection shape) with the given fields replaced or added.
pub fn aliyun(version: &str, local: &str, remote: &str, extra: &str) -> String {
    format!(
        r#"{{"Name":"sweep","LocalSubnet":"{local}","RemoteSubnet":"{remote}","IkeConfig":{{"Psk":"{PSK}","IkeVersion":"{version}","IkeEncAlg":"aes256","IkeAuthAlg":"sha256","IkePfs":"group14","IkeLifetime":28800}},"IpsecConfig":{{"IpsecEncAlg":"aes256","IpsecAuthAlg":"sha256","IpsecPfs":"group14","IpsecLifetime":3600}},"VpnGateway":{{"InternetIp":"203.0.113.1"}},"CustomerGateway":{{"IpAddress":"198.51.100.1"}}{extra}}}"#
    )
}

pub fn list(n: usize, f: impl Fn(usize) -> String, sep: &str) -> String {
    let mut s = String::new();
    for i in 0..n {
        if i > 0 {
            s.push_str(sep);
        }
        s.push_str(&f(i));
    }
    s
}

/// A subnet list of `n` CIDRs on the customer side.
pub fn subnets(n: usize) -> String {
    aliyun("ikev2", "10.0.0.0/16", &list(n, cidr, ","), "")
}

/// `n` fields the dialect does not know, beside the known ones.
pub fn unknown(n: usize) -> String {
    aliyun(
        "ikev2",
        "10.0.0.0/16",
        "172.16.0.0/24",
        &list(n, |i| format!(r#","X{i}":0"#), ""),
    )
}

/// The query-string request form with `n` more parameters, dotted (`X1.K=v`: each a nested
/// object) so the nesting is exercised as well as the list.
pub fn query(n: usize) -> String {
    format!(
        "?Action=CreateVpnConnection&Name=sweep&LocalSubnet=10.0.0.0/16&RemoteSubnet=172.16.0.0/24&IkeConfig={{\"Psk\":\"{PSK}\",\"IkeVersion\":\"ikev2\"}}&IpsecConfig={{\"IpsecEncAlg\":\"aes256\"}}&VpnGateway.InternetIp=203.0.113.1&CustomerGateway.IpAddress=198.51.100.1{}",
        list(n, |i| format!("&X{i}.K=v"), "")
    )
}

/// IKEv1 (one child SA per local x remote pair) with about `n` pairs: a square of subnets.
pub fn children(n: usize) -> String {
    let k = n.isqrt();
    ikev1_pairs(k, k)
}

/// IKEv1 with `local` x `remote` subnets.
pub fn ikev1_pairs(local: usize, remote: usize) -> String {
    aliyun(
        "ikev1",
        &list(
            local,
            |i| {
                let (_, b, c) = octets(i);
                format!("10.{b}.{c}.0/24")
            },
            ",",
        ),
        &list(remote, cidr, ","),
        "",
    )
}

/// A native file of `n` connections, one line each, PSKs from the environment.
pub fn fleet(n: usize) -> String {
    // Every other connection runs BGP, in a /30 of 169.254.10.0 to 169.254.209.255 (the lower
    // blocks are reserved by Alibaba Cloud).
    fleet_with(n, 2, |k| (10 + (k / 64) % 200, (k % 64) * 4))
}

/// A native file of `n` connections like [`fleet`], with BGP on every fourth one, so that tens
/// of thousands fit the tunnel /30s Alibaba Cloud leaves free (169.254.10.0/30 up, but
/// 169.254.169.x).
pub fn fleet_spread(n: usize) -> String {
    fleet_with(n, 4, |k| {
        // 169.254.169.252/30 is reserved: the 169 block is skipped.
        let t3 = 10 + k / 64;
        let t3 = if t3 >= 169 { t3 + 1 } else { t3 };
        assert!(t3 < 256, "fleet_spread runs out of free /30s");
        (t3, (k % 64) * 4)
    })
}

/// `n` one-line connections, BGP on every `every`-th one; the `k`-th BGP connection's /30 is
/// 169.254.`block(k)`.
fn fleet_with(n: usize, every: usize, block: impl Fn(usize) -> (usize, usize)) -> String {
    let mut s = String::from("connections:\n");
    for i in 0..n {
        let (a, b, c) = octets(i);
        let (t3, t4) = block(i / every);
        let (cloud_bgp, customer_bgp, bgp) = if i % every == 0 {
            (
                format!(", asn: 45104, bgp_ip: 169.254.{t3}.{}", t4 + 1),
                format!(
                    ", asn: {}, bgp_ip: 169.254.{t3}.{}",
                    64512 + i % 1000,
                    t4 + 2
                ),
                format!(", bgp: {{enabled: true, tunnel_cidr: 169.254.{t3}.{t4}/30}}"),
            )
        } else {
            Default::default()
        };
        s.push_str(&format!(
            "- {{name: c{i}, cloud: {{gateway: 203.0.113.1, subnets: [10.{a}.{b}.{c}/32]{cloud_bgp}}}, customer: {{gateway: 198.51.{a}.{b}, subnets: [172.{}.{b}.{c}/32]{customer_bgp}}}, psk: {{env: {PSK_VAR}}}{bgp}}}\n",
            16 + a
        ));
    }
    s
}

/// A fleet of [`fleet`]'s one-line form as JSON: `{"connections": [...]}`, every plain
/// word quoted but numbers.
pub fn fleet_json(fleet: &str) -> String {
    let items: Vec<String> = fleet
        .lines()
        .skip(1)
        .map(|line| {
            let mut out = String::new();
            for piece in line[2..].split_inclusive(['{', '}', '[', ']', ',', ':', ' ']) {
                let word = piece.trim_end_matches(['{', '}', '[', ']', ',', ':', ' ']);
                let rest = &piece[word.len()..];
                match word {
                    "" => {}
                    w if w.parse::<u64>().is_ok() || w == "true" || w == "false" => out.push_str(w),
                    w => out.push_str(&format!("\"{w}\"")),
                }
                out.push_str(rest);
            }
            out
        })
        .collect();
    format!("{{\"connections\": [\n{}\n]}}\n", items.join(",\n"))
}

/// [`fleet`] with each connection's own PSK written inline (every one a secret the report
/// masks wherever it stands).
pub fn fleet_inline(n: usize) -> String {
    let env = format!("{{env: {PSK_VAR}}}");
    fleet(n)
        .lines()
        .enumerate()
        .map(|(i, line)| format!("{}\n", line.replace(&env, &format!("{PSK}{i}"))))
        .collect()
}
