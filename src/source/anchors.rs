//! Anchors and aliases, as serde-saphyr replays them, for the event reader (`event_tree`).
//!
//! serde-saphyr (its `LiveEvents`, 2.1) records the events of an anchored value and, at each
//! alias, plays them again in place of the alias:
//! - a replayed value is counted against the parser's budget like a written one (its values,
//!   events and scalar bytes; its nesting where it lands), the alias itself as one event and
//!   one alias (`max_aliases`); every anchor as it is defined (`max_anchors`);
//! - each event recorded into an anchor's buffer is charged once per anchor being recorded
//!   (`max_recorded_anchor_events`, and its owned bytes: `max_recorded_anchor_bytes`); every
//!   replayed event once more (`AliasLimits::max_total_replayed_events`);
//! - at the end of the document, 100 aliases or more and more than 10 per anchor is refused
//!   (`AliasAnchorRatio`);
//! - a replayed value and every value and key in it take the alias's place in the text (the
//!   reference location `Spanned` reports).
//!
//! The counts here are exact or above serde-saphyr's (owned bytes are at most a scalar's
//! bytes), so a document the reader takes is within every one of those limits. The reader
//! declines (serde-saphyr decides) an alias of an anchor not yet complete (a recursive one),
//! an anchor or alias in a key, and anything over a limit.

use std::collections::HashMap;

use serde_saphyr::budget::BudgetBreach;

use crate::tree::{Node, Span, Value};

/// What a value counted against the budget when it was read, alias replays in it included.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Size {
    /// Values (scalars, keys included, and collections).
    pub nodes: usize,
    /// Its scalar and collection events (a start and an end each); no comments, no aliases.
    pub played: usize,
    pub scalar_bytes: usize,
    /// Collections nested in it (0 for a scalar).
    pub depth: usize,
}

impl Size {
    /// One value of one event (a scalar of `scalar_bytes`, or a collection's start).
    pub fn one(scalar_bytes: usize) -> Size {
        Size {
            nodes: 1,
            played: 1,
            scalar_bytes,
            depth: 0,
        }
    }

    /// What was read between `from` and `to`, of a value nested `depth` deep.
    pub fn between(from: Size, to: Size, depth: usize) -> Size {
        Size {
            nodes: to.nodes - from.nodes,
            played: to.played - from.played,
            scalar_bytes: to.scalar_bytes - from.scalar_bytes,
            depth,
        }
    }
}

/// serde-saphyr's limits on aliases (`source::budget`, serde-saphyr's defaults).
#[derive(Clone, Copy, Debug)]
pub(super) struct AliasLimits {
    pub aliases: usize,
    pub anchors: usize,
    pub recorded_events: usize,
    pub recorded_bytes: usize,
    pub replayed_events: usize,
}

impl AliasLimits {
    pub fn ours() -> Self {
        let opts = super::parse_options(super::Limits { nodes: 0 });
        let budget = opts.budget.unwrap_or_default();
        Self {
            aliases: budget.max_aliases,
            anchors: budget.max_anchors,
            recorded_events: budget.max_recorded_anchor_events,
            recorded_bytes: budget.max_recorded_anchor_bytes,
            replayed_events: opts.alias_limits.max_total_replayed_events,
        }
    }
}

/// The alias counts of a reading (also added up over the runs of a list read in parts).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AliasCounts {
    pub aliases: usize,
    /// Anchors defined (each definition, as the parser numbers them).
    pub anchors: usize,
    pub recorded_events: usize,
    pub recorded_bytes: usize,
    pub replayed_events: usize,
}

impl std::ops::Add for AliasCounts {
    type Output = AliasCounts;

    /// Both counts together.
    fn add(self, o: AliasCounts) -> AliasCounts {
        AliasCounts {
            aliases: self.aliases + o.aliases,
            anchors: self.anchors + o.anchors,
            recorded_events: self.recorded_events + o.recorded_events,
            recorded_bytes: self.recorded_bytes + o.recorded_bytes,
            replayed_events: self.replayed_events + o.replayed_events,
        }
    }
}

impl AliasCounts {
    /// Whether a whole document with these counts is within serde-saphyr's alias limits,
    /// its end-of-document ratio check included.
    pub fn within(&self) -> bool {
        self.counts_within() && !self.ratio_refused()
    }

    /// serde-saphyr's refusal at the end of a document with these (exact) counts, within
    /// every other limit: too many aliases an anchor.
    pub fn ratio_breach(&self) -> Option<BudgetBreach> {
        (self.counts_within() && self.ratio_refused()).then_some(BudgetBreach::AliasAnchorRatio {
            aliases: self.aliases,
            anchors: self.anchors,
        })
    }

    /// Whether the recorded and replayed events (and bytes) are within their limits.
    pub fn replays_within(&self) -> bool {
        let l = AliasLimits::ours();
        self.recorded_events <= l.recorded_events
            && self.recorded_bytes <= l.recorded_bytes
            && self.replayed_events <= l.replayed_events
    }

    /// Whether every count is within its limit (the ratio aside).
    fn counts_within(&self) -> bool {
        let l = AliasLimits::ours();
        self.aliases <= l.aliases && self.anchors <= l.anchors && self.replays_within()
    }

    /// Whether serde-saphyr refuses the ratio of aliases to anchors at the document's end:
    /// 100 aliases or more, and more than 10 an anchor.
    fn ratio_refused(&self) -> bool {
        self.aliases >= 100 && (self.anchors == 0 || self.aliases > self.anchors.saturating_mul(10))
    }
}

/// Where a part's own aliases and anchors are (byte offsets in the part, in order; at most
/// one more than the limit of each).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Places {
    pub aliases: Vec<usize>,
    pub anchors: Vec<usize>,
}

/// An anchor whose value is still being read.
struct Open {
    id: usize,
    /// Whether it is in the part's own text.
    own: bool,
    /// The reader's nesting once its collection started.
    depth: usize,
    /// The reader's counts before it.
    from: Size,
}

/// The anchors of one reading.
pub(super) struct Anchors {
    limits: AliasLimits,
    /// The reading's counts (its limits are held to them).
    pub counts: AliasCounts,
    /// The counts of the part's own text (a part read with others: not the first line of the
    /// next part, which it also reads), and their places.
    pub own: AliasCounts,
    pub places: Places,
    /// The budget serde-saphyr breaches where the last step was refused, when it is one that
    /// is counted exactly (aliases, anchors): the reading's own, whatever came before.
    pub breach: Option<BudgetBreach>,
    defined: HashMap<usize, (Node, Size)>,
    open: Vec<Open>,
}

impl Anchors {
    pub fn new() -> Self {
        Self {
            limits: AliasLimits::ours(),
            counts: AliasCounts::default(),
            own: AliasCounts::default(),
            places: Places::default(),
            breach: None,
            defined: HashMap::new(),
            open: Vec::new(),
        }
    }

    /// Whether an anchored value is being read.
    pub fn recording(&self) -> bool {
        !self.open.is_empty()
    }

    /// One more anchor defined at `at` (`own`: in the part's own text); `None` over the limit.
    fn count_anchor(&mut self, at: usize, own: bool) -> Option<()> {
        if own {
            self.own.anchors += 1;
            if self.places.anchors.len() <= self.limits.anchors {
                self.places.anchors.push(at);
            }
        }
        self.counts.anchors += 1;
        if self.counts.anchors > self.limits.anchors {
            self.breach = Some(BudgetBreach::Anchors {
                anchors: self.counts.anchors,
            });
            return None;
        }
        Some(())
    }

    /// An anchored collection started at `at` (the reader now `depth` deep, its counts
    /// before the collection `from`).
    pub fn open(
        &mut self,
        id: usize,
        at: usize,
        own: bool,
        depth: usize,
        from: Size,
    ) -> Option<()> {
        self.count_anchor(at, own)?;
        self.open.push(Open {
            id,
            own,
            depth,
            from,
        });
        Some(())
    }

    /// A collection that started `depth` deep ended as `node`, the reader's counts now `to`:
    /// recorded if it was anchored.
    pub fn close(&mut self, node: &Node, depth: usize, to: Size) -> Option<()> {
        if self.open.last().is_some_and(|o| o.depth == depth) {
            let open = self.open.pop()?;
            let size = Size::between(open.from, to, collection_depth(node));
            self.record(open.id, open.own, node, size)?;
        }
        Some(())
    }

    /// An anchored scalar at `at`, read as `node`, counted as `size`.
    pub fn scalar(
        &mut self,
        id: usize,
        at: usize,
        own: bool,
        node: &Node,
        size: Size,
    ) -> Option<()> {
        self.count_anchor(at, own)?;
        self.record(id, own, node, size)
    }

    fn record(&mut self, id: usize, own: bool, node: &Node, size: Size) -> Option<()> {
        if own {
            self.own.recorded_events += size.played;
            self.own.recorded_bytes += size.scalar_bytes;
        }
        let c = &mut self.counts;
        c.recorded_events += size.played;
        c.recorded_bytes += size.scalar_bytes;
        if c.recorded_events > self.limits.recorded_events
            || c.recorded_bytes > self.limits.recorded_bytes
        {
            return None;
        }
        self.defined.insert(id, (node.clone(), size));
        Some(())
    }

    /// The value an alias of anchor `id` at `at` replays, and what it counts; `None` when
    /// the anchor is not complete (a recursive alias) or a limit is reached.
    pub fn replay(&mut self, id: usize, at: Span, own: bool) -> Option<(Node, Size)> {
        if own {
            self.own.aliases += 1;
            if self.places.aliases.len() <= self.limits.aliases {
                self.places.aliases.push(at.offset);
            }
        }
        self.counts.aliases += 1;
        if self.counts.aliases > self.limits.aliases {
            self.breach = Some(BudgetBreach::Aliases {
                aliases: self.counts.aliases,
            });
            return None;
        }
        let (node, size) = self.defined.get(&id)?;
        if own {
            self.own.replayed_events += size.played;
        }
        self.counts.replayed_events += size.played;
        if self.counts.replayed_events > self.limits.replayed_events {
            return None;
        }
        let mut node = node.clone();
        node.respan(at);
        Some((node, *size))
    }
}

/// Collections nested in a value (0 for a scalar).
fn collection_depth(node: &Node) -> usize {
    match &node.value {
        Value::Map(m) => {
            1 + m
                .iter()
                .map(|(_, v)| collection_depth(v))
                .max()
                .unwrap_or(0)
        }
        Value::Seq(s) => 1 + s.iter().map(collection_depth).max().unwrap_or(0),
        _ => 0,
    }
}
