//! Which items of a fleet list an alias ties to the run of its anchor (`split`).
//!
//! A list read in runs parses each run alone: an alias of an anchor defined in an earlier
//! run is an unknown anchor there, and the whole document then goes the sequential way. So
//! the runs are not cut between an alias and the anchor it names: every `*name` is tied to
//! the last `&name` before it. Both are found in the text, not parsed: any `&` or `*` that
//! starts a token (at a line's start, after a space, a tab or a flow indicator `[ { , :`)
//! followed by a name (up to a space or a flow indicator). That finds every real anchor and
//! alias and maybe more (in a quoted string, a comment), which only ties more items. One it
//! did not find would only cost the sequential reading: the run fails, it does not misread.

use std::collections::HashMap;

/// For each item (by index into `items`, the offsets of the items' lines in `text`), whether
/// it must be in the same run as the item before it.
pub fn tied(text: &str, items: &[usize]) -> Vec<bool> {
    // +1 at the first item tied, -1 after the last: a running sum over the items.
    let mut marks = vec![0i64; items.len() + 1];
    let mut anchors: HashMap<&str, Option<usize>> = HashMap::new();
    let b = text.as_bytes();
    for (at, &c) in b.iter().enumerate() {
        if c != b'&' && c != b'*' {
            continue;
        }
        let starts_token = at == 0
            || matches!(
                b[at - 1],
                b' ' | b'\t' | b'\n' | b'\r' | b'[' | b'{' | b',' | b':'
            );
        if !starts_token {
            continue;
        }
        let name_end = b[at + 1..]
            .iter()
            .position(|&n| {
                matches!(
                    n,
                    b' ' | b'\t' | b'\n' | b'\r' | b'[' | b']' | b'{' | b'}' | b','
                )
            })
            .map_or(b.len(), |n| at + 1 + n);
        if name_end == at + 1 {
            continue;
        }
        let name = &text[at + 1..name_end];
        // The item it is in (`None`: the document's top, before the first item).
        let item = items.partition_point(|&i| i <= at).checked_sub(1);
        if c == b'&' {
            anchors.insert(name, item);
        } else if let (Some(&anchor), Some(alias)) = (anchors.get(name), item) {
            // Items after the anchor's, up to the alias's, stay with the one before them.
            let first = anchor.map_or(1, |a| a + 1);
            if first <= alias {
                marks[first] += 1;
                marks[alias + 1] -= 1;
            }
        }
    }
    let mut open = 0;
    marks[..items.len()]
        .iter()
        .map(|m| {
            open += m;
            open > 0
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alias_is_tied_to_its_anchors_item() {
        let text = "connections:\n- &a {x: 1}\n- y: 2\n- z: *a\n- w: \"x *a y\"\n- &b v\n- *b\n";
        let items: Vec<usize> = text.match_indices("\n-").map(|(i, _)| i + 1).collect();
        // `*a` in the quoted string counts too (a name found in the text, not parsed).
        assert_eq!(
            tied(text, &items),
            vec![false, true, true, true, false, true]
        );
        // An anchor at the document's top ties every item up to its last alias.
        let top = "defaults: &d {k: v}\nconnections:\n- a\n- b\n- *d\n- c\n";
        let items: Vec<usize> = top.match_indices("\n-").map(|(i, _)| i + 1).collect();
        assert_eq!(tied(top, &items), vec![false, true, true, false]);
        // `R&D` and `*all*` in a comment name nothing that pairs.
        let comment = "# R&D: *all* sites\nconnections:\n- a\n- b\n";
        let items: Vec<usize> = comment.match_indices("\n-").map(|(i, _)| i + 1).collect();
        assert_eq!(tied(comment, &items), vec![false, false]);
    }
}
