//! Reading input: bytes in, a parsed value tree with spans out.

pub mod alias_ties;
pub mod anchors;
pub mod count;
pub mod encoding;
pub mod event_tree;
pub mod file;
pub mod flow_list;
pub mod json_tree;
pub mod merge_keys;
pub mod plain_scalar;
pub mod query;
pub mod secret_file;
pub mod split;
pub mod strict_json;

use std::path::Path;

use crate::diag::Diagnostic;
use crate::tree::{Node, Span};

/// Inputs larger than this are refused before parsing.
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;
/// The most values (mappings, sequences and scalars) one document may hold.
pub const MAX_NODES: usize = 1_000_000;

/// The most aliases one document may hold, and the most anchors.
pub const MAX_ALIASES: usize = 1_000;
/// The most values of a document with YAML the event reader leaves to serde-saphyr (see
/// [`parse_whole_within`]): serde-saphyr reads about 1.5 µs a value, so such a document is
/// accepted or refused within about half a second.
pub const MAX_FULL_PARSER_NODES: usize = 300_000;

/// The display name of standard input (`-` on the command line).
pub const STDIN_NAME: &str = "<stdin>";

/// One input document: its display name and text.
#[derive(Clone, Debug)]
pub struct Source {
    pub name: String,
    pub text: String,
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            text: text.into(),
        }
    }

    /// Read a file, or standard input for `-`.
    pub fn read(path: &str) -> Result<Self, Diagnostic> {
        let bytes = if path == "-" {
            let mut buf = Vec::new();
            use std::io::Read;
            std::io::stdin()
                .take(MAX_INPUT_BYTES as u64 + 1)
                .read_to_end(&mut buf)
                .map_err(|e| io_error("<stdin>", &e))?;
            buf
        } else {
            file::read_regular(Path::new(path), MAX_INPUT_BYTES as u64).map_err(|e| match e {
                file::ReadError::Io(e) => io_error(path, &e),
                file::ReadError::TooLarge => too_large(path),
                file::ReadError::Directory => Diagnostic::error(
                    "input.read",
                    format!("`{path}` is a directory, not an input file"),
                )
                .help(
                    "pass the connection file itself, e.g. examples/aliyun/connection-static.json",
                ),
                file::ReadError::NotRegular(kind) => {
                    Diagnostic::error("input.read", format!("`{path}` is {kind}, not a file")).help(
                        "pass a regular file, or `-` and redirect the stream to standard input",
                    )
                }
            })?
        };
        let name = if path == "-" { "<stdin>" } else { path };
        Self::from_bytes(name, bytes)
    }

    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<Self, Diagnostic> {
        if bytes.len() > MAX_INPUT_BYTES {
            return Err(too_large(name));
        }
        encoding::check(name, &bytes)?;
        let bytes = encoding::without_utf8_bom(bytes);
        if bytes.contains(&0) {
            return Err(Diagnostic::error(
                "input.binary",
                format!("`{name}` contains NUL bytes; it is not a JSON or YAML text file"),
            )
            .help("pass the API payload as JSON or YAML text"));
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            Diagnostic::error(
                "input.encoding",
                format!(
                    "`{name}` is not valid UTF-8 (first bad byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
            )
            .help("save the file as UTF-8")
        })?;
        Ok(Self::new(name, text))
    }

    /// Parse the whole text: the query-string request form, or JSON / YAML (JSON is parsed as
    /// YAML flow, which keeps spans).
    pub fn parse(&self) -> Result<Node, Diagnostic> {
        self.parse_reporting_all().map_err(|mut all| all.remove(0))
    }

    /// `parse`, with every syntax error of a JSON input that can be named by its fix (trailing
    /// commas, a stray brace, a missing comma, a second document), not only the first.
    pub fn parse_reporting_all(&self) -> Result<Node, Vec<Diagnostic>> {
        if query::is_query(&self.text) {
            query::parse(&self.text).map_err(|d| vec![d])
        } else {
            if strict_json::is_json(&self.name, &self.text) {
                strict_json::check_all(&self.name, &self.text)?;
            }
            parse_text(&self.text).map_err(|d| vec![d])
        }
    }
}

fn too_large(name: &str) -> Diagnostic {
    Diagnostic::error(
        "input.too-large",
        format!(
            "`{name}` is larger than the {} MiB input limit",
            MAX_INPUT_BYTES >> 20
        ),
    )
    .help("split the document; one file should describe a handful of connections")
}

fn io_error(name: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error("input.read", format!("cannot read `{name}`: {e}"))
}

/// The most values a document of `len` bytes may hold. Written out, a value takes at least two
/// bytes (`1,`); more can only come from aliases, so this stops alias bombs early, while a
/// fleet file of tens of thousands of connections (about 25 values each) fits.
pub(crate) fn max_nodes(len: usize) -> usize {
    (len / 2).clamp(50_000, MAX_NODES)
}

/// The parser's budget for one document (see [`max_nodes`]); tests give smaller ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The most values (mappings, sequences, scalars, keys included).
    pub nodes: usize,
}

impl Limits {
    /// The limits of a document of `len` bytes.
    pub fn for_len(len: usize) -> Self {
        Self {
            nodes: max_nodes(len),
        }
    }

    /// The most parser events (a start and an end per collection, a scalar, a comment).
    pub fn events(self) -> usize {
        2 * self.nodes
    }

    /// The limits of serde-saphyr's reading of YAML the event reader leaves, when they are
    /// lower than these ([`MAX_FULL_PARSER_NODES`]; see `parse_with_full_parser`).
    pub(crate) fn full_parser(self) -> Option<Limits> {
        (self.nodes > MAX_FULL_PARSER_NODES).then_some(Limits {
            nodes: MAX_FULL_PARSER_NODES,
        })
    }
}

/// The parser's budget under `limits`.
fn budget(limits: Limits, budget: &mut serde_saphyr::Budget) {
    budget.max_depth = 64;
    budget.max_aliases = MAX_ALIASES;
    budget.max_anchors = MAX_ALIASES;
    budget.max_total_scalar_bytes = MAX_INPUT_BYTES;
    budget.max_nodes = limits.nodes;
    budget.max_events = limits.events();
}

pub(crate) fn parse_options(limits: Limits) -> serde_saphyr::Options {
    let mut opts = serde_saphyr::Options::default();
    opts.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    // The report draws its own snippet of the text; serde-saphyr's message is the plain one
    // (`... at line L, column C`), which `syntax_refusal` words the same way.
    opts.with_snippet = false;
    if let Some(b) = opts.budget.as_mut() {
        budget(limits, b);
    }
    opts
}

/// Parse a JSON or YAML text into a spanned tree.
pub fn parse_text(text: &str) -> Result<Node, Diagnostic> {
    parse_text_within(text, Limits::for_len(text.len()))
}

/// [`parse_text`] under the given limits: a text over the node limit is refused before it is
/// parsed into a tree (`count`), everything else as the sequential parse reads it. A long
/// fleet list the event reader takes in parts is read before any count (and refused as
/// `count` refuses it, when it is just over the node limit).
pub fn parse_text_within(text: &str, limits: Limits) -> Result<Node, Diagnostic> {
    if text.trim().is_empty() {
        return Err(Diagnostic::error("input.empty", "the input is empty")
            .help("paste the connection object from the API response or request"));
    }
    // Only a large text asks how many cores there are: the standard library reads the cgroup
    // files to answer (a dozen system calls a one-file run does not need).
    let cores = if text.len() >= split::MIN_BYTES {
        crate::parallel::cores()
    } else {
        1
    };
    let in_parts = cores > 1;
    // A long fleet list read from the parser's events on every core, its values counted as
    // they are read: a list within the limits is the tree, with no count first.
    if in_parts {
        if let Some(read) = split::read_in_parts_within(text, cores, limits) {
            return read;
        }
    }
    if let Some(over) = count::over_node_limit(text, limits) {
        return Err(over);
    }
    if in_parts {
        if let Some(node) = split::parse_in_parts_within(text, cores, limits) {
            return Ok(node);
        }
    }
    parse_whole_within(text, limits)
}

/// Parse a JSON or YAML text into a spanned tree in one sequential pass (what `parse_text`
/// does for all but long fleet lists).
pub fn parse_whole(text: &str) -> Result<Node, Diagnostic> {
    parse_whole_within(text, Limits::for_len(text.len()))
}

/// [`parse_whole`] under the given limits.
pub fn parse_whole_within(text: &str, limits: Limits) -> Result<Node, Diagnostic> {
    if let Some(node) = json_tree::parse(text, limits) {
        return Ok(node);
    }
    match event_tree::read(text, limits, None) {
        Ok((node, _)) => return Ok(node),
        Err(event_tree::Stop::Broken(e)) => {
            if let Some(refusal) = syntax_refusal(&e) {
                return Err(refusal);
            }
        }
        Err(event_tree::Stop::Refused(refusal)) => return Err(refusal),
        Err(event_tree::Stop::Declined(Some(left))) => {
            return parse_with_full_parser(text, limits, left)
        }
        Err(event_tree::Stop::Declined(None)) => {}
    }
    parse_yaml_within(text, limits)
}

/// serde-saphyr's reading of a text the event reader declined (`left`: for YAML it does not
/// read: a tag on a collection or on a multi-line scalar, a key that is not a string, an
/// anchor on a key, a directive, ...), with at most [`MAX_FULL_PARSER_NODES`] values: one
/// over them is refused there, with the place of what the event reader declined. Within them
/// the answer is serde-saphyr's. A document the event reader read more values of before it
/// declined is refused without serde-saphyr's reading (which would stop at its budget:
/// nothing before that place is refused).
fn parse_with_full_parser(
    text: &str,
    limits: Limits,
    left: event_tree::Left,
) -> Result<Node, Diagnostic> {
    let Some(full) = limits.full_parser() else {
        return parse_yaml_within(text, limits);
    };
    let refusal = || full_parser_refusal(left.at, limits);
    if left.values > full.nodes {
        return Err(refusal());
    }
    match parse_yaml_placed(text, full) {
        Ok(node) => Ok(node),
        Err(refused) if refused.counted_out => Err(refusal()),
        Err(refused) => Err(refused.diagnostic),
    }
}

/// The refusal of a document over the values serde-saphyr reads in one pass
/// (`MAX_FULL_PARSER_NODES`) with YAML only it reads (what the event reader declined, at `at`).
pub(super) fn full_parser_refusal(at: crate::tree::Span, limits: Limits) -> Diagnostic {
    let full = limits.full_parser().unwrap_or(limits);
    Diagnostic::error(
        "input.limit",
        format!(
            "the document is over a parser limit: it holds YAML that only the full parser \
             reads, which reads at most {MAX_FULL_PARSER_NODES} values ({} events, comments \
             included)",
            full.events()
        ),
    )
    .at(Some(at), "only the full parser reads this")
    .help(format!(
        "the fast reader takes {} values; write this value in plain YAML (no tag on a \
         collection or a multi-line scalar, a string key, no anchor on a key, no \
         directive), or split the file",
        limits.nodes
    ))
}

/// serde-saphyr's refusal of a text at the parser's first error `e`, when nothing before it
/// could stop serde-saphyr first (the event reader met it before it declined anything): the
/// message serde-saphyr makes of a parser error (the parser's own text, then ` at line L,
/// column C`), at the same place. Without serde-saphyr's second reading, which stops there
/// too but costs a second a million values before it. `None` for the errors serde-saphyr
/// words otherwise (reading the input, several documents, an unknown anchor) and for a text
/// holding a character serde-saphyr would escape (a control character, U+2028, U+2029).
/// `tests/syntax_refusal.rs` holds the two to the same diagnostics.
fn syntax_refusal(e: &serde_saphyr::granit_parser::ScanError) -> Option<Diagnostic> {
    use serde_saphyr::granit_parser::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::InputDecoding { .. }
            | ErrorKind::InputByteLimitExceeded { .. }
            | ErrorKind::MultipleDocumentsUnsupported
            | ErrorKind::UnknownAnchor
    ) {
        return None;
    }
    let info = e.info();
    if info
        .chars()
        .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
    {
        return None;
    }
    let mark = e.marker();
    let message = at_mark(&info, mark);
    Some(refusal(&message, None, Some(Span::new(mark.index(), 1))))
}

/// serde-saphyr's `message` placed at the parser's `mark`, as it words a refusal without its
/// snippet: `<message> at line L, column C`.
pub(crate) fn at_mark(message: &str, mark: &serde_saphyr::granit_parser::Marker) -> String {
    format!(
        "{message} at line {}, column {}",
        mark.line(),
        mark.col() + 1
    )
}

/// The diagnostic of serde-saphyr's refusal (its `message`, the budget it names as breached
/// if any) at `span`: `input.limit` for a budget or the scanner's own nesting limit, else
/// `input.syntax`.
fn refusal(message: &str, breach: Option<String>, span: Option<Span>) -> Diagnostic {
    // The scanner's own nesting limit (deeper than the budget's max_depth).
    let breach = breach.or_else(|| {
        message
            .contains("recursion limit exceeded")
            .then(|| "nesting too deep".to_owned())
    });
    if let Some(breach) = breach {
        return over_limit(&breach, span);
    }
    Diagnostic::error(
        "input.syntax",
        format!(
            "the input is not valid JSON or YAML: {}",
            first_line(message)
        ),
    )
    .at(span, "here")
    .help("check quotes, commas and indentation around the marked place")
}

/// [`parse_whole_within`] by the YAML parser alone (tests compare it with the JSON reader).
pub fn parse_yaml_within(text: &str, limits: Limits) -> Result<Node, Diagnostic> {
    parse_yaml_placed(text, limits).map_err(|refused| refused.diagnostic)
}

/// serde-saphyr's refusal of a text.
pub(crate) struct Refused {
    pub diagnostic: Diagnostic,
    /// How its place is counted.
    pub place: Place,
    /// Whether it is the budget's on values or events.
    pub counted_out: bool,
}

/// How serde-saphyr counts the place of a refusal (the label's offset).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// In bytes of the text.
    Bytes,
    /// In characters (a parser error: the scanner's mark).
    Chars,
}

/// [`parse_yaml_within`], saying how the refusal's place is counted.
pub(crate) fn parse_yaml_placed(text: &str, limits: Limits) -> Result<Node, Box<Refused>> {
    serde_saphyr::from_str_with_options::<Node>(text, parse_options(limits)).map_err(|e| {
        let mut place = Place::Bytes;
        let span = e.location().map(|loc| {
            let s = loc.span();
            let offset = s.byte_offset().unwrap_or_else(|| {
                place = Place::Chars;
                s.offset()
            });
            Span::new(offset as usize, 1)
        });
        let mut inner = &e;
        while let serde_saphyr::Error::AliasError { error, .. }
        | serde_saphyr::Error::WithSnippet { error, .. } = inner
        {
            inner = error;
        }
        use serde_saphyr::budget::BudgetBreach;
        let (breach, counted_out) = match inner {
            serde_saphyr::Error::Budget { breach, .. } => (
                Some(format!("{breach:?}")),
                matches!(
                    breach,
                    BudgetBreach::Nodes { .. } | BudgetBreach::Events { .. }
                ),
            ),
            _ => (None, false),
        };
        Box::new(Refused {
            diagnostic: refusal(&e.to_string(), breach, span),
            place,
            counted_out,
        })
    })
}

/// `input.limit`: the parser's budget `breach` was reached at `span`.
pub(crate) fn over_limit(breach: &str, span: Option<Span>) -> Diagnostic {
    Diagnostic::error(
        "input.limit",
        format!("the document is over a parser limit: {breach}"),
    )
    .at(span, "the limit was reached here")
    .help(format!(
        "a file holds at most {MAX_NODES} values (a small file fewer: aliases may not blow it \
         up), nesting 64 deep and {MAX_ALIASES} aliases; split a larger fleet"
    ))
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().trim().to_owned()
}
