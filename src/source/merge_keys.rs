//! Merge keys (`<<`), as serde-saphyr merges them, for the event reader (`event_tree`).
//!
//! serde-saphyr 2.1 (its mapping access, `MergeKeyPolicy::Merge`, read from its
//! `deserializer.rs` and `key_nodes.rs`):
//! - a plain, untagged `<<` in a key's place is a merge key; its value is a mapping, an alias
//!   of one, a list of those, or null (`~`, `null`, nothing): no entries; anything else is
//!   refused;
//! - the mapping's own entries come first, in their order; then the merged ones, merge key by
//!   merge key, a list's mappings in the list's order, each mapping's own entries before those
//!   of its own merge keys; a merged entry whose key an entry before it has is left out;
//! - an explicit key is a duplicate only of an explicit key before it (a merged entry does not
//!   make a later explicit key a duplicate);
//! - every merged key and value, and every value in it, is placed where the merge value is
//!   referenced: the alias (`<<: *defaults`), or the mapping's first token (`<<: {...}`), each
//!   of a list's items its own;
//! - each merge key counts against the budget's `max_merge_keys` (10,000 a document).
//!
//! The reader builds the tree of a merge value as any value (its own merge keys resolved),
//! then moves its entries to the end of the mapping ([`entries_of`], [`flush`]). It declines
//! what it is not sure of: a merge key in an anchored value (its replay would count merge keys
//! and nesting the resolved tree no longer shows), a tag in a merge value, a list in a merge
//! list, a merge value serde-saphyr refuses, and a merged key that has another type than a
//! string and the name of an entry before it (`1` and `"1"` are two keys to serde-saphyr).

use serde_saphyr::granit_parser::ScalarStyle;

use super::event_tree::{is_duplicate, Seen};
use super::plain_scalar::typed;
use crate::tree::{Key, Node, Value};

/// serde-saphyr's limit on merge keys a document (`Budget::max_merge_keys`).
pub(super) fn limit() -> usize {
    super::parse_options(super::Limits { nodes: 0 })
        .budget
        .unwrap_or_default()
        .max_merge_keys
}

/// Whether a key's untagged scalar is a merge key: a plain `<<` (a tagged key, `!!merge <<`
/// among them, the reader leaves to serde-saphyr).
pub(super) fn is_merge_key(value: &str, style: ScalarStyle) -> bool {
    value == "<<" && style == ScalarStyle::Plain
}

/// Add the entries a merge key's `value` brings to `merged`, each placed where it is
/// referenced; `None` for a value the reader leaves to serde-saphyr (a scalar other than null,
/// a list in the list).
pub(super) fn entries_of(value: Node, merged: &mut Vec<(Key, Node)>) -> Option<()> {
    match value.value {
        Value::Null => {}
        Value::Map(_) => mapping(value, merged)?,
        Value::Seq(items) => {
            for item in items {
                match item.value {
                    Value::Null => {}
                    Value::Map(_) => mapping(item, merged)?,
                    _ => return None,
                }
            }
        }
        _ => return None,
    }
    Some(())
}

/// A merged mapping's entries, all placed at its reference (its own place, or the alias's
/// that replayed it).
fn mapping(node: Node, merged: &mut Vec<(Key, Node)>) -> Option<()> {
    let at = node.span;
    let Value::Map(entries) = node.value else {
        return None;
    };
    merged.extend(entries.into_iter().map(|(mut key, mut value)| {
        key.span = at;
        value.respan(at);
        (key, value)
    }));
    Some(())
}

/// A mapping's explicit `entries` followed by the `merged` ones no entry before has; `None`
/// when a merged key of another type than a string has the name of an entry before it.
pub(super) fn flush(
    entries: &mut Vec<(Key, Node)>,
    seen: &mut Seen,
    merged: Vec<(Key, Node)>,
) -> Option<()> {
    for (key, value) in merged {
        if is_duplicate(entries, seen, &key.name) {
            if !matches!(typed(&key.name), Some(Value::Str(_))) {
                return None;
            }
            continue;
        }
        entries.push((key, value));
    }
    Some(())
}
