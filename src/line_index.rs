//! Where each line of a text starts, found once: line/column lookups and report snippets then
//! cost O(log lines) instead of a scan from the start of the text per diagnostic (a fleet file
//! with 10,000 connections can have 10,000 diagnostics).

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// A text with the byte offset of the start of every line, and how many characters start
/// before every [`CHUNK`]th byte.
pub struct LineIndex<'t> {
    name: &'t str,
    text: &'t str,
    starts: Vec<usize>,
    /// Characters that start before byte `k * CHUNK`, for each k: a column on a long line (a
    /// minified payload, a text whose lines end in a lone `\r`) is counted from the nearest
    /// of these, not from the line's start.
    chars: Vec<usize>,
}

/// Bytes between two character counts of [`LineIndex`].
const CHUNK: usize = 4096;

/// Characters that start in `bytes` (bytes that do not continue a UTF-8 sequence).
fn chars_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

impl<'t> LineIndex<'t> {
    pub fn new(name: &'t str, text: &'t str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        let mut chars = Vec::with_capacity(text.len() / CHUNK + 1);
        let mut before = 0;
        chars.push(0);
        for chunk in text.as_bytes().chunks(CHUNK) {
            before += chars_in(chunk);
            chars.push(before);
        }
        Self {
            name,
            text,
            starts,
            chars,
        }
    }

    /// Characters that start before byte `offset` (at most the text's length).
    fn chars_before(&self, offset: usize) -> usize {
        let k = offset / CHUNK;
        let from = k * CHUNK;
        crate::work::add(crate::work::Unit::ColumnByte, offset - from);
        self.chars[k] + chars_in(&self.text.as_bytes()[from..offset])
    }

    /// The length of the text in bytes.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// 0-based index of the line holding byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_of(offset);
        let start = self.starts.get(line).copied().unwrap_or(0);
        // Inside a character: no column (as before the count was kept).
        let col = if self.text.is_char_boundary(offset) {
            self.chars_before(offset) - self.chars_before(start)
        } else {
            0
        };
        (line + 1, col + 1)
    }
}

/// A window of more bytes than this around a span (a minified one-line payload) is cut down to
/// the span's own line, `AROUND` bytes either side: miette cannot draw columns past 65,535.
const LONG_WINDOW: usize = 4096;
/// Bytes kept either side of a span in a cut window.
const AROUND: usize = 120;
/// Labels are drawn over at most this many bytes (see `clip_label`).
pub const MAX_LABEL: usize = 512;

impl<'t> LineIndex<'t> {
    /// The largest char boundary at or below `i`.
    fn floor_boundary(&self, mut i: usize) -> usize {
        i = i.min(self.text.len());
        while !self.text.is_char_boundary(i) {
            i -= 1;
        }
        i
    }

    /// The smallest char boundary at or above `i`.
    fn ceil_boundary(&self, mut i: usize) -> usize {
        i = i.min(self.text.len());
        while !self.text.is_char_boundary(i) {
            i += 1;
        }
        i
    }

    /// A label span shortened to at most `MAX_LABEL` bytes (ending on a char boundary), so a
    /// label over a huge value cannot make the snippet huge.
    pub fn clip_label(&self, offset: usize, len: usize) -> (usize, usize) {
        let offset = self.floor_boundary(offset);
        let end = self.ceil_boundary(offset + len.min(self.text.len() - offset));
        if end - offset <= MAX_LABEL {
            return (offset, end - offset);
        }
        (offset, self.floor_boundary(offset + MAX_LABEL) - offset)
    }

    /// The snippet for `offset..end` when its lines are too long to draw: the part of its
    /// line(s) from `AROUND` bytes before to `AROUND` bytes after, without context lines,
    /// positioned at its real line and column. `None` when the lines are short enough.
    fn cut_window<'a>(
        &'a self,
        offset: usize,
        end: usize,
    ) -> Option<Box<dyn SpanContents<'a> + 'a>> {
        let line = self.line_of(offset);
        let last = self.line_of(end.saturating_sub(1).max(offset));
        let line_start = self.starts.get(line).copied().unwrap_or(0);
        let last_end = self
            .starts
            .get(last + 1)
            .copied()
            .unwrap_or(self.text.len());
        let long = (line..=last).any(|l| {
            let s = self.starts.get(l).copied().unwrap_or(0);
            let e = self.starts.get(l + 1).copied().unwrap_or(self.text.len());
            e - s > LONG_WINDOW
        });
        if !long {
            return None;
        }
        let from = self.floor_boundary(offset.saturating_sub(AROUND).max(line_start));
        let to = self.ceil_boundary((end.max(offset + 1) + AROUND).min(last_end));
        let data = self.text.get(from..to)?;
        // miette counts columns in bytes from the start of the line.
        let column = offset - line_start;
        Some(Box::new(MietteSpanContents::new_named(
            self.name.to_owned(),
            data.as_bytes(),
            SourceSpan::new(from.into(), to - from),
            line,
            column,
            last - line + 1,
        )))
    }
}

impl SourceCode for LineIndex<'_> {
    /// miette's own reader over only the lines around the span, with positions moved back.
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let end = span.offset() + span.len();
        if end > self.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        if let Some(cut) = self.cut_window(span.offset(), end) {
            return Ok(cut);
        }
        let first = self.line_of(span.offset()).saturating_sub(before);
        let last = self.line_of(end.saturating_sub(1).max(span.offset())) + after + 2;
        let from = self.starts.get(first).copied().unwrap_or(0);
        let to = self.starts.get(last).copied().unwrap_or(self.text.len());
        let window = self.text.get(from..to).ok_or(MietteError::OutOfBounds)?;
        let inner = window.read_span(
            &SourceSpan::new((span.offset() - from).into(), span.len()),
            before,
            after,
        )?;
        let shifted = SourceSpan::new((inner.span().offset() + from).into(), inner.span().len());
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_owned(),
            inner.data(),
            shifted,
            inner.line() + first,
            inner.column(),
            inner.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::LineIndex;
    use miette::SourceCode;

    #[test]
    fn line_and_column() {
        let idx = LineIndex::new("t", "ab\ncd\n\né");
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(4), (2, 2));
        assert_eq!(idx.line_col(6), (3, 1));
        assert_eq!(idx.line_col(99), (4, 2));
    }

    /// Columns counted from the chunks' character counts are the characters from the line's
    /// start, on lines longer than a chunk, with characters of several bytes across chunk
    /// boundaries; inside a character there is no column.
    #[test]
    fn columns_on_long_lines() {
        let line: String = (0..3000).map(|i| ["a", "é", "中", "😀"][i % 4]).collect();
        let text = format!("x\n{line}\n{line}");
        let idx = LineIndex::new("t", &text);
        for (offset, _) in text.char_indices().step_by(97) {
            let start = text[..offset].rfind('\n').map_or(0, |n| n + 1);
            let line = text[..offset].matches('\n').count() + 1;
            let col = text[start..offset].chars().count() + 1;
            assert_eq!(idx.line_col(offset), (line, col), "{offset}");
        }
        let inside = text.find('é').expect("é") + 1;
        assert_eq!(idx.line_col(inside).1, 1);
        assert_eq!(idx.line_col(text.len()).0, 3);
    }

    /// The windowed reader gives exactly what miette's reader gives over the whole text.
    #[test]
    fn snippets_match_miettes_own_reader() {
        let text: String = (0..50).map(|i| format!("line {i}: value\n")).collect();
        let idx = LineIndex::new("t", &text);
        for (offset, len) in [(0, 4), (17, 5), (300, 20), (text.len() - 3, 2), (40, 0)] {
            for ctx in [0, 1, 3] {
                let span = (offset, len).into();
                let want = text.as_str().read_span(&span, ctx, ctx).expect("whole");
                let got = idx.read_span(&span, ctx, ctx).expect("window");
                assert_eq!(got.data(), want.data(), "{offset} {len} {ctx}");
                assert_eq!(got.span(), want.span());
                assert_eq!(got.line(), want.line());
                assert_eq!(got.column(), want.column());
            }
        }
    }
}
