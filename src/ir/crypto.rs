//! Cryptographic primitives as typed values. Each has a stable id, which is also the key in
//! every target's `target.toml` name tables.

use std::fmt;

use serde::Serialize;

macro_rules! primitive {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $id:literal, $words:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable id used in target tables and JSON output.
            pub fn id(self) -> &'static str {
                match self { $($name::$variant => $id),+ }
            }

            /// A human description.
            pub fn describe(self) -> &'static str {
                match self { $($name::$variant => $words),+ }
            }

            pub fn from_id(id: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.id() == id)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.id())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.id())
            }
        }
    };
}

primitive!(
    /// An encryption algorithm (with its key size and, for AEAD, its ICV length).
    Cipher {
        Des = "des", "DES-CBC (56-bit)",
        TripleDes = "3des", "3DES-CBC (168-bit)",
        Aes128 = "aes128", "AES-128-CBC",
        Aes192 = "aes192", "AES-192-CBC",
        Aes256 = "aes256", "AES-256-CBC",
        Aes128Gcm16 = "aes128gcm16", "AES-128-GCM with a 16-octet ICV",
        Aes192Gcm16 = "aes192gcm16", "AES-192-GCM with a 16-octet ICV",
        Aes256Gcm16 = "aes256gcm16", "AES-256-GCM with a 16-octet ICV",
        Sm4 = "sm4", "SM4-CBC (Chinese national standard)",
    }
);

impl Cipher {
    /// AEAD ciphers carry their own integrity protection.
    pub fn is_aead(self) -> bool {
        matches!(
            self,
            Cipher::Aes128Gcm16 | Cipher::Aes192Gcm16 | Cipher::Aes256Gcm16
        )
    }
}

primitive!(
    /// An integrity (HMAC) algorithm; for IKE it also selects the PRF unless one is given.
    Integrity {
        Md5 = "md5", "HMAC-MD5-96",
        Sha1 = "sha1", "HMAC-SHA1-96",
        Sha256 = "sha256", "HMAC-SHA2-256-128",
        Sha384 = "sha384", "HMAC-SHA2-384-192",
        Sha512 = "sha512", "HMAC-SHA2-512-256",
        Sm3 = "sm3", "HMAC-SM3 (Chinese national standard)",
    }
);

primitive!(
    /// A pseudo-random function for IKE.
    Prf {
        Md5 = "prfmd5", "PRF-HMAC-MD5",
        Sha1 = "prfsha1", "PRF-HMAC-SHA1",
        Sha256 = "prfsha256", "PRF-HMAC-SHA2-256",
        Sha384 = "prfsha384", "PRF-HMAC-SHA2-384",
        Sha512 = "prfsha512", "PRF-HMAC-SHA2-512",
        Sm3 = "prfsm3", "PRF-HMAC-SM3",
    }
);

impl Prf {
    /// The PRF that goes with an integrity algorithm (what IKE uses when none is named).
    pub fn matching(i: Integrity) -> Prf {
        match i {
            Integrity::Md5 => Prf::Md5,
            Integrity::Sha1 => Prf::Sha1,
            Integrity::Sha256 => Prf::Sha256,
            Integrity::Sha384 => Prf::Sha384,
            Integrity::Sha512 => Prf::Sha512,
            Integrity::Sm3 => Prf::Sm3,
        }
    }
}

/// A Diffie-Hellman group by its IANA number (RFC 7296 Transform Type 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "u16")]
pub struct DhGroup(pub u16);

impl From<DhGroup> for u16 {
    fn from(g: DhGroup) -> u16 {
        g.0
    }
}

impl DhGroup {
    /// The groups ipsecgen knows by name, with their descriptions.
    pub const KNOWN: &'static [(u16, &'static str)] = &[
        (1, "768-bit MODP (group 1)"),
        (2, "1024-bit MODP (group 2)"),
        (5, "1536-bit MODP (group 5)"),
        (14, "2048-bit MODP (group 14)"),
        (15, "3072-bit MODP (group 15)"),
        (16, "4096-bit MODP (group 16)"),
        (17, "6144-bit MODP (group 17)"),
        (18, "8192-bit MODP (group 18)"),
        (19, "256-bit random ECP (group 19)"),
        (20, "384-bit random ECP (group 20)"),
        (21, "521-bit random ECP (group 21)"),
        (
            22,
            "1024-bit MODP with 160-bit prime order subgroup (group 22)",
        ),
        (
            23,
            "2048-bit MODP with 224-bit prime order subgroup (group 23)",
        ),
        (
            24,
            "2048-bit MODP with 256-bit prime order subgroup (group 24)",
        ),
        (31, "Curve25519 (group 31)"),
        (32, "Curve448 (group 32)"),
    ];

    pub fn describe(self) -> &'static str {
        Self::KNOWN
            .iter()
            .find(|(n, _)| *n == self.0)
            .map_or("unknown DH group", |(_, d)| d)
    }

    pub fn id(self) -> String {
        self.0.to_string()
    }
}

impl fmt::Display for DhGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "group{}", self.0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IkeVersion {
    Ikev1,
    Ikev2,
}

impl IkeVersion {
    pub fn id(self) -> &'static str {
        match self {
            IkeVersion::Ikev1 => "ikev1",
            IkeVersion::Ikev2 => "ikev2",
        }
    }
}

/// IKEv1 phase 1 exchange mode (ignored for IKEv2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IkeMode {
    Main,
    Aggressive,
}

impl IkeMode {
    pub fn id(self) -> &'static str {
        match self {
            IkeMode::Main => "main",
            IkeMode::Aggressive => "aggressive",
        }
    }
}
