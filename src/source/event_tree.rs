//! A YAML text read into the spanned tree from the parser's events, without serde-saphyr's
//! deserializer.
//!
//! serde-saphyr builds the tree through serde: a `Spanned` wrapper, a location visitor and a
//! map of four fields around every value, over 1 µs a value, about two thirds of a parse. The
//! events underneath (granit's parser, which serde-saphyr runs with the same options) hold
//! everything the tree needs: each value's text, style and span. This reader builds the tree
//! serde-saphyr gives (each span an event's span: a scalar's token, quotes included; a
//! collection's first token) for the YAML it is sure of, and declines (`None`) everything
//! else, which then takes serde-saphyr's way, with its diagnostics:
//! - a parse error (serde-saphyr's refusal is made from it: [`Stop::Broken`]), a directive,
//!   an empty stream;
//! - a tag other than a core-schema scalar tag (`!!str`, `!!int`, `!!float`, `!!bool`,
//!   `!!null`) or a local one (`!site`) on a one-line value that is not anchored (those are
//!   typed by serde-saphyr from the scalar alone, up to 1,000 a document); a tag in a merge
//!   key's value; an anchor or alias in a key, an alias of an anchor not yet complete
//!   (anchors and aliases are otherwise replayed as serde-saphyr replays them: `anchors`);
//!   a merge key in an anchored value, or one whose value it is not sure of (merge keys are
//!   otherwise merged as serde-saphyr merges them: `merge_keys`);
//! - a key that is a collection, or a plain scalar of another type than a string written
//!   otherwise than serde-saphyr names it (`0x10`, `yes`, `~`), a duplicate of a key with
//!   such a name (`1` and `"1"` are two keys to serde-saphyr); a duplicate key otherwise is
//!   refused in serde-saphyr's words;
//! - a plain scalar with space at either end; other plain scalars are typed as serde-saphyr
//!   types them (`plain_scalar`: YAML 1.1's booleans, integers in four bases, floats,
//!   strings; `<<` and `=` as values are strings);
//! - a document over one of the parser's limits: values, events (every event counts,
//!   comments included), decoded scalar bytes; or nested over 32 deep (the budget allows 64).
//!
//! What serde-saphyr refuses at a place the reader reaches with everything before it within
//! every limit, the reader refuses itself, in serde-saphyr's words ([`Stop::Refused`]): a
//! duplicate key, a float that is not finite (`.inf`, `1e999`), a second document (at its
//! first value), the alias, anchor and merge-key budgets. (In a merge key's value
//! serde-saphyr finds a duplicate key or a value's type later; the reader declines there.)
//!
//! Within those limits the counts are exact, so a document this reader takes is one the node
//! limit lets through (`count` need not run). `tests/event_tree.rs` compares both readings on
//! every shipped example, the published payloads, the invalid corpus, fleets and generated
//! documents.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, ScanError, Span as ParserSpan, Tag};

use serde_saphyr::budget::BudgetBreach;

use super::anchors::{AliasCounts, Anchors, Places, Size};
use super::merge_keys::{self, is_merge_key};
use super::plain_scalar::{non_finite, typed};
use super::Limits;
use crate::diag::Diagnostic;
use crate::tree::{Key, Node, Span, Value};

/// Nesting this reader takes (the parser's budget allows 64).
const MAX_DEPTH: usize = 32;
/// Keys of one mapping compared one by one; more go through a hash set.
const LINEAR_KEYS: usize = 16;
/// Tagged scalars one document may have read by serde-saphyr one by one.
pub(super) const MAX_TAGGED: usize = 1_000;
/// Values counted between two looks at a shared count (`parse_shared`).
const SHARE_EVERY: usize = 4096;

/// The tree of a YAML (or JSON) `text`, or `None` when serde-saphyr should read it.
pub fn parse(text: &str, limits: Limits) -> Option<Node> {
    parse_shared(text, limits, None).map(|(node, _)| node)
}

/// What a reading counted against the parser's budget.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Values: scalars (keys included), sequences and mappings.
    pub nodes: usize,
    /// Every parser event: the stream's and document's starts and ends, comments included.
    pub events: usize,
    /// Decoded scalar bytes.
    pub scalar_bytes: usize,
    /// Aliases and anchors (`anchors`): a part's own (see [`Shared`]).
    pub aliases: AliasCounts,
    /// Where a part's own aliases and anchors are.
    pub places: Places,
    /// Merge keys (`<<`): the tree then holds fewer values than were read.
    pub merge_keys: usize,
    /// Tagged scalars typed by serde-saphyr (at most [`MAX_TAGGED`] a reading).
    pub tagged: usize,
    /// Where the part's own tagged scalars are, the first [`MAX_TAGGED`] + 1 of them: a
    /// document's next one past [`MAX_TAGGED`] is where one pass declines it (`split`).
    pub tagged_at: Vec<usize>,
    /// What the part's own text counts (see [`Own`]).
    pub own: Own,
}

/// What a part of a document read with others (`split`) counts against the parser's budget,
/// of its own text only (not the first line of the next part, which it also reads): the
/// values, scalar bytes (tags' included) and events of what starts there, a collection's end
/// event counted at its start, an alias's replay at the alias; no stream or document event.
/// The parts' sums, less each part's own list, are the document's counts (its four stream
/// and document events aside), however its tree looks (merge keys hide values; a replayed
/// value takes the alias's place).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Own {
    pub nodes: usize,
    pub events: usize,
    pub scalar_bytes: usize,
    /// Of which tags' bytes (the tree holds no tags).
    pub tag_bytes: usize,
    pub merge_keys: usize,
    /// The deepest nesting of collections read (in the whole part: a bound on its own).
    pub depth: usize,
}

/// The events [`Own`] counts for `event`: none for the stream's and document's and for a
/// collection's end, two for its start.
fn own_events(event: &Event<'_>) -> usize {
    match event {
        Event::StreamStart
        | Event::StreamEnd
        | Event::DocumentStart(..)
        | Event::DocumentEnd
        | Event::SequenceEnd
        | Event::MappingEnd => 0,
        Event::SequenceStart(..) | Event::MappingStart(..) => 2,
        _ => 1,
    }
}

/// [`Own`] of a part `text` whose own text ends at `own_end`, with no tree built; for a part
/// with no anchor or alias (a replay is not counted), up to its end or first error. Merge
/// keys are not told from other keys.
pub fn count_own(text: &str, own_end: usize) -> Own {
    let mut own = Own::default();
    let mut depth = 0usize;
    for item in Parser::new_from_str_with_options(text, parser_options()) {
        let Ok((event, span)) = item else {
            break;
        };
        match event {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                depth += 1;
                own.depth = own.depth.max(depth);
            }
            Event::SequenceEnd | Event::MappingEnd => depth = depth.saturating_sub(1),
            _ => {}
        }
        if span_of(&span).offset >= own_end {
            continue;
        }
        own.events += own_events(&event);
        let (nodes, bytes, tag) = value_of(&event);
        own.nodes += nodes;
        own.scalar_bytes += bytes;
        own.tag_bytes += tag;
    }
    own
}

/// The values (0 or 1) and scalar bytes (its tag's included) the budget counts for `event`,
/// and its tag's bytes.
fn value_of(event: &Event<'_>) -> (usize, usize, usize) {
    match event {
        Event::Scalar(value, _, _, tag) => {
            let tag = tag_bytes(tag.as_deref());
            (1, value.len() + tag, tag)
        }
        Event::SequenceStart(_, _, tag) | Event::MappingStart(_, _, tag) => {
            let tag = tag_bytes(tag.as_deref());
            (1, tag, tag)
        }
        Event::Alias(..) => (1, 0, 0),
        _ => (0, 0, 0),
    }
}

/// A part of a document read with others (`split`).
#[derive(Clone, Copy, Debug)]
pub struct Shared<'a> {
    /// The values every part has read so far (added in batches), and where all stop.
    pub count: &'a AtomicUsize,
    pub most: usize,
    /// Where the part's own text ends: it also reads the first line of the next part, whose
    /// aliases and anchors are that part's own.
    pub own_end: usize,
}

/// [`parse`], also giving its counts. With `shared` (a count and where to stop), the values
/// are also added (in batches) to a count other readings of the same document add to, and the
/// reading stops (`None`) once that count is over the given number: parts of one document
/// read on several cores stop together when the whole is over the node limit.
pub fn parse_shared(text: &str, limits: Limits, shared: Option<Shared>) -> Option<(Node, Counts)> {
    read(text, limits, shared).ok()
}

/// What the reader left to serde-saphyr.
#[derive(Clone, Copy, Debug)]
pub struct Left {
    /// The place of what it declined.
    pub at: Span,
    /// The values it read before, each within every limit: the document holds at least as
    /// many (as the parser counts them).
    pub values: usize,
}

/// Why the reader gave no tree.
#[derive(Debug)]
pub enum Stop {
    /// It declined something (`Left`), or (`None`) a limit was reached: serde-saphyr
    /// decides.
    Declined(Option<Left>),
    /// The parser's first error, met before anything was declined: serde-saphyr, which runs
    /// the same parser with the same options over the same events, stops at it too.
    Broken(ScanError),
    /// serde-saphyr's refusal for a budget the reader counts exactly (aliases, anchors, their
    /// ratio), for a duplicate key (a mapping's key with the name of one before it: the
    /// parser's fingerprint of a string key is its text), a float that is not finite or a
    /// second document, reached with everything before it within every limit: the same
    /// refusal at the same place. Only for a whole document (not a part read with a shared
    /// count).
    Refused(Diagnostic),
}

/// [`parse_shared`], saying why it gives no tree.
pub fn read(text: &str, limits: Limits, shared: Option<Shared>) -> Result<(Node, Counts), Stop> {
    read_from(text, limits, shared, Counts::default())
}

/// [`read`] of a run of a document's list read alone (`split`), as though what the document
/// counts before the run's first value had been read first (`before`: values, events as the
/// parser has counted them there, decoded scalar bytes; the run's own list and its stream's
/// and document's starts taken off): the parser's budgets run out where they do in the whole
/// document.
pub fn read_after(text: &str, limits: Limits, before: Own) -> Result<(Node, Counts), Stop> {
    let counts = Counts {
        nodes: before.nodes,
        events: before.events,
        scalar_bytes: before.scalar_bytes,
        ..Counts::default()
    };
    read_from(text, limits, None, counts)
}

fn read_from(
    text: &str,
    limits: Limits,
    shared: Option<Shared>,
    counts: Counts,
) -> Result<(Node, Counts), Stop> {
    let mut b = Builder {
        limits,
        shared,
        unshared: 0,
        counts,
        stack: Vec::new(),
        root: None,
        documents: 0,
        played: 0,
        anchors: None,
        refused_with: None,
        text,
        breach: None,
        merge_limit: merge_keys::limit(),
        here_own: true,
        limited: false,
    };
    let mut last = Span::default();
    for item in Parser::new_from_str_with_options(text, parser_options()) {
        let (event, span) = item.map_err(Stop::Broken)?;
        last = span_of(&span);
        if b.event(event, &span).is_none() {
            return Err(b.refusal(last));
        }
    }
    b.share().ok_or(Stop::Declined(None))?;
    if let Some(anchors) = &mut b.anchors {
        // The ratio of aliases to anchors is the whole document's (a part's is not checked),
        // checked by serde-saphyr at the end (its place: the last event's, the stream's end).
        if shared.is_none() && !anchors.counts.within() {
            anchors.breach = anchors.counts.ratio_breach();
            return Err(b.refusal(last));
        }
        b.counts.aliases = anchors.own;
        b.counts.places = std::mem::take(&mut anchors.places);
    }
    Ok((b.root.ok_or(Stop::Declined(None))?, b.counts))
}

/// What the parser's events of `text` count until its end or its first error, with no tree
/// built (about a third of a reading): values (scalars, aliases and collections; keys
/// included) and events (comments included). Anchors, tags and anything the reader would
/// decline are counted as they come.
pub fn count(text: &str) -> Counts {
    let mut counts = Counts::default();
    for item in Parser::new_from_str_with_options(text, parser_options()) {
        let Ok((event, _)) = item else {
            break;
        };
        counts.events += 1;
        let (nodes, bytes, _) = value_of(&event);
        counts.nodes += nodes;
        counts.scalar_bytes += bytes;
    }
    counts
}

/// The options serde-saphyr gives the parser under our budget (`Budget::parser_options`):
/// comments on, at most 32 of them buffered, the simple-key look-ahead and flow nesting at
/// their defaults, block nesting no lower than the budget's depth.
fn parser_options() -> serde_saphyr::granit_parser::Options {
    let budget = serde_saphyr::Budget::default();
    let mut o = serde_saphyr::granit_parser::Options::default();
    o.emit_comments = true;
    o.max_buffered_comment_events = budget.max_buffered_comment_events;
    o.simple_key_max_lookahead = budget.simple_key_max_lookahead;
    o.flow_nesting_limit = budget.flow_nesting_limit;
    o.block_nesting_limit = o.block_nesting_limit.max(64 + 1);
    o.strict_indentation = false;
    o
}

enum Frame {
    Seq(Span, Vec<Node>, InMerge),
    Map(MapFrame),
}

/// Where a list is, as to merge keys.
#[derive(Clone, Copy, PartialEq, Eq)]
enum InMerge {
    No,
    /// The list of mappings a merge key merges: serde-saphyr refuses any other item as it
    /// comes.
    List,
    /// In a merge key's value.
    Inside,
}

/// A mapping being read.
struct MapFrame {
    span: Span,
    /// Its explicit entries.
    entries: Vec<(Key, Node)>,
    /// What its next value is.
    next: Next,
    seen: Seen,
    /// The entries its merge keys bring, in order (`merge_keys`).
    merged: Vec<(Key, Node)>,
    /// Whether it is in a merge key's value.
    in_merge: bool,
}

/// What a mapping's next value is.
enum Next {
    /// A key.
    Key,
    /// The value of this key.
    Value(Key),
    /// A merge key's value.
    Merge,
}

impl Frame {
    /// Whether a value read now is (in) a merge key's value.
    fn merging(&self) -> bool {
        match self {
            Frame::Seq(_, _, in_merge) => *in_merge != InMerge::No,
            Frame::Map(m) => m.in_merge || matches!(m.next, Next::Merge),
        }
    }
}

/// The key names of a long mapping, for the duplicate check (a short one compares its keys).
pub(super) type Seen = Option<Box<HashSet<String>>>;

struct Builder<'s> {
    limits: Limits,
    shared: Option<Shared<'s>>,
    /// Values not yet added to `shared`.
    unshared: usize,
    counts: Counts,
    stack: Vec<Frame>,
    root: Option<Node>,
    documents: usize,
    /// Scalar and collection events, replayed ones included.
    played: usize,
    /// Made at the first anchor.
    anchors: Option<Box<Anchors>>,
    /// The text read (for a tagged scalar's token).
    text: &'s str,
    /// The budget serde-saphyr breaches at the event the reading stopped at (merge keys).
    breach: Option<BudgetBreach>,
    merge_limit: usize,
    /// Whether the event being read is in the part's own text.
    here_own: bool,
    /// Whether the reading stopped at one of the parser's limits (not at something declined).
    limited: bool,
    /// serde-saphyr's message (not a budget's) for the value the reading stopped at: a
    /// duplicate key, a second document's first value, a float that is not finite.
    refused_with: Option<String>,
}

impl Builder<'_> {
    fn event(&mut self, event: Event<'_>, span: &ParserSpan) -> Option<()> {
        self.here_own = self.own(span_of(span));
        self.counts.events += 1;
        if self.here_own {
            self.counts.own.events += own_events(&event);
        }
        if self.counts.events > self.limits.events() {
            self.limited = true;
            return None;
        }
        match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
            Event::Comment(..) => {}
            Event::DocumentStart(_, version) => {
                self.documents += 1;
                // The first document is refused before the second is read when its aliases
                // are over the ratio serde-saphyr allows (checked at its end).
                let over_ratio = self.anchors.as_ref().is_some_and(|a| !a.counts.within());
                if version.is_some() || self.documents > 1 && over_ratio {
                    return None;
                }
            }
            // The first value of a second document, counted against the budget as any value:
            // serde-saphyr's refusal there.
            Event::Scalar(_, _, 0, None)
            | Event::SequenceStart(_, 0, None)
            | Event::MappingStart(_, 0, None)
                if self.documents > 1 =>
            {
                let bytes = match &event {
                    Event::Scalar(value, ..) => value.len(),
                    _ => 0,
                };
                self.add(Size::one(bytes), false)?;
                self.refused_with = Some(second_document(span));
                return None;
            }
            _ if self.documents > 1 => return None,
            Event::Scalar(value, style, anchor, tag) => {
                let tag_bytes = tag_bytes(tag.as_deref());
                let recording = self.anchors.as_ref().is_some_and(|a| a.recording());
                // A tag on an anchored value (serde-saphyr counts its replay otherwise), or in
                // a merge key's value.
                if tag.is_some()
                    && (anchor != 0 || recording || self.stack.last().is_some_and(Frame::merging))
                {
                    return None;
                }
                let from = self.size();
                self.add(Size::one(value.len() + tag_bytes), false)?;
                if self.here_own {
                    self.counts.own.tag_bytes += tag_bytes;
                }
                let at = span_of(span);
                if let Some(Frame::Map(MapFrame {
                    entries,
                    next: next @ Next::Key,
                    seen,
                    ..
                })) = self.stack.last_mut()
                {
                    // An anchored or tagged key.
                    if anchor != 0 || tag.is_some() {
                        return None;
                    }
                    if is_merge_key(&value, style) {
                        *next = Next::Merge;
                        return self.merge_key(recording);
                    }
                    let name = key_name(value, style)?;
                    if is_duplicate(entries, seen, &name) {
                        // A name that is not a string when plain (`1`): serde-saphyr tells a
                        // plain key `1` from a quoted `"1"`; left to it.
                        if !matches!(typed(&name), Some(Value::Str(_))) {
                            return None;
                        }
                        self.refused_with = Some(super::at_mark(
                            &format!(
                                "duplicate mapping key: {name}, set DuplicateKeyPolicy in \
                                 Options if acceptable"
                            ),
                            &span.start,
                        ));
                        return None;
                    }
                    *next = Next::Value(Key { name, span: at });
                    return Some(());
                }
                let value = match (&tag, style) {
                    (Some(tag), _) => self.tagged(tag, span)?,
                    (None, ScalarStyle::Plain) => match typed(&value) {
                        Some(value) => value,
                        None => {
                            if non_finite(&value) {
                                self.refused_with = Some(super::at_mark(
                                    &format!(
                                        "non-finite float `{value}` rejected by the configured \
                                         policy"
                                    ),
                                    &span.start,
                                ));
                            }
                            return None;
                        }
                    },
                    (None, _) => Value::Str(value.into_owned()),
                };
                let node = Node { value, span: at };
                if anchor != 0 {
                    let size = Size::between(from, self.size(), 0);
                    let own = self.here_own;
                    self.anchors().scalar(anchor, at.offset, own, &node, size)?;
                }
                self.attach(node)?;
            }
            Event::SequenceStart(_, anchor, ref tag) | Event::MappingStart(_, anchor, ref tag) => {
                if tag.is_some() {
                    return None;
                }
                let from = self.size();
                self.add(Size::one(0), false)?;
                // A collection as a key.
                if self.expects_key() {
                    return None;
                }
                if self.stack.len() >= MAX_DEPTH {
                    return None;
                }
                let at = span_of(span);
                let in_merge = self.stack.last().is_some_and(Frame::merging);
                self.stack
                    .push(if matches!(event, Event::SequenceStart(..)) {
                        let list = match self.stack.last() {
                            Some(Frame::Map(MapFrame {
                                next: Next::Merge, ..
                            })) => InMerge::List,
                            _ if in_merge => InMerge::Inside,
                            _ => InMerge::No,
                        };
                        Frame::Seq(at, Vec::new(), list)
                    } else {
                        Frame::Map(MapFrame {
                            span: at,
                            entries: Vec::new(),
                            next: Next::Key,
                            seen: None,
                            merged: Vec::new(),
                            in_merge,
                        })
                    });
                self.counts.own.depth = self.counts.own.depth.max(self.stack.len());
                if anchor != 0 {
                    let depth = self.stack.len();
                    let own = self.here_own;
                    self.anchors().open(anchor, at.offset, own, depth, from)?;
                }
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.played += 1;
                let depth = self.stack.len();
                let node = match self.stack.pop()? {
                    Frame::Seq(span, items, _) => Node {
                        value: Value::Seq(items),
                        span,
                    },
                    Frame::Map(MapFrame {
                        span,
                        mut entries,
                        next: Next::Key,
                        mut seen,
                        merged,
                        ..
                    }) => {
                        merge_keys::flush(&mut entries, &mut seen, merged)?;
                        Node {
                            value: Value::Map(entries),
                            span,
                        }
                    }
                    Frame::Map(_) => return None,
                };
                let to = self.size();
                if let Some(anchors) = &mut self.anchors {
                    anchors.close(&node, depth, to)?;
                }
                self.attach(node)?;
            }
            Event::Alias(id) => {
                // An alias as a key.
                if self.expects_key() {
                    return None;
                }
                let at = span_of(span);
                let own = self.here_own;
                let (node, size) = self.anchors().replay(id, at, own)?;
                if self.stack.len() + size.depth > MAX_DEPTH {
                    return None;
                }
                self.counts.own.depth = self.counts.own.depth.max(self.stack.len() + size.depth);
                self.add(size, true)?;
                self.attach(node)?;
            }
            // Unresolved aliases, anchors as events of their own (not asked for).
            _ => return None,
        }
        Some(())
    }

    /// Why the reading stopped at an event at `at`: serde-saphyr's refusal there (a whole
    /// document's; a part read with others gives `Declined(None)` in its place, as the
    /// whole's counts decide a budget and a run alone gives serde-saphyr's other refusals),
    /// or declined: at a limit (`None`), or what it does not read (`Left`).
    fn refusal(&mut self, at: Span) -> Stop {
        let here = Span::new(at.offset, 1);
        let place = Some(here);
        let declined = Stop::Declined((!self.limited).then_some(Left {
            at: here,
            values: self.counts.nodes,
        }));
        let shared = self.shared.is_some();
        let refused = |stop: Stop| if shared { Stop::Declined(None) } else { stop };
        let breach = self.breach.take();
        if let Some(breach) = breach.or_else(|| self.anchors.as_mut().and_then(|a| a.breach.take()))
        {
            let over = Stop::Refused(super::over_limit(&format!("{breach:?}"), place));
            return refused(over);
        }
        // In a merge key's value, serde-saphyr reads a duplicate key or a value's type later
        // (once the value is whole, or merged).
        if self.stack.last().is_some_and(Frame::merging) {
            return declined;
        }
        match self.refused_with.take() {
            // serde-saphyr's words escape what would break a line (a key's).
            Some(message)
                if !message
                    .chars()
                    .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')) =>
            {
                refused(Stop::Refused(super::refusal(&message, None, place)))
            }
            _ => declined,
        }
    }

    /// A tagged scalar's value, as serde-saphyr types it: read by serde-saphyr from a document
    /// of that scalar alone (its tag, in its core-schema or local spelling, and its token as
    /// written), for a core-schema scalar tag (`!!str`, `!!int`, `!!float`, `!!bool`,
    /// `!!null`) or a local one (`!site`, `!`) on a token of one line; `None` for any other,
    /// for one serde-saphyr refuses, and past [`MAX_TAGGED`] in a document (each costs a
    /// reading).
    fn tagged(&mut self, tag: &Tag, span: &ParserSpan) -> Option<Value> {
        self.counts.tagged += 1;
        if self.here_own && self.counts.tagged_at.len() <= MAX_TAGGED {
            self.counts.tagged_at.push(span_of(span).offset);
        }
        if self.counts.tagged > MAX_TAGGED {
            return None;
        }
        let spelling = match tag.core_suffix() {
            Some(suffix @ ("str" | "int" | "float" | "bool" | "null")) => format!("!!{suffix}"),
            Some(_) => return None,
            // A local tag (`!site`, or `!` alone) of plain characters, written as it is.
            None => {
                let (handle, suffix) = tag.original_parts();
                let plain = !suffix.is_empty()
                    && suffix
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
                match handle {
                    // The non-specific tag `!`.
                    "" if suffix == "!" => "!".to_owned(),
                    "!" if plain => format!("!{suffix}"),
                    _ => return None,
                }
            }
        };
        let token = self
            .text
            .get(span.start.byte_offset()?..span.end.byte_offset()?)?;
        if token.contains(['\n', '\r']) {
            return None;
        }
        let alone = format!("{spelling} {token}\n");
        let limits = Limits::for_len(alone.len());
        serde_saphyr::from_str_with_options::<Node>(&alone, super::parse_options(limits))
            .ok()
            .map(|node| node.value)
    }

    /// Whether the next value is a mapping's key.
    fn expects_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame::Map(MapFrame {
                next: Next::Key,
                ..
            }))
        )
    }

    /// A merge key read (`recording`: in an anchored value, left to serde-saphyr): counted
    /// against serde-saphyr's limit, refused over it in its words.
    fn merge_key(&mut self, recording: bool) -> Option<()> {
        if recording {
            return None;
        }
        self.counts.merge_keys += 1;
        self.counts.own.merge_keys += usize::from(self.here_own);
        if self.counts.merge_keys > self.merge_limit {
            self.breach = Some(BudgetBreach::MergeKeys {
                merge_keys: self.counts.merge_keys,
            });
            return None;
        }
        Some(())
    }

    /// Whether a value at `at` is in the part's own text (always, for a whole document).
    fn own(&self, at: Span) -> bool {
        self.shared.is_none_or(|s| at.offset < s.own_end)
    }

    /// The anchors read so far.
    fn anchors(&mut self) -> &mut Anchors {
        self.anchors.get_or_insert_with(|| Box::new(Anchors::new()))
    }

    /// What has been read so far, as an anchored value counts it.
    fn size(&self) -> Size {
        Size {
            nodes: self.counts.nodes,
            played: self.played,
            scalar_bytes: self.counts.scalar_bytes,
            depth: 0,
        }
    }

    /// More values, read from one event: `size.nodes` values in `size.played` scalar and
    /// collection events (more than one for an alias's replay, which the alias's own event
    /// is not one of), `size.scalar_bytes` decoded. Within the limits, alone and (in batches
    /// of values) with the other parts.
    fn add(&mut self, size: Size, replayed: bool) -> Option<()> {
        let Size {
            nodes,
            played,
            scalar_bytes,
            ..
        } = size;
        self.played += played;
        // The event itself was counted as it came.
        self.counts.events += if replayed { played } else { played - 1 };
        self.counts.nodes += nodes;
        self.counts.scalar_bytes += scalar_bytes;
        if self.here_own {
            let own = &mut self.counts.own;
            own.nodes += nodes;
            own.scalar_bytes += scalar_bytes;
            own.events += if replayed { played } else { 0 };
        }
        let events_within = self.counts.events <= self.limits.events();
        let bytes_within = self.counts.scalar_bytes <= super::MAX_INPUT_BYTES;
        if self.counts.nodes > self.limits.nodes && events_within && bytes_within {
            // serde-saphyr counts an event, then its value (a replay: each of its events in
            // turn), then its bytes: with this event's (or the whole replay's) events and bytes
            // within their limits, its first breach is of the values, at this event (a
            // replay's, at its alias). Of a whole document, unless an anchored value is being
            // recorded (serde-saphyr also counts each event recorded).
            let recording = self.anchors.as_ref().is_some_and(|a| a.recording());
            if self.shared.is_none() && !recording {
                let nodes = self.limits.nodes + 1;
                self.breach = Some(BudgetBreach::Nodes { nodes });
            } else {
                self.limited = true;
            }
            return None;
        }
        if !events_within || !bytes_within {
            self.limited = true;
            return None;
        }
        self.unshared += nodes;
        if self.unshared >= SHARE_EVERY {
            self.share()?;
        }
        Some(())
    }

    /// Add the values not yet shared to the shared count; `None` once it is over the limit.
    fn share(&mut self) -> Option<()> {
        if let Some(shared) = self.shared {
            let total = shared.count.fetch_add(self.unshared, Ordering::Relaxed) + self.unshared;
            self.unshared = 0;
            if total > shared.most {
                self.limited = true;
                return None;
            }
        }
        Some(())
    }

    /// Put a finished value where it belongs: a list's next item, a mapping's value, the root.
    fn attach(&mut self, node: Node) -> Option<()> {
        match self.stack.last_mut() {
            // An item of a merge key's list that is neither a mapping nor null: serde-saphyr
            // refuses it here (before any later error of the parser's).
            Some(Frame::Seq(_, _, InMerge::List))
                if !matches!(node.value, Value::Map(_) | Value::Null) =>
            {
                return None
            }
            Some(Frame::Seq(_, items, _)) => items.push(node),
            Some(Frame::Map(m)) => match std::mem::replace(&mut m.next, Next::Key) {
                Next::Value(key) => m.entries.push((key, node)),
                Next::Merge => merge_keys::entries_of(node, &mut m.merged)?,
                Next::Key => return None,
            },
            None if self.root.is_none() => self.root = Some(node),
            None => return None,
        }
        Some(())
    }
}

/// The bytes serde-saphyr's budget counts for a tag, as scalar bytes: its resolved handle and
/// suffix.
fn tag_bytes(tag: Option<&Tag>) -> usize {
    tag.map_or(0, |t| {
        let (handle, suffix) = t.parts();
        handle.len() + suffix.len()
    })
}

/// serde-saphyr's words for a second document, at its first value.
fn second_document(span: &ParserSpan) -> String {
    super::at_mark(
        "multiple YAML documents detected; use from_str_multiple or \
         from_str_multiple_with_options",
        &span.start,
    )
}

/// A span as serde-saphyr gives it: bytes when the parser knows them, else characters.
fn span_of(span: &ParserSpan) -> Span {
    match (span.start.byte_offset(), span.end.byte_offset()) {
        (Some(start), Some(end)) => Span::new(start, end.saturating_sub(start)),
        _ => Span::new(span.start.index(), span.len()),
    }
}

/// A key's name: any quoted or block scalar, a plain one that reads as a string, or one of
/// another type written as serde-saphyr writes it (`1`, `-7`, `1.5`, `true`, `null`, not
/// `0x10` or `yes`). (A plain `<<` is a merge key, read before.)
fn key_name(value: Cow<'_, str>, style: ScalarStyle) -> Option<String> {
    if style != ScalarStyle::Plain {
        return Some(value.into_owned());
    }
    // A key of another type is named by its value written out (`1`, `true`, `null`), and
    // serde-saphyr tells keys apart by their text: taken where the two are the same.
    let name = match typed(&value)? {
        Value::Str(s) => return Some(s),
        Value::Int(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Null => "null".to_owned(),
        Value::Map(_) | Value::Seq(_) => return None,
    };
    (name == value).then_some(name)
}

/// Whether `name` is among a mapping's keys so far (remembering it in `seen` once the
/// mapping is long).
pub(super) fn is_duplicate(entries: &[(Key, Node)], seen: &mut Seen, name: &str) -> bool {
    if entries.len() < LINEAR_KEYS {
        return entries.iter().any(|(k, _)| k.name == name);
    }
    let seen =
        seen.get_or_insert_with(|| Box::new(entries.iter().map(|(k, _)| k.name.clone()).collect()));
    !seen.insert(name.to_owned())
}
