//! Detection is unambiguous: no key identifies two dialects, and every shipped example matches
//! exactly the dialect of its folder.

use super::{detect, Dialect};
use crate::source::Source;

fn matching(root: &crate::tree::Node) -> Vec<Dialect> {
    Dialect::ALL
        .iter()
        .copied()
        .filter(|d| d.signature().iter().any(|k| root.get(k).is_some()))
        .collect()
}

#[test]
fn signatures_are_disjoint() {
    for a in Dialect::ALL {
        for b in Dialect::ALL.iter().filter(|b| *b != a) {
            for key in a.signature() {
                assert!(
                    !b.signature().contains(key),
                    "`{key}` identifies both {} and {}",
                    a.id(),
                    b.id()
                );
            }
        }
    }
}

#[test]
fn every_example_matches_exactly_its_dialect() {
    for (dir, dialect) in [
        ("examples/aliyun", Dialect::AliyunConnection),
        ("examples/aliyun-ipsec-server", Dialect::AliyunIpsecServer),
        ("examples/neutron", Dialect::Neutron),
        ("examples/zstack", Dialect::Zstack),
        ("examples/native", Dialect::Native),
    ] {
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).expect("example folder") {
            let path = entry.expect("entry").path();
            if !matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("json" | "yaml")
            ) {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("readable");
            let root = Source::new(path.to_string_lossy(), text)
                .parse()
                .expect("parses");
            assert_eq!(matching(&root), vec![dialect], "{}", path.display());
            assert_eq!(detect(&root), Some(dialect), "{}", path.display());
            seen += 1;
        }
        assert!(seen > 0, "no examples in {dir}");
    }
}

#[test]
fn ids_round_trip() {
    for d in Dialect::ALL {
        assert_eq!(Dialect::from_id(d.id()).ok(), Some(*d));
    }
    for id in ["neutron", "zstack", "native"] {
        assert!(Dialect::from_id(id).is_ok(), "{id}");
    }
}
