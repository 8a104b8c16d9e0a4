//! A long `connections:` list parsed on every core.
//!
//! A fleet file is one YAML document, and the parser is sequential: for 10,000 connections it
//! was the largest part of a render that could use only one core. When the document ends with
//! a block list under a top-level `connections:` key, the list is cut at item lines (`  - `, at
//! the list's own indentation) into one run of items per core; the part before the list (the
//! head) and each run are parsed on their own and the spans shifted back into the whole text.
//!
//! This is only a shortcut to the same tree. Whatever it is not sure of goes the sequential
//! way, which also gives every diagnostic:
//! - a document with an anchor, alias or tag character anywhere (`&`, `*`, `!`): they could
//!   join parts, or count against the whole document's alias budget;
//! - a line after `connections:` that is neither blank, a comment, an item at the list's
//!   indentation, nor indented further (another top-level key, `---`, a tab);
//! - any part that does not parse: a quoted scalar, flow collection or other construct cut
//!   in two leaves the part before the cut unterminated, so a cut that changes meaning fails;
//! - a tree near the parser's limits (node budget, nesting), which apply to the whole document.
//!
//! `tests/split_parse.rs` and the native fuzz target compare the two ways on every input.

use crate::tree::{Node, Value};

/// Below this size the sequential parse is fast enough (about 1 ms for 10 KiB).
pub const MIN_BYTES: usize = 128 * 1024;

/// Parse `text` in `parts` runs of items plus its head, in parallel. `None` means: take the
/// sequential path (not a fleet list, not sure it is equivalent, or a part did not parse).
pub fn parse_in_parts(text: &str, parts: usize) -> Option<Node> {
    if text.contains(['&', '*', '!']) {
        return None;
    }
    let items = locate(text)?;
    let mut pieces = cut(&items, parts.max(1), text.len());
    // The first part is the head with the first run of items: a whole document, whose tree
    // the other runs are added to.
    pieces[0].0 = 0;
    let parsed = crate::parallel::map_ordered(&pieces, |&(start, end)| {
        let mut node = super::parse_whole(&text[start..end]).ok()?;
        node.remap(&|o| o + start);
        Some(node)
    });
    let mut parsed = parsed
        .into_iter()
        .collect::<Option<Vec<Node>>>()?
        .into_iter();
    let mut root = parsed.next()?;
    let list = match &mut root.value {
        Value::Map(entries) => match entries.last_mut() {
            Some((
                key,
                Node {
                    value: Value::Seq(list),
                    ..
                },
            )) if key.name == "connections" => list,
            _ => return None,
        },
        _ => return None,
    };
    for part in parsed {
        match part.value {
            Value::Seq(s) => list.extend(s),
            _ => return None,
        }
    }
    let (count, depth) = size(&root);
    // The limits are the whole document's: leave anything near them to the sequential parse.
    (count <= super::max_nodes(text.len()) / 2 && depth <= 32).then_some(root)
}

/// Where the items of the list start (byte offsets of their lines), in a text that ends with
/// the list.
fn locate(text: &str) -> Option<Vec<usize>> {
    let mut lines = line_starts(text);
    // The `connections:` line: at the left margin, nothing after the colon but a comment.
    lines.find(|&(_, l)| {
        l.strip_prefix("connections:")
            .is_some_and(|rest| rest.trim_start().is_empty() || rest.trim_start().starts_with('#'))
    })?;
    let mut indent = None;
    let mut items = Vec::new();
    for (start, line) in lines {
        let body = line.trim_start_matches(' ');
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let depth = line.len() - body.len();
        let is_item = body == "-" || body.starts_with("- ");
        match indent {
            None if is_item => indent = Some(depth),
            None => return None,
            Some(i) if depth == i && is_item => {}
            Some(i) if depth > i => continue,
            Some(_) => return None,
        }
        items.push(start);
    }
    (!items.is_empty()).then_some(items)
}

/// Each line's start offset and its text without the line break (and a `\r` before it).
fn line_starts(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n').map(move |raw| {
        let start = offset;
        offset += raw.len();
        (start, raw.trim_end_matches('\n').trim_end_matches('\r'))
    })
}

/// `parts` contiguous byte ranges of whole items, about the same size, covering the list to
/// the end of the text.
fn cut(items: &[usize], parts: usize, end: usize) -> Vec<(usize, usize)> {
    let first = items[0];
    let share = (end - first).div_ceil(parts);
    let mut out = Vec::with_capacity(parts);
    let mut start = first;
    for &item in &items[1..] {
        if item - start >= share {
            out.push((start, item));
            start = item;
        }
    }
    out.push((start, end));
    out
}

/// The number of values and keys in a tree, and its depth.
fn size(node: &Node) -> (usize, usize) {
    match &node.value {
        Value::Map(m) => m.iter().fold((1, 1), |(n, d), (_, v)| {
            let (vn, vd) = size(v);
            (n + 1 + vn, d.max(vd + 1))
        }),
        Value::Seq(s) => s.iter().fold((1, 1), |(n, d), v| {
            let (vn, vd) = size(v);
            (n + vn, d.max(vd + 1))
        }),
        _ => (1, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(text: &str, parts: usize) -> Option<Node> {
        let split = parse_in_parts(text, parts);
        if let Some(s) = &split {
            assert_eq!(Some(s), super::super::parse_whole(text).ok().as_ref());
        }
        split
    }

    const FLEET: &str = "# fleet\nversion: 1\nconnections:  # all of them\n  - name: a\n    x: [1, 2]\n  # between\n  - name: b\n    y: {k: v}\n\n  - name: c\n    z: |\n      text\n";

    #[test]
    fn a_fleet_list_is_split_and_equal() {
        for parts in 1..5 {
            assert!(both(FLEET, parts).is_some(), "{parts} parts");
        }
        let crlf = FLEET.replace('\n', "\r\n");
        assert!(both(&crlf, 2).is_some());
        let margin = FLEET.replace("\n  ", "\n");
        assert!(both(&margin, 3).is_some());
    }

    #[test]
    fn what_is_not_sure_goes_the_sequential_way() {
        let cases = [
            // a key after the list
            format!("{FLEET}other: 1\n"),
            // an anchor and alias
            FLEET
                .replace("x: [1, 2]", "x: &a [1, 2]")
                .replace("k: v", "k: *a"),
            // a document marker
            format!("{FLEET}---\n"),
            // no list under connections
            "connections:\nother: 1\n".to_owned(),
            "connections: []\n".to_owned(),
        ];
        for (i, text) in cases.iter().enumerate() {
            assert_eq!(both(text, 2), None, "case {i}");
        }
    }

    #[test]
    fn a_construct_cut_in_two_goes_the_sequential_way() {
        // Enough parts that every item line is a cut: the part before it is unterminated.
        let cases = [
            // a quoted scalar that goes on over an item line
            FLEET.replace("name: b", "name: \"b\n  - c\""),
            // a flow list cut by an item line
            FLEET.replace("x: [1, 2]", "x: [1,\n  - 2]"),
        ];
        for (i, text) in cases.iter().enumerate() {
            assert_eq!(both(text, 100), None, "case {i}");
            for parts in 1..5 {
                both(text, parts);
            }
        }
    }

    #[test]
    fn cuts_cover_the_list_in_order() {
        let items = [10, 20, 30, 40, 50];
        assert_eq!(cut(&items, 1, 60), vec![(10, 60)]);
        assert_eq!(cut(&items, 2, 60), vec![(10, 40), (40, 60)]);
        assert_eq!(
            cut(&items, 9, 60),
            vec![(10, 20), (20, 30), (30, 40), (40, 50), (50, 60)]
        );
    }
}
