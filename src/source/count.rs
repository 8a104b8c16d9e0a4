//! The node limit decided before a text is parsed into a tree.
//!
//! The YAML parser keeps a span for every value, over 1 µs a value: a 16 MiB document of a
//! million values would take over a second only to be refused by its node budget (and a fleet
//! list parsed in parts on every core is read to its end before its parts are counted).
//! - JSON is YAML's flow form, so a JSON text holds exactly the values the parser would count
//!   (a mapping, a sequence or a scalar each, keys included); `serde_json` counts them about
//!   twenty times faster and stops at the first value over the limit.
//! - A fleet list (`connections:`, see `split`) that could hold more values than the limit (an
//!   upper bound from its separator characters) is run through the parser's own budget check,
//!   which streams the parser's events without building a tree (about a third of the parse).
//!   A second streaming pass, on the other core at the same time, finds the value where the
//!   parser stops over the node limit (or is told to give up when it is not over). Other
//!   YAML is left to the parser, which also stops at the limit: a fleet is what would otherwise
//!   be read to its end in parts, and a flow document (`{Psk: a, Psk: a, ...}`) is usually
//!   stopped by the parser long before, at a duplicate key.
//!
//! Either gives the parser's own refusal, at the same value, with one difference: a text over
//! the limit is refused for its size even where the parser would have stopped earlier at a
//! duplicate key (both are refusals). Any other case (not JSON, aliases, another budget
//! breached first, a syntax error) is left to the parser.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::de::{DeserializeSeed, Deserializer, Error, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::Limits;
use crate::diag::Diagnostic;
use crate::tree::Span;

/// The messages of the counting visitor's own stops, told apart from JSON errors.
const OVER: &str = "ipsecgen: over the node limit";
const EVENTS: &str = "ipsecgen: over the event limit";

/// `input.limit` when `text` holds more values than `limits.nodes`, at the first value over
/// it, as the parser refuses it; `None` when it does not, or when the parser should decide.
pub fn over_node_limit(text: &str, limits: Limits) -> Option<Diagnostic> {
    // Written out, a value takes at least two bytes (`1,`): a shorter text cannot be over.
    if text.len() / 2 < limits.nodes {
        return None;
    }
    match json(text, limits) {
        Some(decided) => decided,
        None => yaml(text, limits),
    }
}

/// Most values a text without aliases can hold: each value after the first two is opened by
/// one of `, : - [ { ?` or a line break (a mapping and its first key share a place), so twice
/// their count is a safe bound.
fn upper_bound(text: &str) -> usize {
    let separators = text
        .bytes()
        .filter(|b| matches!(b, b',' | b':' | b'-' | b'[' | b'{' | b'?' | b'\n'))
        .count();
    2 * separators + 2
}

/// A YAML text that may be over the node limit, checked by the parser's own budget.
fn yaml(text: &str, limits: Limits) -> Option<Diagnostic> {
    use serde_saphyr::budget::{check_yaml_budget, BudgetBreach, EnforcingPolicy};
    // Aliases replay values: the parser's count is not the text's.
    if text.contains(['&', '*'])
        || upper_bound(text) <= limits.nodes
        || !super::split::is_fleet_list(text)
    {
        return None;
    }
    let mut budget = serde_saphyr::Budget::default();
    super::budget(limits, &mut budget);
    // The budget check says whether the node limit is what the parser would breach first;
    // the value where it stops is found by a second streaming pass, run on the other core at
    // the same time and told to stop when the budget check finds no such breach.
    let give_up = AtomicBool::new(false);
    let (breach, at) = std::thread::scope(|s| {
        let locate = s.spawn(|| first_value_over(text, limits.nodes, &give_up));
        let breach = check_yaml_budget(text, budget, EnforcingPolicy::AllContent)
            .ok()
            .and_then(|r| r.breached)
            .filter(|b| matches!(b, BudgetBreach::Nodes { .. }));
        if breach.is_none() {
            give_up.store(true, Ordering::Relaxed);
        }
        (breach, locate.join().ok().flatten())
    });
    Some(super::over_limit(
        &format!("{:?}", breach?),
        Some(Span::new(at?, 1)),
    ))
}

/// Where the value number `nodes + 1` of a YAML text starts, streaming the parser's events
/// (no tree); `None` at a parse error, when the text holds no more, or once `give_up` is set.
fn first_value_over(text: &str, nodes: usize, give_up: &AtomicBool) -> Option<usize> {
    use serde_saphyr::granit_parser::{Event, Parser};
    let mut seen = 0;
    for (i, item) in Parser::new_from_str(text).enumerate() {
        if i % 4096 == 0 && give_up.load(Ordering::Relaxed) {
            return None;
        }
        let (event, span) = item.ok()?;
        if matches!(
            event,
            Event::Scalar(..) | Event::SequenceStart(..) | Event::MappingStart(..)
        ) {
            seen += 1;
            if seen > nodes {
                return Some(span.start.byte_offset().unwrap_or(span.start.index()));
            }
        }
    }
    None
}

/// For a JSON text: `Some` of the decision (refused, or not over), `None` when it is not JSON.
fn json(text: &str, limits: Limits) -> Option<Option<Diagnostic>> {
    if !text.trim_start().starts_with(['{', '[']) {
        return None;
    }
    let mut count = Count {
        nodes: limits.nodes,
        // The stream's and the document's start come first.
        events: limits.events().saturating_sub(2),
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let Err(e) = count.deserialize(&mut de).and_then(|()| de.end()) else {
        return Some(None);
    };
    if !e.to_string().starts_with(OVER) {
        // Not JSON after all (YAML flow), or its events ran out first: the parser decides.
        return None;
    }
    Some(Some(nodes_breach(limits, value_start(text, limits.nodes))))
}

/// The parser's refusal of a text over the node limit whose first value over it starts at
/// byte `at`.
pub(crate) fn nodes_breach(limits: Limits, at: usize) -> Diagnostic {
    let breach = serde_saphyr::budget::BudgetBreach::Nodes {
        nodes: limits.nodes + 1,
    };
    super::over_limit(&format!("{breach:?}"), Some(Span::new(at, 1)))
}

/// Where the value number `n` (from 0, keys included) of a JSON text starts: a string's
/// opening quote, a number's or literal's first character, a bracket. Only called on a text
/// `serde_json` has read past that value, so the walk needs no error handling.
fn value_start(text: &str, n: usize) -> usize {
    let bytes = text.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b"+-.".contains(&b);
    let mut seen = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        match b {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'{' | b'[' => i += 1,
            _ if word(b) => {
                while i < bytes.len() && word(bytes[i]) {
                    i += 1;
                }
            }
            _ => {
                i += 1;
                continue;
            }
        }
        if seen == n {
            return start;
        }
        seen += 1;
    }
    text.len().saturating_sub(1)
}

/// Values and parser events still allowed. The parser counts an event (a scalar, a
/// collection's start or end) before the value it may be: when the events run out first, the
/// parser's refusal names them, so the count stops and leaves the text to it.
struct Count {
    nodes: usize,
    events: usize,
}

impl Count {
    fn event<E: Error>(&mut self) -> Result<(), E> {
        self.events = self
            .events
            .checked_sub(1)
            .ok_or_else(|| E::custom(EVENTS))?;
        Ok(())
    }

    /// A value: its event, then the value itself.
    fn take<E: Error>(&mut self) -> Result<(), E> {
        self.event()?;
        self.nodes = self.nodes.checked_sub(1).ok_or_else(|| E::custom(OVER))?;
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for &mut Count {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for &mut Count {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: Error>(self, _: bool) -> Result<(), E> {
        self.take()
    }
    fn visit_i64<E: Error>(self, _: i64) -> Result<(), E> {
        self.take()
    }
    fn visit_u64<E: Error>(self, _: u64) -> Result<(), E> {
        self.take()
    }
    fn visit_f64<E: Error>(self, _: f64) -> Result<(), E> {
        self.take()
    }
    fn visit_str<E: Error>(self, _: &str) -> Result<(), E> {
        self.take()
    }
    fn visit_unit<E: Error>(self) -> Result<(), E> {
        self.take()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.take()?;
        while seq.next_element_seed(&mut *self)?.is_some() {}
        self.event()
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.take()?;
        while map.next_key::<IgnoredAny>()?.is_some() {
            self.take()?; // the key
            map.next_value_seed(&mut *self)?;
        }
        self.event()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(nodes: usize) -> Limits {
        Limits { nodes }
    }

    #[test]
    fn counts_as_the_yaml_parser_and_stops_where_it_stops() {
        // {"a":[1,2],"b":{"c":null}}: the map, a, the list, 1, 2, b, the map, c, null = 9.
        count_as_the_parser(r#"{"a":[1,2],"b":{"c":null}}"#, 9);
        // Strings with escaped quotes and backslashes, numbers, literals, nesting, spaces.
        count_as_the_parser(
            r#"[ {"k\"":"v\\", "x": -1.5e3}, [true, false, null, "\\\"q"], {}, [], 12 ]"#,
            14,
        );
    }

    /// Every limit below `values`: where the count decides, it refuses as the parser does, at
    /// the same place; it decides the limits just below `values` (at smaller ones the budget
    /// check's event count, which also counts comments, may run out first in a text this
    /// short: left to the parser).
    fn count_as_the_parser(text: &str, values: usize) {
        for limit in 1..values + 3 {
            let mine = over_node_limit(text, limits(limit)).map(|d| (d.code, d.message, d.label));
            let parser = super::super::parse_whole_within(text, limits(limit))
                .err()
                .map(|d| (d.code, d.message, d.label));
            match (&mine, &parser) {
                (Some(_), Some(_)) => assert_eq!(mine, parser, "limit {limit}"),
                (Some(_), None) => panic!("limit {limit}: refused, the parser accepts"),
                (None, Some((_, message, _))) => assert!(
                    limit + 3 < values || message.contains("Events"),
                    "limit {limit}: not decided, the parser says {message}"
                ),
                (None, None) => assert!(limit >= values, "limit {limit}"),
            }
        }
    }

    #[test]
    fn counts_yaml_as_the_parser_and_stops_where_it_stops() {
        // The map, connections, the list, then per item: the map, name, its value, subnets,
        // the list, its two values = 3 + 2 x 7 = 17.
        count_as_the_parser(
            "# a fleet\nconnections:\n  - name: a   # first\n    subnets: [10.0.0.0/24, '10.1.0.0/24']\n  - {name: \"b\", subnets: [x, y]}\n",
            17,
        );
        // Block scalars, explicit keys, nulls, nested block lists, in fleet items.
        count_as_the_parser(
            "connections:\n- a: |\n    text: [1, 2]\n  ? b\n  : - - 1\n      - 2\n    - ~\n- c:\n",
            15,
        );
        // YAML that is not a fleet list is left to the parser.
        let flat = "a: |\n  text: [1, 2]\n? b\n: - - 1\n    - 2\n  - ~\nc:\n";
        assert!(over_node_limit(flat, limits(8)).is_none());
        assert!(super::super::parse_whole_within(flat, limits(8)).is_err());
    }

    #[test]
    fn aliases_and_short_texts_are_left_to_the_parser() {
        let aliased = "a: &x [1, 2, 3]\nb: *x\nc: *x\nd: *x\n";
        assert!(over_node_limit(aliased, limits(4)).is_none());
        assert!(super::super::parse_whole_within(aliased, limits(4)).is_err());
        assert!(over_node_limit("[1]", limits(2)).is_none());
    }

    #[test]
    fn the_bound_is_above_every_count() {
        for (text, values) in [
            ("a: b", 3),
            ("- a\n- b", 3),
            ("- - - a", 4),
            ("k:\n  a: b\n", 5),
            ("[a,b]", 3),
            ("{a: b, c: [d]}", 6),
        ] {
            assert!(upper_bound(text) >= values, "{text:?}");
        }
    }
}
