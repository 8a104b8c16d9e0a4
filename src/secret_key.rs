//! Which keys hold secrets: the PSK and key fields of every dialect, and anything that looks
//! like one (a misspelt or invented key may still carry a PSK, so its value is masked too).

/// Secret keys of the dialects and common spellings of one, normalized (lowercase, letters
/// and digits only).
const SECRET_KEYS: &[&str] = &[
    "psk",
    "authkey",
    "secret",
    "password",
    "passphrase",
    "sharedkey",
    "presharedkey",
];

/// Parts of a key that make it look secret.
const SECRET_PARTS: &[&str] = &["psk", "pks", "secret", "key", "pass", "auth"];

/// Known fields of the dialects that contain a secret-looking part but hold no secret,
/// normalized. (A test checks this against the generated JSON Schemas.)
const NOT_SECRET: &[&str] = &[
    "pskenabled",
    "ikeauthalg",
    "ipsecauthalg",
    "authalgorithm",
    "authenticationalgorithm",
    "authenticationmethod",
    "authmode",
    "ikeauthalgorithm",
    "policyauthalgorithm",
    "crossaccountauthorized",
    "multifactorauthenabled",
];

/// Whether the value at `key` is to be treated as a secret: a key of the dialects that holds
/// one, or a key that looks like one (it contains psk, pks, secret, key, pass or auth, in any
/// case, or is one edit away from a secret key), unless it is a known field holding none.
pub fn looks_secret(key: &str) -> bool {
    let norm: String = key
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if norm.is_empty() || NOT_SECRET.contains(&norm.as_str()) {
        return false;
    }
    SECRET_PARTS.iter().any(|p| norm.contains(p))
        || SECRET_KEYS.iter().any(|k| within_one_edit(&norm, k))
}

/// Whether `a` becomes `b` with at most one insertion, deletion or substitution (ASCII).
fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if short.len() == long.len() {
        short[prefix..]
            .iter()
            .skip(1)
            .eq(long[prefix..].iter().skip(1))
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys_and_their_misspellings() {
        for k in [
            "Psk",
            "psk",
            "Pks",
            "Psk2",
            "IkePsk",
            "SharedKey",
            "PreSharedKey",
            "psk_",
            "PSK",
            "AuthKey",
            "authKey",
            "Secret",
            "password",
            "Passwd",
            "Pzk",
            "sk",
            "pre-shared-key",
        ] {
            assert!(looks_secret(k), "{k}");
        }
        for k in [
            "PskEnabled",
            "IkeAuthAlg",
            "auth_mode",
            "Name",
            "IkeConfig",
            "RemoteId",
            "Spec",
            "",
        ] {
            assert!(!looks_secret(k), "{k}");
        }
    }

    #[test]
    fn one_edit() {
        assert!(within_one_edit("psk", "psk"));
        assert!(within_one_edit("pzk", "psk"));
        assert!(within_one_edit("ps", "psk"));
        assert!(within_one_edit("pskx", "psk"));
        assert!(!within_one_edit("pks", "psk"));
        assert!(!within_one_edit("name", "psk"));
    }

    /// Every field of every dialect that looks secret but is not a PSK or key field is listed
    /// in NOT_SECRET (so its value stays visible in reports), and no PSK field is.
    #[test]
    fn known_fields_are_classified_by_the_schemas() {
        fn walk(v: &serde_json::Value, out: &mut Vec<(String, bool)>) {
            match v {
                serde_json::Value::Object(m) => {
                    if let Some(serde_json::Value::Object(props)) = m.get("properties") {
                        for (k, p) in props {
                            // A PSK field accepts a string or a {env}/{file} reference.
                            let psk = p["anyOf"].as_array().is_some_and(|a| {
                                a.iter().any(|x| x["properties"].get("env").is_some())
                            });
                            out.push((k.clone(), psk));
                        }
                    }
                    m.values().for_each(|x| walk(x, out));
                }
                serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
                _ => {}
            }
        }
        let mut fields = Vec::new();
        for entry in std::fs::read_dir("schemas").expect("schemas") {
            let text = std::fs::read_to_string(entry.expect("entry").path()).expect("read");
            walk(&serde_json::from_str(&text).expect("json"), &mut fields);
        }
        assert!(fields.len() > 100, "{}", fields.len());
        for (name, psk) in fields {
            let secret = psk || name.eq_ignore_ascii_case("authkey");
            assert_eq!(looks_secret(&name), secret, "{name}");
        }
    }
}
