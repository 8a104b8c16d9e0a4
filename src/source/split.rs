//! A long `connections:` list parsed on every core.
//!
//! A fleet file is one YAML document, and the parser is sequential: for 10,000 connections it
//! was the largest part of a render that could use only one core. When the document ends with
//! a block list under a top-level `connections:` key, the list is cut at item lines (`  - `, at
//! the list's own indentation; a line ends at `\n`, `\r\n` or a lone `\r`, as YAML's lines
//! do) into one run of items per core. The first part (everything up
//! to the first cut) is parsed as the document; each other run is parsed on its own as a list,
//! its spans shifted back into the whole text, and its items appended to the document's list.
//! Every part but the last also takes the first line of the next item, whose item is then
//! dropped: a block scalar, an empty value or an explicit key at the end of a run ends at the
//! next `-`, as in the whole document, not at the end of the part.
//!
//! This is only a shortcut to the same tree. Whatever it is not sure of goes the sequential
//! way, which also gives every diagnostic:
//! - a document with an anchor, alias or tag character anywhere (`&`, `*`, `!`), or a merge
//!   key (`<<`): they could join parts, count against the whole document's alias or merge
//!   budget, or hide values from the tree;
//! - a line after `connections:` that is neither blank, a comment, an item at the list's
//!   indentation, nor indented further (another top-level key, `---`, `...`, a tab);
//! - any part that does not parse: a quoted scalar or flow collection cut in two leaves the
//!   part before the cut unterminated, so such a cut fails;
//! - a document over one of the parser's limits, which count over the whole document while
//!   each part has a budget of its own: nodes, events (values, keys and comments), nesting,
//!   and decoded scalar bytes; all four are counted on the joined tree (a `#` counts as a
//!   comment). A document over the node limit does not get here: `count` refuses it first.
//!
//! Read by the event reader (`read_in_parts_within`, tried before `count`), the parts also
//! add their values to one count as they go, and all stop once it is over the node limit: a
//! list over it then costs a partial read before `count` refuses it. That reading cuts the
//! list into runs of about 64 KiB, so that what the event reader leaves to serde-saphyr costs
//! serde-saphyr one run, not the document:
//! - a `&`, `*` or `!` in a string or a comment does not stop it (the event reader reads the
//!   tags it can and declines the others itself);
//! - anchors and aliases are read by the event reader (`anchors`), each run its own: the list
//!   is not cut between an alias and the anchor it names (`alias_ties`; a list all tied into
//!   one run goes the sequential way), and each run counts its own aliases and anchors (not
//!   those of the next run's first line, which it also reads) and where they are: the
//!   document's alias counts (aliases, anchors, their ratio, recorded and replayed events) are
//!   exact, and a document over one of those budgets is refused as serde-saphyr refuses it
//!   (`with_aliases`). A document with aliases over another limit, or that a run does not
//!   read, goes the sequential way;
//! - the document is held to the parser's limits (values, events, decoded scalar bytes, merge
//!   keys) by the runs' own counts added up (`event_tree::Own`: what starts in a run's own
//!   text, not in the next item's first line it also reads; each run's own list taken off),
//!   not by the joined tree, which shows fewer values than the parser counts where a merge
//!   key (`<<`) merged a mapping, and places a replayed value at its alias;
//! - a run the event reader declines (a tag it does not read, a duplicate key) is
//!   read by serde-saphyr alone, unless it holds a `&` or `*` (an alias may name an anchor of
//!   another run) or the document has a directive (a `%TAG` applies to every run);
//! - of a document over the values serde-saphyr reads in one pass (`MAX_FULL_PARSER_NODES`:
//!   what the event reader leaves is refused over them, `parse_whole_within`), a run that
//!   leaves something (not a syntax error, not a refusal the reader makes itself), or more
//!   tagged scalars over the runs than the reader types in one document, leaves the text to
//!   the sequential way: its answer does not depend on how many cores read it;
//! - when serde-saphyr refuses the first run that does not read, the document is refused as
//!   serde-saphyr refuses it, from a parse of the document with the runs before it (which
//!   read) blanked out byte for byte: the same message, place, line and column, for the cost
//!   of that run and a scan over blanks (see `first_refusal`);
//! - of a document over the values serde-saphyr reads in one pass, the first run the event
//!   reader leaves something in stops the runs after it; when one pass reads more than those
//!   values before that place (the runs before it and that run up to it, counted as the
//!   whole text counts them), the document is refused there as one pass refuses it, without
//!   a second reading (see `over_the_full_parser`).
//!
//! A fleet written as one flow list (`connections: [...]` ending the document) is read in
//! runs the same way (`flow_list`): each run as a document of its own, `connections: [`
//! before its items and a `]` after them, so that its items are read in the context the
//! whole text reads them in; a run's top (the mapping, its key and list) is taken off the
//! counts as a block run's own list is. A flow list with an anchor, alias or directive, and
//! whatever a flow list's runs do not decide (a refusal but serde-saphyr's in a run and
//! `over_the_full_parser`'s), go the sequential way.
//!
//! `tests/split_parse.rs` and the native fuzz target compare the two ways on every input.

use std::borrow::Cow;
use std::ops::Range;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use super::anchors::{AliasCounts, Places};
use super::event_tree::{Left, Own, Shared};
use super::flow_list::FlowList;
use super::{Limits, Place};
use crate::diag::Diagnostic;
use crate::tree::{Node, Value};

/// Below this size the sequential parse is fast enough (about 1 ms for 10 KiB).
pub const MIN_BYTES: usize = 128 * 1024;

/// Bytes of a run of items read by the event reader (`read_in_parts_within`): a run it
/// declines is read again by serde-saphyr, at about 5 MB/s.
const RUN_BYTES: usize = 64 * 1024;

/// Parse `text` in `parts` parts, in parallel. `None` means: take the sequential path (not a
/// fleet list, not sure it is equivalent, or a part did not parse).
pub fn parse_in_parts(text: &str, parts: usize) -> Option<Node> {
    parse_in_parts_within(text, parts, Limits::for_len(text.len()))
}

/// [`parse_in_parts`] under the given limits.
pub fn parse_in_parts_within(text: &str, parts: usize, limits: Limits) -> Option<Node> {
    // The parts are read by serde-saphyr whole: of a document with more values than it reads
    // in one pass, the sequential way decides (`parse_whole_within`).
    if limits.full_parser().is_some() {
        return None;
    }
    let items = fleet_items(text)?;
    let runs = cut(&items, parts.max(1), text.len(), &[]);
    let Joined { root, .. } = in_parts(text, Layout::Block(&items), &runs, |part| {
        super::parse_whole_within(part.text, limits)
            .map(|node| (node, Own::default()))
            .map_err(drop)
    })
    .ok()?;
    tree_within(&root, text, limits).then_some(root)
}

/// [`parse_in_parts_within`] with every run of items read by the event reader (`event_tree`),
/// or by serde-saphyr where the reader declines a run (see the module's text), tried before
/// `count`, on `parts` threads: `Some(Ok)` of the tree of a list within the limits;
/// `Some(Err)` of `count`'s refusal of a list just over the node limit (the first value over
/// it, found on the joined tree), or of serde-saphyr's refusal of the document at the first
/// run it refuses (`first_refusal`); `None` when a run is not read otherwise, when the list
/// looks far over the node limit from its first items (`count` then refuses it without a
/// read in parts), or when a refusal is not sure to be `count`'s or serde-saphyr's. The runs
/// count their values together as they are read and all stop once the whole is over the
/// limit by more than a tenth.
pub fn read_in_parts_within(
    text: &str,
    parts: usize,
    limits: Limits,
) -> Option<Result<Node, Diagnostic>> {
    let block = locate(text);
    let flow;
    let layout = match &block {
        Some(items) => Layout::Block(items),
        // A flow list with no alias or anchor (`alias_ties` ties the items of a block list).
        None if !text.contains(['&', '*']) => {
            flow = super::flow_list::locate(text)?;
            Layout::Flow(&flow)
        }
        None => return None,
    };
    // A directive (`%TAG`) would apply to every run: then no run is read alone by serde-saphyr.
    let alone = !line_starts(text).any(|(_, l)| l.starts_with('%'));
    // Nor is a run of a flow list read without them (it does not start at the top).
    if !alone && matches!(layout, Layout::Flow(_)) {
        return None;
    }
    let items = layout.items();
    if looks_over(text, layout, limits) {
        return None;
    }
    // An alias and its anchor in one run (an alias of another run's anchor would be unknown).
    let tied = if text.contains(['&', '*']) {
        super::alias_ties::tied(text, items)
    } else {
        Vec::new()
    };
    let runs = cut(items, parts.max(text.len() / RUN_BYTES), text.len(), &tied);
    // All tied together (an anchor at the top and its aliases all over): the sequential
    // reading is the same one pass.
    if runs.len() < 2 {
        return None;
    }
    // Each run's own aliases and anchors (by the run's place), and where they are.
    let aliases = Mutex::new(Vec::new());
    let frame = layout.frame();
    let read = AtomicUsize::new(0);
    // Where the runs after which the others stop start: at once (0) when a run is neither
    // read nor refused (the whole text goes the sequential way, which reads them again); the
    // runs after one the event reader left something in, of a document over the values
    // serde-saphyr reads (the runs before it are read: their counts may refuse the document
    // there, `over_the_full_parser`).
    let stop_after = AtomicUsize::new(usize::MAX);
    // What the event reader leaves to serde-saphyr in one pass is read by it up to
    // `MAX_FULL_PARSER_NODES` values (`parse_whole_within`): over them, a run it leaves (not
    // one it stops at a syntax error) or more tagged scalars than it types a document leave
    // the text to the sequential way, whose answer that is.
    let capped = limits.full_parser().is_some();
    let tagged = AtomicUsize::new(0);
    // Where each run's own tagged scalars are (by the run's place), when that limit counts.
    let tagged_at = Mutex::new(Vec::<(usize, Vec<usize>)>::new());
    // Set once a run is read by serde-saphyr alone (one pass would not read it as the event
    // reader reads the others).
    let by_serde_saphyr = AtomicBool::new(false);
    let joined = in_parts(text, layout, &runs, |part| {
        let Part {
            text: part,
            start,
            shift,
            own_end,
            overlap,
        } = part;
        if start > stop_after.load(Ordering::Relaxed) {
            return Err(Miss::Declined(None));
        }
        // A list up to a tenth over the limit (which its first items may not tell) is read to
        // its end and refused from its tree. The runs' counts also hold the values of the
        // next items' first lines and each run's own top (a block run's list, a flow run's
        // mapping, key and list), which the whole does not (bounded by two values a byte,
        // and the top's values a run). The whole is counted exactly from the runs' own
        // counts.
        let most = limits.nodes + limits.nodes / 10 + 2 * overlap + runs.len() * frame.nodes;
        let shared = Shared {
            count: &read,
            most,
            own_end,
        };
        match super::event_tree::read(part, Limits { nodes: most }, Some(shared)) {
            Ok((node, counts)) => {
                if counts.aliases != AliasCounts::default() {
                    let mut all = aliases.lock().unwrap_or_else(|e| e.into_inner());
                    all.push((start, counts.aliases, counts.places));
                }
                tagged.fetch_add(counts.tagged, Ordering::Relaxed);
                if capped && !counts.tagged_at.is_empty() {
                    let at = counts.tagged_at.iter().map(|o| o + shift).collect();
                    let mut all = tagged_at.lock().unwrap_or_else(|e| e.into_inner());
                    all.push((start, at));
                }
                return Ok((node, counts.own));
            }
            Err(super::event_tree::Stop::Declined(Some(left))) if capped => {
                stop_after.fetch_min(start, Ordering::Relaxed);
                let at = crate::tree::Span::new(left.at.offset + shift, left.at.len);
                return Err(Miss::Declined(Some(Left { at, ..left })));
            }
            Err(_) => {}
        }
        // serde-saphyr alone counts no merge key (`<<`) against the whole document's budget.
        if !alone
            || read.load(Ordering::Relaxed) > most
            || part.contains(['&', '*'])
            || part.contains("<<")
        {
            stop_after.store(0, Ordering::Relaxed);
            return Err(Miss::Declined(None));
        }
        let Ok(node) = super::parse_yaml_within(part, limits) else {
            return Err(Miss::Refused);
        };
        by_serde_saphyr.store(true, Ordering::Relaxed);
        let own = super::event_tree::count_own(part, own_end);
        read.fetch_add(own.nodes, Ordering::Relaxed);
        Ok((node, own))
    });
    let mut aliases = aliases.into_inner().unwrap_or_else(|e| e.into_inner());
    if capped && tagged.into_inner() > super::event_tree::MAX_TAGGED {
        let mut places = tagged_at.into_inner().unwrap_or_else(|e| e.into_inner());
        places.sort_by_key(|(start, _)| *start);
        let next = places
            .into_iter()
            .flat_map(|(_, at)| at)
            .nth(super::event_tree::MAX_TAGGED);
        return match (joined, next) {
            // One pass leaves the document to serde-saphyr at its next tagged scalar past the
            // ones the reader types, and serde-saphyr runs out of its 300,000 values in a
            // document of more (the runs read everything else as it does): refused there.
            (Ok(Joined { own, .. }), Some(at))
                if aliases.is_empty()
                    && !by_serde_saphyr.into_inner()
                    && within(own, limits)
                    && own.nodes > super::MAX_FULL_PARSER_NODES =>
            {
                let at = crate::tree::Span::new(at, 1);
                Some(Err(super::full_parser_refusal(at, limits)))
            }
            _ => None,
        };
    }
    if !aliases.is_empty() {
        aliases.sort_by_key(|(start, ..)| *start);
        let joined = joined.ok()?;
        if joined.own.nodes > limits.nodes {
            return over_the_node_limit_in_a_run(text, layout, &runs, &joined, &aliases, limits)
                .map(Err);
        }
        return with_aliases(joined.root, text, limits, &aliases, joined.own);
    }
    match joined {
        Ok(Joined { root, own, .. }) if within(own, limits) => Some(Ok(root)),
        Err(Some(unread)) if matches!(unread.why, Miss::Refused) => {
            first_refusal(text, layout, &unread, limits).map(Err)
        }
        Err(Some(Unread {
            why: Miss::Declined(Some(left)),
            run,
            before,
        })) if !by_serde_saphyr.into_inner() => {
            over_the_full_parser(text, layout, &run, before, left, limits).map(Err)
        }
        // Of a flow list, the sequential way gives every other refusal.
        _ if matches!(layout, Layout::Flow(_)) => None,
        // The node limit's refusal is sure when no tag's bytes could have run out the scalar
        // bytes first, and found on the tree when it shows every value (no merge key).
        Ok(Joined { root, own, .. }) if own.tag_bytes == 0 && own.merge_keys == 0 => {
            over_the_node_limit(&root, text, limits).map(Err)
        }
        Ok(_) | Err(_) => None,
    }
}

/// The answer for a list read in runs with aliases or anchors (`runs`: each run's start, its
/// own counts and their places, in the text's order): the joined tree, when the document is
/// within every limit of the parser, each alias one event more; serde-saphyr's refusal, when
/// the document is within every other limit and over one of the alias budgets: the first
/// alias or anchor over its limit (at its place) or, at the end (the stream's end, the text's
/// end), too many aliases an anchor; `None` otherwise (the sequential way decides).
fn with_aliases(
    root: Node,
    text: &str,
    limits: Limits,
    runs: &[(usize, AliasCounts, Places)],
    own: Own,
) -> Option<Result<Node, Diagnostic>> {
    use serde_saphyr::budget::BudgetBreach;
    if !within(own, limits) {
        return None;
    }
    let total = runs
        .iter()
        .fold(AliasCounts::default(), |all, (_, own, _)| all + *own);
    if total.within() {
        return Some(Ok(root));
    }
    // The first place past `most` among the runs' own (offsets in the text).
    let first_over = |places: fn(&Places) -> &Vec<usize>, most: usize| {
        let mut before = 0;
        for (start, _, p) in runs {
            let here = places(p);
            if before + here.len() > most {
                return Some(start + here[most - before]);
            }
            before += here.len();
        }
        None
    };
    let limit = super::anchors::AliasLimits::ours();
    let alias = first_over(|p| &p.aliases, limit.aliases);
    let anchor = first_over(|p| &p.anchors, limit.anchors);
    let (breach, at) = match (alias, anchor) {
        (Some(a), b) if b.is_none_or(|b| a < b) => (
            BudgetBreach::Aliases {
                aliases: limit.aliases + 1,
            },
            a,
        ),
        (_, Some(b)) => (
            BudgetBreach::Anchors {
                anchors: limit.anchors + 1,
            },
            b,
        ),
        _ => (total.ratio_breach()?, text.len()),
    };
    // The recorded and replayed events, counted over the whole, within their limits before
    // the breach too.
    total.replays_within().then(|| {
        Err(super::over_limit(
            &format!("{breach:?}"),
            Some(crate::tree::Span::new(at, 1)),
        ))
    })
}

/// The one-pass refusal (`parse_whole_within`) of a document over the values serde-saphyr
/// reads in one pass, at the first run in the text's order (`run`) in which the event reader
/// left something to serde-saphyr (`left`, placed in the whole text): one pass reads the runs
/// before it (`before`: their counts joined, as the whole text counts them) and this run up to
/// `left`, and refuses the document there, without serde-saphyr's reading, when it read more
/// than `MAX_FULL_PARSER_NODES` values before it. That holds when nothing before `left` could
/// stop one pass first: the runs before it were read by the event reader (the caller's part),
/// and the parser's budgets (values, events, decoded scalar bytes, nesting, merge keys) are
/// within the limits with all of this run counted. `None` otherwise: the sequential way then
/// decides.
fn over_the_full_parser(
    text: &str,
    layout: Layout,
    run: &Range<usize>,
    before: Own,
    left: Left,
    limits: Limits,
) -> Option<Diagnostic> {
    let full = limits.full_parser()?;
    // A run but the first also counts its top, which one pass counts once.
    let top = layout.top(run);
    let values = (before.nodes + left.values).checked_sub(top.nodes)?;
    if values <= full.nodes {
        return None;
    }
    let piece = layout.piece(text, run);
    let own = Own {
        // `count_own` does not tell merge keys from other keys: every `<<` counted.
        merge_keys: piece.text.matches("<<").count(),
        ..super::event_tree::count_own(&piece.text, piece.text.len())
    };
    within(add_run(before, own, top), limits).then(|| super::full_parser_refusal(left.at, limits))
}

/// serde-saphyr's refusal of a list read in runs with aliases (`aliases`: each run's own
/// counts) whose values are over the node limit: one pass stops at the value that passes it,
/// or at the alias whose replay passes it (`event_tree`'s refusal), in the one run where the
/// runs' values, added up in the text's order, pass the limit. That run is read again alone
/// (its anchors are its own: `alias_ties`) as though the runs before it had been read first
/// (`event_tree::read_after`), and its refusal's place is the document's. This holds when no other budget runs out first: the
/// whole document's events, decoded scalar bytes, nesting, merge keys and alias counts are
/// within their limits (the ratio of aliases to anchors aside: serde-saphyr checks it at the
/// document's end). `None` otherwise, or when the run alone is not refused for its values
/// (an anchored value being recorded there, its own event limit): the sequential way decides.
fn over_the_node_limit_in_a_run(
    text: &str,
    layout: Layout,
    runs: &[Range<usize>],
    joined: &Joined,
    aliases: &[(usize, AliasCounts, Places)],
    limits: Limits,
) -> Option<Diagnostic> {
    let own = joined.own;
    let alias_counts = aliases
        .iter()
        .fold(AliasCounts::default(), |all, (_, own, _)| all + *own);
    let others_within = within(
        Own {
            nodes: limits.nodes,
            ..own
        },
        limits,
    ) && (alias_counts.within() || alias_counts.ratio_breach().is_some());
    if !others_within {
        return None;
    }
    // What the runs before each counted, as the whole text counts it.
    let mut before = Own::default();
    for (run, counted) in runs.iter().zip(&joined.runs) {
        let top = layout.top(run);
        let here = counted.nodes.checked_sub(top.nodes)?;
        if before.nodes + here > limits.nodes {
            // Read alone, the run has counted its stream's and document's starts and its top
            // (a block run's list, a flow run's mapping, key and list: one event each) before
            // its first value; the whole text, its own (`before`, which counts the end of a
            // collection at its start: the top mapping's and list's, not yet read there, for
            // the stream's and document's starts).
            let preset = if run.start == 0 {
                Own::default()
            } else {
                Own {
                    nodes: before.nodes.checked_sub(top.nodes)?,
                    events: before.events.checked_sub(2 + top.nodes)?,
                    scalar_bytes: before.scalar_bytes.checked_sub(top.scalar_bytes)?,
                    ..Own::default()
                }
            };
            let piece = layout.piece(text, run);
            let Err(super::event_tree::Stop::Refused(refused)) =
                super::event_tree::read_after(&piece.text, limits, preset)
            else {
                return None;
            };
            let (span, _) = refused.label.as_ref()?;
            if refused != super::count::nodes_breach(limits, span.offset) {
                return None;
            }
            return Some(super::count::nodes_breach(
                limits,
                span.offset + piece.shift,
            ));
        }
        before = add_run(before, *counted, top);
    }
    None
}

/// Why a run was not read.
enum Miss {
    /// The event reader declined it and serde-saphyr did not read it alone; with what the
    /// reader left to serde-saphyr in a document over the values serde-saphyr reads (its
    /// place in the whole text), or `None`.
    Declined(Option<Left>),
    /// serde-saphyr refused it, read alone.
    Refused,
}

/// The first run of a list, in the text's order, that was not read.
struct Unread<E> {
    /// Its items.
    run: Range<usize>,
    why: E,
    /// What the runs before it count, joined as in the whole text (their items, the list
    /// once, and the document's top; no stream or document event).
    before: Own,
}

/// serde-saphyr's refusal of `text` at the first run that does not read (`unread`): the
/// document is parsed from its top with the list's items before the run (from `first_item`)
/// blanked out (spaces, the line breaks kept), so that the parser meets that run where the
/// whole text has it, at the same place, line and column, and stops at the same first
/// error. The parse costs serde-saphyr the top and that run, and a scan over the blanks, not
/// the items before it.
///
/// This holds when nothing before the run's first error could stop the parser first: the runs
/// before it read (no syntax error, no duplicate key, nothing serde-saphyr types otherwise,
/// nested at most 32 deep), and no budget of the parser runs out before that error: the
/// values, events (every `#` a comment) and decoded scalar bytes of the runs before it, and of
/// the run up to its error read alone (which counts no fewer: a run alone has a list and a
/// document of its own), are within the limits.
/// `None` otherwise, and when the parse does not refuse inside the run (the run failed only
/// for being cut out): the sequential way then decides.
fn first_refusal<E>(
    text: &str,
    layout: Layout,
    unread: &Unread<E>,
    limits: Limits,
) -> Option<Diagnostic> {
    let first_item = layout.items()[0];
    let piece = layout.piece(text, &unread.run);
    let run = &piece.place;
    let from = run.start.max(first_item);
    // The run as read alone: the first one holds the document's top too; with its own
    // stream's and document's events (and a flow list's run, its top), no fewer than the
    // whole text's before it.
    let own = super::event_tree::count(&piece.text);
    let before = &unread.before;
    let within_budget = before.nodes + own.nodes <= limits.nodes
        && before.events + own.events <= limits.events()
        && before.scalar_bytes + own.scalar_bytes <= super::MAX_INPUT_BYTES;
    if !within_budget {
        return None;
    }
    let region = &text[first_item..from];
    let blank: String = region
        .bytes()
        .map(|b| {
            if matches!(b, b'\n' | b'\r') {
                b as char
            } else {
                ' '
            }
        })
        .collect();
    let doc = format!("{}{blank}{}", &text[..first_item], &text[from..]);
    let super::Refused {
        diagnostic: mut refusal,
        place,
        ..
    } = *super::parse_yaml_placed(&doc, limits).err()?;
    let (span, _) = refusal.label.as_mut()?;
    // Where it is in the whole text, in bytes. serde-saphyr places a parser error by
    // characters, other errors by bytes: the blanks keep every byte where it was, but a
    // character of several bytes before the run became as many blanks.
    let at = match place {
        Place::Bytes => span.offset,
        Place::Chars => {
            let run_starts_at = text[..first_item].chars().count() + region.len();
            if span.offset < run_starts_at {
                return None;
            }
            span.offset -= region.len() - region.chars().count();
            text.char_indices().nth(span.offset)?.0
        }
    };
    // Only a refusal inside the run is sure to be the whole text's: one after it was not
    // counted against the budgets above, and a budget's breach in the shorter text is not
    // where the whole text breaches it.
    (run.contains(&at) && refusal.code != "input.limit").then_some(refusal)
}

/// Whether a list's first items, a 32nd of it counted from the parser's events, scaled to the
/// whole text, hold more than a tenth over the node limit.
fn looks_over(text: &str, layout: Layout, limits: Limits) -> bool {
    let items = layout.items();
    let first = cut(items, 32, text.len(), &[])[0].clone();
    if first.end >= items.len() {
        return false;
    }
    let head = match layout {
        Layout::Block(_) => Cow::Borrowed(&text[..line_end(text, items[first.end])]),
        Layout::Flow(list) => list.run(text, 0, first.end).0,
    };
    let counts = super::event_tree::count(&head);
    counts.nodes as f64 * text.len() as f64 / head.len() as f64 > limits.nodes as f64 * 1.1
}

/// `count`'s refusal of a fleet list over the node limit, from its joined tree: the parser's
/// budget breach at the first value over the limit, where `count` finds it (the same message
/// and place), when that breach is sure to be the first (the events before it, every `#` as a
/// comment, within the event limit, and its decoded scalar bytes within theirs); `None`
/// otherwise.
fn over_the_node_limit(root: &Node, text: &str, limits: Limits) -> Option<Diagnostic> {
    let mut walk = Walk {
        left: limits.nodes + 1,
        ends: 0,
        scalar_bytes: 0,
    };
    let at = walk.node(root)?;
    let events = 2 + text.matches('#').count() + limits.nodes + 1 + walk.ends;
    (events <= limits.events() && walk.scalar_bytes <= super::MAX_INPUT_BYTES)
        .then(|| super::count::nodes_breach(limits, at))
}

/// The values of a tree in the parser's order (a mapping, then each key and its value), up
/// to a given one.
struct Walk {
    /// Values until the one looked for.
    left: usize,
    /// Collections ended before it.
    ends: usize,
    /// At least the decoded bytes of the scalars before it (as `Size` counts them).
    scalar_bytes: usize,
}

impl Walk {
    /// Where the value looked for starts, if it is in `node`.
    fn node(&mut self, node: &Node) -> Option<usize> {
        let bytes = match &node.value {
            Value::Str(s) => s.len(),
            Value::Map(_) | Value::Seq(_) => 0,
            _ => node.span.len,
        };
        if let Some(at) = self.value(node.span.offset, bytes) {
            return Some(at);
        }
        match &node.value {
            Value::Map(m) => {
                for (k, v) in m {
                    if let Some(at) = self.value(k.span.offset, k.name.len()) {
                        return Some(at);
                    }
                    if let Some(at) = self.node(v) {
                        return Some(at);
                    }
                }
            }
            Value::Seq(s) => {
                for v in s {
                    if let Some(at) = self.node(v) {
                        return Some(at);
                    }
                }
            }
            _ => return None,
        }
        self.ends += 1;
        None
    }

    fn value(&mut self, offset: usize, bytes: usize) -> Option<usize> {
        self.left -= 1;
        if self.left == 0 {
            return Some(offset);
        }
        self.scalar_bytes += bytes;
        None
    }
}

/// The item lines of a fleet list this module cuts (see the module's text), or `None`.
fn fleet_items(text: &str) -> Option<Vec<usize>> {
    // A merge key (`<<`): the merge-key budget is the whole document's, and the tree holds
    // fewer values than the parser counts.
    if text.contains(['&', '*', '!']) || text.contains("<<") {
        return None;
    }
    locate(text)
}

/// How a fleet list is written, and so how it is cut.
#[derive(Clone, Copy)]
enum Layout<'a> {
    /// A block list: where its item lines start (`locate`).
    Block(&'a [usize]),
    /// A flow list (`flow_list::locate`).
    Flow(&'a FlowList),
}

impl Layout<'_> {
    fn items(&self) -> &[usize] {
        match self {
            Layout::Block(items) => items,
            Layout::Flow(list) => &list.starts,
        }
    }

    /// The run of items `run` as it is read alone.
    fn piece<'t>(&self, text: &'t str, run: &Range<usize>) -> Piece<'t> {
        match self {
            // The first part starts at the top of the document; the others at their first
            // item, and hold the first line of the next item.
            Layout::Block(items) => {
                let start = if run.start == 0 { 0 } else { items[run.start] };
                let next = items.get(run.end).copied();
                let end = next.map_or(text.len(), |n| line_end(text, n));
                Piece {
                    text: Cow::Borrowed(&text[start..end]),
                    shift: start,
                    place: start..end,
                    own_end: next.unwrap_or(end) - start,
                    carries: next.is_some(),
                }
            }
            Layout::Flow(list) => {
                let (part, shift) = list.run(text, run.start, run.end);
                Piece {
                    own_end: part.len(),
                    text: part,
                    shift,
                    place: list.place(text, run.start, run.end),
                    carries: false,
                }
            }
        }
    }

    /// What the run of items `run` holds besides them and the whole text does not: none for
    /// the first (it is the document's top), the frame for the others.
    fn top(&self, run: &Range<usize>) -> Own {
        if run.start == 0 {
            Own::default()
        } else {
            self.frame()
        }
    }

    /// What a run's text holds besides its items and the whole text does not, to take off
    /// every run's counts but the first's: its own list (one value, two events) of a block
    /// run, one level less deep than in the whole text; the top mapping, its key and its list
    /// of a flow run (`flow_list::RUN_TOP`), as deep as in the whole text.
    fn frame(&self) -> Own {
        match self {
            Layout::Block(_) => Own {
                nodes: 1,
                events: 2,
                depth: 1,
                ..Own::default()
            },
            Layout::Flow(_) => Own {
                nodes: 3,
                events: 5,
                scalar_bytes: "connections".len(),
                ..Own::default()
            },
        }
    }
}

/// Cut a fleet list laid out as `layout` into `runs` of its items, read each with `read`
/// (given the part's text and the length of the next items' first lines the parts carry),
/// and join them (the joined tree is not yet held to the limits). `Err(Some((place, why)))`
/// when the first part, in the text's order, that was not joined is one `read` did not read
/// (the part's place in the text, and `read`'s reason); `Err(None)` when it is one that did
/// not join.
fn in_parts<E: Send>(
    text: &str,
    layout: Layout,
    runs: &[Range<usize>],
    read: impl Fn(Part) -> Result<(Node, Own), E> + Sync,
) -> Result<Joined, Option<Unread<E>>> {
    let items = layout.items();
    // The first line of each part's next item, carried by every part of a block list but
    // the last.
    let overlap: usize = match layout {
        Layout::Block(_) => runs
            .iter()
            .filter_map(|run| items.get(run.end))
            .map(|&n| line_end(text, n) - n)
            .sum(),
        Layout::Flow(_) => 0,
    };
    let parsed = crate::parallel::map_ordered(runs, |run| {
        let piece = layout.piece(text, run);
        let part = Part {
            text: &piece.text,
            start: piece.place.start,
            shift: piece.shift,
            own_end: piece.own_end,
            overlap,
        };
        let (mut node, own) = read(part).map_err(|e| Some((run.clone(), e)))?;
        node.remap(&|o| o + piece.shift);
        let list = match (&layout, run.start) {
            (Layout::Block(_), 1..) => match &mut node.value {
                Value::Seq(list) => list,
                _ => return Err(None),
            },
            _ => connections(&mut node).ok_or(None)?,
        };
        // The run's items and, of a block list but for the last part, the next one's first
        // line.
        if list.len() != run.len() + usize::from(piece.carries) {
            return Err(None);
        }
        if piece.carries {
            list.pop();
        }
        Ok((node, own))
    });
    let mut read_parts = Vec::with_capacity(parsed.len());
    let mut owns = Vec::with_capacity(parsed.len());
    // What the parts read count, as the whole text counts it: each its own frame but the
    // first.
    let mut counted = Own::default();
    for (part, run) in parsed.into_iter().zip(runs) {
        match part {
            Ok((node, own)) => {
                owns.push(own);
                counted = add_run(counted, own, layout.top(run));
                read_parts.push(node);
            }
            Err(None) => return Err(None),
            Err(Some((run, why))) => {
                return Err(Some(Unread {
                    run,
                    why,
                    before: counted,
                }));
            }
        }
    }
    let mut parsed = read_parts.into_iter();
    let mut root = parsed.next().ok_or(None)?;
    let list = connections(&mut root).ok_or(None)?;
    for mut part in parsed {
        match (layout, &mut part.value) {
            (Layout::Block(_), Value::Seq(s)) => list.append(s),
            (Layout::Flow(_), _) => list.append(connections(&mut part).ok_or(None)?),
            _ => return Err(None),
        }
    }
    Ok(Joined {
        root,
        own: counted,
        runs: owns,
    })
}

/// What the whole text counts up to the end of a run that counts `run` (`before`: up to its
/// start), the run's `top` taken off (`Layout::top`): values, events and scalar bytes added,
/// nesting as deep as the run's, shifted as the top says.
fn add_run(before: Own, run: Own, top: Own) -> Own {
    Own {
        nodes: (before.nodes + run.nodes).saturating_sub(top.nodes),
        events: (before.events + run.events).saturating_sub(top.events),
        scalar_bytes: (before.scalar_bytes + run.scalar_bytes).saturating_sub(top.scalar_bytes),
        tag_bytes: before.tag_bytes + run.tag_bytes,
        merge_keys: before.merge_keys + run.merge_keys,
        depth: before.depth.max(run.depth + top.depth),
    }
}

/// The runs of a list read and joined (`in_parts`).
struct Joined {
    root: Node,
    /// What the runs count together, as the whole text counts it.
    own: Own,
    /// What each run counts, in the text's order.
    runs: Vec<Own>,
}

/// A run of a list's items as it is read alone (`Layout::piece`).
struct Piece<'t> {
    text: Cow<'t, str>,
    /// What to add to an offset in `text` to place it in the whole text.
    shift: usize,
    /// Where it is in the whole text.
    place: Range<usize>,
    /// Where its own text ends (`Part::own_end`).
    own_end: usize,
    /// Whether it holds the first line of the next item (a block list's run but the last).
    carries: bool,
}

/// A part of a list, as `in_parts` gives it to be read.
struct Part<'t> {
    text: &'t str,
    /// Where it starts in the whole text.
    start: usize,
    /// What to add to an offset in `text` to place it in the whole text.
    shift: usize,
    /// Where its own text ends (it also holds the first line of the next part's first item).
    own_end: usize,
    /// The length of the next items' first lines all the parts hold.
    overlap: usize,
}

/// Whether a document that counts `own` (its runs' own counts joined, see `in_parts`) is
/// within the parser's limits: values, events (the stream's and document's four besides),
/// decoded scalar bytes, merge keys; and nested as deep as the event reader reads (32: the
/// whole text read in one pass gives the same answer).
fn within(own: Own, limits: Limits) -> bool {
    own.depth <= 32
        && own.nodes <= limits.nodes
        && own.events + 4 <= limits.events()
        && own.scalar_bytes <= super::MAX_INPUT_BYTES
        && own.merge_keys <= super::merge_keys::limit()
}

/// Whether a joined tree read by serde-saphyr's runs (no anchor, alias, tag or merge key: its
/// tree shows every value, and a value that is not a string no fewer bytes than it decodes
/// to) is within the parser's limits over the whole document.
fn tree_within(root: &Node, text: &str, limits: Limits) -> bool {
    let size = size(root);
    // Events: a start and an end per collection, one per scalar, one per comment (every `#`
    // at most), and the stream's and document's own.
    let events = size.events + text.matches('#').count() + 4;
    size.nodes <= limits.nodes
        && events <= limits.events()
        && size.depth <= 32
        && size.scalar_bytes <= super::MAX_INPUT_BYTES
}

/// The document's `connections` list, when it is the last key of a top-level mapping.
fn connections(root: &mut Node) -> Option<&mut Vec<Node>> {
    match &mut root.value {
        Value::Map(entries) => match entries.last_mut() {
            Some((key, node)) if key.name == "connections" => match &mut node.value {
                Value::Seq(list) => Some(list),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// The offset just after the line that starts at `start`: after its line break (`\n`, `\r\n`
/// or a lone `\r`, each a line break to YAML), or the text's end.
fn line_end(text: &str, start: usize) -> usize {
    match text[start..].find(['\n', '\r']) {
        None => text.len(),
        Some(i) if text[start + i..].starts_with("\r\n") => start + i + 2,
        Some(i) => start + i + 1,
    }
}

/// Whether `text` ends with a top-level `connections:` block list (the fleet form this module
/// cuts).
pub fn is_fleet_list(text: &str) -> bool {
    locate(text).is_some()
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

/// Each line's start offset and its text without its line break (see `line_end`).
fn line_starts(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        let end = line_end(text, start);
        let line = (start, &text[start..end]);
        start = end;
        Some((line.0, line.1.trim_end_matches('\n').trim_end_matches('\r')))
    })
}

/// The items of each part: about `parts` contiguous runs of the same size in bytes, the first
/// starting at item 0 and the last ending with the last item, never cut before an item
/// `tied` to the one before it (`alias_ties`; an empty `tied` ties none).
fn cut(items: &[usize], parts: usize, end: usize, tied: &[bool]) -> Vec<Range<usize>> {
    let share = (end - items[0]).div_ceil(parts);
    let mut out = Vec::with_capacity(parts);
    let mut first = 0;
    for (i, &item) in items.iter().enumerate().skip(1) {
        if item - items[first] >= share && !tied.get(i).copied().unwrap_or(false) {
            out.push(first..i);
            first = i;
        }
    }
    out.push(first..items.len());
    out
}

/// What a tree counts against the parser's budget.
#[derive(Default)]
struct Size {
    /// Values and keys.
    nodes: usize,
    /// A start and an end per collection, one per scalar.
    events: usize,
    depth: usize,
    /// At least the decoded bytes of every scalar, keys included (a plain scalar that is not
    /// a string counts its source text, which is no shorter than its decoded form).
    scalar_bytes: usize,
}

fn size(node: &Node) -> Size {
    let scalar = |bytes| Size {
        nodes: 1,
        events: 1,
        depth: 1,
        scalar_bytes: bytes,
    };
    let add = |mut total: Size, part: Size| {
        total.nodes += part.nodes;
        total.events += part.events;
        total.depth = total.depth.max(part.depth + 1);
        total.scalar_bytes += part.scalar_bytes;
        total
    };
    let collection = Size {
        nodes: 1,
        events: 2,
        depth: 1,
        scalar_bytes: 0,
    };
    match &node.value {
        // A key is a scalar beside its value (no deeper than it).
        Value::Map(m) => m.iter().fold(collection, |total, (key, v)| {
            add(add(total, size(v)), scalar(key.name.len()))
        }),
        Value::Seq(s) => s.iter().fold(collection, |total, v| add(total, size(v))),
        Value::Str(s) => scalar(s.len()),
        _ => scalar(node.span.len),
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
        assert_eq!(cut(&items, 1, 60, &[]), vec![0..5]);
        assert_eq!(cut(&items, 2, 60, &[]), vec![0..3, 3..5]);
        assert_eq!(cut(&items, 9, 60, &[]), vec![0..1, 1..2, 2..3, 3..4, 4..5]);
        let tied = [false, false, true, true, false];
        assert_eq!(cut(&items, 9, 60, &tied), vec![0..1, 1..4, 4..5]);
    }
}
