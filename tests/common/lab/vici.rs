//! `swanctl --list-sas --raw` output, and the vici names of ipsecgen's algorithms.
//!
//! The raw form is one line per IKE SA: `list-sa event {NAME {k=v k=[a b] child-sas {...}}}`,
//! then `list-sas reply {}`.

use ipsecgen::ir::{Cipher, DhGroup, Integrity, Prf};

/// A vici value: a string, a list of strings, or a section of named values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Str(String),
    List(Vec<String>),
    Section(Vec<(String, Value)>),
}

impl Value {
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Section(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A string value of a section.
    pub fn str(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(Value::Str(s)) => Some(s),
            _ => None,
        }
    }

    pub fn list(&self, key: &str) -> &[String] {
        match self.get(key) {
            Some(Value::List(l)) => l,
            _ => &[],
        }
    }

    /// The named sub-sections of a section.
    pub fn sections(&self) -> Vec<(&str, &Value)> {
        match self {
            Value::Section(entries) => entries
                .iter()
                .filter(|(_, v)| matches!(v, Value::Section(_)))
                .map(|(k, v)| (k.as_str(), v))
                .collect(),
            _ => Vec::new(),
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Token {
    Open,
    Close,
    ListOpen,
    ListClose,
    Word(String),
}

fn tokenize(s: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<Token>| {
        if !word.is_empty() {
            out.push(Token::Word(std::mem::take(word)));
        }
    };
    for c in s.chars() {
        match c {
            '{' | '}' | '[' | ']' => {
                flush(&mut word, &mut out);
                out.push(match c {
                    '{' => Token::Open,
                    '}' => Token::Close,
                    '[' => Token::ListOpen,
                    _ => Token::ListClose,
                });
            }
            c if c.is_whitespace() => flush(&mut word, &mut out),
            c => word.push(c),
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Parse the entries of a section up to its closing brace (or the end).
fn section(tokens: &[Token], pos: &mut usize) -> Result<Value, String> {
    let mut entries = Vec::new();
    while *pos < tokens.len() {
        let tok = &tokens[*pos];
        *pos += 1;
        let Token::Word(w) = tok else {
            if *tok == Token::Close {
                return Ok(Value::Section(entries));
            }
            return Err(format!("unexpected {tok:?} at token {}", *pos - 1));
        };
        if let Some((k, v)) = w.split_once('=') {
            if v.is_empty() && tokens.get(*pos) == Some(&Token::ListOpen) {
                *pos += 1;
                let mut items = Vec::new();
                loop {
                    match tokens.get(*pos) {
                        Some(Token::Word(i)) => items.push(i.clone()),
                        Some(Token::ListClose) => break,
                        other => return Err(format!("bad list item {other:?} in {k}")),
                    }
                    *pos += 1;
                }
                *pos += 1;
                entries.push((k.to_owned(), Value::List(items)));
            } else {
                entries.push((k.to_owned(), Value::Str(v.to_owned())));
            }
        } else if tokens.get(*pos) == Some(&Token::Open) {
            *pos += 1;
            let v = section(tokens, pos)?;
            entries.push((w.clone(), v));
        } else {
            return Err(format!("word `{w}` is neither k=v nor a section"));
        }
    }
    Ok(Value::Section(entries))
}

/// One IKE SA of a `--list-sas --raw` dump.
#[derive(Debug)]
pub struct IkeSa {
    pub name: String,
    pub sa: Value,
}

impl IkeSa {
    /// The CHILD_SAs as (key, section); the key is `<name>-<uniqueid>`.
    pub fn children(&self) -> Vec<(&str, &Value)> {
        self.sa
            .get("child-sas")
            .map(Value::sections)
            .unwrap_or_default()
    }
}

/// Parse a whole `swanctl --list-sas --raw` output.
pub fn parse_list_sas(text: &str) -> Result<Vec<IkeSa>, String> {
    let mut sas = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("list-sa event ") else {
            continue;
        };
        let tokens = tokenize(rest);
        if tokens.first() != Some(&Token::Open) {
            return Err(format!("list-sa event without a section: {line}"));
        }
        let mut pos = 1;
        let top = section(&tokens, &mut pos).map_err(|e| format!("{e} in: {line}"))?;
        for (name, sa) in top.sections() {
            sas.push(IkeSa {
                name: name.to_owned(),
                sa: sa.clone(),
            });
        }
    }
    Ok(sas)
}

/// vici `encr-alg` and `encr-keysize` (absent for fixed-size ciphers) of a cipher.
/// Seen on strongSwan 5.9.8 (Debian 12) through lab/pair.sh.
pub fn cipher(c: Cipher) -> Option<(&'static str, Option<u32>)> {
    Some(match c {
        Cipher::Des => ("DES_CBC", None),
        Cipher::TripleDes => ("3DES_CBC", None),
        Cipher::Aes128 => ("AES_CBC", Some(128)),
        Cipher::Aes192 => ("AES_CBC", Some(192)),
        Cipher::Aes256 => ("AES_CBC", Some(256)),
        Cipher::Aes128Gcm16 => ("AES_GCM_16", Some(128)),
        Cipher::Aes192Gcm16 => ("AES_GCM_16", Some(192)),
        Cipher::Aes256Gcm16 => ("AES_GCM_16", Some(256)),
        Cipher::Sm4 => return None,
    })
}

/// vici `integ-alg` of an integrity algorithm.
pub fn integrity(i: Integrity) -> Option<&'static str> {
    Some(match i {
        Integrity::Md5 => "HMAC_MD5_96",
        Integrity::Sha1 => "HMAC_SHA1_96",
        Integrity::Sha256 => "HMAC_SHA2_256_128",
        Integrity::Sha384 => "HMAC_SHA2_384_192",
        Integrity::Sha512 => "HMAC_SHA2_512_256",
        Integrity::Sm3 => return None,
    })
}

/// vici `prf-alg` of a PRF.
pub fn prf(p: Prf) -> Option<&'static str> {
    Some(match p {
        Prf::Md5 => "PRF_HMAC_MD5",
        Prf::Sha1 => "PRF_HMAC_SHA1",
        Prf::Sha256 => "PRF_HMAC_SHA2_256",
        Prf::Sha384 => "PRF_HMAC_SHA2_384",
        Prf::Sha512 => "PRF_HMAC_SHA2_512",
        Prf::Sm3 => return None,
    })
}

/// vici `dh-group` of a DH group.
pub fn dh(g: DhGroup) -> Option<&'static str> {
    Some(match g.0 {
        1 => "MODP_768",
        2 => "MODP_1024",
        5 => "MODP_1536",
        14 => "MODP_2048",
        15 => "MODP_3072",
        16 => "MODP_4096",
        17 => "MODP_6144",
        18 => "MODP_8192",
        19 => "ECP_256",
        20 => "ECP_384",
        21 => "ECP_521",
        22 => "MODP_1024_160",
        23 => "MODP_2048_224",
        24 => "MODP_2048_256",
        31 => "CURVE_25519",
        32 => "CURVE_448",
        _ => return None,
    })
}

#[test]
fn parses_a_raw_list_sas_dump() {
    let raw = "list-sa event {c1 {uniqueid=1 version=2 state=ESTABLISHED encr-alg=AES_CBC \
               encr-keysize=256 child-sas {c1-3 {name=c1 uniqueid=3 state=INSTALLED \
               local-ts=[10.1.3.0/24 10.1.4.0/24] remote-ts=[10.1.1.0/24]}}}}\n\
               list-sas reply {}\n";
    let sas = parse_list_sas(raw).expect("parses");
    assert_eq!(sas.len(), 1);
    assert_eq!(sas[0].name, "c1");
    assert_eq!(sas[0].sa.str("encr-keysize"), Some("256"));
    let children = sas[0].children();
    assert_eq!(children.len(), 1);
    assert_eq!(children[0].0, "c1-3");
    assert_eq!(children[0].1.str("state"), Some("INSTALLED"));
    assert_eq!(
        children[0].1.list("local-ts"),
        ["10.1.3.0/24", "10.1.4.0/24"]
    );
}
