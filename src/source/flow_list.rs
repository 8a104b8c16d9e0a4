//! A fleet written as one flow list, `connections: [ {...}, {...} ]`, ending the document:
//! where its items are, so that `split` can read it in runs as it reads a block list.
//!
//! The cutter finds the commas between the list's own items: outside quoted scalars (a quote
//! where a scalar starts), comments (a `#` after a space or a line break) and nested flow
//! collections. It does not have to be right to be safe. Each run is read as a document of
//! its own in the same context as in the whole text (`connections: [` before its items, on
//! the key's line; a `]` after them but for the last run, which ends with the list's own):
//! a comma it took wrongly (inside a scalar, a comment, a tag or a nested collection) leaves
//! the run before it unterminated, and that run does not read; a comma it missed joins two
//! items into one of its items, and the run's list then has more items than it cut. Either
//! way the text is read in one pass (`split`).

use std::borrow::Cow;

/// What each run but the first starts with (the whole text has it on the key's line).
pub const RUN_TOP: &str = "connections: [";

/// The items of a top-level flow list `connections: [...]` that ends the document.
pub struct FlowList {
    /// Where each item's text starts: just after the `[`, or after the comma before it.
    pub starts: Vec<usize>,
    /// The comma after each item but the last.
    pub commas: Vec<usize>,
}

impl FlowList {
    /// The text of the run of items `first..end` (`end` one past its last) as read alone,
    /// and what to add to an offset in it to place it in `text`.
    pub fn run<'t>(&self, text: &'t str, first: usize, end: usize) -> (Cow<'t, str>, usize) {
        let place = self.place(text, first, end);
        let body = &text[place.clone()];
        // The last run ends with the list's own `]`.
        let close = if end == self.starts.len() { "" } else { "]" };
        if first == 0 && close.is_empty() {
            return (Cow::Borrowed(body), 0);
        }
        if first == 0 {
            return (Cow::Owned(format!("{body}{close}")), 0);
        }
        // The list starts after `RUN_TOP` in the whole text: the run's items are past it.
        let shift = place.start - RUN_TOP.len();
        (Cow::Owned(format!("{RUN_TOP}{body}{close}")), shift)
    }

    /// Where the run of items `first..end` is in the whole text.
    pub fn place(&self, text: &str, first: usize, end: usize) -> std::ops::Range<usize> {
        let start = if first == 0 { 0 } else { self.starts[first] };
        let stop = self.commas.get(end - 1).copied().unwrap_or(text.len());
        start..stop
    }
}

/// The flow list ending `text` under a `connections:` key at the left margin, its `[` on the
/// key's line; `None` for any other text, or when the list is not closed by a `]` followed
/// only by blanks and comments.
pub fn locate(text: &str) -> Option<FlowList> {
    let key = if text.starts_with(RUN_TOP) {
        0
    } else {
        text.find(&format!("\n{RUN_TOP}"))? + 1
    };
    let open = key + RUN_TOP.len() - 1;
    let b = text.as_bytes();
    let mut list = FlowList {
        starts: vec![open + 1],
        commas: Vec::new(),
    };
    let mut depth = 0usize;
    // The last byte that is not a blank: a quote after one of these starts a quoted scalar.
    let mut before = b'[';
    let mut i = open;
    loop {
        let c = *b.get(i)?;
        match c {
            b'"' | b'\'' if matches!(before, b'[' | b'{' | b',' | b':') => {
                i = quoted_end(b, i)?;
            }
            b'#' if i > 0 && matches!(b[i - 1], b' ' | b'\t' | b'\n' | b'\r') => {
                i = text[i..].find('\n').map_or(b.len(), |n| i + n);
                continue;
            }
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return only_blanks_after(text, i + 1).then_some(list);
                }
            }
            b',' if depth == 1 => {
                list.commas.push(i);
                list.starts.push(i + 1);
            }
            _ => {}
        }
        if !matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
            before = c;
        }
        i += 1;
    }
}

/// The offset of the quote that closes the quoted scalar opened at `open`.
fn quoted_end(b: &[u8], open: usize) -> Option<usize> {
    let quote = b[open];
    let mut i = open + 1;
    loop {
        match *b.get(i)? {
            b'\\' if quote == b'"' => i += 2,
            // `''` is a quote inside a single-quoted scalar.
            b'\'' if quote == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 2,
            c if c == quote => return Some(i),
            _ => i += 1,
        }
    }
}

/// Whether nothing but blanks and comments follows `from`.
fn only_blanks_after(text: &str, from: usize) -> bool {
    text[from..].lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#')
    })
}
